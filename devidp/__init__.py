"""A local OpenID Connect provider for development and tests only.

It behaves like ID-porten's test environment: one types a synthetic national
identity number and picks the assurance level, and the provider issues an
ID-porten-shaped ID token (`pid`, `acr`, `amr`, `locale`, a pairwise `sub`).
It also plays a municipality's staff identity provider (an e-mail address
instead of a number). Built on django-oauth-toolkit; refuses to start when
STAFETT_PRODUCTION=1.
"""

import os

PRODUCTION_MESSAGE = (
    "devidp is a development identity provider and refuses to start when "
    "STAFETT_PRODUCTION=1."
)


def refuse_in_production() -> None:
    if os.environ.get("STAFETT_PRODUCTION", "").strip().lower() in {"1", "true", "yes", "on"}:
        raise SystemExit(PRODUCTION_MESSAGE)
