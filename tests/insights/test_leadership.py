"""The leadership view as a leader reads it: key figures with their trend,
sections that open, readable charts, the catalogue's usage, and the
council's PDF with the implementation status — all through the suppression,
in a bounded number of queries."""

import datetime as dt
import io
import re

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from stafett.catalog.models import CatalogMeasure
from stafett.concerns.models import Child, Concern
from stafett.feedback.models import Feedback
from stafett.insights import aggregates, charts, snapshot
from stafett.insights.models import Snapshot
from stafett.insights.suppression import Cell, SafeTable
from stafett.onboarding.models import Part, PartCompletion
from stafett.relay.models import Measure, Relay
from stafett.surveys.models import Invitation, Wave
from tests.concerns.helpers import make_concern
from tests.relay.helpers import make_relay

from .published import page_grids

URL = "/ledelse/"


def _client(world, user):
    """A client that reads the view in English (the source strings)."""
    client = world.client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _catalogue(world, n=2, prefix="tiltak"):
    with scopes_disabled():
        return [CatalogMeasure.objects.create(
            municipality=world.fjordvik, key=f"{prefix}-{i}", name=f"Foreldreveiledning {i}",
            service=world.health_station, access="referral", levels="12")
            for i in range(n)]


def _measures(world, relay, catalog, n):
    today, now = timezone.localdate(), timezone.now()
    with scopes_disabled():
        Measure.objects.bulk_create([
            Measure(municipality=world.fjordvik, relay=relay, what=f"Tiltak {i}", catalog_measure=catalog,
                    responsible_service=world.health_station, starts_on=today, deadline=today,
                    evaluate_on=today, created_by=world.health_nurse, created_at=now)
            for i in range(n)])


def _worries(world, n, days_ago):
    template = make_concern(world)
    now = timezone.now()
    with scope(municipality=world.fjordvik):
        kids = Child.objects.bulk_create([
            Child(municipality=world.fjordvik, name=f"Tall {days_ago} {i}",
                  name_key=f"tall {days_ago} {i}", birth_date=dt.date(2015, 1, 1) + dt.timedelta(days=i))
            for i in range(n)])
        Concern.objects.bulk_create([
            Concern(municipality=world.fjordvik, service=world.kindergarten, author=template.author,
                    child=kid, guide=template.guide, observations="-",
                    created_at=now - dt.timedelta(days=days_ago), last_activity_at=now)
            for kid in kids])


def _figures(html):
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m)).strip()
            for m in re.findall(r'<li class="key-figure">(.*?)</li>', html, re.S)]


def test_key_figures_with_trend_in_words(world, english):
    _worries(world, 6, days_ago=60)  # open at the end of last month and now
    # Written this month, whatever day of it this is (each call adds one more, now).
    _worries(world, 7, days_ago=0)
    body = _client(world, world.coordinator).get(URL).content.decode()
    figures = _figures(body)
    worries = next(f for f in figures if f.startswith("Open worries"))
    assert worries.startswith("Open worries (level 0) 15 up 9 from last month")
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    assert f"End of {last_month:%B %Y}: 6" in worries
    grids = {g.key: g for g in page_grids(body)[0]}
    wait = grids["worry_wait"]
    assert wait.columns[2] == "Waited longer than 14 days" and wait.cells[0][2] == "6"
    assert wait.cells[0][0] == "15" and wait.cells[0][1] not in ("", ":", "<5")
    assert "under 5" in body and "hidden" in body  # the legend in words


def test_a_trend_between_hidden_numbers_is_not_described(world, english):
    _worries(world, 2, days_ago=60)
    body = _client(world, world.coordinator).get(URL).content.decode()
    worries = next(f for f in _figures(body) if f.startswith("Open worries"))
    assert "under 5" in worries and "from last month" not in worries


def test_catalogue_usage_by_level_for_coordinator_and_leader(world, english):
    first, _second = _catalogue(world)
    relay, _parents = make_relay(world, level=2)  # held by the health station
    _measures(world, relay, first, 6)
    coordinator = {g.key: g for g in page_grids(_client(world, world.coordinator).get(URL).content.decode())[0]}
    usage = coordinator["catalog_usage"]
    assert usage.columns == ["Level 1", "Level 2", "Level 3", "Total"]
    assert usage.labels == ["Foreldreveiledning 0", "Total"]  # unused measures are left out
    assert usage.cells[0] == ["0", "6", "0", "6"]
    # Leif leads the kindergarten, which holds none of them.
    leif = {g.key: g for g in page_grids(_client(world, world.leader).get(URL).content.decode())[0]}
    assert leif["catalog_usage"].labels == []
    csv = _client(world, world.coordinator).get(reverse("insights:csv")).getvalue().decode()
    assert "Foreldreveiledning 0,0,6,0,6" in csv


def test_charts_draw_no_bar_for_zero_and_nothing_for_a_hidden_cell():
    table = SafeTable(key="t", title="t", row_header="r", columns=["n"], totals=False, rows=[
        ("Helsestasjon og skolehelsetjenesten for barn og unge i kommunen", [Cell("12", 12)]),
        ("Barnehage", [Cell("0", 0)]),
        ("Skole", [Cell("<5", None, True)]),
    ])
    chart = charts.bar_chart(table, hidden_words={"<5": "under 5"})
    big, zero, hidden = chart.bars
    assert big.width > 0 and len(big.lines) == 2 and chart.font_size >= 16
    assert zero.width == 0 and zero.text == "0"
    assert hidden.width == 0 and hidden.text == "under 5"
    assert chart.label_width >= 9 * max(len(x) for x in big.lines)


def test_page_renders_no_bar_for_a_zero_row(world, english):
    make_relay(world, level=1)
    body = _client(world, world.coordinator).get(URL).content.decode()
    section = body.split('id="h-consent_coverage"')[1].split("</section>")[0]
    # Four services, one of them with a (hidden) relay: no bar at all.
    assert "<rect" not in section
    assert "<details" in body and "<summary>" in body


def _status_data(world):
    _catalogue(world, n=3, prefix="status")
    with scopes_disabled():
        wave = Wave.objects.create(municipality=world.fjordvik, title="Nullpunktsanalyse 2026",
                                   status="open", created_by=world.coordinator)
        for user in (world.teacher, world.other_employee):
            Invitation.objects.create(municipality=world.fjordvik, wave=wave, user=user,
                                      service=world.kindergarten, answered=user == world.teacher)
        for part in Part.values:
            PartCompletion.objects.create(municipality=world.fjordvik, user=world.teacher, part=part,
                                          completed_at=timezone.now())
        Feedback.objects.create(municipality=world.fjordvik, origin="staff", topic="guide", text="Fin",
                                status="considering", created_at=timezone.now(), updated_at=timezone.now())


def test_council_pdf_has_the_figures_and_the_implementation_status(world, english):
    _status_data(world)
    _worries(world, 6, days_ago=60)
    response = _client(world, world.coordinator).get(reverse("insights:pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = re.sub(r"\s+", " ", text)
    for expected in ("Key figures", "Open worries (level 0)", "Nullpunktsanalyse 2026",
                     "Catalogue of measures", "Helsestasjonen", "being considered",
                     "Onboarding of employees", "Measures from the catalogue used in relays"):
        assert expected in text, expected
    assert _client(world, world.teacher).get(reverse("insights:pdf")).status_code == 404  # Kari
    # Per leads a school in Åsheim: his report has nothing of Fjordvik's.
    per = _client(world, world.outsider).get(reverse("insights:pdf"))
    per_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(per.content)).pages)
    assert "Nullpunktsanalyse" not in per_text and "Helsestasjonen" not in per_text


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_every_format_makes_the_same_queries_with_10_and_10000_rows(world):
    urls = [URL, reverse("insights:csv"), reverse("insights:xlsx"), reverse("insights:pdf")]
    catalog = _catalogue(world, n=1)[0]
    relay, _parents = make_relay(world, level=1)
    _measures(world, relay, catalog, 5)
    _status_data(world)
    client = _client(world, world.coordinator)

    def counts():
        """Each format read from a fresh snapshot, then computed on the spot
        (no snapshot yet), and the worker's refresh."""
        with scopes_disabled():
            snapshot.refresh(world.fjordvik)
        steady = [_count(client, u) for u in urls]
        with scopes_disabled():
            Snapshot.objects.all().delete()
        first = [_count(client, u) for u in urls]
        with scopes_disabled(), CaptureQueriesContext(connection) as refresh:
            snapshot.refresh(world.fjordvik)
        return steady, first, len(refresh)

    small = counts()
    _measures(world, relay, catalog, 10_000)
    _worries(world, 300, days_ago=40)
    with scopes_disabled():
        assert Measure.objects.count() > 10_000
        Relay.objects.filter(pk=relay.pk).update(level=2)
    assert counts() == small
    assert small[0][0] < small[1][0]  # the page reads the snapshot, not the counts


def test_dashboard_reads_in_a_bounded_number_of_queries(world):
    """The aggregates' own reads: a fixed number, whatever the period."""
    with scope(municipality=world.fjordvik), CaptureQueriesContext(connection) as q3:
        aggregates.dashboard(world.fjordvik, {world.kindergarten.pk}, 3)
    with scope(municipality=world.fjordvik), CaptureQueriesContext(connection) as q24:
        aggregates.dashboard(world.fjordvik, {world.kindergarten.pk}, 24)
    assert len(q3) == len(q24)
