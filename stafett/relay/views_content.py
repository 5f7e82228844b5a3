"""Pages for the content of the stafettlogg: goals, measures, evaluations,
meetings with agenda and minutes (and the level change at an evaluation
meeting), notes and bright spots, corrections and withholdings.

Every page loads the relay with `actions.read_relay` (404 for anyone without
access to the action, one audit read per page), looking the goal, measure,
meeting or entry up *within that relay* in the same read (404 otherwise,
before anything is recorded), and writes through
`stafett.relay.actions`. No view checks access or writes a row on its own.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from stafett.access.views import staff
from stafett.guides import placeholders
from stafett.guides.models import Tool
from stafett.lib.forms import OUT_OF_DATE, with_version

from . import actions
from . import forms_content as forms
from .models import Entry, Goal, Measure, Meeting, Withholding
from .policy import covered_service_ids, relay_actions

MEETING_TIME_FORMAT = "%d.%m.%Y %H:%M"

CONFLICT_MESSAGE = gettext_lazy(
    "Someone else changed this while you were writing. Your text is still in the form: "
    "check what is saved now and save again."
)


# --- helpers --------------------------------------------------------------------------


def _reverse(name, args, fallback):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def relay_url(relay) -> str:
    """The relay's overview (written in the relay frame, "relay:detail")."""
    return _reverse("relay:detail", [relay.pk], reverse("home"))


def _context(request, relay, **extra):
    return {
        "relay": relay,
        "child": relay.child,
        "allowed": relay_actions(request.actor, relay),
        "relay_url": relay_url(relay),
        "acute_url": _reverse("relay:acute", [relay.pk], reverse("core:acute")),
        **extra,
    }


def _part(model, pk):
    """Look a goal, measure, meeting or entry up within the relay being read."""
    return lambda relay: model.objects.filter(relay=relay, pk=pk).first()


def _form_error(form, error: ValidationError):
    for message in error.messages:
        form.add_error(None, message)


# --- goals ----------------------------------------------------------------------------


@staff
def goal_new(request, pk):
    relay = actions.read_relay(request.actor, pk, "content")
    form = forms.GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_goal(request.actor, relay, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The goal has been added."))
            return redirect(relay_url(relay))
    return render(request, "relay/content/goal_form.html", _context(
        request, relay, form=form, title=_("New goal"),
    ))


@staff
def goal_edit(request, pk, goal_id):
    relay, goal = actions.read_relay(request.actor, pk, "content", part=_part(Goal, goal_id))
    initial = {"version": goal.version, "title": goal.title, "indicator": goal.indicator,
               "achieved": goal.achieved}
    form = forms.GoalEditForm(request.POST or None, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_goal(request.actor, goal, **form.cleaned_data)
        except actions.Conflict:
            goal.refresh_from_db()
            conflict = True
            messages.error(request, CONFLICT_MESSAGE)
            form = forms.GoalEditForm(with_version(request.POST, goal.version))
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The goal has been saved."))
            return redirect(relay_url(relay))
    measures = list(goal.measures.select_related("responsible_service"))
    evaluations = list(goal.evaluations.all())
    return render(request, "relay/content/goal_form.html", _context(
        request, relay, form=form, goal=goal, conflict=conflict, measures=measures,
        evaluations=evaluations, title=_("Goal"),
    ))


@staff
@require_POST
def goal_achieved(request, pk, goal_id):
    """One click: mark a goal achieved (with the version the page showed)."""
    relay, goal = actions.read_relay(request.actor, pk, "content", part=_part(Goal, goal_id))
    form = forms.VersionedForm(request.POST)
    if not form.is_valid():
        messages.error(request, OUT_OF_DATE)
        return redirect("relay_content:goal", pk=relay.pk, goal_id=goal.pk)
    try:
        actions.update_goal(request.actor, goal, version=form.cleaned_data["version"],
                            title=goal.title, indicator=goal.indicator, achieved=True)
    except actions.Conflict:
        messages.error(request, _("Someone else changed this goal. Check it and try again."))
        return redirect("relay_content:goal", pk=relay.pk, goal_id=goal.pk)
    messages.success(request, _("The goal is marked as achieved."))
    return redirect(relay_url(relay))


# --- measures -------------------------------------------------------------------------


@staff
def measure_new(request, pk):
    relay = actions.read_relay(request.actor, pk, "content")
    covered = covered_service_ids(relay)
    own = sorted(request.actor.service_ids & covered)
    initial = {
        "responsible_service": relay.holder_service_id if relay.holder_id == request.user.pk
        else (own[0] if own else None),
        "starts_on": timezone.localdate(),
        "goal": request.GET.get("mal"),
    }
    pick = forms.CatalogPickForm(request.GET if "katalog" in request.GET else None,
                                 municipality_id=relay.municipality_id)
    picked = pick.picked() if pick.is_bound else None
    if picked is not None:
        initial |= {"catalog_measure": picked.pk, "what": picked.name}
        if picked.service_id in covered:
            initial["responsible_service"] = picked.service_id
    form = forms.MeasureForm(request.POST or None, relay=relay, covered_ids=covered, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_measure(
                request.actor, relay, what=data["what"], catalog_measure=data["catalog_measure"],
                responsible_service=data["responsible_service"],
                responsible_user=data["responsible_user"], goal=data["goal"],
                starts_on=data["starts_on"], deadline=data["deadline"],
                evaluate_on=data["evaluate_on"],
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The measure has been added."))
            return redirect(relay_url(relay))
    return render(request, "relay/content/measure_form.html", _context(
        request, relay, form=form, title=_("New measure"), pick=pick,
        picked=picked or (form.cleaned_data.get("catalog_measure") if form.is_bound and form.is_valid() else None),
        picked_outside=picked is not None and picked.service_id not in covered,
    ))


@staff
def measure_edit(request, pk, measure_id):
    relay, measure = actions.read_relay(request.actor, pk, "content", part=lambda relay: (
        Measure.objects.select_related("responsible_service", "responsible_user", "goal",
                                       "catalog_measure")
        .filter(relay=relay, pk=measure_id).first()))
    initial = {"version": measure.version, "what": measure.what, "starts_on": measure.starts_on,
               "deadline": measure.deadline, "evaluate_on": measure.evaluate_on}
    form = forms.MeasureEditForm(request.POST or None, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_measure(request.actor, measure, **form.cleaned_data)
        except actions.Conflict:
            measure.refresh_from_db()
            conflict = True
            messages.error(request, CONFLICT_MESSAGE)
            form = forms.MeasureEditForm(with_version(request.POST, measure.version))
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The measure has been saved."))
            return redirect(relay_url(relay))
    evaluations = list(measure.evaluations.all())
    return render(request, "relay/content/measure_form.html", _context(
        request, relay, form=form, measure=measure, conflict=conflict, evaluations=evaluations,
        title=_("Measure"),
    ))


# --- evaluations ----------------------------------------------------------------------


@staff
def evaluation_new(request, pk):
    relay = actions.read_relay(request.actor, pk, "content")
    initial = {"measure": request.GET.get("tiltak"), "goal": request.GET.get("mal"),
               "meeting": request.GET.get("mote")}
    form = forms.EvaluationForm(request.POST or None, relay=relay, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_evaluation(request.actor, relay, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The evaluation has been recorded."))
            return redirect(relay_url(relay))
    return render(request, "relay/content/evaluation_form.html", _context(
        request, relay, form=form, title=_("New evaluation"),
    ))


# --- meetings -------------------------------------------------------------------------

DEFAULT_AGENDAS = {
    Meeting.Kind.NETWORK: gettext_lazy(
        "- Welcome, and the purpose of the meeting\n- What has happened so far\n"
        "- The child's voice\n- A shared understanding: what we see and what we want to achieve\n"
        "- Who does what, and by when\n- Next meeting"),
    Meeting.Kind.PLANNING: gettext_lazy(
        "- Welcome\n- Goals: what should be better, and how we will see it\n"
        "- Measures: what, who is responsible, start, deadline and evaluation date\n"
        "- The child's voice\n- Next meeting"),
    Meeting.Kind.EVALUATION_DISCUSSION: gettext_lazy(
        "- Welcome\n- What has happened since last time\n- The measures: what worked, what did not\n"
        "- The child's view, the parents' view, the professionals' view\n"
        "- Preparing the decision at the next meeting"),
    Meeting.Kind.EVALUATION_DECISION: gettext_lazy(
        "- Welcome\n- Evaluation of the goals and measures\n- The child's view and the parents' view\n"
        "- Decision: close, continue, or move up or down a level\n- Who does what next"),
    Meeting.Kind.BTI_TEAM: gettext_lazy(
        "- Welcome, and the purpose of the meeting\n- The case: what has been tried so far\n"
        "- The child's voice\n- Coordinated measures and who is responsible\n- Next meeting"),
}

DEFAULT_AGENDA_HEAD = gettext_lazy(
    "## {kind}\n\nTime: {meeting_time}\nPlace: {meeting_place}\nParticipants: {participants}\n\n"
)

# Not known while the form is open: the agenda shows in words what will be filled
# in (never a raw "{meeting_time}"), and saving puts the values in their place.
PENDING_MEETING_VALUES = {
    "meeting_time": gettext_lazy("[filled in: the time above]"),
    "meeting_place": gettext_lazy("[filled in: the place above]"),
    "participants": gettext_lazy("[filled in: the participants invited above]"),
}


def _pending_to_placeholders(text: str) -> str:
    """The words the open form showed, back into placeholders, in whichever of
    our languages the form was shown (the person may switch before saving)."""
    for language, _name in settings.STAFF_LANGUAGES:
        with translation.override(language):
            for name, words in PENDING_MEETING_VALUES.items():
                text = text.replace(str(words), "{" + name + "}")
    return text


def _participant_label(participant) -> str:
    if participant.user_id:
        return f"{participant.user.get_full_name()} ({participant.service.name})"
    return participant.service.name


def _agenda_values(request, relay, *, starts_at=None, place=None, invited=None) -> dict:
    child = relay.child
    values = {}
    values.update(placeholders.values_for_municipality(request.actor.municipality))
    today = placeholders.format_date(timezone.localdate())
    birth = placeholders.format_date(child.birth_date or child.expected_date)
    values.update({
        "child": relay.child_name,
        "child_birth_date": birth,
        "service": relay.holder_service.name,
        "employee": request.user.get_full_name(),
        "today": today,
    })
    if starts_at is None:  # the form is open: say what will be filled in
        values.update({name: str(words) for name, words in PENDING_MEETING_VALUES.items()})
    else:
        values.update({
            "meeting_time": timezone.localtime(starts_at).strftime(MEETING_TIME_FORMAT),
            "meeting_place": place,
            "participants": ", ".join(_participant_label(p) for p in invited),
        })
    return values


def meeting_template(relay) -> str:
    """The body of the relay guide's meeting template: the tool of kind
    "meeting", the one with key "agenda" if there are several."""
    tools = list(Tool.objects.filter(guide_id=relay.guide_id, kind=Tool.Kind.MEETING)
                 .exclude(body="").order_by("key").values_list("key", "body"))
    for key, body in tools:
        if key == "agenda":
            return body
    return tools[0][1] if tools else ""


def default_agenda(kind: str) -> str:
    label = Meeting.Kind(kind).label
    return str(DEFAULT_AGENDA_HEAD).replace("{kind}", str(label)) + str(DEFAULT_AGENDAS[kind])


def _default_kind(relay) -> str:
    return Meeting.Kind.NETWORK if relay.level > 1 else Meeting.Kind.PLANNING


@staff
def meeting_new(request, pk):
    relay = actions.read_relay(request.actor, pk, "meeting")
    kind = request.GET.get("type")
    if kind not in Meeting.Kind.values:
        kind = _default_kind(relay)
    template = meeting_template(relay)
    agenda = template or default_agenda(kind)
    form = forms.MeetingForm(request.POST or None, relay=relay, initial={
        "kind": kind, "agenda": placeholders.fill(agenda, _agenda_values(request, relay)),
    })
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invited = list(data["invited"])
        text = (_pending_to_placeholders(data["agenda"].strip()) or template
                or default_agenda(data["kind"]))
        agenda = placeholders.fill(text, _agenda_values(request, relay, starts_at=data["starts_at"],
                                            place=data["place"], invited=invited))
        try:
            meeting = actions.plan_meeting(
                request.actor, relay, kind=data["kind"], starts_at=data["starts_at"],
                place=data["place"], agenda=agenda, invited=invited,
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The meeting has been planned."))
            return redirect("relay_content:meeting", pk=relay.pk, meeting_id=meeting.pk)
    return render(request, "relay/content/meeting_form.html", _context(
        request, relay, form=form, from_guide=bool(template), title=_("Plan a meeting"),
    ))


@staff
def meeting_detail(request, pk, meeting_id):
    relay, meeting = actions.read_relay(request.actor, pk, part=_part(Meeting, meeting_id))
    invited = list(meeting.invited.select_related("user", "service"))
    # Saving fills the agenda in; filling it again shows no raw placeholder even
    # for an agenda written some other way (a filled-in text is left as it is).
    agenda = placeholders.fill(meeting.agenda, _agenda_values(
        request, relay, starts_at=meeting.starts_at, place=meeting.place, invited=invited))
    return render(request, "relay/content/meeting_detail.html", _context(
        request, relay, meeting=meeting,
        agenda=placeholders.blocks(agenda),
        invited=invited,
        present=list(meeting.present.select_related("user", "service")),
        guardians_present=list(meeting.guardians_present.all()),
        evaluations=list(meeting.evaluations.all()),
        level_changes=list(meeting.level_changes.all()),
        # What the family sent before the meeting (the family pages).
        replies=list(meeting.replies.select_related("author")),
        child_views=list(meeting.child_views.select_related("author")),
        title=meeting.get_kind_display(),
    ))


@staff
def meeting_minutes(request, pk, meeting_id):
    """The minutes (→ the log entry for the meeting); at an evaluation meeting
    where the decision is made, the holder may also change the level here."""
    # Two forms on one page: the minutes, and (when offered) the level change,
    # which needs the "level" action and a meeting where the decision is made.
    step = request.POST.get("step", "minutes") if request.method == "POST" else None
    kinds = [Meeting.Kind.EVALUATION_DECISION] if step == "level" else Meeting.Kind.values
    relay, meeting = actions.read_relay(
        request.actor, pk, "level" if step == "level" else "meeting",
        part=lambda relay: relay.meetings.filter(pk=meeting_id, kind__in=kinds).first())
    allowed = relay_actions(request.actor, relay)
    offers_level = meeting.kind == Meeting.Kind.EVALUATION_DECISION and "level" in allowed

    participants = list(forms.active_participants(relay))
    invited_ids = set(meeting.invited.values_list("pk", flat=True))
    recorded = meeting.minutes_recorded_at is not None
    minutes_initial = {
        "version": meeting.version,
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "child_present": meeting.child_present,
        "present": (list(meeting.present.values_list("pk", flat=True)) if recorded
                    else sorted(invited_ids)),
        "guardians_present": list(meeting.guardians_present.values_list("pk", flat=True)),
    }
    minutes_form = forms.MinutesForm(request.POST if step == "minutes" else None,
                                     relay=relay, initial=minutes_initial)
    level_form = None
    if offers_level:
        level_form = forms.LevelChangeForm(
            request.POST if step == "level" else None, relay=relay,
            participating_service_ids={p.service_id for p in participants},
        )
    conflict = False

    if step == "level" and level_form.is_valid():
        data = level_form.cleaned_data
        try:
            actions.change_level(request.actor, relay, meeting=meeting, to_level=data["to_level"],
                                 reason=data["reason"], release_services=data["release_services"])
        except ValidationError as error:
            _form_error(level_form, error)
        else:
            messages.success(request, _("The relay now continues on level %(level)s.")
                             % {"level": data["to_level"]})
            return redirect(relay_url(relay))
    elif step == "minutes" and minutes_form.is_valid():
        data = minutes_form.cleaned_data
        try:
            actions.record_minutes(
                request.actor, meeting, version=data["version"], minutes=data["minutes"],
                decisions=data["decisions"], present=data["present"],
                guardians_present=data["guardians_present"], child_present=data["child_present"],
            )
        except actions.Conflict:
            meeting.refresh_from_db()
            conflict = True
            messages.error(request, CONFLICT_MESSAGE)
            minutes_form = forms.MinutesForm(with_version(request.POST, meeting.version), relay=relay)
        except ValidationError as error:
            _form_error(minutes_form, error)
        else:
            messages.success(request, _("The minutes have been recorded in the log."))
            return redirect(relay_url(relay))

    return render(request, "relay/content/meeting_minutes.html", _context(
        request, relay, meeting=meeting, form=minutes_form, level_form=level_form,
        conflict=conflict, allowed=allowed,
        consent_url=_reverse("relay:consent", [relay.pk], relay_url(relay)),
        title=_("Minutes"),
    ))


# --- notes, bright spots, corrections, withholdings -------------------------------------


@staff
def entry_new(request, pk):
    relay = actions.read_relay(request.actor, pk, "content")
    kind = Entry.Kind.BRIGHT_SPOT if request.GET.get("type") == "lysglimt" else Entry.Kind.NOTE
    form = forms.EntryForm(request.POST or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            entry = actions.add_entry(request.actor, relay, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The bright spot has been added.")
                             if entry.kind == Entry.Kind.BRIGHT_SPOT else _("The note has been added."))
            return redirect(relay_url(relay))
    return render(request, "relay/content/entry_form.html", _context(
        request, relay, form=form,
        title=_("New bright spot") if kind == Entry.Kind.BRIGHT_SPOT else _("New note"),
    ))


def _entries():
    return Entry.objects.select_related("author", "author_service", "corrects")


@staff
def entry_correct(request, pk, entry_id):
    def own_correctable(relay):
        entry = _entries().filter(relay=relay, pk=entry_id, author=request.user).first()
        return entry if entry is not None and entry.correctable else None

    relay, entry = actions.read_relay(request.actor, pk, "content", part=own_correctable)
    newer = Entry.objects.filter(corrects=entry).first()
    form = forms.CorrectionForm(request.POST or None, initial={"text": entry.text})
    if request.method == "POST" and newer is None and form.is_valid():
        try:
            actions.correct_entry(request.actor, entry, text=form.cleaned_data["text"])
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The correction has been saved. The earlier wording stays visible."))
            return redirect(relay_url(relay))
    return render(request, "relay/content/entry_correct.html", _context(
        request, relay, entry=entry, newer=newer, form=form, title=_("Correct an entry"),
    ))


@staff
def entry_withhold(request, pk, entry_id):
    relay, entry = actions.read_relay(request.actor, pk, "withhold",
                                      part=lambda relay: _entries().filter(relay=relay, pk=entry_id).first())
    withholdings = list(
        Withholding.objects.filter(entry=entry).select_related("guardian", "decided_by")
        .order_by("decided_at", "pk")
    )
    guardians = relay.child.guardians.exclude(pk__in=[w.guardian_id for w in withholdings])
    form = forms.WithholdForm(request.POST or None, guardians=guardians)
    if request.method == "POST" and form.is_valid():
        try:
            actions.withhold_entry(request.actor, entry, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The entry is withheld from %(name)s.")
                             % {"name": form.cleaned_data["guardian"].name})
            return redirect(relay_url(relay))
    return render(request, "relay/content/entry_withhold.html", _context(
        request, relay, entry=entry, withholdings=withholdings, form=form,
        any_guardian=guardians.exists(), title=_("Withhold from a guardian"),
    ))
