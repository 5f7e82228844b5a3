from django import forms
from django.utils.translation import gettext_lazy as _

from stafett.lib.forms import ChoiceField, DateField, LineField, NationalIdField, VersionedForm

from .models import AccessRequest


class RegisterForm(forms.Form):
    case = ChoiceField(label=_("The child, through your case"))
    role = ChoiceField(label=_("Who asked"), choices=AccessRequest.Role.choices,
                       widget=forms.RadioSelect)
    requester_name = LineField(label=_("The requester's name"))
    national_id = NationalIdField(
        label=_("The requester's national identity number"), required=True,
        help_text=_("They collect the record with it when they log in with ID-porten."))
    received_on = DateField(label=_("Date the request was received"), window="conversation")
    channel = ChoiceField(label=_("How the request came in"), choices=AccessRequest.Channel.choices)
    checked = forms.BooleanField(
        label=_("I have checked the requester's identity, and that a guardian has parental "
                "responsibility for the child"),
        error_messages={"required": _("Check the requester's identity and parental responsibility first.")})

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = list(cases)


class ActionForm(VersionedForm):
    """Produce or deliver: carries only the version the page showed."""
