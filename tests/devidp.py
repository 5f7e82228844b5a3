"""The local OpenID Connect provider (devidp) as a real server for tests.

`devidp` (session scope) starts `python -m devidp` on a free 127.0.0.1 port
with a database of its own in a temporary folder, registers Stafett's
ID-porten client, a second ID-porten client (to compare pairwise subjects)
and Fjordvik's (9901) staff provider client, and points the app's settings at
it for the rest of the session. Nothing of the protocol is mocked.

`devidp.log_in(authorize_url, ...)` plays the person at the provider's login
page with `requests` and returns the URL the provider sends the browser back
to (the app's callback with code and state).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
import requests
from django.conf import settings

REPO_ROOT = Path(__file__).resolve().parents[1]
CLIENT_ID = "stafett-test"
CLIENT_SECRET = "stafett-test-secret-not-for-production"
OTHER_CLIENT_ID = "other-service-test"
STAFF_CLIENT_ID = "fjordvik-entra-test"
STAFF_SECRET = "fjordvik-test-secret-not-for-production"
# The Django test client's host, and any port on 127.0.0.1 or localhost (the live server):
# the provider matches loopback redirect addresses on any port (RFC 8252).
APP_ORIGINS = ("http://testserver", "http://127.0.0.1:8000", "http://localhost:8000")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clients_config() -> list[dict]:
    def uris(path):
        return [origin + path for origin in APP_ORIGINS]

    return [
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "kind": "idporten",
         "redirect_uris": uris("/familie/logg-inn/svar/"),
         "post_logout_redirect_uris": uris("/familie/logget-ut/")},
        {"client_id": OTHER_CLIENT_ID, "client_secret": CLIENT_SECRET, "kind": "idporten",
         "redirect_uris": ["http://127.0.0.1:9999/callback"]},
        {"client_id": STAFF_CLIENT_ID, "client_secret": STAFF_SECRET, "kind": "staff",
         "redirect_uris": uris("/konto/innlogging/9901/svar/")},
    ]


def start_devidp(var_dir: Path, port: int, env_extra: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, "DEVIDP_VAR_DIR": str(var_dir), "DEVIDP_CLIENTS": json.dumps(clients_config()),
           **(env_extra or {})}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("STAFETT_PRODUCTION", None)
    with open(var_dir / "devidp.log", "w") as log:  # the child keeps its own copy of the handle
        return subprocess.Popen([sys.executable, "-m", "devidp", "--port", str(port)], cwd=REPO_ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT)


@dataclass
class DevIdp:
    issuer: str
    process: subprocess.Popen
    var_dir: Path
    staff_provider: dict = field(default_factory=dict)

    def log_in(self, authorize_url: str, *, national_id: str | None = None,
               level: str = "substantial", email: str | None = None,
               session: requests.Session | None = None) -> str:
        """Follow `authorize_url` through the provider's login page; return
        the app callback URL the provider redirects to."""
        browser = session or requests.Session()
        response = browser.get(authorize_url, allow_redirects=False, timeout=10)
        if response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login/":
            login_url = urljoin(self.issuer, response.headers["Location"])
            page = browser.get(login_url, timeout=10)
            assert page.status_code == 200, page.text
            next_url = dict(parse_qsl(urlsplit(login_url).query))["next"]
            data = {"csrfmiddlewaretoken": browser.cookies["devidp_csrftoken"], "next": next_url}
            if email is not None:
                data["email"] = email
            else:
                data.update(pid=national_id, acr=f"idporten-loa-{level}")
            response = browser.post(login_url, data=data, allow_redirects=False, timeout=10,
                                    headers={"Referer": login_url})
            assert response.status_code == 302, response.text
            response = browser.get(urljoin(self.issuer, response.headers["Location"]),
                                   allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        return response.headers["Location"]


def _wait_until_up(issuer: str, process: subprocess.Popen, var_dir: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("devidp stopped: " + (var_dir / "devidp.log").read_text())
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError("devidp did not start: " + (var_dir / "devidp.log").read_text())


@pytest.fixture(scope="session")
def devidp(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("devidp")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    process = start_devidp(var_dir, port)
    try:
        _wait_until_up(issuer, process, var_dir)
        staff_provider = {"issuer": issuer, "client_id": STAFF_CLIENT_ID,
                          "client_secret": STAFF_SECRET, "claim": "email",
                          "label": "Fjordvik Entra ID (test)"}
        names = ("STAFETT_IDPORTEN_ISSUER", "STAFETT_IDPORTEN_CLIENT_ID",
                 "STAFETT_IDPORTEN_CLIENT_SECRET", "STAFETT_IDPORTEN_PRIVATE_KEY",
                 "STAFETT_STAFF_OIDC", "SECURE_CSP")
        saved = {name: getattr(settings, name) for name in names}
        settings.STAFETT_IDPORTEN_ISSUER = issuer
        settings.STAFETT_IDPORTEN_CLIENT_ID = CLIENT_ID
        settings.STAFETT_IDPORTEN_CLIENT_SECRET = CLIENT_SECRET
        settings.STAFETT_IDPORTEN_PRIVATE_KEY = ""
        settings.STAFETT_STAFF_OIDC = {"9901": staff_provider}
        # The logout form's redirect goes to the provider (see settings.py).
        settings.SECURE_CSP = {**saved["SECURE_CSP"],
                               "form-action": [*saved["SECURE_CSP"]["form-action"], issuer]}
        yield DevIdp(issuer=issuer, process=process, var_dir=var_dir, staff_provider=staff_provider)
        for name, value in saved.items():
            setattr(settings, name, value)
    finally:
        process.terminate()
        process.wait(timeout=10)
