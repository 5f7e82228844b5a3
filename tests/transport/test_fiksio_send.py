"""Sending through Fiks IO, against stand-ins for Maskinporten and the
Fiks IO API on 127.0.0.1 that check what the real ones check: the JWT
grant signed with the enterprise certificate, the integration's
credentials and token on every call, the receiver's certificate from the
catalogue, and a multipart send whose metadata carries the protocol's
fields and whose data the receiver can open. Their answers decide how a
failure is sorted: retry, give up, or cannot know."""

import base64
import email
import email.policy
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

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


class StandIn(BaseHTTPRequestHandler):
    """Maskinporten's token endpoint and Fiks IO's catalogue and send."""

    server_version = "FiksStandIn"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorised(self) -> bool:
        return (self.headers.get("Authorization") == "Bearer token-1"
                and self.headers.get("IntegrasjonId") == INTEGRATION
                and self.headers.get("IntegrasjonPassord") == "hemmelig")

    def do_GET(self):
        state = self.server.state
        if self.path == f"/fiks-io/katalog/api/v1/kontoer/{RECEIVER}/offentligNokkel":
            if not self.authorised():
                return self.reply(401, {"error": "unauthorised"})
            state["catalogue"] += 1
            return self.reply(200, {"nokkel": receiver().certificate_pem().decode()})
        return self.reply(404, {"error": "no such account"})

    def do_POST(self):
        state = self.server.state
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/token":
            form = dict(pair.split("=", 1) for pair in body.decode().split("&"))
            state["grants"].append(form)
            return self.reply(200, {"access_token": "token-1", "expires_in": 120})
        if self.path == "/fiks-io/api/v1/send":
            if not self.authorised():
                return self.reply(401, {"error": "unauthorised"})
            message = email.message_from_bytes(
                f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body,
                policy=email.policy.HTTP)
            parts = {part.get_param("name", header="content-disposition"): part
                     for part in message.iter_parts()}
            state["sends"].append({
                "metadata": json.loads(parts["metadata"].get_content()),
                "metadata_type": parts["metadata"].get_content_type(),
                "data": parts["data"].get_payload(decode=True)})
            status = state["answer"]
            if status == "drop":  # closes the connection without an answer
                self.close_connection = True
                self.wfile.flush()
                self.connection.shutdown(2)
                return None
            return self.reply(status, {"meldingId": str(uuid.uuid4()), "meldingType": "x"}
                              if status == 200 else {"error": "nei"})
        return self.reply(404, {})


@pytest.fixture
def fiks(settings, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    server.state = {"grants": [], "sends": [], "catalogue": 0, "answer": 200}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    files = {"account.pem": party("Stafett Fiks IO-konto").key_pem(),
             "signing.pem": sender().key_pem(), "signing.crt": sender().certificate_pem()}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    settings.STAFETT_TRANSPORTS = {"report": "fiksio"}
    settings.STAFETT_FIKSIO = {
        "account_id": ACCOUNT, "integration_id": INTEGRATION, "integration_password": "hemmelig",
        "account_key": str(tmp_path / "account.pem"), "signing_key": str(tmp_path / "signing.pem"),
        "signing_certificate": str(tmp_path / "signing.crt"), "api_url": base,
        "amqp_url": "amqp://127.0.0.1:5672", "maskinporten_token_url": base + "/token",
        "maskinporten_audience": "https://test.maskinporten.no/",
        "maskinporten_client_id": "stafett-klient", "ttl_seconds": 3600,
    }
    fiksio._token.clear()
    fiksio._certificates.clear()
    yield server.state
    server.shutdown()
    server.server_close()
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


def test_a_parcel_goes_to_fiks_io_as_the_protocol_says(fiks):
    transport.send(parcel())
    (grant,) = fiks["grants"]
    assert grant["grant_type"] == "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
    header, claims = verified_jwt(grant["assertion"].replace("%3D", "="))
    assert header["alg"] == "RS256"
    assert x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0])) \
        == sender().certificate
    assert claims["iss"] == "stafett-klient" and claims["scope"] == "ks:fiks"
    assert claims["aud"] == "https://test.maskinporten.no/"
    assert 0 < claims["exp"] - claims["iat"] <= 120 and claims["jti"]

    (sent,) = fiks["sends"]
    assert sent["metadata_type"] == "application/json"
    assert sent["metadata"] == {
        "avsenderKontoId": ACCOUNT, "mottakerKontoId": RECEIVER,
        "meldingType": "no.ks.fiks.bekymringsmelding.offentlig.v2", "svarPaMelding": None,
        "ttl": 3_600_000,
        "headere": {"klientMeldingId": str(PARCEL_ID), "klientKorrelasjonsId": str(PARCEL_ID)},
    }
    contents = asice.open_sealed(sent["data"], key=receiver().key,
                                 certificate=receiver().certificate)
    assert contents.files == parcel().files
    assert contents.signer == sender().certificate

    # The token and the receiver's certificate are kept for the next parcel.
    transport.send(parcel(message_id=uuid.uuid4()))
    assert len(fiks["grants"]) == 1 and fiks["catalogue"] == 1 and len(fiks["sends"]) == 2


@pytest.mark.parametrize(("status", "permanent"), [
    (400, True), (404, True), (413, True), (401, False), (429, False), (503, False)])
def test_a_refusal_is_sorted_into_retry_or_give_up(fiks, status, permanent):
    fiks["answer"] = status
    with pytest.raises(transport.TransportError) as refused:
        transport.send(parcel())
    assert refused.value.permanent is permanent
    assert str(status) in str(refused.value)


def test_a_server_error_or_a_dropped_answer_cannot_be_known(fiks):
    """Fiks IO may have queued the message: not a TransportError, so the
    outbox marks it uncertain instead of sending it again."""
    fiks["answer"] = 500
    with pytest.raises(Exception) as unknown:
        transport.send(parcel())
    assert not isinstance(unknown.value, transport.TransportError)
    fiks["answer"] = "drop"
    with pytest.raises(Exception) as unknown:
        transport.send(parcel())
    assert not isinstance(unknown.value, transport.TransportError)
    assert len(fiks["sends"]) == 2


def test_an_unreachable_fiks_io_is_retried(fiks, settings):
    settings.STAFETT_FIKSIO = settings.STAFETT_FIKSIO | {
        "api_url": "http://127.0.0.1:9", "maskinporten_token_url": "http://127.0.0.1:9/token"}
    with pytest.raises(transport.TransportError) as refused:
        transport.send(parcel())
    assert not refused.value.permanent


def test_an_unknown_receiver_or_bad_address_is_given_up(fiks):
    with pytest.raises(transport.TransportError) as refused:
        transport.send(parcel(receiver="not-an-account"))
    assert refused.value.permanent
    with pytest.raises(transport.TransportError) as refused:
        transport.send(parcel(receiver=str(uuid.uuid4())))  # the catalogue does not know it
    assert refused.value.permanent and fiks["sends"] == []


def test_without_configuration_nothing_is_sent_and_it_says_what_is_missing(fiks, settings):
    settings.STAFETT_FIKSIO = settings.STAFETT_FIKSIO | {"integration_password": "",
                                                         "signing_key": ""}
    with pytest.raises(fiksio.ConfigurationError, match="integration_password, signing_key"):
        transport.send(parcel())
    assert fiks["sends"] == [] and fiks["grants"] == []


def test_the_receipt_consumer_logs_in_as_the_integration_with_a_token(fiks, settings):
    from stafett.transport import consumer

    settings.STAFETT_FIKSIO = settings.STAFETT_FIKSIO | {
        "amqp_url": "amqps://io.fiks.test.ks.no:5671"}
    parameters = consumer.connection_parameters(fiksio.config())
    assert (parameters.host, parameters.port) == ("io.fiks.test.ks.no", 5671)
    assert parameters.ssl_options is not None
    assert parameters.credentials.username == INTEGRATION
    assert parameters.credentials.password == "hemmelig token-1"
    assert fiksio.queue_name(ACCOUNT) == f"fiksio.konto.{ACCOUNT}"


def test_fiks_receipts_says_what_is_missing_and_the_broker_refuses_a_stranger(fiks, settings):
    from django.core.management import CommandError, call_command

    settings.STAFETT_FIKSIO = settings.STAFETT_FIKSIO | {"account_id": ""}
    with pytest.raises(CommandError, match="account_id missing"):
        call_command("fiks_receipts", "--once")
    # The local broker does not know the integration: a clear error, no traceback.
    settings.STAFETT_FIKSIO = settings.STAFETT_FIKSIO | {"account_id": ACCOUNT,
                                                         "amqp_url": "amqp://127.0.0.1:5672"}
    with pytest.raises(CommandError, match="Fiks IO"):
        call_command("fiks_receipts", "--once", "--idle", "1")
    assert len(fiks["grants"]) == 1  # it asked Maskinporten for the broker's password
