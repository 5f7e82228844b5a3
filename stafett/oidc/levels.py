"""ID-porten's levels of assurance (the ID token's `acr`), and where the login
keeps the person's level in the session: one place for the login that
refuses a low level and for the consent that records the level."""

from django.conf import settings

# Lowest first. Anything not listed counts as too low.
ACR_ORDER = ("idporten-loa-low", "idporten-loa-substantial", "idporten-loa-high")
ACR_SESSION_KEY = "idporten_acr"


def acr_rank(acr: str | None) -> int:
    return ACR_ORDER.index(acr) if acr in ACR_ORDER else -1


def acr_sufficient(acr: str | None) -> bool:
    """At least the level Stafett accepts (settings.STAFETT_IDPORTEN_MIN_ACR,
    "substantial"): for logging in, and for each signature on a consent."""
    return acr_rank(acr) >= max(acr_rank(settings.STAFETT_IDPORTEN_MIN_ACR), 0)
