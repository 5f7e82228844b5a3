"""Forms of the catalogue: the filters of its lists, a measure, an upload."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stafett.lib import forms as fields
from stafett.lib.forms import VersionedForm
from stafett.tenancy.models import Service

from .fileformat import _KEY as KEY_PATTERN
from .fileformat import _STEP as STEP_PATTERN
from .fileformat import MAX_AGE, MAX_DESCRIPTION, MAX_STEP
from .models import BTI_LEVELS, CatalogMeasure


def level_choices():
    return [(str(n), gettext("Level %(number)s") % {"number": n}) for n in BTI_LEVELS]


AGE_CHOICES = [("", _("All ages"))] + [(str(n), str(n)) for n in range(MAX_AGE + 1)]
STATE_CHOICES = [("aktive", _("Active")), ("inaktive", _("Not active")), ("alle", _("All"))]


class FilterForm(forms.Form):
    """Search and filters; a value that is not one of the choices is ignored
    (the list is shown unfiltered by it), as a search box should be."""

    q = fields.LineField(label=_("Search"), required=False, limit=100)
    alder = fields.ChoiceField(label=_("Age (years)"), choices=AGE_CHOICES, required=False)
    niva = fields.ChoiceField(label=_("BTI level"), required=False)
    tjeneste = fields.ModelChoiceField(queryset=Service.objects.none(), label=_("Service"),
                                       required=False, empty_label=_("All services"))
    status = fields.ChoiceField(label=_("Status"), choices=STATE_CHOICES, required=False)

    def __init__(self, *args, services, with_status: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tjeneste"].queryset = services
        self.fields["niva"].choices = [("", gettext("All levels")), *level_choices()]
        if not with_status:
            del self.fields["status"]

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in self.fields if name not in self.errors}


def _split(value: str) -> list[str]:
    return [w for w in value.replace(",", " ").split() if w]


class MeasureForm(VersionedForm):
    name = fields.LineField(label=_("Name"), error_messages={"required": _("Write the measure's name.")})
    key = fields.LineField(
        label=_("Key"), limit=80,
        help_text=_("A short word used in the public address and in files, such as icdp-kurs: "
                    "small letters a–z, digits and hyphens."),
        error_messages={"required": _("Write a key.")},
    )
    description = fields.TextField(label=_("What it is, and for whom"), required=False,
                                   limit=MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 5}))
    service = fields.ModelChoiceField(queryset=Service.objects.none(), label=_("Service that offers it"),
                                      empty_label=None)
    access = fields.ChoiceField(label=_("How to get it"), choices=CatalogMeasure.Access.choices,
                                widget=forms.RadioSelect)
    age_from = forms.IntegerField(label=_("From age (years, optional)"), required=False,
                                  min_value=0, max_value=MAX_AGE)
    age_to = forms.IntegerField(label=_("To age (years, optional)"), required=False,
                                min_value=0, max_value=MAX_AGE)
    for_unborn = forms.BooleanField(label=_("Unborn children (pregnancy)"), required=False)
    for_children = forms.BooleanField(label=_("Children"), required=False)
    for_young = forms.BooleanField(label=_("Young people"), required=False)
    for_parents = forms.BooleanField(label=_("Parents"), required=False)
    levels = forms.MultipleChoiceField(
        label=_("BTI levels it fits"), required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": fields.CHOOSE_FROM_LIST},
    )
    steps = fields.LineField(
        label=_("Guide steps (optional)"), required=False, limit=200,
        help_text=_("The steps of the action guide where the measure belongs, as level.step "
                    "separated by spaces, such as 1.3 2.3."),
    )
    contact = fields.LineField(label=_("Contact"), required=False, limit=300,
                               help_text=_("A phone number, an e-mail address or a web page."))

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["levels"].choices = level_choices()

    def clean_key(self):
        key = self.cleaned_data["key"].strip().lower()
        if not KEY_PATTERN.fullmatch(key):
            raise forms.ValidationError(_("Use small letters a–z, digits and hyphens only."))
        return key

    def clean_steps(self):
        codes = []
        for word in _split(self.cleaned_data["steps"]):
            match = STEP_PATTERN.fullmatch(word)
            if not match or not 1 <= int(match.group(2)) <= MAX_STEP:
                raise forms.ValidationError(_("'%(value)s' is not a guide step: write level.step, "
                                              "such as 1.3.") % {"value": word[:20]})
            code = f"{match.group(1)}.{int(match.group(2))}"
            if code not in codes:
                codes.append(code)
        return " ".join(sorted(codes, key=lambda c: tuple(int(p) for p in c.split("."))))

    def clean(self):
        data = super().clean()
        start, end = data.get("age_from"), data.get("age_to")
        if start is not None and end is not None and start > end:
            self.add_error("age_to", _("The age range cannot end before it starts."))
        data["levels"] = "".join(sorted(data.get("levels") or []))
        return data

    def measure_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class DeactivateForm(VersionedForm):
    pass


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue file (CSV or YAML)"),
        help_text=_("A CSV file (for example saved from a spreadsheet as “CSV UTF-8”) or a YAML "
                    "file, with the columns described on this page. At most 1 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.yaml,.yml,text/csv,application/yaml"}),
        error_messages={"required": _("Choose the file to upload.")},
    )


class ConfirmImportForm(forms.Form):
    expected = forms.CharField(widget=forms.HiddenInput, label=_("Version of the page"),
                               required=False, max_length=100_000)
