import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from stafett.lib import forms as lib
from stafett.tenancy.models import Service

from .bank import display_text
from .models import Area, Question, QuestionKind


class QuestionForm(forms.Form):
    area = lib.ChoiceField(label=_("Area"), choices=Area.choices)
    kind = lib.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    text = lib.TextField(label=_("Question"), limit=1000, widget=forms.Textarea(attrs={"rows": 3}))


class QuestionEditForm(forms.Form):
    area = lib.ChoiceField(label=_("Area"), choices=Area.choices)
    text = lib.TextField(label=_("Question"), limit=1000, widget=forms.Textarea(attrs={"rows": 3}))
    version = lib.VersionField()


class QuestionChoice(lib.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return display_text(obj.text, obj.key)


class WaveForm(forms.Form):
    title = lib.LineField(label=_("Title"), limit=200)
    baseline = forms.BooleanField(label=_("Baseline (0-point analysis)"), required=False,
                                  help_text=_("Leave unticked for a repeat that is compared with earlier waves."))
    services = lib.ModelMultipleChoiceField(label=_("Services asked"), queryset=Service.objects.none(),
                                            widget=forms.CheckboxSelectMultiple)
    # The last day to answer: not in the past, and a wave runs weeks, not years.
    closes_on = lib.DateField(label=_("Closes on"), required=False, back=dt.timedelta(days=0), ahead=1,
                              help_text=_("The last day to answer. The wave closes by itself after it."))
    questions = QuestionChoice(label=_("Questions"), queryset=Question.objects.none(),
                               widget=forms.CheckboxSelectMultiple)
    version = lib.VersionField(required=False)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = Service.objects.filter(municipality=municipality).order_by("name")
        self.fields["questions"].queryset = Question.objects.filter(
            municipality=municipality, active=True).order_by("position", "pk")
