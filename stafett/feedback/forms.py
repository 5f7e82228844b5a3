from django import forms
from django.utils.translation import gettext_lazy as _

from stafett.lib.forms import ChoiceField, LineField, ModelChoiceField, TextField, VersionedForm

from .actions import TEXT_LIMIT
from .models import Feedback


class FeedbackForm(forms.Form):
    topic = ChoiceField(label=_("What is it about?"), choices=Feedback.Topic.choices,
                        widget=forms.RadioSelect)
    subject = ChoiceField(
        label=_("Which step or tool"), required=False,
        help_text=_("Only when it is about a step or a tool in the guide."))
    text = TextField(label=_("Your feedback"), limit=TEXT_LIMIT,
                     help_text=_("What works, what does not, and what you would change. Do not write about a particular child."))
    anonymous = forms.BooleanField(
        label=_("Send anonymously"), required=False,
        help_text=_("Your name is then not stored. You get a code to follow the feedback with; "
                    "we cannot tell you when it is answered."))

    def __init__(self, *args, parts, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = parts
        self.fields["subject"].choices = [("", _("(none)"))] + [
            (str(_("Steps")), parts.steps), (str(_("Tools")), parts.tools)]
        self.fields["text"].error_messages["required"] = _("Write your feedback.")
        self.fields["topic"].error_messages["required"] = _("Choose what your feedback is about.")

    def clean(self):
        data = super().clean()
        topic, subject = data.get("topic"), data.get("subject") or ""
        if topic == Feedback.Topic.STEP and subject not in dict(self.parts.steps):
            self.add_error("subject", _("Choose the step in the list."))
        elif topic == Feedback.Topic.TOOL and subject not in dict(self.parts.tools):
            self.add_error("subject", _("Choose the tool in the list."))
        return data


class TrackForm(forms.Form):
    code = LineField(label=_("Tracking code"), limit=80,
                           help_text=_("The code you were given when you sent the feedback, for example ABCD-EFGH-IJKL-MNOP-QRST."),
                           error_messages={"required": _("Write your tracking code.")},
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))


class StatusForm(VersionedForm):
    status = ChoiceField(label=_("Status"))
    answer = TextField(label=_("Answer to the sender"), limit=TEXT_LIMIT, required=False,
                       help_text=_("Needed when the status is “changed” or “not changed”."))
    guide = ModelChoiceField(label=_("Changed in guide version"), queryset=None, required=False,
                             empty_label=_("(no version)"),
                             help_text=_("Only when the status is “changed”."))

    def __init__(self, *args, statuses, versions, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Feedback.Status.choices)
        self.fields["status"].choices = [(value, labels[value]) for value in statuses]
        self.fields["guide"].queryset = versions
        self.fields["guide"].label_from_instance = lambda guide: _("Version %(number)s") % {"number": guide.number}


class FilterForm(forms.Form):
    status = ChoiceField(label=_("Status"), required=False,
                         choices=[("", _("All"))] + list(Feedback.Status.choices))
    topic = ChoiceField(label=_("About"), required=False,
                        choices=[("", _("All"))] + list(Feedback.Topic.choices))
