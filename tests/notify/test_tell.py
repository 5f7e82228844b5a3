"""`tell`: the notice and its e-mail commit or roll back with the action,
the e-mail goes out once after commit, and it says nothing about the child."""

import pytest
from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation
from django_scopes import scope, scopes_disabled

from stafett.notify import kinds, outbox
from stafett.notify.models import Notice, OutboxMessage
from tests.concerns.helpers import make_concern
from tests.conftest import nb
from tests.relay.helpers import make_relay

from .conftest import notices_of, outbox_rows

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
RELAY_KINDS = ["handover_offered", "handover_accepted", "handover_declined", "participant_added",
               "consent_withdrawn", "consent_narrowed", "meeting_invited", "holder_appointment",
               "inclusion_requested"]


def _tell(world, user, kind="handover_offered", about=None, **kwargs):
    with scope(municipality=world.fjordvik), transaction.atomic():
        return outbox.tell(user, kind, municipality=world.fjordvik, about=about, **kwargs)


class Boom(Exception):
    pass


def test_a_rolled_back_action_leaves_no_notice_and_sends_nothing(
    world, smtp, django_capture_on_commit_callbacks
):
    relay, _ = make_relay(world)
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(Boom), scope(municipality=world.fjordvik), transaction.atomic():
            outbox.tell(world.other_employee, "handover_offered", municipality=world.fjordvik,
                        about=relay)
            raise Boom
    assert callbacks == []
    assert notices_of(world, world.other_employee) == []
    assert outbox_rows() == []
    outbox.deliver("worker-a")
    assert smtp.received == []


@override_settings(TASKS=IMMEDIATE)
def test_after_commit_the_worker_sends_exactly_one_email_without_personal_data(
    world, smtp, django_capture_on_commit_callbacks
):
    concern = make_concern(world)
    relay, _ = make_relay(world)
    with scopes_disabled():
        worry_child, relay_child = concern.child, relay.child
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with scope(municipality=world.fjordvik), transaction.atomic():
            outbox.tell(world.other_employee, "handover_offered", municipality=world.fjordvik,
                        about=relay)
            outbox.tell(world.other_employee, "participant_added", municipality=world.fjordvik,
                        about=relay)
    # one delivery sweep per transaction, run by the (immediate) task backend
    assert len(callbacks) == 1
    assert [m["to"] for m in smtp.accepted] == ["olav@fjordvik.invalid"] * 2
    outbox.deliver("worker-b")
    outbox.deliver("worker-c")
    assert len(smtp.received) == 2
    assert {m.state for m in outbox_rows()} == {"sent"}
    for text in smtp.texts():
        assert nb("You are asked to take over as holder of a relay.") in text \
            or nb("You have been added as a participant in a relay.") in text
        assert "/varsler/" in text
        for secret in ("Ella", "Strandvik", relay_child.name, worry_child.name,
                       worry_child.national_id, f"/stafettlogg/{relay.pk}/",
                       f"/bekymringer/{concern.pk}/", "Søvn"):
            assert secret not in text
    assert worry_child.national_id


def test_a_notice_about_a_worry_is_sent_and_says_nothing_of_the_child(world, smtp):
    concern = make_concern(world)
    with scopes_disabled():
        child = concern.child
    _tell(world, world.leader, "participant_added", about=concern)
    assert outbox.deliver("w") == {"sent": 1}
    (text,) = smtp.texts()
    assert child.national_id not in text and child.name not in text and "Ella" not in text


@pytest.mark.django_db(transaction=True)
def test_tell_outside_a_transaction_is_refused(world):
    with scope(municipality=world.fjordvik), pytest.raises(RuntimeError):
        outbox.tell(world.teacher, "handover_offered", municipality=world.fjordvik)


def test_no_email_for_a_person_without_an_address_or_inactive(world, smtp):
    with scopes_disabled():
        world.colleague.email = ""
        world.colleague.save(update_fields=["email"])
        world.leader.is_active = False
        world.leader.save(update_fields=["is_active"])
    for user in (world.colleague, world.leader):
        _tell(world, user, "meeting_invited")
        assert len(notices_of(world, user)) == 1
    assert outbox_rows() == []


def test_an_address_removed_before_delivery_cancels_the_email(world, smtp):
    _tell(world, world.colleague, "meeting_invited")
    with scopes_disabled():
        world.colleague.email = ""
        world.colleague.save(update_fields=["email"])
    assert outbox.deliver("w") == {"cancelled": 1}
    assert smtp.received == []
    assert outbox_rows()[0].state == "cancelled"


@pytest.mark.parametrize("params", [
    {"reason": "Ella Strandvik har flyttet"},  # free text
    {"name": "Ella"},  # a name (capitals are not a code)
    {"note": "x" * 65},
    {"service": 3.5},
    ["service", 3],
])
def test_params_hold_codes_and_ids_only(world, params):
    with pytest.raises(ValueError):
        _tell(world, world.teacher, params=params)
    with scope(municipality=world.fjordvik):
        assert not Notice.objects.exists()


def test_codes_ids_and_dates_are_fine_as_params(world):
    notice = _tell(world, world.teacher, "consent_narrowed",
                   params={"services": [3, 4], "consent": 7, "valid_until": "2027-05-01",
                           "legal_basis": "consent"})
    assert notice.params["services"] == [3, 4]
    (message,) = outbox_rows()
    assert message.params == {**notice.params, "notice": notice.pk}
    assert message.key == f"notice:{notice.pk}"


def test_about_must_be_a_relay_or_worry_of_the_same_municipality(world):
    relay, _ = make_relay(world)
    with pytest.raises(ValueError):
        _tell(world, world.teacher, about=world.kindergarten)
    with pytest.raises(ValueError), scope(municipality=world.asheim), transaction.atomic():
        outbox.tell(world.outsider, "handover_offered", municipality=world.asheim, about=relay)
    notice = _tell(world, world.teacher, about=relay)
    assert (notice.object_type, notice.object_id) == ("relay", relay.pk)


def test_unknown_kinds_and_the_email_only_digest_are_refused(world):
    with pytest.raises(ValueError):
        _tell(world, world.teacher, "no_such_kind")
    with pytest.raises(ValueError):
        _tell(world, world.teacher, "digest")


@pytest.mark.parametrize("code", RELAY_KINDS)
def test_every_kind_has_a_translated_sentence_that_is_emailed(world, smtp, code):
    relay, _ = make_relay(world)
    _tell(world, world.other_employee, code, about=relay)
    outbox.deliver("w")
    (text,) = smtp.texts()
    with translation.override("en"):
        source = str(kinds.get(code).sentence)
    assert nb(source) in text  # nb() fails on an untranslated sentence


def test_the_email_is_in_the_recipients_language(world, smtp):
    with scopes_disabled():
        world.other_employee.preferred_language = "en"
        world.other_employee.save(update_fields=["preferred_language"])
    _tell(world, world.other_employee, "meeting_invited")
    outbox.deliver("w")
    (text,) = smtp.texts()
    assert "You have been invited to a meeting about a relay." in text


def test_a_kind_can_be_added(world, smtp, monkeypatch):
    monkeypatch.setitem(kinds.KINDS, "test_kind", kinds.Kind("test_kind", "Something happened."))
    with pytest.raises(ValueError):  # a code is registered once, with one meaning
        kinds.register(kinds.Kind("test_kind", "Something else."))
    _tell(world, world.teacher, "test_kind")
    outbox.deliver("w")
    assert "Something happened." in smtp.texts()[0]
    with scopes_disabled():
        assert OutboxMessage.objects.get().kind == "test_kind"
