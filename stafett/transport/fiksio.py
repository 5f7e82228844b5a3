"""KS Fiks IO, built to its published protocol (docs/transport.md).

Sending a parcel:

1. the receiver's public certificate from the Fiks IO catalogue
   (`GET {api}/fiks-io/katalog/api/v1/kontoer/{account}/offentligNokkel`,
   cached for ten minutes);
2. the parcel's files sealed for it (asice.py: a signed ASiC-E, encrypted
   as CMS);
3. `POST {api}/fiks-io/api/v1/send`, multipart: `metadata` (JSON: sender
   and receiver account, message type, ttl in milliseconds, headers) and
   `data` (the sealed container), authenticated by a Maskinporten token
   (scope `ks:fiks`) and the integration's id and password.

The parcel's id goes in the custom headers `klientMeldingId` and
`klientKorrelasjonsId`. Fiks IO gives the message an id of its own; KS's
clients copy the correlation id into every reply, which is how a receipt
finds its parcel again, and a receiver can drop a second copy of a message
it has seen by `klientMeldingId`.

Failures are sorted as the outbox needs them: `TransportError` when
nothing was delivered (could not connect, a refused token, 429 or a
gateway error: try again; a request Fiks IO will never take: permanent);
anything else (the connection broke after the request was sent, a 500)
propagates, because the message may have been accepted.

Receipts come back on the account's AMQP queue: see consumer.py.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from joserfc import jwt
from joserfc.jwk import RSAKey

from stafett import transport as _t
from stafett.transport import asice

log = logging.getLogger(__name__)

SEND_PATH = "/fiks-io/api/v1/send"
CATALOGUE_PATH = "/fiks-io/katalog/api/v1/kontoer/{account}/offentligNokkel"
QUEUE_PREFIX = "fiksio.konto."
SCOPE = "ks:fiks"
# The AMQP headers Fiks IO sets on a delivered message.
HEADER_MESSAGE_ID = "melding-id"
HEADER_TYPE = "type"
HEADER_SENDER = "avsender-id"
HEADER_REPLY_TO = "svar-til"
HEADER_DOCUMENT_STORE = "dokumentlager-id"
CUSTOM_PREFIX = "egendefinert-header."
CLIENT_MESSAGE_ID = "klientMeldingId"
CORRELATION_ID = "klientKorrelasjonsId"
CORRELATION_ID_OLD = "klientKorrelasjonId"  # the Java client's older spelling, still sent
TIMEOUT = (10, 60)  # connect, read (seconds)
CATALOGUE_TTL = 600
RETRYABLE_STATUS = {401, 403, 408, 425, 429, 502, 503, 504}


class ConfigurationError(_t.TransportError):
    """The deployment has not configured Fiks IO (nothing was sent)."""


@dataclass(frozen=True)
class Config:
    account_id: uuid.UUID
    integration_id: uuid.UUID
    integration_password: str
    account_key: object
    signing_key: object
    signing_certificate: x509.Certificate
    api_url: str
    amqp_url: str
    maskinporten_token_url: str
    maskinporten_audience: str
    maskinporten_client_id: str
    ttl_seconds: int


def _pem(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ConfigurationError(f"Fiks IO: cannot read the {what} at {path!r}: {error}") from error


def load_private_key(path: str, what: str):
    try:
        return serialization.load_pem_private_key(_pem(path, what), password=None)
    except ValueError as error:
        raise ConfigurationError(f"Fiks IO: the {what} is not a PEM private key") from error


def load_certificate(path: str, what: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(_pem(path, what))
    except ValueError as error:
        raise ConfigurationError(f"Fiks IO: the {what} is not a PEM certificate") from error


def config() -> Config:
    """Fiks IO's settings, read and checked (ConfigurationError if not).
    Receiving needs as much as sending: the broker's password carries a
    Maskinporten token, signed with the enterprise certificate."""
    values = settings.STAFETT_FIKSIO
    needed = ["account_id", "integration_id", "integration_password", "account_key",
              "signing_key", "signing_certificate", "maskinporten_client_id"]
    missing = [name for name in needed if not values.get(name)]
    if missing:
        raise ConfigurationError(f"Fiks IO is not configured: {', '.join(missing)} missing")
    try:
        account_id = uuid.UUID(values["account_id"])
        integration_id = uuid.UUID(values["integration_id"])
    except ValueError:
        raise ConfigurationError("Fiks IO: the account and integration ids are UUIDs") from None
    return Config(
        account_id=account_id, integration_id=integration_id,
        integration_password=values["integration_password"],
        account_key=load_private_key(values["account_key"], "account key"),
        signing_key=load_private_key(values["signing_key"], "signing key"),
        signing_certificate=load_certificate(values["signing_certificate"], "signing certificate"),
        api_url=values["api_url"].rstrip("/"), amqp_url=values["amqp_url"],
        maskinporten_token_url=values["maskinporten_token_url"],
        maskinporten_audience=values["maskinporten_audience"],
        maskinporten_client_id=values["maskinporten_client_id"],
        ttl_seconds=int(values["ttl_seconds"]),
    )


# --- Maskinporten -----------------------------------------------------------------

_token_lock = threading.Lock()
_token: dict = {}


def maskinporten_token(cfg: Config) -> str:
    """An access token for scope ks:fiks, by a JWT grant signed with the
    enterprise certificate (RFC 7523, the certificate in `x5c`); kept until
    a minute before it expires."""
    with _token_lock:
        if _token.get("client") == cfg.maskinporten_client_id and _token.get("expires", 0) > time.time() + 60:
            return _token["value"]
        now = int(time.time())
        certificate = cfg.signing_certificate.public_bytes(serialization.Encoding.DER)
        header = {"alg": "RS256", "x5c": [base64.b64encode(certificate).decode()]}
        claims = {"aud": cfg.maskinporten_audience, "iss": cfg.maskinporten_client_id,
                  "scope": SCOPE, "iat": now, "exp": now + 110, "jti": str(uuid.uuid4())}
        grant = jwt.encode(header, claims, RSAKey.import_key(cfg.signing_key))
        try:
            response = requests.post(cfg.maskinporten_token_url, timeout=TIMEOUT, data={
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": grant})
        except requests.RequestException as error:
            raise _t.TransportError(f"Maskinporten: {type(error).__name__}: {error}") from error
        if response.status_code != 200:
            # Nothing was sent; a refused grant is usually a setting or a clock.
            raise _t.TransportError(f"Maskinporten refused the grant ({response.status_code}): "
                                    f"{response.text[:200]}")
        body = response.json()
        _token.update(client=cfg.maskinporten_client_id, value=body["access_token"],
                      expires=time.time() + int(body.get("expires_in", 120)))
        return body["access_token"]


def auth_headers(cfg: Config) -> dict[str, str]:
    return {"Authorization": f"Bearer {maskinporten_token(cfg)}",
            "IntegrasjonId": str(cfg.integration_id),
            "IntegrasjonPassord": cfg.integration_password}


# --- the catalogue ----------------------------------------------------------------

_certificates: dict[str, tuple[float, x509.Certificate]] = {}


def receiver_certificate(cfg: Config, account: str) -> x509.Certificate:
    cached = _certificates.get(account)
    if cached and cached[0] > time.time():
        return cached[1]
    url = cfg.api_url + CATALOGUE_PATH.format(account=account)
    try:
        response = requests.get(url, headers=auth_headers(cfg), timeout=TIMEOUT)
    except requests.RequestException as error:
        raise _t.TransportError(f"Fiks IO catalogue: {type(error).__name__}: {error}") from error
    if response.status_code == 404:
        raise _t.TransportError(f"Fiks IO has no account {account}", permanent=True)
    if response.status_code != 200:
        raise _t.TransportError(f"Fiks IO catalogue answered {response.status_code}",
                                permanent=response.status_code not in RETRYABLE_STATUS
                                and response.status_code < 500)
    try:
        certificate = x509.load_pem_x509_certificate(response.json()["nokkel"].encode())
    except (ValueError, KeyError, TypeError) as error:
        raise _t.TransportError(f"the receiver's certificate cannot be read: {error}",
                                permanent=True) from error
    _certificates[account] = (time.time() + CATALOGUE_TTL, certificate)
    return certificate


# --- sending ----------------------------------------------------------------------


def metadata(cfg: Config, parcel: _t.Parcel) -> dict:
    """The `metadata` part of the send request."""
    try:
        receiver = uuid.UUID(parcel.receiver)
    except ValueError:
        raise _t.TransportError(f"the receiver {parcel.receiver!r} is not a Fiks IO account id",
                                permanent=True) from None
    headers = {**parcel.headers, CLIENT_MESSAGE_ID: str(parcel.message_id),
               CORRELATION_ID: str(parcel.message_id)}
    return {
        "avsenderKontoId": str(cfg.account_id),
        "mottakerKontoId": str(receiver),
        "meldingType": parcel.message_type,
        "svarPaMelding": None,
        "ttl": cfg.ttl_seconds * 1000,
        "headere": headers,
    }


@_t.transport("fiksio")
def send(parcel: _t.Parcel) -> None:
    cfg = config()
    meta = metadata(cfg, parcel)
    receiver = receiver_certificate(cfg, meta["mottakerKontoId"])
    try:
        sealed = asice.seal(parcel.files, key=cfg.signing_key,
                            certificate=cfg.signing_certificate, receiver=receiver)
    except asice.ContainerError as error:
        raise _t.TransportError(str(error), permanent=True) from error
    headers = auth_headers(cfg)
    try:
        response = requests.post(
            cfg.api_url + SEND_PATH, headers=headers, timeout=TIMEOUT,
            files={"metadata": (None, json.dumps(meta), "application/json"),
                   "data": (str(parcel.message_id), sealed, "application/octet-stream")})
    except requests.ConnectionError as error:  # a read timeout is not one: it propagates
        if _sent_before_failing(error):
            raise  # the request may have reached Fiks IO: uncertain
        raise _t.TransportError(f"Fiks IO: {type(error).__name__}: {error}") from error
    status = response.status_code
    if status in (200, 201, 202):
        try:
            fiks_id = response.json().get("meldingId")
        except ValueError:
            fiks_id = None
        log.info("Fiks IO took parcel %s (%s) as message %s", parcel.message_id,
                 parcel.message_type, fiks_id)
        return
    reason = f"Fiks IO answered {status}: {response.text[:300]}"
    if status in RETRYABLE_STATUS:
        raise _t.TransportError(reason)
    if 400 <= status < 500:
        raise _t.TransportError(reason, permanent=True)
    # A 500 may come after the message was queued: we cannot know.
    raise RuntimeError(reason)


def _sent_before_failing(error: Exception) -> bool:
    """A connection error raised while connecting is safe to retry; one
    raised after the request went out (the peer closed while we waited for
    the answer) is not."""
    text = repr(error)
    return "RemoteDisconnected" in text or "Connection aborted" in text


# --- reading what arrives ---------------------------------------------------------


def header(headers: dict, name: str) -> str | None:
    value = (headers or {}).get(name)
    if isinstance(value, bytes | bytearray):
        value = value.decode("utf-8", "replace")
    return None if value is None else str(value)


def custom_header(headers: dict, name: str) -> str | None:
    return header(headers, CUSTOM_PREFIX + name)


def queue_name(account_id: uuid.UUID | str) -> str:
    return f"{QUEUE_PREFIX}{account_id}"
