from django.conf import settings
from django.db import models
from oauth2_provider.models import Application


class ClientProfile(models.Model):
    """Which kind of login a registered client gets: ID-porten's (a national
    identity number and a level) or a municipality staff provider's (an
    e-mail address)."""

    class Kind(models.TextChoices):
        IDPORTEN = "idporten"
        STAFF = "staff"

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="profile")
    kind = models.CharField(max_length=10, choices=Kind.choices)


class Person(models.Model):
    """Who logged in last with this provider account, and how.

    The level and language of the latest login are kept here and read when the
    ID token is made (a development provider: one login at a time per person)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    kind = models.CharField(max_length=10, choices=ClientProfile.Kind.choices)
    pid = models.CharField(max_length=11, blank=True)
    email = models.CharField(max_length=254, blank=True)
    acr = models.CharField(max_length=40, blank=True)
    locale = models.CharField(max_length=5, default="nb")

    @property
    def subject_key(self) -> str:
        return self.pid or self.email.lower()
