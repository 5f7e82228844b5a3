"""The frame of the stafettlogg, page by page: list, start, overview with its
timeline, guardians and consent, participants, handover, closing, the PDF and
the guardians' copy. Pages are read in English (cookie), and tests assert on
data, status codes and structure."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.audit.models import AuditEvent
from stafett.concerns import actions as concern_actions
from stafett.relay import actions
from stafett.relay.models import Consent, Entry, Guardian, Handover, Participant, Relay
from tests.concerns.helpers import make_concern

from .helpers import make_relay


def client(world, user):
    c = world.client_for(user)
    c.cookies["django_language"] = "en"
    return c


def url(name, *args, **query):
    path = reverse(f"relay:{name}", args=args)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def events(action, **filters):
    with scopes_disabled():
        return AuditEvent.objects.filter(action=action, **filters)


def join(world, relay, user, service, task=""):
    with scope(municipality=world.fjordvik):
        return actions.add_participant(world.actor(relay.holder), relay, service=service, user=user,
                                       task=task)


# --- the list -----------------------------------------------------------------------


def test_list_shows_held_and_shared_relays_and_audits_each_row(world):
    relay, _ = make_relay(world)
    join(world, relay, world.other_employee, world.school, "Følger opp på skolen")
    for user in (world.health_nurse, world.other_employee):
        response = client(world, user).get(url("mine"))
        assert response.status_code == 200
        assert response.context["relays"] == [relay]
    assert events("list", object_id=relay.pk, actor=world.other_employee).count() == 1
    assert events("list", object_id=relay.pk, actor=world.health_nurse).get().legal_basis != \
        events("list", object_id=relay.pk, actor=world.other_employee).get().legal_basis
    # Closed relays are under their own tab.
    assert client(world, world.health_nurse).get(url("mine", status="closed")).context["relays"] == []


def test_list_paginates(world):
    for i in range(27):
        make_relay(world, name=f"Barn {i}", consent_services=[])
    response = client(world, world.health_nurse).get(url("mine"))
    assert len(response.context["relays"]) == 25
    assert len(client(world, world.health_nurse).get(url("mine", side=2)).context["relays"]) == 2


def test_list_pages_follow_last_activity_and_count_only_what_is_seen(world):
    """The page and its count come from one run of the policy (lib/paging):
    newest activity first across pages, and a relay whose consent was
    withdrawn leaves page and count for the participant at once."""
    relays = [make_relay(world, name=f"Barn {i}")[0] for i in range(27)]
    for relay in relays:
        join(world, relay, world.other_employee, world.school)
    with scopes_disabled():
        for i, relay in enumerate(relays):
            Relay.objects.filter(pk=relay.pk).update(
                last_activity_at=timezone.now() - dt.timedelta(hours=i))
    olav = client(world, world.other_employee)
    first, second = olav.get(url("mine")), olav.get(url("mine", side=2))
    assert first.context["relays"] + second.context["relays"] == relays
    assert first.context["page"].paginator.count == 27
    with scope(municipality=world.fjordvik):
        actions.withdraw_consent(world.actor(world.health_nurse), relays[0], reason="Trukket.")
    first = olav.get(url("mine"))
    assert relays[0] not in first.context["relays"]
    assert first.context["page"].paginator.count == 26
    # The holder still sees her own record.
    assert client(world, world.health_nurse).get(url("mine")).context["page"].paginator.count == 27


# --- starting ------------------------------------------------------------------------


def _decided_concern(world, outcome="level1"):
    concern = make_concern(world)
    with scope(municipality=world.fjordvik):
        return concern_actions.decide(world.actor(world.teacher), concern, version=concern.version,
                                      outcome=outcome, reason="Videre på nivå 1.")


def test_start_from_a_worry_carries_its_description_over(world):
    concern = _decided_concern(world, "level2")
    teacher = client(world, world.teacher)
    start = url("start_from_concern", concern.pk)
    page = teacher.get(start)
    assert page.status_code == 200
    assert page.context["form"].initial["level"] == 2
    assert "Virker sliten om morgenen." in page.context["form"].initial["area_of_concern"]
    response = teacher.post(start, {"level": "2", "area_of_concern": "Søvn og trivsel."})
    with scopes_disabled():
        relay = Relay.objects.get()
    assert response.status_code == 302 and response.url == url("detail", relay.pk)
    assert (relay.concern, relay.holder, relay.level, relay.holder_service) == (
        concern, world.teacher, 2, world.kindergarten)
    # A second start is refused with a message, not a second relay.
    again = teacher.get(start)
    assert again.status_code == 302
    with scopes_disabled():
        assert Relay.objects.count() == 1


def test_the_worry_page_include_offers_the_start(world):
    concern = _decided_concern(world)
    with scope(municipality=world.fjordvik):
        html = render_to_string("relay/_start_from_concern.html", {
            "concern": concern, "allowed": {"decide"}, "user": world.teacher,
        })
        assert url("start_from_concern", concern.pk) in html
        undecided = make_concern(world, name="Ola")
        assert render_to_string("relay/_start_from_concern.html", {
            "concern": undecided, "allowed": {"decide"}, "user": world.teacher,
        }).strip() == ""


def test_start_from_an_undecided_or_closing_worry_is_refused(world):
    concern = _decided_concern(world, "close")
    response = client(world, world.teacher).get(url("start_from_concern", concern.pk))
    assert response.status_code == 302 and response.url == reverse("concerns:detail", args=[concern.pk])
    # Someone who may not decide on the worry gets 404.
    assert client(world, world.colleague).get(url("start_from_concern", concern.pk)).status_code == 404


def test_health_station_starts_directly_with_the_childs_facts(world):
    nurse = client(world, world.health_nurse)
    birth = dt.date.today() - dt.timedelta(days=800)
    data = {"service": world.health_station.pk, "child_name": "  Mia   Fjell ",
            "birth_date": birth.isoformat(), "expected_date": "",
            "national_id": "", "level": "1", "area_of_concern": "Søvn."}
    future = nurse.post(url("new"), data | {"birth_date": (dt.date.today() + dt.timedelta(days=3)).isoformat()})
    assert future.status_code == 200
    assert "The date of birth cannot be in the future" in text(future)
    assert 'role="alert"' in text(future)
    response = nurse.post(url("new"), data)
    with scopes_disabled():
        relay = Relay.objects.select_related("child").get()
    assert response.url == url("detail", relay.pk)
    assert relay.child.name == "Mia Fjell" and relay.holder == world.health_nurse
    assert relay.concern is None


def test_kindergarten_is_told_to_start_with_a_worry(world):
    response = client(world, world.teacher).get(url("new"))
    assert response.status_code == 200 and response.context["form"] is None
    assert reverse("concerns:new") in text(response)


# --- the overview ------------------------------------------------------------------------


def test_overview_shows_child_holder_consent_participants_and_steps(world):
    relay, _ = make_relay(world, level=2)
    join(world, relay, world.other_employee, world.school, "Kontaktlærer")
    response = client(world, world.health_nurse).get(url("detail", relay.pk))
    assert response.status_code == 200
    body = text(response)
    assert "Ella Strandvik" in body and "Helga Helsesøstersen" in body
    assert "No consent in force." not in body
    [consent] = response.context["consents_in_force"]
    assert {s.name for s in consent.services.all()} == {"Helsestasjonen", "Bakken skole"}
    assert [p.user for p in response.context["participants"]] == [world.health_nurse, world.other_employee]
    steps = response.context["steps"]
    assert [s.step.code for s in steps] == ["start", "plan", "measures", "evaluate", "decide"]
    assert response.context["next_step"].step.code == "start"
    assert url("acute", relay.pk) in body  # the acute bar leads to the relay's acute page
    assert events("read", object_id=relay.pk, actor=world.health_nurse).count() == 1
    assert client(world, world.health_nurse).get(url("acute", relay.pk)).status_code == 200


def test_progress_follows_the_data(world):
    relay, _ = make_relay(world)
    today = timezone.localdate()
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.health_nurse)
        meeting = actions.plan_meeting(actor, relay, kind="network", starts_at=timezone.now(), place="Helsestasjonen")
        actions.record_minutes(actor, meeting, version=meeting.version, minutes="Vi møttes.", decisions="")
        goal = actions.add_goal(actor, relay, title="Sove hele natta", indicator="Mor forteller")
        actions.add_measure(actor, relay, what="Kveldsrutine", responsible_service=world.health_station,
                            goal=goal, starts_on=today, deadline=today + dt.timedelta(days=30),
                            evaluate_on=today + dt.timedelta(days=30))
    response = client(world, world.health_nurse).get(url("detail", relay.pk))
    status = {item.step.code: item.status for item in response.context["steps"]}
    assert status == {"start": "done", "plan": "done", "measures": "done", "evaluate": "next",
                      "decide": "open"}


def test_overview_warns_when_no_consent_is_in_force(world):
    relay, _ = make_relay(world, consent_services=[])
    response = client(world, world.health_nurse).get(url("detail", relay.pk))
    assert "No consent in force." in text(response)
    assert url("consent", relay.pk) in text(response)


def test_overview_shows_holder_history(world):
    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        handover = actions.request_handover(world.actor(world.health_nurse), relay, to_user=world.other_employee,
                                            to_service=world.school, note="Skolen tar over.")
        actions.respond_to_handover(world.actor(world.other_employee), handover, accept=True)
    response = client(world, world.other_employee).get(url("detail", relay.pk))
    assert [h[0] for h in response.context["holder_history"]] == [world.health_nurse, world.other_employee]


def _fill_timeline(world, relay, n):
    with scope(municipality=world.fjordvik):
        now = timezone.now()
        Entry.objects.bulk_create([
            Entry(municipality=world.fjordvik, relay=relay, kind="bright_spot" if i % 2 else "note",
                  text=f"Innslag {i}", author=world.health_nurse, author_service=world.health_station,
                  created_at=now + dt.timedelta(seconds=i))
            for i in range(n)
        ])


def test_timeline_is_newest_first_paginated_and_filterable(world):
    relay, _ = make_relay(world)
    _fill_timeline(world, relay, 30)
    nurse = client(world, world.health_nurse)
    first = nurse.get(url("detail", relay.pk))
    entries = list(first.context["page"].object_list)
    assert len(entries) == 25 and entries[0].text == "Innslag 29"
    assert 'href="?#tidslinje" aria-current="page"' in first.content.decode()
    with scope(municipality=world.fjordvik):
        every = list(Entry.objects.filter(relay=relay).order_by("-created_at", "-pk").values_list("pk", flat=True))

    def shown(**query):
        return [e.pk for e in nurse.get(url("detail", relay.pk, **query)).context["page"].object_list]

    last = every[25 * ((len(every) - 1) // 25):]
    assert len(every) > 30 and shown() == every[:25] and shown(side=2) == every[25:50]
    # Past the last page, or below the first: the last; not a number: the first.
    assert shown(side=99) == shown(side=0) == shown(side="9" * 30) == last
    assert shown(side="x") == every[:25]
    bright = nurse.get(url("detail", relay.pk, type="bright_spot"))
    assert {e.kind for e in bright.context["page"].object_list} == {"bright_spot"}
    assert 'type=bright_spot#tidslinje" aria-current="page"' in bright.content.decode()
    # An unknown kind shows everything rather than failing.
    assert nurse.get(url("detail", relay.pk, type="nope")).context["kind"] == ""


def test_a_correction_keeps_the_earlier_wording_visible(world):
    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.health_nurse)
        entry = actions.add_entry(actor, relay, kind="note", text="Mor kom ikke.")
        actions.correct_entry(actor, entry, text="Far kom ikke.")
    body = text(client(world, world.health_nurse).get(url("detail", relay.pk)))
    assert "Corrected: <del>Mor kom ikke.</del>" in body
    assert "Far kom ikke." in body
    assert "This entry has been corrected" in body


# --- guardians and consent -----------------------------------------------------------------


def test_guardians_and_consent_are_recorded(world):
    relay, _ = make_relay(world, guardians=0, consent_services=[])
    nurse = client(world, world.health_nurse)
    for name, relation in [("Anne Strandvik", "mother"), ("Bjørn Strandvik", "father")]:
        response = nurse.post(url("guardians", relay.pk), {
            "name": name, "relation": relation, "parental_responsibility": "on", "phone": "",
        })
        assert response.status_code == 302
    missing = nurse.post(url("guardians", relay.pk), {"name": "", "relation": ""})
    assert "Write the guardian&#x27;s name." in text(missing)
    with scopes_disabled():
        anne, bjorn = Guardian.objects.order_by("name")
    today = timezone.localdate()
    data = {
        "guardians": [anne.pk], "services": [world.health_station.pk, world.school.pk],
        "purpose": "Samarbeid om søvn.", "given_on": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=300)).isoformat(), "method": "digital",
    }
    # One parent is not enough: the action's message, nothing saved.
    refused = nurse.post(url("consent", relay.pk), data)
    assert refused.status_code == 200
    assert "Every guardian with parental responsibility must consent." in text(refused)
    with scopes_disabled():
        assert not Consent.objects.exists()
    assert nurse.get(url("consent", relay.pk)).context["form"].initial["guardians"] == [anne.pk, bjorn.pk]
    response = nurse.post(url("consent", relay.pk), data | {"guardians": [anne.pk, bjorn.pk]})
    assert response.status_code == 302
    with scopes_disabled():
        consent = Consent.objects.get()
        assert consent.parties.count() == 2 and consent.services.count() == 2


def test_consent_with_a_scanned_form(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    relay, parents = make_relay(world, consent_services=[])
    today = timezone.localdate()
    nurse = client(world, world.health_nurse)
    data = {
        "guardians": [parents[0].pk], "services": [world.health_station.pk], "purpose": "Samarbeid.",
        "given_on": today.isoformat(), "valid_until": (today + dt.timedelta(days=30)).isoformat(),
        "method": "scan",
    }
    without = nurse.post(url("consent", relay.pk), data)
    assert "Upload the scanned form." in text(without)
    scan = SimpleUploadedFile("samtykke.pdf", b"%PDF-1.4 signert", content_type="application/pdf")
    assert nurse.post(url("consent", relay.pk), data | {"scan": scan}).status_code == 302
    with scopes_disabled():
        consent = Consent.objects.get()
    assert consent.scan.name.startswith("consents/")
    download = nurse.get(url("consent_scan", relay.pk, consent.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 signert"
    assert events("read_consent_scan", object_id=relay.pk).count() == 1
    # The consent expires within 30 days: the overview says so.
    assert "The consent ends on" in text(nurse.get(url("detail", relay.pk)))


def _consent_section(page) -> str:
    """The overview's consent section, tags taken out, spaces made one."""
    html = page.content.decode()
    section = html[html.index('id="h-consent"'):html.index("</section>", html.index('id="h-consent"'))]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)).replace(" ,", ",")


def test_the_overview_tells_what_each_consent_says_and_how_it_ended(world, settings, tmp_path):
    """Helga reads the consent in force (until when, which services, who gave
    it and how it was signed, the scanned form); then, one by one, a consent
    extended, withdrawn and expired, each named in the earlier consents by how
    it ended. Olav, taking part for the school, sees the consent but not the
    scanned form."""
    settings.MEDIA_ROOT = tmp_path
    relay, parents = make_relay(world)
    join(world, relay, world.other_employee, world.school)
    today = timezone.localdate()
    with scopes_disabled():
        first = Consent.objects.get(relay=relay)
        first.parties.filter(guardian=parents[0]).update(
            signed_at=dt.datetime(2026, 3, 2, 8, 15, tzinfo=dt.UTC), assurance_level="idporten-loa-high")
        first.scan = SimpleUploadedFile("samtykke.pdf", b"%PDF-1.4 signert", content_type="application/pdf")
        first.save()
    nurse, olav = client(world, world.health_nurse), client(world, world.other_employee)
    until = f"{(today + dt.timedelta(days=365)).day}. {(today + dt.timedelta(days=365)):%B %Y}"
    shown = _consent_section(nurse.get(url("detail", relay.pk)))
    assert f"In force – until {until}" in shown
    assert "Services: Bakken skole, Helsestasjonen" in shown
    # Signed at 08:15 UTC: in Norway's time, as every moment on the page.
    assert "Given by: Forelder 0 (signed with ID-porten 03/02/2026 9:15 a.m., idporten-loa-high)" in shown
    assert "The scanned form" in shown and "Earlier consents" not in shown
    assert "Services: Bakken skole, Helsestasjonen" in _consent_section(olav.get(url("detail", relay.pk)))
    assert "The scanned form" not in _consent_section(olav.get(url("detail", relay.pk)))

    helga = world.actor(world.health_nurse)
    given = {"guardians": parents, "child_consents": True, "purpose": "Samarbeid.", "given_on": today,
             "method": "digital"}
    with scope(municipality=world.fjordvik):
        actions.give_consent(helga, relay, services=[world.health_station],
                             valid_until=today + dt.timedelta(days=30), **given)
    shown = _consent_section(nurse.get(url("detail", relay.pk)))
    assert "Services: Helsestasjonen Given by: Forelder 0, the child" in shown
    assert "Bakken skole, Helsestasjonen – extended by a newer consent" in shown

    with scope(municipality=world.fjordvik):
        actions.withdraw_consent(helga, relay, reason="Familien ombestemte seg.")
    shown = _consent_section(nurse.get(url("detail", relay.pk)))
    assert "No consent in force." in shown
    assert f"Helsestasjonen – withdrawn {today.day}. {today:%B %Y}: Familien ombestemte seg." in shown

    with scope(municipality=world.fjordvik):
        actions.give_consent(helga, relay, services=[world.health_station, world.kindergarten],
                             valid_until=today + dt.timedelta(days=10), **given)
    yesterday = today - dt.timedelta(days=1)
    with scopes_disabled():
        Consent.objects.filter(relay=relay, withdrawn_at=None, superseded_at=None).update(valid_until=yesterday)
    shown = _consent_section(nurse.get(url("detail", relay.pk)))
    assert f"Helsestasjonen, Solsikken barnehage – expired {yesterday.day}. {yesterday:%B %Y}" in shown
    assert "No consent in force." in shown


def test_extend_the_consent_prefills_and_supersedes(world):
    relay, parents = make_relay(world)
    nurse = client(world, world.health_nurse)
    page = nurse.get(url("extend_consent", relay.pk))
    initial = page.context["form"].initial
    assert set(initial["services"]) == {world.health_station.pk, world.school.pk}
    today = timezone.localdate()
    response = nurse.post(url("extend_consent", relay.pk), {
        "guardians": [p.pk for p in parents],
        "services": [world.health_station.pk, world.school.pk, world.adult_service.pk],
        "purpose": initial["purpose"], "given_on": today.isoformat(),
        "valid_until": initial["valid_until"].isoformat(), "method": "digital",
    })
    assert response.status_code == 302
    with scopes_disabled():
        old, new = Consent.objects.order_by("pk")
        assert new.supersedes == old and old.withdrawn_at is None
    overview = nurse.get(url("detail", relay.pk))
    assert overview.context["consents_in_force"] == [new]


def test_withdraw_the_consent_after_a_confirm_page(world):
    relay, _ = make_relay(world)
    nurse = client(world, world.health_nurse)
    page = nurse.get(url("withdraw_consent", relay.pk))
    assert page.status_code == 200 and page.context["current"] is not None
    empty = nurse.post(url("withdraw_consent", relay.pk), {"reason": ""})
    assert "Write why the consent was withdrawn." in text(empty)
    assert nurse.post(url("withdraw_consent", relay.pk), {"reason": "Familien ønsker det ikke."}).status_code == 302
    with scopes_disabled():
        assert Consent.objects.get().withdrawn_reason == "Familien ønsker det ikke."
    assert "No consent in force." in text(nurse.get(url("detail", relay.pk)))


# --- participants -----------------------------------------------------------------------------


def _membership(world, user, service):
    with scopes_disabled():
        return user.memberships.get(service=service)


def test_holder_adds_and_removes_participants(world):
    relay, _ = make_relay(world)
    nurse = client(world, world.health_nurse)
    olav = _membership(world, world.other_employee, world.school)
    wrong_person = nurse.post(url("participants", relay.pk), {
        "service": world.health_station.pk, "person": olav.pk, "task": "",
    })
    assert "Choose a person who works in the chosen service." in text(wrong_person)
    not_covered = nurse.post(url("participants", relay.pk), {
        "service": world.adult_service.pk, "person": "", "task": "",
    })
    assert "Extend the consent first." in text(not_covered)
    response = nurse.post(url("participants", relay.pk), {
        "service": world.school.pk, "person": olav.pk, "task": "Kontaktlærer",
    })
    assert response.status_code == 302
    with scopes_disabled():
        participant = Participant.objects.get(user=world.other_employee)
        holder = Participant.objects.get(user=world.health_nurse)
    # The holder's own participation cannot be removed.
    nurse.post(url("remove_participant", relay.pk, holder.pk))
    assert nurse.post(url("remove_participant", relay.pk, participant.pk)).status_code == 302
    with scopes_disabled():
        participant.refresh_from_db()
        holder.refresh_from_db()
    assert participant.left_at is not None and holder.left_at is None
    # Removing needs POST.
    assert nurse.get(url("remove_participant", relay.pk, participant.pk)).status_code == 405


def test_participant_choices_are_of_this_municipality(world):
    relay, _ = make_relay(world)
    form = client(world, world.health_nurse).get(url("participants", relay.pk)).context["form"]
    assert world.asheim.pk not in {s.municipality_id for s in form.fields["service"].queryset}
    assert world.outsider not in {m.user for m in form.fields["person"].queryset}


# --- handover -------------------------------------------------------------------------------------


def test_handover_requested_seen_and_accepted(world):
    relay, _ = make_relay(world)
    nurse, olav = client(world, world.health_nurse), client(world, world.other_employee)
    membership = _membership(world, world.other_employee, world.school)
    assert world.health_nurse not in {m.user for m in nurse.get(url("handover", relay.pk)).context["form"].fields["to"].queryset}
    empty = nurse.post(url("handover", relay.pk), {"to": membership.pk, "note": ""})
    assert "Write what is handed over." in text(empty)
    assert nurse.post(url("handover", relay.pk), {"to": membership.pk, "note": "Skolen tar over."}).status_code == 302
    with scopes_disabled():
        handover = Handover.objects.get()
    waiting = olav.get(url("mine")).context["waiting"]
    assert waiting == [handover]
    page = olav.get(url("respond_to_handover", relay.pk, handover.pk))
    assert page.status_code == 200 and "Skolen tar over." in text(page)
    # Only the person asked can answer.
    assert nurse.get(url("respond_to_handover", relay.pk, handover.pk)).status_code == 404
    assert olav.post(url("respond_to_handover", relay.pk, handover.pk), {"decision": "accept"}).status_code == 302
    with scopes_disabled():
        relay.refresh_from_db()
    assert relay.holder == world.other_employee and relay.holder_service == world.school
    assert olav.get(url("mine")).context["waiting"] == []


def test_handover_declined_or_cancelled(world):
    relay, _ = make_relay(world)
    nurse, olav = client(world, world.health_nurse), client(world, world.other_employee)
    membership = _membership(world, world.other_employee, world.school)
    nurse.post(url("handover", relay.pk), {"to": membership.pk, "note": "Skolen tar over."})
    with scopes_disabled():
        first = Handover.objects.get()
    olav.post(url("respond_to_handover", relay.pk, first.pk), {"decision": "decline"})
    nurse.post(url("handover", relay.pk), {"to": membership.pk, "note": "Prøver igjen."})
    with scopes_disabled():
        second = Handover.objects.get(status="pending")
    assert nurse.get(url("handover", relay.pk)).context["pending"] == second
    assert nurse.post(url("cancel_handover", relay.pk, second.pk)).status_code == 302
    with scopes_disabled():
        assert sorted(Handover.objects.values_list("status", flat=True)) == ["cancelled", "declined"]
        relay.refresh_from_db()
    assert relay.holder == world.health_nurse


# --- closing, the PDF, the guardians' copy ---------------------------------------------------------


def test_close_then_download_the_pdf(world):
    relay, _ = make_relay(world)
    nurse = client(world, world.health_nurse)
    page = nurse.get(url("close", relay.pk))
    version = page.context["form"].initial["version"]
    missing = nurse.post(url("close", relay.pk), {"version": version, "reason": "", "summary": ""})
    assert "Choose why the relay is closed." in text(missing)
    response = nurse.post(url("close", relay.pk), {
        "version": version, "reason": "goal_reached", "summary": "Ella sover hele natta.",
        "child_last_word": "Jeg er ikke redd lenger.", "parents_last_word": "Takk.",
    })
    assert response.status_code == 302
    with scopes_disabled():
        relay.refresh_from_db()
    assert relay.status == "closed" and relay.child_last_word == "Jeg er ikke redd lenger."
    overview = nurse.get(url("detail", relay.pk))
    assert url("pdf", relay.pk) in text(overview)
    pdf = nurse.get(url("pdf", relay.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    assert events("read_pdf", object_id=relay.pk).count() == 1
    # A closed relay cannot be changed any more.
    assert nurse.get(url("close", relay.pk)).status_code == 404
    assert nurse.get(url("consent", relay.pk)).status_code == 404


def test_closing_from_a_stale_page_is_a_conflict(world):
    relay, _ = make_relay(world)
    nurse = client(world, world.health_nurse)
    stale = relay.version
    with scope(municipality=world.fjordvik):
        actions.add_entry(world.actor(world.health_nurse), relay, kind="note", text="Nytt")
    response = nurse.post(url("close", relay.pk), {
        "version": stale, "reason": "goal_reached", "summary": "Ferdig.",
    })
    assert response.status_code == 200
    assert "Someone else changed this relay" in text(response)
    assert response.context["form"]["version"].value() != str(stale)
    with scopes_disabled():
        relay.refresh_from_db()
    assert relay.is_open


def test_guardians_copy_leaves_out_what_is_withheld_from_that_guardian(world):
    relay, parents = make_relay(world, guardians=2)
    mother, father = parents
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.health_nurse)
        secret = actions.add_entry(actor, relay, kind="note", text="Mistanke om vold fra far.")
        actions.add_entry(actor, relay, kind="bright_spot", text="Ella lo i dag.")
        actions.withhold_entry(actor, secret, guardian=father, reason="Mistanke mot far.")
    join(world, relay, world.other_employee, world.school)
    for user in (world.health_nurse, world.other_employee):
        c = client(world, user)
        chooser = c.get(url("guardian_copy", relay.pk))
        assert chooser.status_code == 200 and chooser.context["guardians"] == [mother, father]
        fathers = text(c.get(url("guardian_copy", relay.pk, foresatt=father.pk)))
        mothers = text(c.get(url("guardian_copy", relay.pk, foresatt=mother.pk)))
        assert "Ella lo i dag." in fathers and "Mistanke om vold fra far." not in fathers
        assert "Mistanke om vold fra far." in mothers
        # Internal data beyond the entries is not part of the copy.
        assert "Samarbeid om søvn og trygghet." not in fathers
    assert events("read_guardian_copy", object_id=relay.pk, item_id=father.pk).count() == 2
    # Another child's guardian, or nonsense, is not found.
    other, other_parents = make_relay(world, name="Noah Berg", consent_services=[])
    nurse = client(world, world.health_nurse)
    assert nurse.get(url("guardian_copy", relay.pk, foresatt=other_parents[0].pk)).status_code == 404
    assert nurse.get(url("guardian_copy", relay.pk, foresatt="x")).status_code == 404


@pytest.mark.parametrize("name", ["guardians", "consent", "participants", "handover", "close"])
def test_participant_cannot_open_the_holders_pages(world, name):
    relay, _ = make_relay(world)
    join(world, relay, world.other_employee, world.school)
    olav = client(world, world.other_employee)
    assert olav.get(url("detail", relay.pk)).status_code == 200
    assert olav.get(url(name, relay.pk)).status_code == 404
