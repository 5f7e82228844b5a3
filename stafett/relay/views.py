"""The frame of the stafettlogg: the list, starting a relay, the overview with
its timeline, guardians and consent, participants, handover, closing, the
archive PDF and the guardians' copy.

Views load through the policy layer (relay/policy.py) and read and write
through relay/actions.py; none of them checks access or writes a row on its
own. Each page that shows a child's data records exactly one read event
(`actions.read_relay`); lists record one "list" event per row shown
(`actions.list_relays`), in the same transaction as the read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stafett.access.states import ConsentState
from stafett.access.views import staff
from stafett.concerns import actions as concern_actions
from stafett.guides.models import TITLE_COLUMNS, Step, steps_for_variant, titled_steps
from stafett.guides.pdf import render_pdf
from stafett.lib.forms import with_version
from stafett.lib.rows import (
    choice_labels,
    date_formatter,
    day_label,
    html_text,
    local_time,
    url_for_each,
)
from stafett.tenancy.models import Service

from . import actions, forms, overview
from .models import (
    ConsentParty,
    Entry,
    Handover,
    InclusionRequest,
    Participant,
    Relay,
)
from .policy import (
    consent_state,
    current_consent,
    load_handover,
    load_relay,
    relay_actions,
    timeline_queryset,
    visible_relay_ids,
    waiting_for,
)

PAGE_SIZE = 25
LEVEL_OF_OUTCOME = {"level1": 1, "level2": 2, "level3": 3}


def _conflict(request):
    messages.error(request, _(
        "Someone else changed this relay while you were writing. "
        "Your text is still in the form: check the page and save again."
    ))


# --- lists ---------------------------------------------------------------------


@staff
def mine(request):
    """My relays (held, or where my service takes part under a consent in
    force) and the handovers waiting for me, each row audited as a list read."""
    actor = request.actor
    status = request.GET.get("status", "open")
    if status not in Relay.Status.values:
        status = Relay.Status.OPEN
    # One transaction for the page's reads and their audit rows, rather than
    # one for the relays and another for the inclusion requests.
    with transaction.atomic():
        # Only what the rows show and audit: the child's name and id are on
        # the relay itself, so the child's row is not joined.
        waiting = waiting_for(actor)
        page = actions.list_relays(
            actor, visible_relay_ids(actor, status), request.GET.get("side"), page_size=PAGE_SIZE,
            extra=[(h.relay, h, actions.waiting_basis(h)) for h in waiting],
            related=("holder", "holder_service"),
        )
        asked = actions.my_inclusion_requests(actor)
    may_start = actor.works_in_kind(actions.DIRECT_START_KINDS)
    # Links, roles and dates once per page, not per row in the template.
    link, when = url_for_each("relay:detail"), day_label("j. F Y")
    roles = {True: _("Holder"), False: _("Participant")}
    rows = [{"relay": relay, "url": link(relay.pk), "role": roles[relay.holder_id == request.user.pk],
             "when": when(relay.last_activity_at)} for relay in page.object_list]
    return render(request, "relay/mine.html", {
        "page": page, "relays": page.object_list, "rows": rows, "waiting": waiting,
        "status": status, "may_start": may_start, "asked": asked, "nav": "relays",
    })


# --- starting -------------------------------------------------------------------


def _start(request, form, **kwargs):
    try:
        relay = actions.start_relay(request.actor, **kwargs)
    except ValidationError as error:
        form.add_error(None, error)
        return None
    if isinstance(relay, InclusionRequest):
        # The child already has a relay this person may not see: say that the
        # family will be asked, and nothing about whose relay it is.
        messages.info(request, _(
            "A stafettlogg already exists for this child, so no new one was created. The family "
            "will be asked whether your service may take part, and you will be told the answer."
        ))
        concern = kwargs.get("concern")
        return redirect("concerns:detail", pk=concern.pk) if concern else redirect("relay:mine")
    messages.success(request, _(
        "The stafettlogg has been started and you hold it. Register the guardians and record "
        "their consent before you share it with other services."
    ))
    return redirect("relay:detail", pk=relay.pk)


@staff
def start_from_concern(request, concern_pk):
    """Start a relay from a level-0 decision to go on at level 1, 2 or 3,
    carrying over the worry's description."""
    actor = request.actor
    concern = concern_actions.read_concern(actor, concern_pk, "decide")
    if concern.outcome not in LEVEL_OF_OUTCOME:
        messages.error(request, _("Decide to continue on level 1, 2 or 3 before starting a relay."))
        return redirect("concerns:detail", pk=concern.pk)
    if concern.relays.exists():
        messages.error(request, _("A relay has already been started from this worry."))
        return redirect("concerns:detail", pk=concern.pk)
    area = concern.observations + (f"\n\n{concern.questions}" if concern.questions else "")
    form = forms.StartFromConcernForm(
        request.POST or None,
        initial={"level": LEVEL_OF_OUTCOME[concern.outcome], "area_of_concern": area},
    )
    if request.method == "POST" and form.is_valid():
        response = _start(
            request, form, service=concern.service, concern=concern,
            level=form.cleaned_data["level"], area_of_concern=form.cleaned_data["area_of_concern"],
        )
        if response:
            return response
    return render(request, "relay/start_from_concern.html", {
        "form": form, "concern": concern, "child": concern.child, "nav": "relays",
    })


@staff
def new(request):
    """A help or adult service starts a relay directly for a child."""
    actor = request.actor
    services = Service.objects.filter(
        pk__in=actor.service_ids, kind__in=actions.DIRECT_START_KINDS
    ).order_by("name")
    if not services.exists():
        return render(request, "relay/new.html", {"form": None, "nav": "relays"})
    form = forms.DirectStartForm(request.POST or None, services=services)
    if request.method == "POST" and form.is_valid():
        response = _start(
            request, form, service=form.cleaned_data["service"], child=form.child_fields(),
            level=form.cleaned_data["level"], area_of_concern=form.cleaned_data["area_of_concern"],
        )
        if response:
            return response
    return render(request, "relay/new.html", {"form": form, "nav": "relays"})


# --- the overview -----------------------------------------------------------------

PROGRESS_CODES = ("start", "plan", "measures", "evaluate", "decide")


@dataclass(frozen=True)
class StepItem:
    step: Step
    status: str  # "done" | "next" | "open" | "" (a step whose progress is not tracked)
    url: str = ""  # the step in the guide


def done_codes(flags) -> set[str]:
    """Which of the generic steps the relay's data shows as done, from the
    flags of overview.STEPS."""
    start, goal, measure, measures, evaluate, decide = flags
    done = {code for code, flag in (("start", start), ("measures", measures), ("evaluate", evaluate),
                                    ("decide", decide)) if flag}
    if goal and measure:
        done.add("plan")
    return done


def guide_progress(relay, rows) -> tuple[list[StepItem], StepItem | None]:
    """The guide's steps for the relay's level (the rows of overview.STEPS),
    in the holder service's variant, with what is done and the suggested next step."""
    # The relay's progress flags are the same on every row: read once.
    done = done_codes(rows[0][len(TITLE_COLUMNS):]) if rows else set()
    steps = steps_for_variant(titled_steps(rows), relay.holder_service.kind)
    url = url_for_each("guides:step", relay.level)
    items, next_item = [], None
    for step in steps:
        if step.code not in PROGRESS_CODES:
            status = ""
        elif step.code in done:
            status = "done"
        elif next_item is None and relay.is_open:
            status = "next"
        else:
            status = "open"
        item = StepItem(step, status, url(step.number))
        if status == "next":
            next_item = item
        items.append(item)
    return items, next_item


def _consents(relay):
    """Every consent of the relay with its state (the policy's table), the one
    in force now, and the services it covers."""
    consents = list(
        relay.consents.select_related("recorded_by", "withdrawn_by")
        # The parties with their guardians in one query, not two.
        .prefetch_related("services", Prefetch("parties", ConsentParty.objects.select_related("guardian")))
        .order_by("-recorded_at", "-pk")
    )
    return _with_states(consents)


def _with_states(consents):
    """Each consent marked with its state; those in force, and the services they cover."""
    today = timezone.localdate()
    for consent in consents:
        consent.state = consent_state(consent, today)
        consent.in_force = consent.state == ConsentState.IN_FORCE
        consent.expired = consent.state == ConsentState.EXPIRED
        consent.superseded = consent.state == ConsentState.SUPERSEDED
    in_force = [c for c in consents if c.in_force]
    covered = {s.pk for c in in_force for s in c.services.all()}
    return consents, in_force, covered


def _holder_history(relay, handovers):
    accepted = [h for h in handovers if h.status == Handover.Status.ACCEPTED]
    if not accepted:
        return [(relay.holder, relay.holder_service, relay.created_at)]
    history = [(accepted[0].from_user, accepted[0].from_service, relay.created_at)]
    history += [(h.to_user, h.to_service, h.responded_at) for h in accepted]
    return history


def _timeline_kind(request) -> str:
    """The kind the timeline is filtered by; anything unknown shows all."""
    kind = request.GET.get("type", "")
    return kind if kind in Entry.Kind.values else ""


def _timeline(request, relay, guardian=None):
    kind = _timeline_kind(request)
    page = Paginator(timeline_queryset(relay, kind, guardian), PAGE_SIZE).get_page(
        request.GET.get("side")
    )
    label_entries(page.object_list, relay)
    return kind, page


def label_entries(entries, relay) -> None:
    """What the timeline shows of each entry, worked out once per page instead
    of per row in the template: the kind's label, the moment (as `|date` would
    write it), the per-entry action URLs and the words naming the entry to a
    screen reader."""
    labels = choice_labels(Entry.Kind.choices)
    correct = url_for_each("relay_content:entry_correct", relay.pk)
    withhold = url_for_each("relay_content:entry_withhold", relay.pk)
    iso, shown, short = (date_formatter(f, localize=False) for f in ("c", "j. F Y H:i", "d.m.Y H:i"))
    to_local = local_time()
    which = _("the entry of %(date)s")
    for entry in entries:
        entry.kind_label = labels[entry.kind]
        entry.correct_url = correct(entry.pk)
        entry.withhold_url = withhold(entry.pk)
        when = to_local(entry.created_at)
        entry.created_iso, entry.created_shown = iso(when), shown(when)
        # As {% blocktranslate %} makes it: the value escaped, the sentence safe.
        entry.which = SafeString(which % {"date": html_text(short(when))})


@staff
def detail(request, pk):
    actor = request.actor
    relay = actions.read_relay(actor, pk)
    today = timezone.localdate()
    # Once per page: for a participant each evaluation is a query.
    allowed = relay_actions(actor, relay)
    kind = _timeline_kind(request)
    # What the page shows of the relay: prepared queries, run together
    # (overview.py). Services waiting for the family's answer to be
    # included: only the holder (who asks the family) sees who asked.
    shown = overview.read(relay, kind=kind, number=request.GET.get("side"), page_size=PAGE_SIZE,
                          inclusions=relay.is_open and "consent" in allowed)
    consents, in_force, covered = _with_states(shown.consents)
    handovers, participants = shown.handovers, shown.participants
    for participant in participants:
        participant.covered = participant.service_id in covered
    steps, next_step = guide_progress(relay, shown.steps)
    page = shown.page
    label_entries(page.object_list, relay)
    return render(request, "relay/detail.html", {
        "relay": relay,
        "child": relay.child,
        "allowed": allowed,
        "guardians": shown.guardians,
        "consents": consents,
        "consents_in_force": in_force,
        "expiring_soon": [c for c in in_force if (c.valid_until - today).days <= 30],
        "participants": participants,
        "pending_handover": next((h for h in handovers if h.status == Handover.Status.PENDING), None),
        "inclusion_requests": shown.inclusion_requests,
        "holder_history": _holder_history(relay, handovers),
        "steps": steps,
        "next_step": next_step,
        "kinds": Entry.Kind.choices,
        "kind": kind,
        "page": page,
        "nav": "relays",
    })


@staff
def acute(request, pk):
    """The acute path from every page of a relay: the municipality's numbers."""
    relay = actions.read_relay(request.actor, pk, "acute")
    return render(request, "relay/acute.html", {"relay": relay, "child": relay.child, "nav": "relays"})


# --- guardians and consent ------------------------------------------------------------


@staff
def guardians(request, pk):
    actor = request.actor
    relay = actions.read_relay(actor, pk, "guardians")
    form = forms.GuardianForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            guardian = actions.add_guardian(actor, relay, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s has been added as a guardian.") % {"name": guardian.name})
            return redirect("relay:guardians", pk=relay.pk)
    return render(request, "relay/guardians.html", {
        "relay": relay, "child": relay.child, "form": form,
        "guardians": list(relay.child.guardians.all()), "nav": "relays",
    })


@staff
def consent(request, pk, extend=False):
    """Record the family's consent, or extend the one in force (a new consent
    with the same services and more, superseding the current one)."""
    actor = request.actor
    relay = actions.read_relay(actor, pk, "consent")
    today = timezone.localdate()
    current = current_consent(relay)
    guardians = list(relay.child.guardians.all())
    if extend and current is None:
        messages.error(request, _("There is no consent in force to extend. Record a new consent."))
        return redirect("relay:consent", pk=relay.pk)
    if extend:
        parties = list(current.parties.all())
        initial = {
            "guardians": [p.guardian_id for p in parties if p.guardian_id],
            "child_consents": any(p.is_child for p in parties),
            "services": [s.pk for s in current.services.all()],
            "purpose": current.purpose,
            "valid_until": current.valid_until,
        }
    else:
        initial = {
            "guardians": [g.pk for g in guardians if g.parental_responsibility],
            "services": [relay.holder_service_id],
        }
    # The holder came from a service's request to be included: that service is
    # ticked, for the family to say yes or no to.
    asked = _asked_inclusion(relay, request.GET.get("inkluder", ""))
    if asked is not None and asked.service_id not in initial["services"]:
        initial["services"] = [*initial["services"], asked.service_id]
    must = actions.child_must_consent(relay, today)
    form = forms.ConsentForm(
        request.POST or None, request.FILES or None, relay=relay, child_must_consent=must,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.give_consent(
                actor, relay, guardians=list(data["guardians"]), child_consents=data["child_consents"],
                services=list(data["services"]), purpose=data["purpose"], given_on=data["given_on"],
                valid_until=data["valid_until"], method=data["method"], scan=data["scan"],
                supersedes=current if extend else None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The consent has been recorded."))
            left_out = sorted({s.name for s in current.services.all()} - {
                s.name for s in data["services"]}) if current else []
            if left_out:
                messages.warning(request, _(
                    "The new consent no longer covers %(services)s: they no longer see the "
                    "stafettlogg, and those taking part for them have been told."
                ) % {"services": ", ".join(left_out)})
            return redirect("relay:detail", pk=relay.pk)
    return render(request, "relay/consent.html", {
        "relay": relay, "child": relay.child, "form": form, "extend": extend, "current": current,
        "guardians": guardians, "child_must_consent": must, "asked": asked, "nav": "relays",
    })


def _asked_inclusion(relay, raw: str):
    if not raw.isdigit():
        return None
    return (
        relay.inclusion_requests.filter(pk=int(raw), status=InclusionRequest.Status.PENDING)
        .select_related("service").first()
    )


@staff
@require_POST
def decline_inclusion(request, pk, inclusion_pk):
    """The holder records that the family said no to including a service."""
    relay = load_relay(request.actor, pk, "consent")
    inclusion = get_object_or_404(
        InclusionRequest.objects.select_related("relay"), pk=inclusion_pk, relay=relay,
        status=InclusionRequest.Status.PENDING,
    )
    try:
        actions.decline_inclusion(request.actor, inclusion)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _(
            "Recorded that the family said no. The service that asked is told only that the "
            "family did not consent."
        ))
    return redirect("relay:detail", pk=relay.pk)


@staff
def ask_consent(request, pk):
    """The holder asks the family to consent in the family pages: each party
    signs for themself with ID-porten. Shows the request waiting, if any,
    and who has signed it."""
    actor = request.actor
    relay = actions.read_relay(actor, pk, "consent")
    current = current_consent(relay)
    proposal = actions.pending_proposal(relay)
    guardians, child_must = actions.required_parties(relay, timezone.localdate())
    signed = {s.guardian_id: s for s in proposal.signatures.all()} if proposal else {}
    child_signature = next((s for s in proposal.signatures.all() if s.is_child), None) \
        if proposal else None
    form = forms.ProposalForm(request.POST or None, relay=relay, current=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.ask_family_to_consent(actor, relay, services=list(data["services"]),
                                          purpose=data["purpose"], valid_until=data["valid_until"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _(
                "The family has been asked to consent in the family pages. Each guardian with "
                "parental responsibility (and the child, when old enough) signs with ID-porten."))
            return redirect("relay:ask_consent", pk=relay.pk)
    return render(request, "relay/consent_ask.html", {
        "relay": relay, "child": relay.child, "form": form, "current": current,
        "proposal": proposal, "child_must_consent": child_must, "child_signature": child_signature,
        "parties": [(g, signed.get(g.pk)) for g in guardians], "nav": "relays",
    })


@staff
def withdraw_consent(request, pk):
    actor = request.actor
    relay = actions.read_relay(actor, pk, "consent")
    current = current_consent(relay)
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and current is not None and form.is_valid():
        try:
            actions.withdraw_consent(actor, relay, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _(
                "The consent has been withdrawn. Other services no longer have access to the relay."
            ))
            return redirect("relay:detail", pk=relay.pk)
    return render(request, "relay/withdraw_consent.html", {
        "relay": relay, "child": relay.child, "form": form, "current": current, "nav": "relays",
    })


@staff
def consent_scan(request, pk, consent_pk):
    """The scanned consent form, for the holder; streamed, never public."""
    def scan(relay):
        consent = relay.consents.exclude(scan="").filter(pk=consent_pk).first()
        return consent if consent and consent.scan.storage.exists(consent.scan.name) else None

    _relay, consent = actions.read_relay(request.actor, pk, "consent", event="read_consent_scan",
                                         part=scan)
    try:
        handle = consent.scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=os.path.basename(consent.scan.name))
    response["Cache-Control"] = "private, no-store, max-age=0"
    return response


# --- participants and handover ---------------------------------------------------------


@staff
def participants(request, pk):
    actor = request.actor
    relay = actions.read_relay(actor, pk, "participants")
    form = forms.ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = data["person"]
        try:
            actions.add_participant(actor, relay, service=data["service"],
                                    user=person.user if person else None, task=data["task"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The participant has been added."))
            return redirect("relay:participants", pk=relay.pk)
    _all, in_force, covered = _consents(relay)
    active = list(relay.participants.filter(left_at__isnull=True).select_related("service", "user"))
    for participant in active:
        participant.covered = participant.service_id in covered
        participant.is_holder = (participant.user_id == relay.holder_id
                                 and participant.service_id == relay.holder_service_id)
    return render(request, "relay/participants.html", {
        "relay": relay, "child": relay.child, "form": form, "participants": active,
        "covered_services": sorted(
            {s.name for c in in_force for s in c.services.all()}
        ),
        "nav": "relays",
    })


@staff
@require_POST
def remove_participant(request, pk, participant_pk):
    relay = load_relay(request.actor, pk, "participants")
    participant = get_object_or_404(
        Participant.objects.select_related("relay"), pk=participant_pk, relay=relay,
        left_at__isnull=True,
    )
    try:
        actions.remove_participant(request.actor, participant)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The participant has left the relay."))
    return redirect("relay:participants", pk=relay.pk)


@staff
def handover(request, pk):
    actor = request.actor
    relay = actions.read_relay(actor, pk, "handover")
    pending = (
        relay.handovers.filter(status=Handover.Status.PENDING)
        .select_related("to_user", "to_service").first()
    )
    form = forms.HandoverForm(request.POST or None, holder=relay.holder)
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["to"]
        try:
            actions.request_handover(actor, relay, to_user=to.user, to_service=to.service,
                                     note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _(
                "The handover has been requested. You hold the relay until %(name)s accepts."
            ) % {"name": to.user.display_name})
            return redirect("relay:detail", pk=relay.pk)
    return render(request, "relay/handover.html", {
        "relay": relay, "child": relay.child, "form": form, "pending": pending, "nav": "relays",
    })


@staff
@require_POST
def cancel_handover(request, pk, handover_pk):
    pending = load_handover(request.actor, pk, handover_pk, "cancel")
    actions.cancel_handover(request.actor, pending)
    messages.success(request, _("The handover has been cancelled."))
    if "view" in relay_actions(request.actor, pending.relay):
        return redirect("relay:detail", pk=pk)
    return redirect("relay:appoint", pk=pk)


@staff
def respond_to_handover(request, pk, handover_pk):
    """The person asked to take over — by the holder, or by a leader or the
    coordinator when the holder has left — reads what is handed over, and
    accepts or declines."""
    actor = request.actor
    form = forms.HandoverResponseForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            accept = form.cleaned_data["decision"] == "accept"
            pending = load_handover(actor, pk, handover_pk, "accept")
            actions.respond_to_handover(actor, pending, accept=accept)
            if accept:
                messages.success(request, _("You now hold the relay."))
                return redirect("relay:detail", pk=pk)
            messages.success(request, _("You have declined the handover. The holder has been told."))
            return redirect("relay:mine")
    pending = actions.read_handover(actor, pk, handover_pk)
    relay = pending.relay
    return render(request, "relay/respond_to_handover.html", {
        "relay": relay, "child": relay.child, "handover": pending, "nav": "relays",
        "may_view": "view" in relay_actions(actor, relay), "form": form,
    })


@staff
def appoint(request, pk):
    """The holder has left: the leader of the holder's service (or, where it
    has none, the BTI coordinator) asks someone in that service to take over.
    The page shows the child's name and the services, nothing of the log."""
    actor = request.actor
    relay = actions.read_for_appointment(actor, pk)
    pending = relay.handovers.filter(status=Handover.Status.PENDING).select_related(
        "to_user", "requested_by").first()
    form = forms.AppointForm(request.POST or None, service=relay.holder_service,
                             exclude_user=relay.holder)
    if request.method == "POST" and form.is_valid():
        try:
            actions.appoint_holder(actor, relay, to_user=form.cleaned_data["to"].user,
                                   note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _(
                "%(name)s has been asked to take over as holder. The relay passes when they accept."
            ) % {"name": form.cleaned_data["to"].user.display_name})
            return redirect("relay:appoint", pk=relay.pk)
    services = sorted({p.service.name for p in relay.participants.filter(
        left_at__isnull=True).select_related("service")})
    return render(request, "relay/appoint.html", {
        "relay": relay, "child": relay.child, "form": form, "pending": pending,
        "services": services, "nav": "followup",
    })


# --- closing, the PDF and the guardians' copy ------------------------------------------


@staff
def close(request, pk):
    actor = request.actor
    relay = actions.read_relay(actor, pk, "close")
    form = forms.CloseForm(request.POST or None, initial={"version": relay.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.close_relay(
                actor, relay, version=data["version"], reason=data["reason"], summary=data["summary"],
                child_last_word=data["child_last_word"], parents_last_word=data["parents_last_word"],
            )
        except actions.Conflict:
            _conflict(request)
            form = forms.CloseForm(with_version(request.POST, relay.version))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _(
                "The relay is closed. Download the PDF of the whole log for your service's archive."
            ))
            return redirect("relay:detail", pk=relay.pk)
    return render(request, "relay/close.html", {
        "relay": relay, "child": relay.child, "form": form, "nav": "relays",
    })


def whole_log(relay) -> dict:
    """Everything in the log, for the archive PDF: a fixed number of queries."""
    consents, in_force, _covered = _consents(relay)
    return {
        "relay": relay,
        "child": relay.child,
        "municipality": relay.municipality,
        "guardians": list(relay.child.guardians.all()),
        "consents": consents,
        "participants": list(relay.participants.select_related("service", "user")),
        "handovers": list(relay.handovers.select_related(
            "from_user", "to_user", "from_service", "to_service").order_by("requested_at", "pk")),
        "goals": list(relay.goals.all()),
        "measures": list(relay.measures.select_related("goal", "responsible_service", "responsible_user")),
        "meetings": list(relay.meetings.prefetch_related("present__service", "present__user")),
        "evaluations": list(relay.evaluations.select_related("goal", "measure", "meeting")),
        "level_changes": list(relay.level_changes.order_by("decided_at", "pk")),
        "entries": list(timeline_queryset(relay).order_by("created_at", "pk")),
        "printed_at": timezone.now(),
    }


@staff
def pdf(request, pk):
    """The whole log as a PDF for the service's archive, audited as a read."""
    relay = actions.read_relay(request.actor, pk, event="read_pdf")
    context = whole_log(relay) | {"pdf_lang": request.LANGUAGE_CODE, "pdf_emergency": False}
    document = render_pdf("relay/pdf.html", context, request)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"stafettlogg-{relay.pk}-{timezone.localdate():%Y-%m-%d}.pdf"
    )
    response["Content-Length"] = str(len(document))
    response["Cache-Control"] = "private, no-store, max-age=0"
    return response


@staff
def guardian_copy(request, pk):
    """The log as one guardian will see it: the entries only, without those
    withheld from that guardian. Without `?foresatt=` the page lets the
    reader choose the guardian."""
    actor = request.actor
    guardian_id = request.GET.get("foresatt", "")
    if guardian_id:
        # A guardian of another child (or no number at all) ends in 404 before
        # anything is read or recorded.
        relay, guardian = actions.read_relay(
            actor, pk, event="read_guardian_copy",
            part=lambda relay: relay.child.guardians.filter(
                pk=int(guardian_id) if guardian_id.isdigit() and len(guardian_id) < 19 else None
            ).first(),
        )
    else:
        guardian = None
        relay = actions.read_relay(actor, pk, event="read_guardian_copy")
    context = {"relay": relay, "child": relay.child, "guardian": guardian, "nav": "relays"}
    if guardian is None:
        context["guardians"] = list(relay.child.guardians.all())
    else:
        context["kind"], context["page"] = _timeline(request, relay, guardian)
        context["kinds"] = Entry.Kind.choices
        context["base_query"] = f"foresatt={guardian.pk}&"
    return render(request, "relay/guardian_copy.html", context)


def detail_url(relay) -> str:
    """The overview's timeline, for links back from the content pages."""
    return reverse("relay:detail", args=[relay.pk]) + "#tidslinje"
