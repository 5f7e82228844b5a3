"""Forms for the content of the stafettlogg: goals, measures, evaluations,
meetings and their minutes, notes, corrections and withholdings.

Choices are always limited to the one relay (its goals, measures, meetings,
active participants, the child's guardians, the services its consent covers),
so a form never offers another child's data. The actions check the rules
again; forms only make the right thing easy to do.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stafett.catalog.models import CatalogMeasure
from stafett.lib import forms as fields
from stafett.lib.forms import VersionedForm
from stafett.tenancy.models import Membership, Service

from .forms import LEVEL_CHOICES
from .models import Entry, Goal, Measure, Meeting, Relay

TEXTAREA = {"rows": 4}


# --- goals -------------------------------------------------------------------------


class GoalForm(forms.Form):
    title = fields.LineField(
        label=_("What should be better?"), limit=300,
        error_messages={"required": _("Write what should be better.")},
    )
    indicator = fields.TextField(
        label=_("How will we see it?"), widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Describe what the child, the parents or the staff will notice when the goal is reached."),
        error_messages={"required": _("Write how we will see that the goal is reached.")},
    )


class GoalEditForm(VersionedForm, GoalForm):
    achieved = forms.BooleanField(label=_("The goal is achieved"), required=False)


# --- measures ----------------------------------------------------------------------


def _person_label(membership) -> str:
    name = membership.user.get_full_name() or membership.user.get_username()
    return f"{name} ({membership.service.name})"


class MeasureDatesForm(forms.Form):
    what = fields.TextField(
        label=_("What will be done?"), widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"required": _("Write what will be done.")},
    )
    starts_on = fields.DateField(
        label=_("Start"), window="plan",
        error_messages={"required": _("Give the date the measure starts.")},
    )
    deadline = fields.DateField(
        label=_("Deadline"), window="plan",
        error_messages={"required": _("Give the deadline of the measure.")},
    )
    evaluate_on = fields.DateField(
        label=_("Evaluation date"), window="plan",
        help_text=_("When the measure will be evaluated."),
        error_messages={"required": _("Give the date the measure will be evaluated.")},
    )

    def clean(self):
        data = super().clean()
        start, deadline, evaluate = data.get("starts_on"), data.get("deadline"), data.get("evaluate_on")
        if start and deadline and deadline < start:
            self.add_error("deadline", _("The deadline cannot be before the start."))
        if start and evaluate and evaluate < start:
            self.add_error("evaluate_on", _("The evaluation date cannot be before the start."))
        return data


class MeasureForm(MeasureDatesForm):
    field_order = ["catalog_measure", "what", "responsible_service", "responsible_person", "goal",
                   "starts_on", "deadline", "evaluate_on"]

    responsible_service = fields.ModelChoiceField(
        queryset=Service.objects.none(), label=_("Responsible service"), empty_label=None,
        help_text=_("Only services covered by the consent can be responsible."),
    )
    responsible_person = fields.ChoiceField(
        label=_("Responsible person (optional)"), required=False,
        help_text=_("Must work in the responsible service."),
    )
    goal = fields.ModelChoiceField(
        queryset=Goal.objects.none(), label=_("Goal it works towards (optional)"), required=False,
        empty_label=_("No particular goal"),
    )
    # Set by picking from the catalogue above the form (a plain GET, no script).
    catalog_measure = fields.ModelChoiceField(
        queryset=CatalogMeasure.objects.none(), label=_("From the catalogue of measures"),
        required=False, widget=forms.HiddenInput,
    )

    def __init__(self, *args, relay: Relay, covered_ids: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalog_measure"].queryset = CatalogMeasure.objects.filter(
            municipality_id=relay.municipality_id, active=True)
        self.fields["responsible_service"].queryset = Service.objects.filter(
            pk__in=covered_ids).order_by("name")
        self.fields["goal"].queryset = Goal.objects.filter(relay=relay)
        # One query: everyone working in a covered service, with the service.
        self._memberships = {
            str(m.pk): m
            for m in Membership.objects.filter(service_id__in=covered_ids, active=True)
            .select_related("user", "service").order_by("service__name", "user__first_name", "pk")
        }
        self.fields["responsible_person"].choices = [("", _("No particular person"))] + [
            (key, _person_label(m)) for key, m in self._memberships.items()
        ]

    def clean(self):
        data = super().clean()
        key = data.get("responsible_person")
        data["responsible_user"] = None
        if key:
            membership = self._memberships.get(key)
            service = data.get("responsible_service")
            if membership is None:
                self.add_error("responsible_person", _("Choose a person from the list."))
            elif service is not None and membership.service_id != service.pk:
                self.add_error("responsible_person", _("%(name)s does not work in %(service)s.") % {
                    "name": membership.user.get_full_name(), "service": service.name})
            else:
                data["responsible_user"] = membership.user
        return data


class MeasureEditForm(VersionedForm, MeasureDatesForm):
    pass


class CatalogPickForm(forms.Form):
    """Pick a measure from the catalogue: the measure form opens again with
    its name and service filled in."""

    katalog = fields.ModelChoiceField(
        queryset=CatalogMeasure.objects.none(), label=_("Measure from the catalogue"),
        required=False, empty_label=_("Write the measure freely"),
    )

    def __init__(self, *args, municipality_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["katalog"].queryset = CatalogMeasure.objects.filter(
            municipality_id=municipality_id, active=True).select_related("service")
        # Grouped by the service that offers it, so a long catalogue stays readable.
        groups: dict[str, list] = {}
        for m in self.fields["katalog"].queryset.order_by("service__name", "name", "pk"):
            groups.setdefault(m.service.name, []).append((m.pk, m.name))
        self.fields["katalog"].choices = [("", _("Write the measure freely")), *groups.items()]

    def picked(self):
        return self.cleaned_data.get("katalog") if self.is_valid() else None


# --- evaluations -----------------------------------------------------------------


class _TitledChoice(fields.ModelChoiceField):
    def label_from_instance(self, obj):
        if isinstance(obj, Goal):
            return obj.title
        if isinstance(obj, Measure):
            text = " ".join(obj.what.split())
            return text if len(text) <= 80 else text[:79] + "…"
        if isinstance(obj, Meeting):
            from django.utils import timezone

            return f"{obj.get_kind_display()}, {timezone.localtime(obj.starts_at):%d.%m.%Y %H:%M}"
        return str(obj)


class EvaluationForm(forms.Form):
    measure = _TitledChoice(
        queryset=Measure.objects.none(), label=_("Measure evaluated"), required=False,
        empty_label=_("No particular measure"),
    )
    goal = _TitledChoice(
        queryset=Goal.objects.none(), label=_("Goal evaluated"), required=False,
        empty_label=_("No particular goal"),
    )
    meeting = _TitledChoice(
        queryset=Meeting.objects.none(), label=_("At the meeting (optional)"), required=False,
        empty_label=_("Not at a meeting"),
    )
    what_happened = fields.TextField(
        label=_("What happened?"), widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"required": _("Write what happened.")},
    )
    child_view = fields.TextField(label=_("The child's view"), widget=forms.Textarea(attrs=TEXTAREA),
                                  required=False)
    parents_view = fields.TextField(label=_("The parents' view"), widget=forms.Textarea(attrs=TEXTAREA),
                                    required=False)
    professionals_view = fields.TextField(label=_("The professionals' view"),
                                          widget=forms.Textarea(attrs=TEXTAREA), required=False)
    conclusion = fields.TextField(
        label=_("Conclusion"), widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("What do we continue, change or stop?"),
        error_messages={"required": _("Write the conclusion.")},
    )

    def __init__(self, *args, relay: Relay, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = Measure.objects.filter(relay=relay)
        self.fields["goal"].queryset = Goal.objects.filter(relay=relay)
        self.fields["meeting"].queryset = Meeting.objects.filter(relay=relay)

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("measure") and not data.get("goal"):
            raise forms.ValidationError(_("Choose the measure or the goal you evaluate (or both)."))
        return data


# --- meetings ----------------------------------------------------------------------


class _ParticipantChoice(fields.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        if obj.user_id:
            return f"{obj.user.get_full_name()} ({obj.service.name})"
        return obj.service.name


def active_participants(relay):
    return relay.participants.filter(left_at__isnull=True).select_related("user", "service")


class MeetingForm(forms.Form):
    kind = fields.ChoiceField(label=_("Kind of meeting"), choices=Meeting.Kind.choices)
    starts_at = fields.DateTimeField(
        label=_("Time"), window="plan",
        error_messages={"required": _("Give the time of the meeting."),
                        "invalid": _("Give the date and time of the meeting.")},
    )
    place = fields.LineField(
        label=_("Place"), error_messages={"required": _("Write where the meeting is.")},
    )
    invited = _ParticipantChoice(
        queryset=None, label=_("Invited participants"), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
    )
    agenda = fields.TextField(
        label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 12}), required=False,
        limit=fields.LONG_TEXT_LIMIT,
        help_text=_("Where the agenda says so, the time, the place and the invited "
                    "participants are filled in when you save. Left empty, the standard "
                    "agenda is used."),
    )

    def __init__(self, *args, relay: Relay, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invited"].queryset = active_participants(relay)


class MinutesForm(VersionedForm):
    present = _ParticipantChoice(
        queryset=None, label=_("Participants present"), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
    )
    guardians_present = fields.ModelMultipleChoiceField(
        queryset=None, label=_("Guardians present"), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
    )
    child_present = forms.BooleanField(label=_("The child took part"), required=False)
    minutes = fields.TextField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 10}), limit=fields.LONG_TEXT_LIMIT,
        help_text=_("What was discussed. The minutes become the log's entry for the meeting."),
        error_messages={"required": _("Write the minutes.")},
    )
    decisions = fields.TextField(
        label=_("Decisions"), widget=forms.Textarea(attrs=TEXTAREA), required=False,
        help_text=_("What was agreed: measures, who is responsible, deadlines, the next meeting."),
    )

    def __init__(self, *args, relay: Relay, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = active_participants(relay)
        self.fields["guardians_present"].queryset = relay.child.guardians.all()


class LevelChangeForm(forms.Form):
    to_level = fields.TypedChoiceField(
        label=_("New level"), coerce=int, widget=forms.RadioSelect(attrs={"class": "choices"}),
        error_messages={"required": _("Choose the new level.")},
    )
    reason = fields.TextField(
        label=_("Reason for the change"), widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"required": _("Write the reason for the change.")},
    )
    release_services = fields.ModelMultipleChoiceField(
        queryset=Service.objects.none(), required=False,
        label=_("When moving down: services that leave the relay"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
    )

    # The same level names as where a relay is started.
    LEVELS = dict(LEVEL_CHOICES)

    def __init__(self, *args, relay: Relay, participating_service_ids: set[int], **kwargs):
        super().__init__(*args, prefix="level", **kwargs)
        self.fields["to_level"].choices = [
            (number, label) for number, label in self.LEVELS.items() if number != relay.level
        ]
        self.fields["release_services"].queryset = Service.objects.filter(
            pk__in=participating_service_ids - {relay.holder_service_id}
        ).order_by("name")
        self.relay = relay

    def clean(self):
        data = super().clean()
        to_level = data.get("to_level")
        if to_level and to_level > self.relay.level and data.get("release_services"):
            self.add_error("release_services", _("Services are released only when moving down a level."))
        return data


# --- entries -----------------------------------------------------------------------


class EntryForm(forms.Form):
    kind = fields.ChoiceField(
        label=_("Kind of entry"), widget=forms.RadioSelect(attrs={"class": "choices"}),
        choices=[(Entry.Kind.NOTE, _("Note")), (Entry.Kind.BRIGHT_SPOT, _("Bright spot"))],
        help_text=_("A bright spot is something that went well."),
    )
    text = fields.TextField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the text of the entry.")},
    )


class CorrectionForm(forms.Form):
    text = fields.TextField(
        label=_("Corrected text"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The earlier wording stays visible in the log, marked as corrected."),
        error_messages={"required": _("Write the corrected text.")},
    )


class WithholdForm(forms.Form):
    guardian = fields.ModelChoiceField(
        queryset=None, label=_("Withhold from"), empty_label=None,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
        error_messages={"required": _("Choose the guardian.")},
    )
    reason = fields.TextField(
        label=_("Reason"), widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("For example suspected violence by this guardian. The reason is recorded."),
        error_messages={"required": _("Write why the entry is withheld from this guardian.")},
    )

    def __init__(self, *args, guardians, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = guardians
