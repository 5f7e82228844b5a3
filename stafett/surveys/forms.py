from django import forms
from django.utils.translation import gettext_lazy as _

from stafett.tenancy.models import Service

from .bank import display_text
from .models import Area, Question, QuestionKind


class QuestionForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class QuestionEditForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices)
    text = forms.CharField(label=_("Question"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class QuestionChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return display_text(obj.text, obj.key)


class WaveForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    baseline = forms.BooleanField(label=_("Baseline (0-point analysis)"), required=False,
                                  help_text=_("Leave unticked for a repeat that is compared with earlier waves."))
    services = forms.ModelMultipleChoiceField(label=_("Services asked"), queryset=Service.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)
    closes_on = forms.DateField(label=_("Closes on"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                help_text=_("The last day to answer. The wave closes by itself after it."))
    questions = QuestionChoice(label=_("Questions"), queryset=Question.objects.none(),
                               widget=forms.CheckboxSelectMultiple)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = Service.objects.filter(municipality=municipality).order_by("name")
        self.fields["questions"].queryset = Question.objects.filter(
            municipality=municipality, active=True).order_by("position", "pk")
