"""Forms for the frame of the stafettlogg: starting, guardians, consent,
participants, handover and closing. Forms check the shape of the input; the
rules that protect the family (every guardian consents, nothing beyond the
consent, one holder) live in relay/actions.py, whose ValidationError messages
the views show in the same error summary."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stafett.concerns.forms import NewConcernForm
from stafett.lib import forms as fields
from stafett.lib.dates import add_years
from stafett.lib.forms import VersionedForm
from stafett.tenancy.forms import MembershipChoiceField, memberships
from stafett.tenancy.models import Membership, Service

from .actions import MAX_CONSENT_YEARS
from .models import Consent, Guardian, Relay

LEVEL_CHOICES = [
    (1, _("Level 1: within one service")),
    (2, _("Level 2: cooperation, usually two services")),
    (3, _("Level 3: complex cooperation between several services")),
]


class LevelAndAreaMixin(forms.Form):
    level = fields.TypedChoiceField(
        label=_("Level"), choices=LEVEL_CHOICES, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": _("Choose level 1, 2 or 3."),
                        "invalid_choice": _("Choose level 1, 2 or 3.")},
    )
    # Room for a worry's observations and questions, which it starts from.
    area_of_concern = fields.TextField(
        label=_("Area of concern"), limit=fields.LONG_TEXT_LIMIT,
        help_text=_("What the cooperation is about: what you have seen and what should be better."),
        error_messages={"required": _("Describe the area of concern.")},
    )


class StartFromConcernForm(LevelAndAreaMixin):
    pass


class DirectStartForm(NewConcernForm):
    """A relay started directly by a help or adult service: the child's facts
    are checked exactly as for a new worry (the fields and their validation
    are NewConcernForm's), without the level-0 description."""

    observations = None
    questions = None
    level = LevelAndAreaMixin.base_fields["level"]
    area_of_concern = LevelAndAreaMixin.base_fields["area_of_concern"]

    field_order = ["service", "child_name", "birth_date", "expected_date", "national_id",
                   "level", "area_of_concern"]


class GuardianForm(forms.Form):
    name = fields.LineField(
        label=_("Name"),
        error_messages={"required": _("Write the guardian's name.")},
    )
    relation = fields.LineField(
        label=_("Relation to the child"), limit=100,
        help_text=_("For example: mother, father, foster mother."),
        error_messages={"required": _("Write the guardian's relation to the child.")},
    )
    parental_responsibility = forms.BooleanField(
        label=_("Has parental responsibility"), required=False, initial=True,
    )
    phone = fields.LineField(label=_("Phone (optional)"), limit=20, required=False)
    national_id = fields.NationalIdField(
        label=_("The guardian's national identity number (optional)"),
        help_text=_("Lets the guardian log in to the family pages with ID-porten. "
                    "Shown masked afterwards."),
    )


class ConsentForm(forms.Form):
    guardians = fields.ModelMultipleChoiceField(
        label=_("Guardians who consent"), queryset=Guardian.objects.none(),
        widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Every guardian with parental responsibility must consent."),
    )
    child_consents = forms.BooleanField(
        label=_("The child consents too"), required=False,
    )
    services = fields.ModelMultipleChoiceField(
        label=_("Services the information may be shared with"), queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the services the consent covers.")},
    )
    purpose = fields.TextField(
        label=_("What the information may be used for"),
        error_messages={"required": _("Write what the information may be used for.")},
    )
    given_on = fields.DateField(
        label=_("Date of the conversation"), window="consent_given",
        error_messages={"required": _("Give the date of the conversation."),
                        "too_late": _("The date of the conversation cannot be in the future.")},
    )
    valid_until = fields.DateField(
        label=_("Valid until"), window="consent_until",
        help_text=_("At most three years."),
        error_messages={"required": _("Give the date the consent ends.")},
    )
    method = fields.ChoiceField(
        label=_("How it was given"), widget=forms.RadioSelect,
        # A consent with ID-porten is signed by the family in the family pages.
        choices=[c for c in Consent.Method.choices if c[0] != Consent.Method.IDPORTEN],
        initial=Consent.Method.DIGITAL,
    )
    scan = forms.FileField(
        label=_("Scanned form (PDF or image)"), required=False,
        help_text=_("Only when the family signed a paper form."),
    )

    def __init__(self, *args, relay, child_must_consent: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardians"].queryset = relay.child.guardians.all()
        self.fields["services"].queryset = Service.objects.order_by("name")
        if child_must_consent:
            self.fields["child_consents"].help_text = _(
                "The child is old enough to consent and must do so."
            )
        today = timezone.localdate()
        self.fields["given_on"].initial = today
        self.fields["valid_until"].initial = today + dt.timedelta(days=365)

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        if scan and scan.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is too large: at most 10 MB."))
        if scan and not scan.name.lower().endswith((".pdf", ".png", ".jpg", ".jpeg")):
            raise forms.ValidationError(_("Upload a PDF, PNG or JPEG file."))
        return scan

    def clean(self):
        data = super().clean()
        given, until = data.get("given_on"), data.get("valid_until")
        # The action says the same; said here too, the person reads it beside the field.
        if given and until and until > add_years(given, MAX_CONSENT_YEARS):
            self.add_error("valid_until", _("A consent can be valid for at most three years."))
        return data


class WithdrawForm(forms.Form):
    reason = fields.TextField(
        label=_("Why the consent is withdrawn"),
        error_messages={"required": _("Write why the consent was withdrawn.")},
    )


class ParticipantForm(forms.Form):
    service = fields.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(),
        empty_label=_("Choose a service"),
        error_messages={"required": _("Choose the service that takes part.")},
    )
    person = MembershipChoiceField(
        label=_("Named person (optional)"), queryset=Membership.objects.none(), required=False,
        empty_label=_("No named person: the service takes part"),
    )
    task = fields.LineField(
        label=_("Task in the relay"), limit=300, required=False,
        help_text=_("For example: follows up sleep at the health station."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.order_by("name")
        self.fields["person"].queryset = memberships()

    def clean(self):
        data = super().clean()
        person, service = data.get("person"), data.get("service")
        if person and service and person.service_id != service.pk:
            self.add_error("person", _("Choose a person who works in the chosen service."))
        return data


class HandoverForm(forms.Form):
    to = MembershipChoiceField(
        label=_("New holder"), queryset=Membership.objects.none(),
        empty_label=_("Choose the new holder"),
        help_text=_("The person, and the service they will hold the relay for."),
        error_messages={"required": _("Choose who should take over.")},
    )
    note = fields.TextField(
        label=_("What is handed over"),
        help_text=_("Where the work stands, what is agreed with the family, what comes next."),
        error_messages={"required": _("Write what is handed over.")},
    )

    def __init__(self, *args, holder, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = memberships().exclude(user=holder)


class AppointForm(forms.Form):
    """A leader or the coordinator asks someone in the holder's service to take over."""

    to = MembershipChoiceField(
        label=_("New holder"), queryset=Membership.objects.none(),
        empty_label=_("Choose the new holder"),
        help_text=_("Someone who works in the holder's service now."),
        error_messages={"required": _("Choose who should take over.")},
    )
    note = fields.TextField(
        label=_("What the new holder needs to know"),
        help_text=_("Why you ask them, and where to start. Not the content of the log."),
        error_messages={"required": _("Write what the new holder needs to know.")},
    )

    def __init__(self, *args, service, exclude_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = memberships().filter(service=service).exclude(user=exclude_user)


class HandoverResponseForm(forms.Form):
    decision = fields.ChoiceField(
        label=_("Your answer"), choices=[("accept", "accept"), ("decline", "decline")],
    )


class CloseForm(VersionedForm):
    reason = fields.ChoiceField(
        label=_("Reason for closing"), choices=Relay.ClosingReason.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the relay is closed.")},
    )
    summary = fields.TextField(
        label=_("Closing summary"),
        help_text=_("What was done, what changed, and what the family takes with them."),
        error_messages={"required": _("Write a closing summary.")},
    )
    child_last_word = fields.TextField(
        label=_("The child's last word"), required=False,
        help_text=_("In the child's own words."),
    )
    parents_last_word = fields.TextField(
        label=_("The parents' last word"), required=False,
    )



class ProposalForm(forms.Form):
    """A consent for the family to sign in the family pages: asked for by the
    holder, or proposed by a family member (stafett.citizen)."""

    services = fields.ModelMultipleChoiceField(
        label=_("Services that may take part"), queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one service.")},
    )
    purpose = fields.TextField(
        label=_("What the information may be used for"),
        error_messages={"required": _("Write what the information may be used for.")},
    )
    valid_until = fields.DateField(
        label=_("Valid until"), window="consent_until", help_text=_("At most three years."),
        error_messages={"required": _("Give the date the consent ends.")},
    )

    def __init__(self, *args, relay, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Services of the child's municipality only; another's is "choose
        # from the list" before it reaches the action.
        self.fields["services"].queryset = Service.objects.filter(
            municipality_id=relay.municipality_id).order_by("name")
        today = timezone.localdate()
        self.fields["services"].initial = (
            [s.pk for s in current.services.all()] if current else [relay.holder_service_id])
        self.fields["purpose"].initial = current.purpose if current else ""
        self.fields["valid_until"].initial = (
            current.valid_until if current and current.valid_until > today
            else today + dt.timedelta(days=365))


class FamilyWithdrawForm(forms.Form):
    """What a family member withdraws their consent for: the whole consent,
    or one service (withdrawing the holder's own service ends the whole
    consent: the relay cannot be shared without it)."""

    ALL = "all"
    what = fields.ChoiceField(label=_("What do you withdraw your consent for?"),
                              widget=forms.RadioSelect, choices=())

    def __init__(self, *args, current, holder_service_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["what"].choices = [(self.ALL, _("The whole consent"))] + [
            (str(s.pk), s.name) for s in current.services.order_by("name")
            if s.pk != holder_service_id
        ]
        self.fields["what"].initial = self.ALL
