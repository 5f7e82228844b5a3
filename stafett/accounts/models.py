import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


def new_session_salt() -> str:
    return secrets.token_hex(16)


class User(AbstractUser):
    """A person who logs in. Employees are linked to services by Membership.

    Citizens (guardians) and OIDC logins come later; they will attach to this
    same model through allauth's social accounts, so nothing here assumes a
    password.
    """

    preferred_language = models.CharField(_("language"), max_length=5, blank=True)
    # Part of the session hash: changing it ends every session of this person
    # ("log out everywhere") without touching the password.
    session_salt = models.CharField(max_length=32, default=new_session_salt)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_session_auth_hash(self):
        key_salt = "stafett.accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_salt}", algorithm="sha256"
        ).hexdigest()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
