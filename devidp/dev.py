"""The one place where `make run` gets its development login configuration:
`python -m devidp dev-env` prints shell `export` lines that point the app at
the local provider and register the app's clients with it."""

import json
import shlex

CLIENT_ID = "stafett-dev"
CLIENT_SECRET = "stafett-dev-secret-not-for-production"
STAFF_CLIENT_ID = "fjordvik-entra-dev"
STAFF_CLIENT_SECRET = "fjordvik-dev-secret-not-for-production"


def dev_env(issuer: str, app: str) -> dict[str, str]:
    app = app.rstrip("/")
    staff = {"9901": {"issuer": issuer, "client_id": STAFF_CLIENT_ID,
                      "client_secret": STAFF_CLIENT_SECRET, "claim": "email",
                      "label": "Fjordvik Entra ID (test)"}}
    clients = [
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "kind": "idporten",
         "redirect_uris": [f"{app}/familie/logg-inn/svar/"],
         "post_logout_redirect_uris": [f"{app}/familie/logget-ut/"]},
        {"client_id": STAFF_CLIENT_ID, "client_secret": STAFF_CLIENT_SECRET, "kind": "staff",
         "redirect_uris": [f"{app}/konto/innlogging/9901/svar/"]},
    ]
    return {
        "STAFETT_DEV_IDP": "1",
        "STAFETT_IDPORTEN_ISSUER": issuer,
        "STAFETT_IDPORTEN_CLIENT_ID": CLIENT_ID,
        "STAFETT_IDPORTEN_CLIENT_SECRET": CLIENT_SECRET,
        "STAFETT_STAFF_OIDC": json.dumps(staff),
        "DEVIDP_ISSUER": issuer,
        "DEVIDP_CLIENTS": json.dumps(clients),
    }


def shell_exports(env: dict[str, str]) -> str:
    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in env.items())
