"""No input is answered with a 500, and none is half-saved.

The sweep walks the URL configuration, opens every page as a person who may
use it, reads the forms on it as a browser would, and posts each form back
with one field at a time replaced by a hostile value: integers beyond 64 bits,
negative and unknown ids, dates in year 1 and 9999, NUL bytes and 100 000
characters. Every such post must be answered with a message the person can
read in bokmål (the page again with its error summary, or a redirect carrying
an error message), and must write nothing. Each post runs in a savepoint that
is rolled back, so one post cannot change what the next one meets.

Before the hostile posts, the form as the page offers it (filled in where the
person would have to) must be accepted: otherwise the hostile values would
only ever meet a form that fails for another reason.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope

from stafett.concerns.journey import CODES
from stafett.onboarding.parts import SLUGS as ONBOARDING_SLUGS
from stafett.onboarding.parts import questions_for as onboarding_questions
from tests.accounts.helpers import code_for
from tests.conftest import PASSWORD
from tests.surveys.helpers import survey_visits

from .forms import changes, english, forms_in, page_errors, redirect_errors, snapshot

OVER_64_BITS = str(2**63)
HUGE = "9" * 40
NEGATIVE = "-1"
UNKNOWN_ID = "987654321"
NUL = "Tekst med\x00NUL"
LONG = "Lang tekst. " * 8400  # more than 100 000 characters

HOSTILE = {
    "choice": [OVER_64_BITS, HUGE, NEGATIVE, UNKNOWN_ID, NUL, LONG],
    "date": ["0001-01-01", "9999-12-31", OVER_64_BITS, NUL, LONG],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01 00:00", NUL, LONG],
    "number": [OVER_64_BITS, HUGE, NEGATIVE, NUL, LONG],
    "hidden": [OVER_64_BITS, HUGE, NEGATIVE, NUL, LONG],
    "text": [NUL, LONG],
    "submit": [OVER_64_BITS, NUL, LONG],
}
KIND_OF = {"select": "choice", "radio": "choice", "checkbox": "choice", "textarea": "text",
           "password": "text", "email": "text", "search": "text", "tel": "text", "url": "text"}

# Inputs whose value a view may rightly ignore rather than refuse: a crafted
# address to return to falls back to the start page, an unknown language
# leaves the language as it is, an unknown choice between the two forms of
# the minutes page shows the page again (nothing is saved either way), and
# the list page to go back to after marking a notice read falls back to the first.
IGNORED = {("*", "next"), ("core:set_language", "language"),
           ("relay_content:meeting_minutes", "step"), ("notify:read", "side")}
# Fields left empty by the baseline (filling them in would make the form wrong).
LEAVE_EMPTY = {"national_id", "expected_date"}

# Routes reached only as the target of a form on another page.
POSTED_TO = {
    "core:set_language", "accounts:logout", "accounts:logout_everywhere",
    "accounts:two_factor_remove", "concerns:comment", "relay:remove_participant",
    "relay:cancel_handover", "relay_content:goal_achieved", "guides_editor:publish",
    "followup:read", "notify:read", "notify:read_all", "relay:decline_inclusion",
    "switch_municipality", "oidc:logout", "citizen:write", "citizen:child_view", "citizen:reply",
    "citizen:consent_sign", "reports:create_from_concern", "reports:create_from_relay",
    "reports:submit", "reports:send_acute", "reports:withdraw",
    "fullrecord:produce", "fullrecord:deliver",
}
# Forms that answer on their own page by design: a lookup by tracking code,
# whose result must be in no address and no session (docs/feedback.md).
ANSWERED_IN_PLACE = {"feedback:track", "feedback_family:track"}
EXEMPT = {
    # Offered only while there is no draft, and carries nothing but the CSRF token.
    "guides_editor:start",
}


# --- the routes ------------------------------------------------------------------------


def walk(patterns=None, namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and namespace != "admin":
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern


@dataclass
class Visit:
    route: str
    user: object  # None: anonymous
    kwargs: dict
    query: str = ""

    @property
    def url(self) -> str:
        return reverse(self.route, kwargs=self.kwargs) + (f"?{self.query}" if self.query else "")


def visits(s) -> list[Visit]:
    w = s.world
    nurse, r, c = w.health_nurse, s.relay.pk, s.concern.pk
    public = {"municipality_number": w.fjordvik.number}
    return [
        Visit("home", w.teacher, {}),
        Visit("citizen:home", s.guardian, {}),
        Visit("citizen:relay", s.guardian, {"pk": r}),
        Visit("citizen:worry_new", s.guardian, {}),
        Visit("citizen:alerts", s.guardian, {}),
        Visit("citizen:consent", s.guardian, {"pk": r}),
        Visit("citizen:consent_withdraw", s.guardian, {"pk": r}),
        Visit("citizen:access_log", s.guardian, {"pk": r}),
        Visit("citizen:access_log", s.guardian, {"pk": r}, "eldre=1-1"),
        Visit("fullrecord:list", nurse, {}),
        Visit("fullrecord:register", nurse, {}),
        *[Visit("fullrecord:detail", nurse, {"pk": request.pk}) for request in s.access_requests.values()],
        Visit("fullrecord:part_pdf", nurse, {"pk": s.access_requests["produced"].pk}),
        Visit("fullrecord:part_json", nurse, {"pk": s.access_requests["produced"].pk}),
        Visit("fullrecord_family:list", s.guardian, {}),
        Visit("fullrecord_family:pdf", s.guardian, {"pk": s.access_requests["delivered"].pk}),
        Visit("fullrecord_family:json", s.guardian, {"pk": s.access_requests["delivered"].pk}),
        Visit("oidc:idporten_login", None, {}),
        Visit("oidc:idporten_login", None, {}, "next=https%3A%2F%2Fevil.example%2F"),
        # Without a configured provider these answer 404; tests/oidc drives them
        # against the real local provider, hostile state and nonce included.
        Visit("oidc:idporten_start", None, {}, "next=%2F%2Fevil.example"),
        Visit("oidc:idporten_callback", None, {}, "code=%00&state=%27%22%3E"),
        Visit("oidc:logged_out", None, {}),
        Visit("oidc:staff_start", None, {"number": "9901"}),
        Visit("oidc:staff_start", None, {"number": "%27%3Cx%3E"}),
        Visit("oidc:staff_callback", None, {"number": "9901"}, "code=x&state=y&error=%3Cscript%3E"),
        Visit("core:home", w.teacher, {}),
        Visit("core:acute", w.teacher, {}),
        Visit("accounts:account", w.teacher, {}),
        Visit("accounts:login", None, {}),
        Visit("accounts:verify", w.colleague, {}),
        Visit("accounts:two_factor", w.teacher, {}),
        Visit("accounts:two_factor", w.other_leader, {}),
        Visit("concerns:mine", w.teacher, {}),
        Visit("concerns:inbox", w.leader, {}),
        Visit("concerns:new", w.teacher, {}),
        Visit("concerns:detail", w.teacher, {"pk": c}),
        Visit("concerns:detail", w.leader, {"pk": c}),
        *[Visit("concerns:step", w.teacher, {"pk": c, "code": code}) for code in CODES],
        Visit("concerns:acute", w.teacher, {"pk": c}),
        Visit("concerns:history", w.teacher, {"pk": c}),
        Visit("relay:mine", nurse, {}),
        Visit("relay:new", nurse, {}),
        Visit("relay:start_from_concern", w.teacher, {"concern_pk": s.decided.pk}),
        Visit("relay:detail", nurse, {"pk": r}),
        Visit("relay:acute", nurse, {"pk": r}),
        Visit("relay:guardians", nurse, {"pk": r}),
        Visit("relay:consent", nurse, {"pk": r}),
        Visit("relay:extend_consent", nurse, {"pk": r}),
        Visit("relay:withdraw_consent", nurse, {"pk": r}),
        Visit("relay:ask_consent", nurse, {"pk": r}),
        Visit("relay:consent_scan", nurse, {"pk": r, "consent_pk": s.consent.pk}),
        Visit("relay:participants", nurse, {"pk": r}),
        Visit("relay:handover", nurse, {"pk": r}),
        Visit("relay:handover", nurse, {"pk": s.handover_relay.pk}),
        Visit("relay:respond_to_handover", w.other_employee,
              {"pk": s.handover_relay.pk, "handover_pk": s.handover.pk}),
        Visit("relay:close", nurse, {"pk": r}),
        Visit("relay:pdf", nurse, {"pk": r}),
        Visit("relay:guardian_copy", nurse, {"pk": r}),
        Visit("relay:guardian_copy", nurse, {"pk": r}, f"foresatt={s.parents[0].pk}"),
        Visit("relay_content:goal_new", nurse, {"pk": r}),
        Visit("relay_content:goal", nurse, {"pk": r, "goal_id": s.goal.pk}),
        Visit("relay_content:measure_new", nurse, {"pk": r}),
        Visit("relay_content:measure", nurse, {"pk": r, "measure_id": s.measure.pk}),
        Visit("relay_content:evaluation_new", nurse, {"pk": r}),
        Visit("relay_content:meeting_new", nurse, {"pk": r}),
        Visit("relay_content:meeting", nurse, {"pk": r, "meeting_id": s.meeting.pk}),
        Visit("relay_content:meeting_minutes", nurse, {"pk": r, "meeting_id": s.meeting.pk}),
        Visit("relay_content:entry_new", nurse, {"pk": r}),
        Visit("relay_content:entry_correct", nurse, {"pk": r, "entry_id": s.entry.pk}),
        Visit("relay_content:entry_withhold", nurse, {"pk": r, "entry_id": s.entry.pk}),
        Visit("insights:dashboard", w.coordinator, {}),
        Visit("insights:csv", w.coordinator, {}),
        Visit("insights:xlsx", w.coordinator, {}),
        Visit("insights:pdf", w.coordinator, {}),
        Visit("archive_extract:index", w.coordinator, {}),
        Visit("archive_extract:download", w.coordinator, {"pk": 999999}),
        Visit("archive:settings", w.coordinator, {}),
        Visit("retention:schedule", w.coordinator, {}),
        Visit("retention:relay_hold", nurse, {"pk": r}),
        Visit("retention:concern_hold", w.leader, {"pk": c}),
        Visit("guides:overview", w.teacher, {}),
        Visit("guides:level", w.teacher, {"number": 1}),
        Visit("guides:step", w.teacher, {"level": 1, "number": 1}),
        Visit("guides:tools", w.teacher, {}),
        Visit("guides_editor:index", w.coordinator, {}),
        Visit("guides_editor:guide", w.coordinator, {}),
        Visit("guides_editor:level", w.coordinator, {"number": 1}),
        Visit("guides_editor:add_step", w.coordinator, {"number": 1}),
        Visit("guides_editor:step", w.coordinator, {"pk": s.draft_step.pk}),
        Visit("guides_editor:remove_step", w.coordinator, {"pk": s.draft_step.pk}),
        Visit("guides_editor:discard", w.coordinator, {}),
        Visit("guides_editor:history", w.coordinator, {}),
        Visit("guides_editor:compare", w.coordinator, {}),
        Visit("guides_io:import", w.coordinator, {}),
        Visit("guides_io:export", w.coordinator, {}),
        Visit("guides_io:from_template", w.coordinator, {}),
        Visit("guides_tools:tool", w.teacher, {"key": s.tool.key}),
        Visit("guides_tools:tool_pdf", w.teacher, {"key": s.tool.key}),
        Visit("concerns:tool", w.teacher, {"pk": c, "key": s.tool.key}),
        Visit("concerns:tool_pdf", w.teacher, {"pk": c, "key": s.tool.key}),
        Visit("guides_public:overview", None, public),
        Visit("guides_public:level", None, public | {"number": 1}),
        Visit("guides_public:step", None, public | {"level": 1, "number": 1}),
        Visit("guides_public:tools", None, public),
        Visit("guides_public:tool", None, public | {"key": s.tool.key}),
        Visit("guides_public:tool_pdf", None, public | {"key": s.tool.key}),
        Visit("guides_public:search", None, public, "q=samtale"),
        Visit("guides_public:print", None, public),
        Visit("guides_public:pdf", None, public),
        Visit("catalog:list", w.teacher, {}, "q=lekse&alder=7&niva=1&status=alle"),
        Visit("catalog:detail", w.teacher, {"pk": s.catalog_measure.pk}),
        Visit("catalog:new", w.coordinator, {}),
        Visit("catalog:edit", w.other_leader, {"pk": s.catalog_measure.pk}),
        Visit("catalog:status", w.coordinator, {"pk": s.catalog_measure.pk}),
        Visit("catalog:import", w.coordinator, {}),
        Visit("catalog:export", w.teacher, {}, "format=yaml"),
        Visit("catalog_public:list", None, public, "q=lekse&alder=7&niva=1"),
        Visit("catalog_public:detail", None, public | {"key": s.catalog_measure.key}),
        Visit("relay_content:measure_new", nurse, {"pk": r}, f"katalog={s.catalog_measure.pk}"),
        Visit("followup:list", nurse, {}),
        Visit("notify:list", nurse, {}),
        Visit("concerns:reassign", w.leader, {"pk": s.orphan_concern.pk}),
        Visit("relay:appoint", w.coordinator, {"pk": s.orphan_relay.pk}),
        Visit("core:home", s.commuter, {}),
        Visit("followup:settings", w.coordinator, {}),
        Visit("reports:index", w.leader, {}),
        Visit("reports:settings", w.coordinator, {}),
        Visit("reports:detail", w.teacher, {"pk": s.draft_report.pk}),
        Visit("reports:edit", w.teacher, {"pk": s.draft_report.pk}),
        Visit("reports:detail", w.leader, {"pk": s.awaiting_report.pk}),
        Visit("reports:review", w.leader, {"pk": s.awaiting_report.pk}),
        Visit("reports:send_back", w.leader, {"pk": s.awaiting_report.pk}),
        Visit("reports:detail", w.teacher, {"pk": s.sent_report.pk}),
        Visit("reports:pdf", w.teacher, {"pk": s.sent_report.pk}),
        Visit("onboarding:index", w.teacher, {}),
        *[Visit("onboarding:part", w.teacher, {"slug": slug}) for slug in ONBOARDING_SLUGS.values()],
        Visit("onboarding:status", w.coordinator, {}),
        Visit("onboarding:status", w.leader, {}, "side=9999"),
        Visit("feedback:new", w.teacher, {}),
        Visit("feedback:new", w.teacher, {}, "om=step&del=1.2"),
        Visit("feedback:mine", w.teacher, {}),
        Visit("feedback:detail", w.teacher, {"pk": s.feedback["staff"].feedback.pk}),
        Visit("feedback:track", w.teacher, {}),
        Visit("feedback:handle", w.coordinator, {}),
        Visit("feedback:handle", w.coordinator, {}, "status=received&topic=guide"),
        Visit("feedback:handle_detail", w.coordinator, {"pk": s.feedback["staff"].feedback.pk}),
        Visit("feedback:handle_detail", w.coordinator, {"pk": s.feedback["anonymous"].feedback.pk}),
        Visit("feedback_family:new", s.guardian, {}),
        Visit("feedback_family:mine", s.guardian, {}),
        Visit("feedback_family:detail", s.guardian, {"pk": s.feedback["family"].feedback.pk}),
        Visit("feedback_family:track", s.guardian, {}),
        *survey_visits(s, Visit),
    ]


# --- what a person would send ----------------------------------------------------------


def _defaults(kind: str) -> str:
    now = timezone.localtime()
    return {
        "date": now.date().isoformat(),
        "datetime-local": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "number": "1",
        "email": "noen@example.invalid",
    }.get(kind, "Skrevet i sikkerhetstesten.")


FIELD_DEFAULTS = {"birth_date": lambda: (timezone.localdate() - dt.timedelta(days=6 * 365)).isoformat()}


def overrides(route: str, s) -> dict:
    """What a person types where the page leaves it to them and no generic
    value will do: passwords, codes from an authenticator, a file."""
    w = s.world
    if route == "accounts:login":
        return {"username": w.teacher.username, "password": PASSWORD}
    if route == "accounts:verify":
        return {"code": code_for(s.verify_device)}
    if route == "accounts:two_factor":
        pending = TOTPDevice.objects.filter(user=w.teacher, confirmed=False).first()
        return {"code": code_for(pending)} if pending else {}
    if route == "accounts:two_factor_remove":
        return {"remove-code": code_for(s.removable_device)}
    if route == "reports:edit":
        # The format's own rules: four-digit postcodes, a phone of digits,
        # an e-mail address (the generic text would be refused, rightly).
        return {"child_postcode": "9990", "service_postcode": "9990", "child_phone": "",
                "guardian1_phone": "", "guardian2_phone": "", "reporter_phone": "40001011",
                "reporter_email": "kari@fjordvik.example"}
    if route == "relay:participants":
        return {"service": str(w.kindergarten.pk), "person": ""}
    if route == "relay_content:measure_new":
        return {"responsible_person": ""}
    if route == "fullrecord:register":
        return {"national_id": s.guardian.national_id, "requester_name": "Frida Fjeld"}
    if route == "feedback:track":
        return {"code": s.feedback["anonymous"].code}
    if route == "feedback_family:track":
        return {"code": s.feedback["family_anonymous"].code}
    if route == "relay_content:evaluation_new":
        return {"measure": str(s.measure.pk)}
    if route == "onboarding:part":
        # The right answers: a wrong one is rightly shown again with its explanation.
        with scope(municipality=w.fjordvik):
            return {q.key: q.correct for part in ONBOARDING_SLUGS
                    for q in onboarding_questions(w.actor(w.teacher), part)}
    if route == "catalog:import":
        text = ("key;name;service;access\nleksehjelp;Leksehjelp;Bakken skole;low_threshold\n")
        return {"file": SimpleUploadedFile("tiltak.csv", text.encode(), "text/csv")}
    if route == "catalog:new":
        return {"key": "nytt-tiltak", "age_from": "", "age_to": "", "steps": "1.2"}
    if route in ("catalog:edit",):
        return {"steps": "1.2", "age_from": "", "age_to": ""}
    if route == "guides_io:import":
        from stafett.guides.loader import export_guide

        with scope(municipality=w.fjordvik):
            text = export_guide(s.draft)
        return {"file": SimpleUploadedFile("veileder.yaml", text.encode(), "application/yaml")}
    return {}


def baseline(form, route, s) -> dict:
    data = {}
    for c in form.controls.values():
        if c.name == "csrfmiddlewaretoken" or c.kind == "file":
            continue
        if c.kind == "radio":
            values = c.values or c.options[:1]
        elif c.kind == "checkbox":
            values = list(c.values)
            if c.is_boolean and c.required and not values:
                values = ["on"]
        elif c.kind == "select":
            if c.multiple or any(c.values):
                values = list(c.values)
            else:  # nothing chosen yet: the first real option
                values = [o for o in c.options if o][:1]
        elif c.kind == "submit":
            values = list(c.values)
        else:
            value = c.values[0] if c.values else ""
            if not value and c.kind != "hidden" and c.name not in LEAVE_EMPTY:
                value = FIELD_DEFAULTS.get(c.name, lambda k=c.kind: _defaults(k))()[:c.maxlength]
            values = [value]
        data[c.name] = values
    data.update(overrides(route, s))
    return data


def hostile_variants(control) -> list[str]:
    if control.kind == "file" or control.is_boolean or control.name == "csrfmiddlewaretoken":
        return []
    return HOSTILE[KIND_OF.get(control.kind, control.kind if control.kind in HOSTILE else "text")]


# --- posting ---------------------------------------------------------------------------


@dataclass
class Outcome:
    response: object
    error: Exception | None
    written: list[str]
    # The rows before the request: still the rows after it, since it is rolled back.
    before: dict | None = None


def attempt(client: Client, method: str, url: str, data: dict, before: dict | None = None) -> Outcome:
    """One request in a savepoint that is rolled back afterwards, with the
    client's cookies put back as they were (a login or logout is undone too).
    `before` is the snapshot of the rows as they are now, when the caller
    knows it (the previous attempt's, with no other request since)."""
    cookies = copy.deepcopy(client.cookies)
    for value in data.values():
        if hasattr(value, "seek"):  # an uploaded file is read again by every post
            value.seek(0)
    with transaction.atomic():
        if before is None:
            before = snapshot()
        try:
            response = client.post(url, data) if method == "post" else client.get(url, data)
        except Exception as error:  # noqa: BLE001 - the sweep reports every crash, then goes on
            outcome = Outcome(None, error, [])
        else:
            try:
                outcome = Outcome(response, None, changes(before, snapshot()))
            except Exception as error:  # noqa: BLE001 - e.g. a row PostgreSQL stored but cannot give back
                outcome = Outcome(None, error, [])
        transaction.set_rollback(True)
    client.cookies = cookies
    outcome.before = before
    return outcome


def judge(outcome: Outcome, *, expect_refusal: bool) -> list[str]:
    if outcome.error is not None:
        return [f"raised {type(outcome.error).__name__}: {str(outcome.error)[:120]}"]
    response = outcome.response
    problems = []
    if response.status_code >= 500:
        problems.append(f"answered {response.status_code}")
    if not expect_refusal:
        return problems
    if outcome.written:
        problems.append(f"saved: {', '.join(outcome.written)}")
    if response.status_code == 200:
        lang, errors = page_errors(response.content.decode())
        if lang != "nb":
            problems.append(f"page in {lang!r}")
    elif response.status_code in (301, 302, 303):
        errors = redirect_errors(response)
    else:
        return [*problems, f"answered {response.status_code}"]
    if not errors:
        problems.append(f"no error message ({response.status_code})")
    echoed = [e for e in errors if len(e) > 1000]
    if echoed:
        problems.append(f"the message repeats what was sent ({len(echoed[0])} characters)")
    leaks = english([e for e in errors if len(e) <= 1000])
    if leaks:
        problems.append(f"English: {leaks}")
    return problems


def _route_of(url: str) -> str:
    match = resolve(urlsplit(url).path)
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def _client(user, s, clients):
    key = user.pk if user else None
    if key not in clients:
        client = Client()
        if user is not None:
            client.force_login(user)
            if user == s.world.other_leader:  # her session has given the authenticator's code
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = s.removable_device.persistent_id
                session.save()
            if user == s.guardian:  # logged in with ID-porten at level substantial
                session = client.session
                session["idporten_acr"] = "idporten-loa-substantial"
                session.save()
        clients[key] = client
    return clients[key]


def sweep(s) -> tuple[list[str], set[str], int]:
    """Every form of every page, attacked field by field. Returns the
    problems, the routes seen (visited or posted to) and how many requests."""
    clients, seen, done, problems, count = {}, set(), set(), [], 0
    for visit in visits(s):
        client = _client(visit.user, s, clients)
        page = client.get(visit.url)
        # The page may have written (it is not rolled back): the rows as they
        # are now are read again by the first attempt below, then reused.
        rows = None
        count += 1
        seen.add(visit.route)
        if page.status_code >= 500:
            problems.append(f"GET {visit.url}: answered {page.status_code}")
        if "text/html" not in page.get("Content-Type", ""):
            continue
        for form in forms_in(page.content.decode()):
            action = urljoin(visit.url, form.action) if form.action else visit.url
            route = _route_of(action)
            seen.add(route)
            key = (form.method, urlsplit(action).path, tuple(sorted(form.controls)))
            if key in done:
                continue
            done.add(key)
            good = baseline(form, route, s)
            where = f"{form.method.upper()} {action} ({route}, as {visit.user or 'anonymous'})"
            if form.method == "post":
                first = attempt(client, "post", action, good, rows)
                rows = first.before
                count += 1
                accepted = (first.error is None and first.response.status_code in (301, 302, 303)
                            and not redirect_errors(first.response)) or (
                    route in ANSWERED_IN_PLACE and first.error is None and first.response.status_code == 200
                    and not page_errors(first.response.content.decode())[1] and not first.written)
                if not accepted:
                    shown = (page_errors(first.response.content.decode())[1]
                             if first.response is not None and first.response.status_code == 200
                             else judge(first, expect_refusal=False))
                    problems.append(f"{where}: the form as offered was not accepted: {shown}")
            for control in form.controls.values():
                if (route, control.name) in IGNORED or ("*", control.name) in IGNORED:
                    continue
                for value in hostile_variants(control):
                    data = dict(good)
                    data[control.name] = ([*good.get(control.name, []), value]
                                          if control.kind == "checkbox" or control.multiple else [value])
                    outcome = attempt(client, form.method, action, data, rows)
                    rows = outcome.before
                    count += 1
                    for problem in judge(outcome, expect_refusal=form.method == "post"):
                        problems.append(f"{where} {control.name}={value[:25]!r}: {problem}")
    return problems, seen, count


# The routes the whole sweep saw, for the test of its reach below: the same
# walk over the same scene, so that test need not open every page again.
SWEPT: dict[str, set[str]] = {}


def test_hostile_values_get_a_message_and_save_nothing(scene):
    problems, seen, count = sweep(scene)
    SWEPT["seen"] = seen
    assert count > 500
    assert problems == [], "\n" + "\n".join(problems)


def test_the_sweep_reaches_every_route(scene):
    seen = SWEPT.get("seen") or sweep_routes_only(scene)[1]
    every = {name for name, _pattern in walk()}
    assert every - seen - EXEMPT == set()
    assert POSTED_TO <= seen


def sweep_routes_only(s):
    """The routes the sweep visits and the routes their forms post to."""
    clients, seen = {}, set()
    for visit in visits(s):
        seen.add(visit.route)
        page = _client(visit.user, s, clients).get(visit.url)
        if "text/html" in page.get("Content-Type", ""):
            for form in forms_in(page.content.decode()):
                seen.add(_route_of(urljoin(visit.url, form.action) if form.action else visit.url))
    return [], seen, 0


def test_ids_beyond_64_bits_in_the_address_are_not_found(scene):
    """An id in the address larger than the database holds is "not found",
    like any other id the person may not see."""
    client = Client()
    client.force_login(scene.world.health_nurse)
    values = {"int": str(2**64), "slug": None, "str": scene.world.fjordvik.number}
    crashed, tried = [], 0
    for _name, route in walk_routes():
        if "<int:" not in route:
            continue
        path = "/" + re.sub(
            r"<(\w+):(\w+)>",
            lambda m: values[m[1]] or {"key": scene.tool.key, "code": "define"}[m[2]], route)
        for method in ("get", "post"):
            tried += 1
            with transaction.atomic():
                try:
                    status = getattr(client, method)(path).status_code
                except Exception as error:  # noqa: BLE001
                    status = type(error).__name__
                transaction.set_rollback(True)
            if status not in (404, 405):
                crashed.append(f"{method.upper()} {path}: {status}")
    assert tried > 40
    assert crashed == []


def walk_routes(patterns=None, namespace=None, prefix=""):
    """(name, the whole route) of every view outside the admin."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from walk_routes(pattern.url_patterns, pattern.namespace or namespace,
                                   prefix + str(pattern.pattern))
        elif namespace != "admin":
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name,
                   prefix + str(pattern.pattern))
