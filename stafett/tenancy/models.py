"""Municipalities, their services, and who works where in which role.

Every tenant model carries `municipality` and uses a ScopedManager, so a query
made outside `scope(municipality=…)` raises instead of leaking across
municipalities.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from stafett.lib import org_number

phone_validator = RegexValidator(
    r"^\+?[0-9 ]{3,20}$", _("Enter a phone number of digits, spaces and an optional +.")
)

org_number_validator = org_number.validate


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=100)
    number = models.CharField(
        _("municipality number"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{4}$", _("The municipality number has four digits."))],
    )
    police_phone = models.CharField(
        _("police phone"), max_length=20, default="112", validators=[phone_validator]
    )
    child_welfare_phone = models.CharField(
        _("child welfare service phone"), max_length=20, validators=[phone_validator]
    )
    after_hours_name = models.CharField(_("after-hours service"), max_length=100)
    after_hours_phone = models.CharField(
        _("after-hours service phone"), max_length=20, validators=[phone_validator]
    )
    require_two_factor = models.BooleanField(
        _("two-factor login is mandatory for staff"), default=False
    )
    # The municipality's organisation number (Enhetsregisteret, nine digits):
    # the sender and owner of what it reports and archives.
    organisation_number = models.CharField(
        _("organisation number"), max_length=9, blank=True, validators=[org_number_validator]
    )
    # From this age the child's own consent is needed for a stafettlogg.
    child_consent_age = models.PositiveSmallIntegerField(
        _("age from which the child consents"), choices=[(15, "15"), (16, "16")], default=15
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Service(models.Model):
    class Kind(models.TextChoices):
        BASIS = "basis", _("basic service")
        HJELPE = "hjelpe", _("help service")
        VOKSEN = "voksen", _("adult service")
        SPESIALIST = "spesialist", _("specialist service")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # A service with its own entry in Enhetsregisteret (a school, a
    # kindergarten); empty when it reports under the municipality's number.
    organisation_number = models.CharField(
        _("organisation number"), max_length=9, blank=True, validators=[org_number_validator]
    )

    objects = ScopedManager(municipality="municipality")

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="service_unique_name")
        ]

    def __str__(self):
        return self.name

    @property
    def reporting_organisation_number(self) -> str:
        """The number this service reports and archives under."""
        return self.organisation_number or self.municipality.organisation_number


class Membership(models.Model):
    """A person's place in a service, as an employee or as its leader."""

    class Role(models.TextChoices):
        EMPLOYEE = "employee", _("employee")
        LEADER = "leader", _("leader")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    active = models.BooleanField(default=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "user"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} – {self.service} ({self.get_role_display()})"


class MunicipalityRole(models.Model):
    """A role over the whole municipality. The BTI coordinator runs the guide,
    the services and the statistics, but sees no child's data by this role."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("BTI coordinator")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="municipality_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "user", "role"], name="municipality_role_unique"
            )
        ]
