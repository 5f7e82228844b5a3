"""The page frame every staff page stands on: the main menu each person's
roles open, the language switch and the log-out button
(stafett/core/templatetags/menu.py and frame.py)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

EVERYONE = ["My worries", "Needs attention", "Notifications", "My relays", "Requests for access",
            "Action guide", "Catalogue of measures", "My account"]


def _menu(world, user, path="/stafettlogg/"):
    client = world.client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(path, follow=True).content.decode()
    nav = re.search(r'<nav aria-label="Main menu">(.*?)</nav>', html, re.S)
    return html, nav.group(1) if nav else None


def _links(nav):
    return [re.sub(r"<[^>]+>", "", item).replace("&#x27;", "'")
            for item in re.findall(r"<li>(.*?)</li>", nav)]


@pytest.mark.parametrize(("who", "links"), [
    ("teacher", EVERYONE),
    ("leader", [*EVERYONE[:4], "Leader's inbox", "Reports of concern", "Leadership view",
                *EVERYONE[4:]]),
    ("coordinator", [*EVERYONE[:4], "Reports of concern", "Leadership view", *EVERYONE[4:7],
                     "Edit the guide", "Archive extract", "My account"]),
])
def test_each_person_sees_the_links_their_roles_open_in_order(world, who, links):
    _html, nav = _menu(world, getattr(world, who))
    assert _links(nav) == links


def test_the_current_page_is_marked_and_no_other(world):
    _html, nav = _menu(world, world.teacher, reverse("relay:mine"))
    assert re.findall(r'href="([^"]+)" aria-current="page"', nav) == [reverse("relay:mine")]
    _html, nav = _menu(world, world.teacher, reverse("notify:list"))
    assert re.findall(r'href="([^"]+)" aria-current="page"', nav) == [reverse("notify:list")]


def test_no_menu_for_a_person_outside_any_municipality_or_a_visitor(world, client):
    html, nav = _menu(world, world.operator, reverse("accounts:account"))
    assert nav is None and "Log out" in html
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Main menu" not in page and "Log out" not in page and 'id="language-select"' in page


def test_the_language_switch_returns_to_the_page_and_the_logout_posts_with_a_token(world):
    html, _nav = _menu(world, world.teacher, "/stafettlogg/?side=2")
    form = re.search(r'<form class="language-form" method="post" action="([^"]+)">(.*?)</form>',
                     html, re.S)
    assert form.group(1) == reverse("core:set_language")
    assert '<input type="hidden" name="next" value="/stafettlogg/?side=2">' in form.group(2)
    assert '<option value="en" lang="en" selected>' in form.group(2)
    assert re.search(r'name="csrfmiddlewaretoken" value="\w{32,}"', form.group(2))
    logout = re.search(rf'<form method="post" action="{reverse("accounts:logout")}">(.*?)</form>',
                       html, re.S)
    assert re.search(r'name="csrfmiddlewaretoken" value="\w{32,}"', logout.group(1))
    assert "Log out" in logout.group(1)


def test_the_switch_changes_the_language_of_the_page_it_returns_to(world):
    client = world.client_for(world.teacher)
    response = client.post(reverse("core:set_language"), {"language": "nn", "next": "/stafettlogg/"},
                           follow=True)
    assert response.redirect_chain[-1][0] == "/stafettlogg/"
    assert '<html lang="nn">' in response.content.decode()
