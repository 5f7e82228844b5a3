"""The local provider can never be part of a production start."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def _run(args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("STAFETT_", "DJANGO_", "DEVIDP_"))}
    return subprocess.run([sys.executable, *args], cwd=REPO_ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


def _start_app(**env):
    return _run(["-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'stafett.settings'; "
                       "django.setup()"], **env)


PRODUCTION = {"STAFETT_PRODUCTION": "1", "STAFETT_SECRET_KEY": "a-real-secret-from-the-environment"}


@pytest.mark.parametrize("issuer", ["http://127.0.0.1:8001", "http://localhost:8001", "http://[::1]:8001"])
def test_production_refuses_a_local_idporten_issuer(issuer):
    result = _start_app(**PRODUCTION, STAFETT_IDPORTEN_ISSUER=issuer)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "devidp" in result.stderr


def test_production_refuses_the_dev_idp_switch():
    result = _start_app(**PRODUCTION, STAFETT_IDPORTEN_ISSUER="https://idporten.no", STAFETT_DEV_IDP="1")
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr


def test_production_refuses_a_local_staff_provider():
    staff = {"9901": {"issuer": "http://127.0.0.1:8001", "client_id": "x", "client_secret": "y",
                      "label": "Entra"}}
    result = _start_app(**PRODUCTION, STAFETT_IDPORTEN_ISSUER="https://idporten.no",
                        STAFETT_STAFF_OIDC=json.dumps(staff))
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr


def test_production_starts_with_id_porten_itself():
    result = _start_app(**PRODUCTION, STAFETT_IDPORTEN_ISSUER="https://idporten.no")
    assert result.returncode == 0, result.stderr


def test_the_local_provider_refuses_to_start_in_production(tmp_path):
    result = _run(["-m", "devidp", "--port", "1"], STAFETT_PRODUCTION="1", DEVIDP_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "refuses to start when STAFETT_PRODUCTION=1" in result.stderr
    # Nor can its settings be loaded some other way.
    result = _run(["-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'devidp.settings'; "
                         "django.setup()"], STAFETT_PRODUCTION="1", DEVIDP_VAR_DIR=str(tmp_path))
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr
    assert not (tmp_path / "devidp.sqlite3").exists()
