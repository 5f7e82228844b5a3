from django import forms
from django.utils.translation import gettext_lazy as _

from stafett.lib import forms as fields


class QuestionsForm(forms.Form):
    """One radio group (a fieldset with the question as its legend) per question."""

    def __init__(self, questions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[q.key] = fields.ChoiceField(
                label=q.text, choices=q.options,
                widget=forms.RadioSelect(attrs={"class": "choices"}),
                error_messages={"required": _("Choose an answer.")},
            )

    def explain(self, wrong: list[str]) -> None:
        """Show the explanation under each question answered wrong."""
        by_key = {q.key: q for q in self.questions}
        for key in wrong:
            self.add_error(key, by_key[key].explanation)


class ServiceFilterForm(forms.Form):
    tjeneste = fields.TypedChoiceField(label=_("Service"), required=False, coerce=int,
                                       empty_value=None)

    def __init__(self, services, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tjeneste"].choices = [("", _("All services"))] + [
            (s.service_id, s.service_name) for s in services]
