"""Forms for the level-0 journey. Every message is in the user's language and
says what to do, not just what is wrong."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stafett.audit.models import LegalBasis
from stafett.lib.forms import DateInput, DateTimeInput, VersionedForm
from stafett.lib.national_id import InvalidNationalId, parse
from stafett.tenancy.forms import MembershipChoiceField, memberships
from stafett.tenancy.models import Membership

from .models import AcuteContact, Concern

ID_MESSAGES = {
    "length": _("A national identity number has 11 digits."),
    "checksum": _("This national identity number is not valid: check the digits."),
    "date": _("The national identity number does not contain a valid date of birth."),
    "synthetic": _("Synthetic test numbers are not accepted here."),
}
MAX_AGE_YEARS = 25


class NewConcernForm(forms.Form):
    service = forms.ModelChoiceField(queryset=None, label=_("Your service"), empty_label=None)
    child_name = forms.CharField(
        label=_("The child's name"), max_length=200,
        error_messages={"required": _("Write the child's name.")},
    )
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=DateInput,
    )
    expected_date = forms.DateField(
        label=_("Expected date of birth (unborn child)"), required=False, widget=DateInput,
        help_text=_("Only for a pregnancy: leave the date of birth empty."),
    )
    national_id = forms.CharField(
        label=_("National identity number (optional)"), required=False, max_length=20,
        help_text=_("11 digits. It is checked, and shown masked afterwards."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    observations = forms.CharField(
        label=_("What have you seen and heard?"), widget=forms.Textarea,
        help_text=_("Describe observations: what, when, how often. Not conclusions."),
        error_messages={"required": _("Write what you have seen and heard.")},
    )
    questions = forms.CharField(
        label=_("What are you wondering about?"), widget=forms.Textarea, required=False,
        help_text=_("Write your questions, not diagnoses."),
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        only = list(services[:2])
        if len(only) == 1:
            # One service: nothing to choose, so no control to label or tab through.
            self.fields["service"].initial = only[0].pk
            self.fields["service"].widget = forms.HiddenInput()

    def clean_child_name(self):
        name = " ".join(self.cleaned_data["child_name"].split())
        if not name:
            raise forms.ValidationError(_("Write the child's name."))
        return name

    def clean_national_id(self):
        raw = self.cleaned_data["national_id"].strip()
        if not raw:
            return None
        try:
            return parse(raw, accept_synthetic=settings.STAFETT_ACCEPT_SYNTHETIC_IDS)
        except InvalidNationalId as error:
            raise forms.ValidationError(ID_MESSAGES[error.code]) from None

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if value and value > today:
            raise forms.ValidationError(
                _("The date of birth cannot be in the future. For an unborn child, use the expected date.")
            )
        if value and value < today.replace(year=today.year - MAX_AGE_YEARS):
            raise forms.ValidationError(
                _("BTI is for children and young people: the date of birth must be within the last 25 years.")
            )
        return value

    def clean_expected_date(self):
        value = self.cleaned_data["expected_date"]
        today = timezone.localdate()
        if value and not (today - dt.timedelta(days=31) <= value <= today + dt.timedelta(days=300)):
            raise forms.ValidationError(
                _("The expected date must be within the next ten months.")
            )
        return value

    def clean(self):
        data = super().clean()
        birth, expected, nid = data.get("birth_date"), data.get("expected_date"), data.get("national_id")
        if any(name in self.errors for name in ("birth_date", "expected_date", "national_id")):
            return data
        if birth and expected:
            self.add_error("expected_date", _("Give either the date of birth or the expected date, not both."))
        elif expected and nid:
            self.add_error("national_id", _("An unborn child has no national identity number yet."))
        elif not birth and not expected:
            if nid:
                data["birth_date"] = nid.birth_date
            else:
                self.add_error(
                    "birth_date", _("Give the child's date of birth, or the expected date for an unborn child.")
                )
        elif birth and nid and nid.birth_date != birth:
            self.add_error("national_id", _("The national identity number does not match the date of birth."))
        return data

    def child_fields(self) -> dict:
        data = self.cleaned_data
        nid = data.get("national_id")
        return {
            "name": data["child_name"],
            "birth_date": data.get("birth_date"),
            "expected_date": data.get("expected_date"),
            "national_id": nid.value if nid else "",
        }


class DefineForm(VersionedForm):
    observations = NewConcernForm.base_fields["observations"]
    questions = NewConcernForm.base_fields["questions"]


class ShareForm(VersionedForm):
    message = forms.CharField(
        label=_("Message to your leader (optional)"), widget=forms.Textarea, required=False,
    )


class ConversationForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the conversation"), widget=DateInput)
    participants = forms.CharField(
        label=_("Who took part"), max_length=300,
        help_text=_("For example: mother, father, the child, you."),
    )
    summary = forms.CharField(label=_("What was said"), widget=forms.Textarea)
    child_view = forms.CharField(
        label=_("The child's own view, in the child's words"), widget=forms.Textarea,
        required=False,
        help_text=_("Write what the child said, as the child said it. Leave empty if the child did not take part."),
    )

    def clean_held_on(self):
        value = self.cleaned_data["held_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of the conversation cannot be in the future."))
        return value


class ReassignForm(forms.Form):
    """The leader gives a departed author's worry to someone in the service."""

    to = MembershipChoiceField(
        label=_("New responsible employee"), queryset=Membership.objects.none(),
        help_text=_("Someone who works in the service now. They will see the worry as its author."),
        error_messages={"required": _("Choose who should take over the worry.")},
    )

    def __init__(self, *args, service, exclude_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = memberships().filter(service=service).exclude(user=exclude_user)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(VersionedForm):
    outcome = forms.ChoiceField(
        label=_("Is there reason to go on?"), choices=Concern.Outcome.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason for the decision"), widget=forms.Textarea)


class CloseForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason for closing"), widget=forms.Textarea,
        help_text=_("For example: the worry has been resolved, or the work continues on level 1."),
    )


class AcuteContactForm(forms.Form):
    contacted = forms.ChoiceField(
        label=_("Who did you contact?"), choices=AcuteContact.Contacted.choices,
        widget=forms.RadioSelect,
    )
    contacted_at = forms.DateTimeField(
        label=_("When"), widget=DateTimeInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"), widget=forms.RadioSelect,
        choices=[
            (LegalBasis.DUTY_TO_REPORT, _("Duty to report to the child welfare service (child welfare act § 13-2)")),
            (LegalBasis.DUTY_TO_AVERT, _("Duty to avert serious crime (penal code § 196)")),
        ],
    )
    leader_informed = forms.BooleanField(label=_("My leader has been told"), required=False)
    leader_name = forms.CharField(label=_("Which leader"), max_length=200, required=False)
    note = forms.CharField(
        label=_("What was said and agreed"), widget=forms.Textarea, required=False,
    )

    def clean_contacted_at(self):
        value = self.cleaned_data["contacted_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("The time of the contact cannot be in the future."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("leader_informed") and not data.get("leader_name", "").strip():
            self.add_error("leader_name", _("Write which leader you told."))
        if not data.get("leader_informed") and not data.get("note", "").strip():
            self.add_error(
                "note",
                _("If your leader could not be told, write why and who else you told."),
            )
        return data
