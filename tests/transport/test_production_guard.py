"""A production start that sends records by Fiks IO refuses to start with
its configuration incomplete, and says which settings are missing."""

from tests.oidc.test_production_guard import PRODUCTION, _start_app

BASE = {**PRODUCTION, "STAFETT_IDPORTEN_ISSUER": "https://idporten.no"}
FIKSIO = {
    "STAFETT_FIKSIO_ACCOUNT_ID": "3f0e9a57-1d2b-4c3d-8e4f-5a6b7c8d9e01",
    "STAFETT_FIKSIO_INTEGRATION_ID": "7b1c2d3e-4f50-4617-8829-3a4b5c6d7e02",
    "STAFETT_FIKSIO_INTEGRATION_PASSWORD": "hemmelig",
    "STAFETT_FIKSIO_ACCOUNT_KEY": "/etc/stafett/fiksio-konto.pem",
    "STAFETT_FIKSIO_SIGNING_KEY": "/etc/stafett/virksomhet.key",
    "STAFETT_FIKSIO_SIGNING_CERTIFICATE": "/etc/stafett/virksomhet.crt",
    "STAFETT_MASKINPORTEN_CLIENT_ID": "stafett-klient",
}


def test_production_refuses_fiks_io_without_its_configuration():
    incomplete = {k: v for k, v in FIKSIO.items() if "PASSWORD" not in k and "CLIENT" not in k}
    result = _start_app(**BASE, **incomplete, STAFETT_ARCHIVE_TRANSPORT="fiksio")
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr
    assert "STAFETT_FIKSIO_INTEGRATION_PASSWORD, STAFETT_MASKINPORTEN_CLIENT_ID" in result.stderr


def test_production_starts_with_fiks_io_configured_or_with_the_file_drop():
    result = _start_app(**BASE, **FIKSIO, STAFETT_REPORT_TRANSPORT="fiksio",
                        STAFETT_ARCHIVE_TRANSPORT="fiksio")
    assert result.returncode == 0, result.stderr
    assert _start_app(**BASE).returncode == 0
