import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


def new_session_salt() -> str:
    return secrets.token_hex(16)


class User(AbstractUser):
    """A person who logs in: an employee (`staff`, linked to services by
    Membership) or a citizen (`citizen`: a guardian or a young person, known
    only through ID-porten by their national identity number).

    The two never mix: a citizen has no password, no membership and no role,
    and the policy layer builds a different kind of actor for them
    (stafett.citizen.actors).
    """

    class Kind(models.TextChoices):
        STAFF = "staff", _("employee")
        CITIZEN = "citizen", _("citizen")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STAFF)
    # A citizen's national identity number (ID-porten's `pid`): what links the
    # person to the guardians and children registered on relays. Never shown
    # in full. Empty for staff.
    national_id = models.CharField(max_length=11, blank=True)
    preferred_language = models.CharField(_("language"), max_length=5, blank=True)
    # Part of the session hash: changing it ends every session of this person
    # ("log out everywhere") without touching the password.
    session_salt = models.CharField(max_length=32, default=new_session_salt)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["national_id"], condition=models.Q(kind="citizen"),
                name="user_one_citizen_per_national_id",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="staff", national_id="")
                | models.Q(kind="citizen") & ~models.Q(national_id=""),
                name="user_citizen_has_national_id",
            ),
        ]

    @property
    def is_citizen(self) -> bool:
        return self.kind == self.Kind.CITIZEN

    def get_session_auth_hash(self):
        key_salt = "stafett.accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_salt}", algorithm="sha256"
        ).hexdigest()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
