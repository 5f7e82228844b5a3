"""Named people for every test: one who owns, the leader who may see, and
everyone who must be refused. Each feature gets its refusal tests for free.

Fjordvik (9901) is the municipality under test; Åsheim (9902) exists to
prove isolation.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from stafett.accounts.models import User
from stafett.guides.loader import load_guide
from stafett.tenancy.actors import build_actor
from stafett.tenancy.models import Membership, Municipality, MunicipalityRole, Service

PASSWORD = "korrekt-hest-batteri-stift"


@dataclass
class World:
    fjordvik: Municipality
    asheim: Municipality
    kindergarten: Service
    school: Service
    health_station: Service
    adult_service: Service
    teacher: User  # Kari, employee at the kindergarten: the worry's author
    leader: User  # Leif, leader of the kindergarten
    colleague: User  # Kasper, employee at the kindergarten (same service, not the author)
    other_employee: User  # Olav, employee at the school
    other_leader: User  # Lise, leader of the school
    coordinator: User  # Cora, BTI coordinator of Fjordvik
    outsider: User  # Per, leader in Åsheim
    operator: User  # system operator (superuser), no municipality

    def actor(self, user, municipality=None):
        return build_actor(user, (municipality or self.fjordvik).pk)

    def client_for(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client


def _user(username, first, last, **extra):
    return User.objects.create_user(
        username=username, password=PASSWORD, first_name=first, last_name=last, **extra
    )


def nb(message: str, **values) -> str:
    """What a bokmål user sees for `message`; fails if it was never translated.

    Tests look for the text a person reads (bokmål is the default), without
    repeating the catalogue's wording in every test."""
    from django.utils import translation

    with translation.override("nb"):
        text = translation.gettext(message)
    assert text != message or not re.search(r"[a-z]", message), f"untranslated: {message!r}"
    return text % values if values else text


@pytest.fixture
def english():
    """Messages checked in their English source form, whatever the catalogues say."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def filedrop(tmp_path, settings):
    """Each test's records land in a folder of its own (never the demo's)."""
    settings.STAFETT_FILEDROP_DIR = tmp_path / "filedrop"
    return settings.STAFETT_FILEDROP_DIR


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Argon2 is deliberately slow; tests that are not about hashing need not pay."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    with scopes_disabled():
        fjordvik = Municipality.objects.create(
            name="Fjordvik kommune", number="9901", child_welfare_phone="40 00 10 01",
            after_hours_name="Barnevernvakta i Fjordregionen", after_hours_phone="40 00 10 02",
        )
        asheim = Municipality.objects.create(
            name="Åsheim kommune", number="9902", child_welfare_phone="40 00 20 01",
            after_hours_name="Barnevernvakta Åsheim", after_hours_phone="40 00 20 02",
        )
        services = {
            key: Service.objects.create(municipality=fjordvik, name=name, kind=kind)
            for key, name, kind in [
                ("kindergarten", "Solsikken barnehage", "basis"),
                ("school", "Bakken skole", "basis"),
                ("health_station", "Helsestasjonen", "hjelpe"),
                ("adult_service", "Psykisk helse og rus", "voksen"),
            ]
        }
        asheim_school = Service.objects.create(municipality=asheim, name="Åsheim skole", kind="basis")
        people = {
            "teacher": _user("kari", "Kari", "Lærersen"),
            "leader": _user("leif", "Leif", "Styrersen"),
            "colleague": _user("kasper", "Kasper", "Kollegasen"),
            "other_employee": _user("olav", "Olav", "Skolesen"),
            "other_leader": _user("lise", "Lise", "Rektorsen"),
            "coordinator": _user("cora", "Cora", "Koordinatorsen"),
            "outsider": _user("per", "Per", "Åsheimsen"),
            "operator": User.objects.create_superuser(
                username="drift", password=PASSWORD, email="drift@example.invalid"
            ),
        }
        for user, service, role in [
            ("teacher", services["kindergarten"], "employee"),
            ("leader", services["kindergarten"], "leader"),
            ("colleague", services["kindergarten"], "employee"),
            ("other_employee", services["school"], "employee"),
            ("other_leader", services["school"], "leader"),
            ("outsider", asheim_school, "leader"),
        ]:
            Membership.objects.create(
                municipality=service.municipality, service=service, user=people[user], role=role
            )
        MunicipalityRole.objects.create(
            municipality=fjordvik, user=people["coordinator"], role="coordinator"
        )
        with scope(municipality=fjordvik):
            load_guide(fjordvik, "national")
        with scope(municipality=asheim):
            load_guide(asheim, "national")
    return World(fjordvik=fjordvik, asheim=asheim, **services, **people)


@pytest.fixture
def today() -> dt.date:
    return dt.date.today()


# --- The append-only audit table and the flush between transactional tests ---
#
# The audit table refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) by
# database triggers. A transactional test (every live_server test, and the
# concurrency and migration tests) ends with
# Django's `flush`, which empties all tables: DELETE FROM on SQLite, TRUNCATE on
# PostgreSQL, so the triggers would make it fail. Lift the user triggers for the
# duration of the flush only, and put them back right after it.


def _lift_triggers(connection):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
            )
            tables = [row[0] for row in cursor.fetchall()]
            for table in tables:
                cursor.execute(
                    f"ALTER TABLE {connection.ops.quote_name(table)} DISABLE TRIGGER USER"
                )

        def restore():
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(
                        f"ALTER TABLE {connection.ops.quote_name(table)} ENABLE TRIGGER USER"
                    )

        return restore
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")

        def restore():
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)

        return restore
    return lambda: None


@pytest.fixture(scope="session", autouse=True)
def _flush_past_append_only_triggers():
    from django.core.management.commands import flush
    from django.db import connections

    original = flush.Command.handle

    def handle(self, **options):
        connection = connections[options.get("database") or "default"]
        restore = _lift_triggers(connection)
        try:
            return original(self, **options)
        finally:
            restore()

    flush.Command.handle = handle
    try:
        yield
    finally:
        flush.Command.handle = original
from tests.devidp import devidp  # noqa: F401,E402  (the local OpenID Connect provider, session scope)
