import re

from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp import verify_token

from stafett.lib import forms as fields

# Far beyond any passphrase; a longer one is refused before it is hashed.
PASSWORD_LIMIT = 1000


class LoginForm(forms.Form):
    """Username and password. Authenticates with the request so django-axes
    counts every failure against the username and address."""

    username = fields.LineField(
        label=_("Username"),
        limit=150,
        error_messages={"required": _("Enter your username.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = fields.LineField(
        label=_("Password"),
        limit=PASSWORD_LIMIT,
        strip=False,
        error_messages={"required": _("Enter your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            self.user = authenticate(self.request, username=username, password=password)
            if self.user is None:
                # One message for every failure, so nobody learns which usernames exist.
                raise ValidationError(
                    _("Wrong username or password. Check both and try again."),
                    code="invalid_login",
                )
        return self.cleaned_data


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app, checked against one device."""

    code = fields.LineField(
        label=_("Code from your authenticator app"),
        help_text=_("Six digits. The code changes every 30 seconds."),
        limit=12,
        error_messages={"required": _("Enter the code from your authenticator app.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, device, *args, **kwargs):
        self.device = device
        super().__init__(*args, **kwargs)

    def clean_code(self):
        # Apps show the code as "123 456"; accept it as typed.
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError(_("The code has six digits."), code="format")
        allowed, _info = self.device.verify_is_allowed()
        if not allowed:
            # django-otp's growing delay after wrong codes stops guessing.
            raise ValidationError(
                _("Too many wrong codes in a row. Wait a minute, then enter the newest code."),
                code="throttled",
            )
        # Verifies inside a transaction with the device row locked, and refuses
        # a code that was already used, so a code works only once.
        if verify_token(self.device.user, self.device.persistent_id, code) is None:
            raise ValidationError(
                _("That code is wrong or has expired. Enter the code your app shows now."),
                code="invalid",
            )
        return code
