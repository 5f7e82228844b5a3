from django import forms
from django.core.validators import EmailValidator

from stafett.lib.national_id import InvalidNationalId, parse

LEVELS = [
    ("idporten-loa-substantial", "Betydelig (idporten-loa-substantial)"),
    ("idporten-loa-high", "Høy (idporten-loa-high)"),
    # Only so that tests can prove the client refuses it; ID-porten has no such level.
    ("idporten-loa-low", "Lav (idporten-loa-low, kun for testing)"),
]


class CitizenLoginForm(forms.Form):
    pid = forms.CharField(label="Syntetisk fødselsnummer", max_length=20)
    acr = forms.ChoiceField(label="Sikkerhetsnivå", choices=LEVELS, initial=LEVELS[0][0],
                            widget=forms.RadioSelect)

    def clean_pid(self):
        try:
            national_id = parse(self.cleaned_data["pid"], accept_synthetic=True)
        except InvalidNationalId:
            raise forms.ValidationError("Skriv et gyldig syntetisk fødselsnummer (11 siffer).") from None
        if national_id.kind != "synthetic":
            raise forms.ValidationError("Bare syntetiske fødselsnumre (testbrukere) kan brukes her.")
        return national_id.value


class StaffLoginForm(forms.Form):
    email = forms.CharField(label="E-postadresse", max_length=254, validators=[EmailValidator()])
