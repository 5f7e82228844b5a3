"""The browser-test machinery itself: logging in through the form, and the
flush between live-server tests getting past the append-only audit triggers."""

import pytest
from django.db import transaction
from django_scopes import scopes_disabled

from stafett.audit.log import record
from stafett.audit.models import AuditEvent
from tests.conftest import PASSWORD

from .helpers import LOGIN_PATH, login


def _audit_something(world):
    with scopes_disabled(), transaction.atomic():
        record(world.actor(world.teacher), "view", world.kindergarten, legal_basis="test")


def test_login_leaves_the_form_and_audit_rows_are_committed(page, live_server, live_world):
    login(page, live_server, "kari", PASSWORD)
    assert LOGIN_PATH not in page.url
    _audit_something(live_world)
    with scopes_disabled():
        assert AuditEvent.objects.count() == 1


def test_the_flush_emptied_the_audit_table_and_its_triggers_are_back(page, live_server, live_world):
    # Runs after the test above: its audit row was flushed despite the triggers …
    with scopes_disabled():
        assert AuditEvent.objects.count() == 0
    _audit_something(live_world)
    # … and the table is append-only again.
    with pytest.raises(Exception, match="append-only"), scopes_disabled(), transaction.atomic():
        AuditEvent.objects.all().delete()


def test_a_failed_login_says_why(page, live_server, live_world):
    with pytest.raises(AssertionError, match="did not go through"):
        login(page, live_server, "kari", "not-the-password")
