from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from stafett.lib.forms import ChoiceField

from .models import LegalHold, RetentionSchedule

MONTHS = [MinValueValidator(0, _("Zero months or more.")),
          MaxValueValidator(1200, _("At most 1200 months (100 years)."))]


class ScheduleForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = RetentionSchedule
        fields = RetentionSchedule.FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RetentionSchedule.FIELDS:
            field = self.fields[name]
            field.label = _("%(what)s (months)") % {"what": field.label[:1].upper() + field.label[1:]}
            field.validators.extend(MONTHS)
            field.widget.attrs.update({"min": 0, "max": 1200, "inputmode": "numeric"})
            field.error_messages["invalid"] = _("Write a whole number of months.")
            field.error_messages["required"] = _("Write a number of months.")


class SetHoldForm(forms.Form):
    reason = ChoiceField(label=_("Why must the child's data be kept?"),
                               choices=LegalHold.Reason.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("Choose why the child's data must be kept.")})


class LiftHoldForm(forms.Form):
    lift_reason = ChoiceField(label=_("Why is the legal hold lifted?"),
                                    choices=LegalHold.LiftReason.choices, widget=forms.RadioSelect,
                                    error_messages={"required": _("Choose why the legal hold is lifted.")})
