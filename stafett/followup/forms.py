from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import FollowUpSettings

DAYS = [MinValueValidator(1, _("At least one day.")), MaxValueValidator(365, _("At most 365 days."))]


class SettingsForm(forms.ModelForm):
    class Meta:
        model = FollowUpSettings
        fields = ["concern_idle_days", "holder_inactive_days", "handover_days",
                  "consent_warning_days", "relay_idle_days", "transition_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators.extend(DAYS)
            field.widget.attrs.update({"min": 1, "max": 365, "inputmode": "numeric"})
