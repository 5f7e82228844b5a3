"""The OpenID Connect clients, built with Authlib from the settings.

Authlib (authlib.integrations.django_client) does the protocol: the
authorization code flow with PKCE S256, state and nonce kept in the session,
the token request (client_secret_basic, or private_key_jwt with a key file),
and the ID token's validation (signature against the provider's JWKS, iss,
aud, exp, iat, nonce). See docs/identity.md for why this library.

The registry is built lazily and cached per configuration, so tests (and a
restart with new settings) get clients that match the settings in force.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from authlib.integrations.django_client import OAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from django.conf import settings

IDPORTEN = "idporten"
SCOPE = "openid profile"


def staff_name(municipality_number: str) -> str:
    return f"staff-{municipality_number}"


def _metadata_url(issuer: str) -> str:
    return f"{issuer.rstrip('/')}/.well-known/openid-configuration"


@functools.lru_cache(maxsize=8)
def _registry(config: str) -> OAuth:
    conf = json.loads(config)
    oauth = OAuth()
    idporten = conf["idporten"]
    if idporten["issuer"] and idporten["client_id"]:
        client_kwargs = {"scope": SCOPE, "code_challenge_method": "S256", "timeout": 10}
        secret = idporten["client_secret"]
        if idporten["private_key"]:
            # private_key_jwt: the client proves itself with a JWT signed by its
            # key; ID-porten expects the issuer as the audience.
            secret = Path(idporten["private_key"]).read_text()
            client_kwargs["token_endpoint_auth_method"] = PrivateKeyJWT(idporten["issuer"])
        oauth.register(
            IDPORTEN, client_id=idporten["client_id"], client_secret=secret,
            server_metadata_url=_metadata_url(idporten["issuer"]), client_kwargs=client_kwargs,
        )
    for number, provider in conf["staff"].items():
        oauth.register(
            staff_name(number), client_id=provider["client_id"],
            client_secret=provider["client_secret"],
            server_metadata_url=_metadata_url(provider["issuer"]),
            client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256",
                           "timeout": 10},
        )
    return oauth


def _config() -> str:
    return json.dumps({
        "idporten": {
            "issuer": settings.STAFETT_IDPORTEN_ISSUER,
            "client_id": settings.STAFETT_IDPORTEN_CLIENT_ID,
            "client_secret": settings.STAFETT_IDPORTEN_CLIENT_SECRET,
            "private_key": settings.STAFETT_IDPORTEN_PRIVATE_KEY,
        },
        "staff": settings.STAFETT_STAFF_OIDC,
    }, sort_keys=True)


def idporten_client():
    """The ID-porten client, or None when ID-porten is not configured."""
    return _registry(_config()).create_client(IDPORTEN)


def staff_provider(municipality_number: str) -> dict | None:
    return settings.STAFETT_STAFF_OIDC.get(municipality_number)


def staff_client(municipality_number: str):
    if staff_provider(municipality_number) is None:
        return None
    return _registry(_config()).create_client(staff_name(municipality_number))
