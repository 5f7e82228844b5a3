"""The report's forms. The fields are those KS Fiks's format asks for, and
each is checked here with a message in the user's language, so that the
schema check at approval is a last guard, not the first word."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from stafett.lib import forms as fields
from stafett.lib.forms import VersionedForm

from .models import ReportSettings

# The format's own patterns (offentlig.bekymringsmelding.v2.json).
PHONE = RegexValidator(r"^[+]?[0-9]+([- ][0-9]+)*$", _(
    "Write the phone number with digits only, e.g. 40 00 10 01 or +47 40001001."))
EMAIL = RegexValidator(
    r"^[A-Za-zæøåÆØÅ0-9-_]+(\.[A-Za-zæøåÆØÅ0-9-_]+)*@[A-Za-zæøåÆØÅ0-9-]+(\.[A-Za-zæøåÆØÅ0-9-]+)*"
    r"(\.[A-Za-z]{2,})$",
    _("Write an e-mail address of letters, digits, dots and hyphens, e.g. navn@kommune.no."))
POSTCODE = RegexValidator(r"^[0-9]{4}$", _("A postcode has four digits."))
ONE_LINE = RegexValidator(r"^[^\r\n]*$", _("Write this on one line."))

TOLD_CHOICES = [("yes", _("Yes")), ("no", _("No"))]


def line(label, *, required=True, validators=(), help_text="", message=None, **kwargs):
    return fields.LineField(
        label=label, required=required, validators=[ONE_LINE, *validators], help_text=help_text,
        error_messages={"required": message} if message else {}, **kwargs)


def told(label):
    return fields.ChoiceField(label=label, choices=TOLD_CHOICES, widget=forms.RadioSelect,
                              required=False)


class ReportForm(VersionedForm):
    # The child.
    child_name = line(_("The child's name"), message=_("Write the child's name."))
    child_unborn = forms.BooleanField(label=_("The child is not born yet"), required=False)
    child_national_id = fields.NationalIdField(
        label=_("The child's national identity number"),
        help_text=_("11 digits. Leave it empty for an unborn child or when you do not know it."))
    child_address = line(_("The child's address"), message=_("Write the child's address."))
    child_postcode = line(_("The child's postcode"), validators=[POSTCODE], limit=4,
                          message=_("Write the child's postcode."))
    child_town = line(_("The child's town"), message=_("Write the child's town."))
    child_phone = line(_("The child's phone (optional)"), required=False, validators=[PHONE],
                       limit=20)
    child_told = told(_("Has the child been told about the report?"))
    child_why_not = fields.TextField(label=_("Why has the child not been told?"), required=False,
                                     limit=1000)
    # The guardians: one at least, two at most (the format's limits).
    guardian1_name = line(_("Guardian 1: name"), message=_("Write the name of a guardian."))
    guardian1_phone = line(_("Guardian 1: phone (optional)"), required=False, validators=[PHONE],
                           limit=20)
    guardian1_told = told(_("Guardian 1: was told about the report?"))
    guardian1_why_not = fields.TextField(label=_("Guardian 1: why not told?"), required=False,
                                         limit=1000)
    guardian2_name = line(_("Guardian 2: name (optional)"), required=False)
    guardian2_phone = line(_("Guardian 2: phone (optional)"), required=False, validators=[PHONE],
                           limit=20)
    guardian2_told = told(_("Guardian 2: was told about the report?"))
    guardian2_why_not = fields.TextField(label=_("Guardian 2: why not told?"), required=False,
                                         limit=1000)
    # The reporter and the service.
    reporter_name = line(_("Your name"), message=_("Write your name."))
    reporter_role = line(_("Your role"), help_text=_("E.g. teacher, pedagogical leader, nurse."),
                         message=_("Write your role, e.g. teacher."))
    reporter_phone = line(_("Your phone"), validators=[PHONE], limit=20,
                          message=_("Write a phone number the child welfare service can call."))
    reporter_email = line(_("Your e-mail"), validators=[EMAIL], limit=254,
                          message=_("Write your e-mail address."))
    service_address = line(_("The service's address"), message=_("Write the service's address."))
    service_postcode = line(_("The service's postcode"), validators=[POSTCODE], limit=4,
                            message=_("Write the service's postcode."))
    service_town = line(_("The service's town"), message=_("Write the service's town."))
    # The report itself.
    observed = fields.TextField(
        label=_("What have you observed?"),
        help_text=_("What you have seen and heard, when and how often. Not conclusions."),
        error_messages={"required": _("Write what you have observed.")})
    history = fields.TextField(
        label=_("History"), required=False,
        help_text=_("What has been tried before: conversations, measures, cooperation."))
    other_views = fields.TextField(label=_("Other views (optional)"), required=False)
    other_services = fields.TextField(
        label=_("Other services involved"), required=False, limit=2000,
        help_text=_("Which other services know the child or the family."))
    interpreter = line(_("Need for an interpreter"), required=False,
                       help_text=_("E.g. \"No\" or \"Yes, Arabic\"."))

    def clean(self):
        data = super().clean()
        if data.get("child_unborn") and data.get("child_national_id"):
            self.add_error("child_national_id", _(
                "An unborn child has no national identity number: leave it empty."))
        for prefix, who in (("child", None), ("guardian1", 1), ("guardian2", 2)):
            named = prefix == "child" or data.get(f"{prefix}_name")
            if not named:
                continue
            if not data.get(f"{prefix}_told"):
                self.add_error(f"{prefix}_told", _("Say whether the child has been told.")
                               if who is None else
                               _("Say whether guardian %(n)s has been told.") % {"n": who})
            elif data[f"{prefix}_told"] == "no" and not data.get(f"{prefix}_why_not", "").strip():
                self.add_error(f"{prefix}_why_not", _("Say why the child has not been told.")
                               if who is None else
                               _("Say why guardian %(n)s has not been told.") % {"n": who})
        return data

    def content(self, service_name: str) -> dict:
        """The report's content from the cleaned form."""
        d = self.cleaned_data
        national_id = d.get("child_national_id")

        def person(prefix):
            is_told = d.get(f"{prefix}_told") == "yes"
            return {"told": is_told, "why_not": "" if is_told else d.get(f"{prefix}_why_not", "")}

        guardians = [
            {"name": " ".join(d[f"{p}_name"].split()), "phone": d.get(f"{p}_phone", ""), **person(p)}
            for p in ("guardian1", "guardian2") if d.get(f"{p}_name")
        ]
        return {
            "child": {
                "name": " ".join(d["child_name"].split()),
                "national_id": national_id.value if national_id else "",
                "unborn": bool(d.get("child_unborn")),
                "address": d["child_address"], "postcode": d["child_postcode"],
                "town": d["child_town"], "phone": d.get("child_phone", ""), **person("child"),
            },
            "guardians": guardians,
            "reporter": {"name": d["reporter_name"], "role": d["reporter_role"],
                         "phone": d["reporter_phone"], "email": d["reporter_email"]},
            "service": {"name": service_name, "address": d["service_address"],
                        "postcode": d["service_postcode"], "town": d["service_town"]},
            "observed": d["observed"], "history": d.get("history", ""),
            "other_views": d.get("other_views", ""),
            "other_services": d.get("other_services", ""),
            "interpreter": d.get("interpreter", ""),
        }


def initial_from(content: dict, version: int) -> dict:
    """The form's initial values from a report's content."""

    def told_value(value):
        return {True: "yes", False: "no"}.get(value, "")

    child = content.get("child", {})
    initial = {
        "version": version,
        "child_name": child.get("name", ""), "child_unborn": child.get("unborn", False),
        "child_national_id": child.get("national_id", ""),
        "child_address": child.get("address", ""), "child_postcode": child.get("postcode", ""),
        "child_town": child.get("town", ""), "child_phone": child.get("phone", ""),
        "child_told": told_value(child.get("told")), "child_why_not": child.get("why_not", ""),
    }
    for index, guardian in enumerate(content.get("guardians", [])[:2], start=1):
        initial |= {
            f"guardian{index}_name": guardian.get("name", ""),
            f"guardian{index}_phone": guardian.get("phone", ""),
            f"guardian{index}_told": told_value(guardian.get("told")),
            f"guardian{index}_why_not": guardian.get("why_not", ""),
        }
    reporter, service = content.get("reporter", {}), content.get("service", {})
    initial |= {f"reporter_{k}": reporter.get(k, "") for k in ("name", "role", "phone", "email")}
    initial |= {f"service_{k}": service.get(k, "") for k in ("address", "postcode", "town")}
    initial |= {k: content.get(k, "") for k in
                ("observed", "history", "other_views", "other_services", "interpreter")}
    return initial


class SendBackForm(VersionedForm):
    comment = fields.TextField(
        label=_("What should the reporter change?"), limit=2000,
        error_messages={"required": _("Write what the reporter should change.")})


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ReportSettings
        fields = ["acute_without_approval", "receiver", "district_number", "district_name"]
        help_texts = {
            "acute_without_approval": _(
                "The leader sees the report at once, and is not asked first."),
            "receiver": _("Where reports are sent: the child welfare service's account in KS "
                          "Fiks IO (the folder's name in the file drop)."),
            "district_number": _("Two digits; 00 where the municipality has no districts."),
        }

    receiver = line(_("The child welfare service's Fiks IO account"), limit=100,
                    validators=[RegexValidator(r"^[A-Za-z0-9._-]+$", _(
                        "Use letters, digits, dots, hyphens and underscores only."))],
                    message=_("Write the child welfare service's Fiks IO account."))
    district_name = line(_("District name"), required=False, limit=100)
