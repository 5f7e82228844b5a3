from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ArchiveSettings


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ArchiveSettings
        fields = ["classification_system", "class_id", "class_title", "archive_part",
                  "responsible_unit", "receiver"]
        help_texts = {
            "classification_system": _("The classification system BTI cases are filed under, "
                                       "e.g. Emnekoder or Arkivnøkkel (K-koder)."),
            "class_id": _("The class within it, e.g. F47."),
            "archive_part": _("The archive part (arkivdel) the cases go to."),
            "responsible_unit": _("The unit of the municipality responsible for the cases "
                                  "in the archive."),
            "receiver": _("The archive's Fiks IO account id. Leave it empty while the "
                          "cases go to a file drop."),
        }

    def clean(self):
        data = super().clean()
        for name, value in data.items():
            if isinstance(value, str):
                if any(ord(ch) < 32 for ch in value):
                    self.add_error(name, _("Use letters, digits and ordinary punctuation only."))
                data[name] = value.strip()
        return data
