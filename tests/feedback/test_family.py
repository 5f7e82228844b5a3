"""Families send feedback from the family pages, to a municipality where
their child is on record, named or anonymous, and follow it."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django_scopes import scopes_disabled

from stafett.feedback.models import Feedback
from stafett.notify import outbox
from stafett.notify.models import Notice, OutboxMessage
from stafett.tenancy.models import Municipality

from .helpers import answer

pytestmark = pytest.mark.django_db

NEW, MINE, TRACK = (reverse(f"feedback_family:{n}") for n in ("new", "mine", "track"))


def _post(client, **data):
    with scopes_disabled():
        fjordvik = Municipality.objects.get(number="9901")
    return client.post(NEW, {"kommune": fjordvik.pk, "topic": "cooperation", "subject": "", "text": "Skolen og helsestasjonen snakker godt sammen.",
                             **data})


def test_a_guardian_sends_named_feedback_to_her_childs_municipality_and_follows_it(world, family):
    frida = family.client_for(family.frida)
    assert reverse("feedback_family:new") in frida.get(reverse("citizen:home")).content.decode()
    response = _post(frida)
    with scopes_disabled():
        feedback = Feedback.objects.get()
    assert response.status_code == 302
    assert (feedback.municipality, feedback.origin, feedback.sender, feedback.service) == (
        world.fjordvik, "family", family.frida, None)
    family.frida.email = "frida@example.invalid"
    family.frida.save(update_fields=["email"])
    answer(world, feedback, "considering", "Takk, vi tar det med i evalueringen.")
    page = frida.get(MINE).content.decode()
    assert "Vurderes" in page and "Fjordvik kommune" in page
    page = frida.get(reverse("feedback_family:detail", args=[feedback.pk])).content.decode()
    assert "Takk, vi tar det med i evalueringen." in page
    # She is told by e-mail (she has no notice page), without her text or the answer.
    with scopes_disabled():
        assert not Notice.objects.exists()
        assert OutboxMessage.objects.get().kind == "feedback_answered_family"
    outbox.deliver_all("test")
    body = mail.outbox[0].body
    assert reverse("feedback_family:mine") in body and "helsestasjonen" not in body and "evalueringen" not in body


def test_a_family_member_anonymously_sends_and_follows_by_code(world, family):
    frida = family.client_for(family.frida)
    page = _post(frida, anonymous="on", text="Anonymt fra en mor.").content.decode()
    code = page.split('<strong dir="ltr">')[1].split("<")[0]
    with scopes_disabled():
        feedback = Feedback.objects.get()
    assert feedback.sender is None and feedback.origin == "family"
    assert "Anonymt fra en mor." not in frida.get(MINE).content.decode()
    answer(world, feedback, "not_changed", "Vi beholder ordningen.")
    page = frida.post(TRACK, {"code": code}).content.decode()
    assert "Anonymt fra en mor." in page and "Vi beholder ordningen." in page
    # Staff codes and family codes are two lookups: a family code does not open on the staff page.
    assert "Anonymt fra en mor." not in world.client_for(world.teacher).post(
        reverse("feedback:track"), {"code": code}).content.decode()


def test_a_family_member_cannot_send_to_a_municipality_without_their_child(world, family):
    frida = family.client_for(family.frida)
    # Åsheim is not offered to her: a crafted choice is refused, nothing saved.
    response = _post(frida, kommune=world.asheim.pk)
    assert "Velg et av valgene i listen." in response.content.decode()
    with scopes_disabled():
        assert not Feedback.objects.exists()
    # Nils has no child on record: no form at all.
    page = family.client_for(family.nils).get(NEW).content.decode()
    assert 'name="text"' not in page


def test_a_family_member_sees_only_their_own_feedback(world, family):
    _post(family.client_for(family.frida))
    with scopes_disabled():
        feedback = Feedback.objects.get()
    url = reverse("feedback_family:detail", args=[feedback.pk])
    assert family.client_for(family.geir).get(url).status_code == 404
    assert world.client_for(world.teacher).get(url).status_code == 404
    assert family.client_for(family.frida).get(reverse("feedback:mine")).status_code == 404
    page = world.client_for(world.coordinator).get(reverse("feedback:handle")).content.decode()
    assert "Skolen og helsestasjonen" in page


def test_bad_input_on_the_family_page_gets_a_message_in_the_family_language(world, family):
    frida = family.client_for(family.frida)
    frida.cookies[settings.LANGUAGE_COOKIE_NAME] = "pl"
    response = _post(frida, text="")
    assert "Napisz swoją opinię." in response.content.decode()
    with scopes_disabled():
        assert not Feedback.objects.exists()
