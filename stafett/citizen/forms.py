"""The family's forms: bounded fields from stafett.lib.forms, so bad input is
refused with a clear message in the family's language before any action."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stafett.concerns.forms import NewConcernForm
from stafett.concerns.models import Concern
from stafett.lib import forms as fields
from stafett.relay.models import Entry, MeetingReply

RADIO = {"class": "choices"}


class MeetingChoiceField(fields.ModelChoiceField):
    def label_from_instance(self, meeting):
        return str(meeting)


class EntryForm(forms.Form):
    kind = fields.ChoiceField(
        label=_("What do you want to write?"), widget=forms.RadioSelect(attrs=RADIO),
        choices=[(Entry.Kind.NOTE, _("A note")), (Entry.Kind.BRIGHT_SPOT, _("A bright spot: something that went well"))],
        initial=Entry.Kind.BRIGHT_SPOT,
        error_messages={"required": _("Choose a note or a bright spot.")},
    )
    text = fields.TextField(
        label=_("Your text"), limit=fields.TEXT_LIMIT // 2,
        help_text=_("Everyone who takes part in the log can read it, and it stays in the log."),
        error_messages={"required": _("Write something before you send it.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ChildViewForm(forms.Form):
    meeting = MeetingChoiceField(
        label=_("Before which meeting?"), queryset=None, empty_label=None,
        error_messages={"required": _("Choose one of the meetings that are still ahead.")},
    )
    text = fields.TextField(
        label=_("What I want you to know"), limit=fields.TEXT_LIMIT // 2,
        help_text=_("In the child's own words: what is good, what is hard, what they wish for."),
        error_messages={"required": _("Write what the child wants the others to know.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


class ReplyForm(forms.Form):
    meeting = MeetingChoiceField(
        label=_("Which meeting?"), queryset=None, empty_label=None,
        error_messages={"required": _("Choose one of the meetings that are still ahead.")},
    )
    answer = fields.ChoiceField(
        label=_("Your answer"), widget=forms.RadioSelect(attrs=RADIO), choices=MeetingReply.Answer.choices,
        error_messages={"required": _("Choose whether you will come.")},
    )
    comment = fields.LineField(
        label=_("Comment (optional)"), limit=500, required=False,
        help_text=_("For example which times suit you."),
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings

    def clean(self):
        data = super().clean()
        if data.get("answer") == MeetingReply.Answer.OTHER_TIME and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Write which times suit you."))
        return data


class ServiceChoiceField(fields.ModelChoiceField):
    def label_from_instance(self, service):
        return service.name


class WorryForm(forms.Form):
    service = ServiceChoiceField(
        label=_("Which service do you want to ask?"), queryset=None,
        empty_label=_("Choose a service"),
        help_text=_("The kindergarten, the school or the health station."),
        error_messages={"required": _("Choose the service you want to ask.")},
    )
    child_name = NewConcernForm.base_fields["child_name"]
    birth_date = NewConcernForm.base_fields["birth_date"]
    national_id = fields.NationalIdField(
        label=_("The child's national identity number (optional)"),
        help_text=_("11 digits. It is checked, and shown masked afterwards."),
    )
    worry = fields.TextField(
        label=_("What are you worried about?"), limit=fields.TEXT_LIMIT // 2,
        help_text=_("Write what you have noticed, and what you would like help with."),
        error_messages={"required": _("Write what you are worried about.")},
    )
    contact_how = fields.ChoiceField(
        label=_("How do you want to be contacted?"), widget=forms.RadioSelect(attrs=RADIO),
        choices=Concern.Contact.choices,
        error_messages={"required": _("Choose how you want to be contacted.")},
    )
    contact_detail = fields.LineField(
        label=_("Your phone number or e-mail address"), limit=200, required=False,
        help_text=_("Needed if you want to be contacted by phone or e-mail."),
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services

    def clean_child_name(self):
        name = " ".join(self.cleaned_data["child_name"].split())
        if not name:
            raise forms.ValidationError(_("Write the child's name."))
        return name

    def clean(self):
        data = super().clean()
        birth, nid = data.get("birth_date"), data.get("national_id")
        if "birth_date" in self.errors or "national_id" in self.errors:
            return data
        if not birth and nid:
            data["birth_date"] = nid.birth_date
        elif not birth:
            self.add_error("birth_date", _("Give the child's date of birth."))
        elif nid and nid.birth_date != birth:
            self.add_error("national_id", _("The national identity number does not match the date of birth."))
        how = data.get("contact_how")
        if how in (Concern.Contact.PHONE, Concern.Contact.EMAIL) and not (data.get("contact_detail") or "").strip():
            self.add_error("contact_detail", _("Write your phone number or e-mail address."))
        return data

    def child_fields(self) -> dict:
        data = self.cleaned_data
        nid = data.get("national_id")
        return {"name": data["child_name"], "birth_date": data.get("birth_date"), "expected_date": None,
                "national_id": nid.value if nid else ""}


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"), max_length=254,
        error_messages={"required": _("Write your e-mail address."),
                        "invalid": _("Write a valid e-mail address, like name@example.no.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        if "\x00" in email:
            raise forms.ValidationError(_("Write a valid e-mail address, like name@example.no."))
        return email
