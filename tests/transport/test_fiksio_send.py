"""Sending through Fiks IO: what can run on this machine runs for real.
Maskinporten and Fiks IO cannot be reached from here and no stand-in plays
them (docs/transport.md says what is checked only against KS's test
environment): the metadata the protocol routes by, the container sealed
for the receiver, and how a send that cannot reach Fiks IO, a bad address
or a missing setting fail."""

import base64
import json
import uuid

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.core.management import CommandError, call_command

from stafett import transport
from stafett.transport import asice, fiksio

from .keys import party

ACCOUNT = "3f0e9a57-1d2b-4c3d-8e4f-5a6b7c8d9e01"
INTEGRATION = "7b1c2d3e-4f50-4617-8829-3a4b5c6d7e02"
RECEIVER = "5d4c3b2a-1908-4776-a655-443322110003"
PARCEL_ID = uuid.UUID("9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c04")


def sender():
    return party("Fjordvik kommune")


def receiver():
    return party("Barneverntjenesten")


@pytest.fixture
def fiks(settings, tmp_path):
    """Fiks IO configured for Fjordvik, with keys made for the test. No
    stand-in for Maskinporten or Fiks IO runs here (they cannot be reached
    from this machine): what is tested is what runs here for real."""
    files = {"account.pem": party("Stafett Fiks IO-konto").key_pem(),
             "signing.pem": sender().key_pem(), "signing.crt": sender().certificate_pem()}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    # Port 9 (discard) on the loopback address: nothing listens there.
    nowhere = "http://127.0.0.1:9"
    settings.STAFETT_TRANSPORTS = {"report": "fiksio"}
    settings.STAFETT_FIKSIO = {
        "account_id": ACCOUNT, "integration_id": INTEGRATION, "integration_password": "hemmelig",
        "account_key": str(tmp_path / "account.pem"), "signing_key": str(tmp_path / "signing.pem"),
        "signing_certificate": str(tmp_path / "signing.crt"), "api_url": nowhere,
        "amqp_url": "amqp://127.0.0.1:5672", "maskinporten_token_url": nowhere + "/token",
        "maskinporten_audience": "https://test.maskinporten.no/",
        "maskinporten_client_id": "stafett-klient", "ttl_seconds": 3600,
    }
    fiksio._token.clear()
    fiksio._certificates.clear()
    yield
    fiksio._token.clear()
    fiksio._certificates.clear()


def parcel(**changes):
    return transport.Parcel(**{
        "message_id": PARCEL_ID, "message_type": "no.ks.fiks.bekymringsmelding.offentlig.v2",
        "record": "report", "municipality_number": "9901", "receiver": RECEIVER,
        "files": (("bekymringsmelding.json", b'{"kommunenummer": "9901"}'),
                  ("bekymringsmelding.pdf", b"%PDF-1.7 ...")),
    } | changes)


def b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verified_jwt(token: str) -> tuple[dict, dict]:
    """The grant's header and claims, after checking its RS256 signature
    with the enterprise certificate's key (as Maskinporten does)."""
    header, claims, signature = token.split(".")
    sender().certificate.public_key().verify(
        b64url(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return json.loads(b64url(header)), json.loads(b64url(claims))


def test_the_metadata_carries_the_protocol_fields_and_the_parcel_id(fiks):
    """What Fiks IO routes and the receiver answers by: our parcel id travels
    as the client message and correlation id, so a receipt finds its record
    and a second send of the same parcel is recognisably the same message."""
    assert fiksio.metadata(fiksio.config(), parcel()) == {
        "avsenderKontoId": ACCOUNT, "mottakerKontoId": RECEIVER,
        "meldingType": "no.ks.fiks.bekymringsmelding.offentlig.v2", "svarPaMelding": None,
        "ttl": 3_600_000,
        "headere": {"klientMeldingId": str(PARCEL_ID), "klientKorrelasjonsId": str(PARCEL_ID)},
    }


def test_the_sealed_parcel_opens_only_for_the_receiver(fiks):
    """The container as `send` seals it, opened with the receiver's key and
    its signature checked against the sender's certificate."""
    cfg = fiksio.config()
    sealed = asice.seal(parcel().files, key=cfg.signing_key, certificate=cfg.signing_certificate,
                        receiver=receiver().certificate)
    contents = asice.open_sealed(sealed, key=receiver().key, certificate=receiver().certificate)
    assert contents.files == parcel().files and contents.signer == sender().certificate
    stranger = party("Noen andre")
    with pytest.raises(asice.ContainerError):
        asice.open_sealed(sealed, key=stranger.key, certificate=stranger.certificate)


def test_an_unreachable_fiks_io_is_retried(fiks):
    """Nothing listens on the loopback port: nothing left, so it is tried again."""
    with pytest.raises(transport.TransportError) as refused:
        transport.send(parcel())
    assert not refused.value.permanent


def test_an_address_that_is_no_fiks_io_account_is_given_up(fiks):
    with pytest.raises(transport.TransportError) as refused:
        transport.send(parcel(receiver="not-an-account"))
    assert refused.value.permanent


def test_without_configuration_nothing_is_sent_and_it_says_what_is_missing(fiks, settings):
    settings.STAFETT_FIKSIO = settings.STAFETT_FIKSIO | {"integration_password": "",
                                                         "signing_key": ""}
    with pytest.raises(fiksio.ConfigurationError, match="integration_password, signing_key"):
        transport.send(parcel())


def test_fiks_receipts_says_what_is_missing(fiks, settings):
    settings.STAFETT_FIKSIO = settings.STAFETT_FIKSIO | {"account_id": ""}
    with pytest.raises(CommandError, match="account_id missing"):
        call_command("fiks_receipts", "--once")
