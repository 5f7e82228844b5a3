"""Forms for the level-0 journey. Every message is in the user's language and
says what to do, not just what is wrong."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from stafett.audit.models import LegalBasis
from stafett.lib import forms as fields
from stafett.lib.forms import VersionedForm
from stafett.tenancy.forms import MembershipChoiceField, memberships
from stafett.tenancy.models import Membership

from .models import AcuteContact, Concern

MAX_AGE_YEARS = 25


class NewConcernForm(forms.Form):
    service = fields.ModelChoiceField(queryset=None, label=_("Your service"), empty_label=None)
    child_name = fields.LineField(
        label=_("The child's name"),
        error_messages={"required": _("Write the child's name.")},
    )
    # BTI is for children and young people: born within the last 25 years.
    birth_date = fields.DateField(
        label=_("Date of birth"), required=False, back=MAX_AGE_YEARS, ahead=0,
        error_messages={
            "too_late": _("The date of birth cannot be in the future. For an unborn child, "
                          "use the expected date."),
            "too_early": _("BTI is for children and young people: the date of birth must be "
                           "within the last 25 years."),
        },
    )
    # A pregnancy lasts about nine months; a birth a little overdue is still expected.
    expected_date = fields.DateField(
        label=_("Expected date of birth (unborn child)"), required=False,
        back=dt.timedelta(days=31), ahead=dt.timedelta(days=300),
        help_text=_("Only for a pregnancy: leave the date of birth empty."),
        error_messages={key: _("The expected date must be within the next ten months.")
                        for key in ("too_early", "too_late")},
    )
    national_id = fields.NationalIdField(
        label=_("National identity number (optional)"),
        help_text=_("11 digits. It is checked, and shown masked afterwards."),
    )
    observations = fields.TextField(
        label=_("What have you seen and heard?"),
        help_text=_("Describe observations: what, when, how often. Not conclusions."),
        error_messages={"required": _("Write what you have seen and heard.")},
    )
    # Shorter than the observations: both become a relay's area of concern.
    questions = fields.TextField(
        label=_("What are you wondering about?"), required=False, limit=fields.TEXT_LIMIT // 2,
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
    message = fields.TextField(label=_("Message to your leader (optional)"), required=False)


class ConversationForm(forms.Form):
    held_on = fields.DateField(
        label=_("Date of the conversation"), window="conversation",
        error_messages={"too_late": _("The date of the conversation cannot be in the future.")},
    )
    participants = fields.LineField(
        label=_("Who took part"), limit=300,
        help_text=_("For example: mother, father, the child, you."),
    )
    summary = fields.TextField(label=_("What was said"))
    child_view = fields.TextField(
        label=_("The child's own view, in the child's words"), required=False,
        help_text=_("Write what the child said, as the child said it. Leave empty if the child did not take part."),
    )


class ReassignForm(forms.Form):
    """The leader gives a departed author's worry to someone in the service."""

    to = MembershipChoiceField(
        label=_("New responsible employee"), queryset=Membership.objects.none(),
        empty_label=_("Choose an employee"),
        help_text=_("Someone who works in the service now. They will see the worry as its author."),
        error_messages={"required": _("Choose who should take over the worry.")},
    )

    def __init__(self, *args, service, exclude_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = memberships().filter(service=service).exclude(user=exclude_user)


class CommentForm(forms.Form):
    text = fields.TextField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(VersionedForm):
    outcome = fields.ChoiceField(
        label=_("Is there reason to go on?"), choices=Concern.Outcome.choices,
        widget=forms.RadioSelect,
    )
    reason = fields.TextField(label=_("Reason for the decision"))


class CloseForm(VersionedForm):
    reason = fields.TextField(
        label=_("Reason for closing"),
        help_text=_("For example: the worry has been resolved, or the work continues on level 1."),
    )


class AcuteContactForm(forms.Form):
    contacted = fields.ChoiceField(
        label=_("Who did you contact?"), choices=AcuteContact.Contacted.choices,
        widget=forms.RadioSelect,
    )
    # Contacts are made the same day and recorded soon after; a few minutes'
    # grace for a clock that runs ahead.
    contacted_at = fields.DateTimeField(
        label=_("When"), back=1, ahead=dt.timedelta(minutes=5),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"too_late": _("The time of the contact cannot be in the future.")},
    )
    legal_basis = fields.ChoiceField(
        label=_("Legal basis"), widget=forms.RadioSelect,
        choices=[
            (LegalBasis.DUTY_TO_REPORT, _("Duty to report to the child welfare service (child welfare act § 13-2)")),
            (LegalBasis.DUTY_TO_AVERT, _("Duty to avert serious crime (penal code § 196)")),
        ],
    )
    leader_informed = forms.BooleanField(label=_("My leader has been told"), required=False)
    leader_name = fields.LineField(label=_("Which leader"), required=False)
    note = fields.TextField(label=_("What was said and agreed"), required=False)

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
