"""Register (or update) a client of the development provider.

    python -m devidp manage register_client --client-id stafett-dev \
        --client-secret … --redirect-uri http://127.0.0.1:8000/familie/logg-inn/svar/ \
        --post-logout-redirect-uri http://127.0.0.1:8000/familie/logget-ut/ --kind idporten

`--from-env` reads a JSON list of such clients from DEVIDP_CLIENTS instead
(keys: client_id, client_secret, redirect_uris, post_logout_redirect_uris, kind).
"""

import json
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from oauth2_provider.models import Application

from devidp.models import ClientProfile


def register(client_id: str, client_secret: str, redirect_uris: list[str],
             post_logout_redirect_uris: list[str], kind: str) -> Application:
    if kind not in ClientProfile.Kind.values:
        raise CommandError(f"kind must be one of {ClientProfile.Kind.values}")
    with transaction.atomic():
        app = Application.objects.filter(client_id=client_id).first() or Application(client_id=client_id)
        app.name = f"{kind}:{client_id}"
        app.client_type = Application.CLIENT_CONFIDENTIAL
        app.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
        app.client_secret = client_secret
        app.redirect_uris = " ".join(redirect_uris)
        app.post_logout_redirect_uris = " ".join(post_logout_redirect_uris)
        app.algorithm = Application.RS256_ALGORITHM
        app.skip_authorization = True
        app.save()
        ClientProfile.objects.update_or_create(application=app, defaults={"kind": kind})
    return app


class Command(BaseCommand):
    help = "Register a client (the app's ID-porten client, or a staff provider client)."

    def add_arguments(self, parser):
        parser.add_argument("--from-env", action="store_true", help="read DEVIDP_CLIENTS (JSON list)")
        parser.add_argument("--client-id")
        parser.add_argument("--client-secret")
        parser.add_argument("--redirect-uri", action="append", default=[])
        parser.add_argument("--post-logout-redirect-uri", action="append", default=[])
        parser.add_argument("--kind", default=ClientProfile.Kind.IDPORTEN)

    def handle(self, *args, **options):
        if options["from_env"]:
            clients = json.loads(os.environ.get("DEVIDP_CLIENTS") or "[]")
        else:
            if not (options["client_id"] and options["client_secret"] and options["redirect_uri"]):
                raise CommandError("--client-id, --client-secret and --redirect-uri are required")
            clients = [{
                "client_id": options["client_id"], "client_secret": options["client_secret"],
                "redirect_uris": options["redirect_uri"],
                "post_logout_redirect_uris": options["post_logout_redirect_uri"],
                "kind": options["kind"],
            }]
        for client in clients:
            register(client["client_id"], client["client_secret"], client["redirect_uris"],
                     client.get("post_logout_redirect_uris", []), client.get("kind", "idporten"))
            self.stdout.write(f"registered {client.get('kind', 'idporten')} client {client['client_id']}")
