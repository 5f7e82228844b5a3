"""The coordinator's list makes the same number of queries with 10 items as with 500."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from stafett.feedback.models import Feedback


def _items(world, n, start=0):
    now = timezone.now()
    senders = [world.teacher, world.other_employee, None]
    with scopes_disabled():
        Feedback.objects.bulk_create([
            Feedback(municipality=world.fjordvik, origin="staff", topic=("step", "tool", "guide")[i % 3],
                     subject=("1.2", "samtykke", "")[i % 3], text=f"Tilbakemelding {i}",
                     sender=senders[i % 3], service=world.kindergarten if senders[i % 3] else None,
                     tracking_hash="" if senders[i % 3] else f"{i:064d}",
                     status=("received", "considering", "changed")[i % 3],
                     created_at=now - dt.timedelta(minutes=i), updated_at=now)
            for i in range(start, start + n)
        ])


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_coordinators_list_is_bounded(world):
    cora, kari = world.client_for(world.coordinator), world.client_for(world.teacher)
    urls = [(cora, reverse("feedback:handle")), (cora, reverse("feedback:handle") + "?status=received&side=2"),
            (kari, reverse("feedback:mine"))]
    _items(world, 10)
    small = [_count(c, u) for c, u in urls]
    _items(world, 490, start=10)
    large = [_count(c, u) for c, u in urls]
    assert small == large
