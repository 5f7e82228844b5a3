"""The leadership view read from the worker's snapshot: the same tables as
the direct computation (kept as the reference) for every reader, period and
language; computed once when there is none; refreshed by the periodic task
and the command; and honest about when the figures were counted."""

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from stafett.followup import tasks as followup_tasks
from stafett.insights import aggregates, snapshot
from stafett.insights.models import Snapshot, SnapshotView
from stafett.insights.tasks import refresh_insights
from stafett.tenancy.models import Membership, Service
from tests.conftest import _user

from .test_leadership import _worries
from .test_published import fill, readers  # noqa: F401  (the fixture)

URL = "/ledelse/"


def _client(world, user, language="en"):
    client = world.client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _scopes(world):
    with scope(municipality=world.fjordvik):
        everything = frozenset(Service.objects.filter(municipality=world.fjordvik).values_list("pk", flat=True))
    return [everything, frozenset({world.kindergarten.pk}), frozenset({world.school.pk}),
            frozenset({world.health_station.pk, world.adult_service.pk})]


def test_snapshot_is_the_direct_computation_for_every_reader_period_and_language(world, readers):  # noqa: F811
    fill(world, seed=3)
    now = timezone.now()
    with scope(municipality=world.fjordvik):
        snapshot.refresh(world.fjordvik, now)
        for service_ids in _scopes(world):
            for months in aggregates.PERIODS:
                for language in ("nb", "nn", "en"):
                    with translation.override(language):
                        stored = snapshot.dashboard(world.fjordvik, service_ids, months, now=now)
                        direct = aggregates.dashboard(world.fjordvik, service_ids, months, now=now)
                    for s_, d_ in zip(stored.tables, direct.tables, strict=True):
                        assert s_ == d_, (sorted(service_ids), months, language)
                    assert (stored.breaks_available, stored.idle_days) == (direct.breaks_available,
                                                                           direct.idle_days)
                    assert stored.computed_at == now
    assert any(c.hidden for t in direct.tables for _l, cells in t.rows for c in cells)  # not trivial


def test_a_municipality_without_a_snapshot_computes_it_on_the_first_visit(world, english):
    _worries(world, 6, days_ago=60)
    client = _client(world, world.coordinator)
    with scopes_disabled():
        assert not Snapshot.objects.exists()
    with CaptureQueriesContext(connection) as first:
        body = client.get(URL).content.decode()
    assert "Figures as of" in body and "today" in body
    with scopes_disabled():
        head = Snapshot.objects.get(municipality=world.fjordvik)
        stored = SnapshotView.objects.filter(municipality=world.fjordvik)
        # Every reader (Cora, Leif, Lise), every period, every staff language.
        assert stored.count() == 3 * len(aggregates.PERIODS) * 3
        assert not SnapshotView.objects.filter(municipality=world.asheim).exists()
    with CaptureQueriesContext(connection) as second:
        assert client.get(URL).status_code == 200
    assert len(second) < len(first)
    with scopes_disabled():
        assert Snapshot.objects.get(pk=head.pk).computed_at == head.computed_at


def test_the_page_shows_the_snapshot_until_it_is_refreshed(world, english):
    _worries(world, 6, days_ago=60)
    client = _client(world, world.coordinator)
    with scopes_disabled():
        snapshot.refresh(world.fjordvik)
    _worries(world, 7, days_ago=2)
    data = client.get(URL).context["data"]
    assert data.table("worry_wait").rows[0][1][0].value == 7  # 6 and the template's own worry
    call_command("refresh_insights", world.fjordvik.number)
    data = client.get(URL).context["data"]
    assert data.table("worry_wait").rows[0][1][0].value == 15


def test_a_snapshot_rendered_once_is_shown_again_without_reading_or_rendering_it(world, english):
    _worries(world, 6, days_ago=60)
    with scopes_disabled():
        snapshot.refresh(world.fjordvik)
    coordinator = _client(world, world.coordinator)
    first = coordinator.get(URL)
    with CaptureQueriesContext(connection) as again:
        second = coordinator.get(URL)
    def main(response):  # the page but its form tokens, new on every response
        html = response.content.decode()
        return html[html.index("<main"):html.index("</main>")]

    assert main(second) == main(first)
    assert not [q for q in again.captured_queries if "payload" in q["sql"]]  # only when it was counted
    assert "data" not in second.context  # not rendered again
    # Another reader of the same municipality gets her own page, not the coordinator's.
    leader = _client(world, world.leader).get(URL).content.decode()
    assert "Figures for the services you lead." in leader
    assert "Figures for the whole municipality." in first.content.decode()
    # A refresh is a new snapshot: counted again, shown at once.
    _worries(world, 7, days_ago=2)
    call_command("refresh_insights", world.fjordvik.number)
    data = coordinator.get(URL).context["data"]
    assert data.table("worry_wait").rows[0][1][0].value == 15


def test_an_old_snapshot_is_not_shown(world, english):
    _worries(world, 6, days_ago=60)
    with scopes_disabled():
        snapshot.refresh(world.fjordvik, timezone.now() - snapshot.MAX_AGE - dt.timedelta(minutes=1))
    _worries(world, 7, days_ago=2)
    data = _client(world, world.coordinator).get(URL).context["data"]
    assert data.table("worry_wait").rows[0][1][0].value == 15
    assert timezone.now() - data.computed_at < dt.timedelta(minutes=1)


def test_a_snapshot_of_last_month_is_not_shown():
    now = timezone.localtime().replace(year=2026, month=11, day=1, hour=0, minute=5)
    assert not snapshot._usable(now - dt.timedelta(minutes=10), now)  # the periods moved
    assert snapshot._usable(now - dt.timedelta(minutes=4), now)
    assert not snapshot._usable(now - snapshot.MAX_AGE - dt.timedelta(minutes=1),
                                now.replace(day=15))


def test_a_new_leader_gets_their_figures_and_others_keep_theirs(world, english):
    _worries(world, 6, days_ago=60)
    with scopes_disabled():
        snapshot.refresh(world.fjordvik)
        newcomer = _user("nina", "Nina", "Nyleder")
        Membership.objects.create(municipality=world.fjordvik, service=world.health_station,
                                  user=newcomer, role="leader")
    response = _client(world, newcomer).get(URL)
    assert response.status_code == 200
    labels = {label for t in response.context["data"].tables for label, _c in t.rows}
    assert world.health_station.name in labels and world.kindergarten.name not in labels
    with scopes_disabled():
        assert SnapshotView.objects.filter(reader=snapshot.reader_key({world.health_station.pk})).exists()
    # Somebody with no leadership still sees nothing.
    assert _client(world, world.teacher).get(URL).status_code == 404


def test_figures_as_of_in_every_staff_language(world):
    with scopes_disabled():
        snapshot.refresh(world.fjordvik)
    expected = {"nb": "Tal per", "nn": "Tal per", "en": "Figures as of"}
    for language, words in expected.items():
        body = _client(world, world.coordinator, language).get(URL).content.decode()
        assert words in body, language
        csv = _client(world, world.coordinator, language).get("/ledelse/ledelse.csv").getvalue().decode()
        assert words in csv.splitlines()[0], language
    pdf = _client(world, world.coordinator).get("/ledelse/ledelse.pdf").content
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Figures as of" in re.sub(r"\s+", " ", text)


def test_the_periodic_task_and_the_command_refresh_every_municipality(world):
    assert refresh_insights in followup_tasks.PERIODIC
    assert refresh_insights.call() == {"municipalities": 2}
    with scopes_disabled():
        assert set(Snapshot.objects.values_list("municipality__number", flat=True)) == {"9901", "9902"}
        before = Snapshot.objects.get(municipality=world.asheim).computed_at
    call_command("refresh_insights", "9901")
    with scopes_disabled():
        assert Snapshot.objects.get(municipality=world.asheim).computed_at == before
    with pytest.raises(CommandError, match="0000"):
        call_command("refresh_insights", "0000")


def test_the_periodic_task_leaves_figures_younger_than_the_refresh_interval(world):
    """However often the loop runs, a municipality is counted again only once
    its figures are REFRESH_EVERY old; the command counts whenever asked."""
    now = timezone.now()
    with scopes_disabled():
        snapshot.refresh(world.fjordvik, now - snapshot.REFRESH_EVERY + dt.timedelta(minutes=1))
        snapshot.refresh(world.asheim, now - snapshot.REFRESH_EVERY - dt.timedelta(minutes=1))
    assert snapshot.refresh_all(now=now) == {"municipalities": 1}  # Åsheim only
    with scopes_disabled():
        computed = dict(Snapshot.objects.values_list("municipality__number", "computed_at"))
    assert computed["9901"] < now - dt.timedelta(minutes=13)
    assert computed["9902"] >= now - dt.timedelta(minutes=1)
    call_command("refresh_insights", "9901")
    with scopes_disabled():
        assert Snapshot.objects.get(municipality=world.fjordvik).computed_at > computed["9901"]


def test_an_older_refresh_does_not_overwrite_a_newer_one(world):
    now = timezone.now()
    with scopes_disabled():
        older = snapshot.compute(world.fjordvik, now - dt.timedelta(minutes=5))
        snapshot.refresh(world.fjordvik, now)
        assert snapshot.store(world.fjordvik, *older) is False
        assert Snapshot.objects.get(municipality=world.fjordvik).computed_at == now
        assert set(SnapshotView.objects.values_list("computed_at", flat=True)) == {now}
