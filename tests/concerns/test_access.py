"""Who sees a worry, and who is refused — 404, never 403, and never in a list."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from .helpers import make_concern

PAGES = ["detail", "history", "acute"]


def _urls(concern):
    urls = [reverse(f"concerns:{name}", args=[concern.pk]) for name in PAGES]
    urls += [reverse("concerns:step", args=[concern.pk, code])
             for code in ("define", "share", "talk", "decide", "close")]
    return urls


@pytest.mark.parametrize("who", ["teacher", "leader"])
def test_author_and_leader_of_shared_worry_see_every_page(world, who):
    concern = make_concern(world, shared=True)
    client = world.client_for(getattr(world, who))
    for url in _urls(concern):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "who", ["colleague", "other_employee", "other_leader", "coordinator", "outsider", "operator"]
)
def test_everyone_else_gets_404_and_an_empty_list(world, who):
    concern = make_concern(world, shared=True, name="Hemmelig Barnesen")
    client = world.client_for(getattr(world, who))
    for url in _urls(concern):
        assert client.get(url).status_code == 404, url
    for list_url in (reverse("concerns:mine"), reverse("concerns:inbox")):
        response = client.get(list_url)
        assert "Hemmelig Barnesen" not in response.content.decode()


def test_leader_does_not_see_unshared_worry(world):
    concern = make_concern(world, shared=False, name="Ikke Deltsen")
    client = world.client_for(world.leader)
    assert client.get(reverse("concerns:detail", args=[concern.pk])).status_code == 404
    assert "Ikke Deltsen" not in client.get(reverse("concerns:inbox")).content.decode()


def test_missing_and_forbidden_look_the_same(world):
    concern = make_concern(world)
    client = world.client_for(world.colleague)
    forbidden = client.get(reverse("concerns:detail", args=[concern.pk]))
    missing = client.get(reverse("concerns:detail", args=[concern.pk + 1000]))
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content


def test_anonymous_is_sent_to_login(world):
    concern = make_concern(world)
    for url in _urls(concern) + [reverse("concerns:mine"), reverse("concerns:new")]:
        response = world.client_for(world.teacher).__class__().get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_refused_writes_change_nothing(world):
    concern = make_concern(world, shared=True)
    client = world.client_for(world.other_leader)
    response = client.post(
        reverse("concerns:step", args=[concern.pk, "decide"]),
        {"version": concern.version, "outcome": "close", "reason": "Ikke mitt barn"},
    )
    assert response.status_code == 404
    response = client.post(reverse("concerns:comment", args=[concern.pk]), {"text": "hei"})
    assert response.status_code == 404
    with scopes_disabled():
        concern.refresh_from_db()
        assert concern.outcome == ""
        assert not concern.comments.exists()


def test_leader_may_comment_and_decide_but_not_rewrite(world):
    concern = make_concern(world, shared=True)
    client = world.client_for(world.leader)
    url = reverse("concerns:step", args=[concern.pk, "define"])
    response = client.post(url, {"version": concern.version, "observations": "Omskrevet"})
    assert response.status_code == 404
    response = client.post(reverse("concerns:comment", args=[concern.pk]), {"text": "Vi tar det på møtet."})
    assert response.status_code == 302
    response = client.post(
        reverse("concerns:step", args=[concern.pk, "decide"]),
        {"version": concern.version + 1, "outcome": "level1", "reason": "Følges opp i barnehagen."},
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.outcome == "level1" and concern.decided_by == world.leader
    assert concern.observations == "Virker sliten om morgenen."


def test_coordinator_cannot_register_a_worry(world):
    client = world.client_for(world.coordinator)
    assert client.get(reverse("concerns:new")).status_code == 404


def test_inbox_is_only_for_leaders(world):
    assert world.client_for(world.teacher).get(reverse("concerns:inbox")).status_code == 404
