"""The leadership view: who may see it, that it names no child, and that
page and downloads hide small numbers."""

import csv
import datetime as dt
import io
import re

import openpyxl
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from stafett.concerns.models import Child
from stafett.insights import aggregates, snapshot, views
from stafett.relay.models import Relay
from tests.concerns.helpers import make_concern
from tests.relay.helpers import make_relay

from .checker import assert_safe

URL = "/ledelse/"


def _data(world, n_relays=6, n_concerns=7):
    for i in range(n_concerns):
        make_concern(world, name=f"Barnehagebarn Nummer{i}", serial=i)
    relays = [make_relay(world, name=f"Stafettbarn Nummer{i}")[0] for i in range(n_relays)]
    relays.append(make_relay(world, name="Skolebarn Hemmelig")[0])
    with scope(municipality=world.fjordvik):
        # Aggregates count by the holder's service: move most to the kindergarten, one to the school.
        Relay.objects.filter(pk__in=[r.pk for r in relays[:-2]]).update(holder_service=world.kindergarten)
        Relay.objects.filter(pk=relays[-1].pk).update(holder_service=world.school)


def test_coordinator_and_leader_see_the_dashboard(world, english):
    _data(world)
    for user in (world.coordinator, world.leader):
        response = world.client_for(user).get(URL)
        assert response.status_code == 200
        assert b"<figure>" in response.content and b'role="img"' in response.content
        assert b"style=" not in response.content and b"<script>" not in response.content


def test_leader_sees_only_their_services(world):
    _data(world)
    with scope(municipality=world.fjordvik):
        mine = aggregates.dashboard(world.fjordvik, {world.kindergarten.pk})
    labels = {label for t in mine.tables for label, _c in t.rows}
    assert world.kindergarten.name in labels
    assert world.school.name not in {label for t in mine.tables if t.key != "services_covered"
                                     for label, _c in t.rows}
    body = world.client_for(world.leader).get(URL).content.decode()
    assert world.school.name not in body.split("services_covered")[0]
    school_body = world.client_for(world.other_leader).get(URL).content.decode()
    assert world.kindergarten.name not in school_body


def test_refusals(world):
    for user in (world.teacher, world.other_employee, world.operator):
        for url in (URL, reverse("insights:csv"), reverse("insights:xlsx")):
            assert world.client_for(user).get(url).status_code == 404, (user, url)
    response = Client().get(URL)
    assert response.status_code == 302 and "/konto/" in response["Location"]


def test_other_municipality_sees_nothing_of_fjordvik(world):
    _data(world)
    with scope(municipality=world.asheim):
        from stafett.tenancy.models import Service
        ids = set(Service.objects.filter(municipality=world.asheim).values_list("pk", flat=True))
        data = aggregates.dashboard(world.asheim, ids)
    body = world.client_for(world.outsider).get(URL).content.decode()  # Per leads Åsheim skole
    assert "Åsheim skole" in body and world.kindergarten.name not in body
    assert all(c.value in (0, None) for t in data.tables for _l, cells in t.rows for c in cells)


def test_no_child_names_or_ids_anywhere(world):
    _data(world)
    with scope(municipality=world.fjordvik):
        children = list(Child.objects.values_list("name", "national_id"))
    client = world.client_for(world.coordinator)
    texts = [client.get(URL).content.decode(), client.get(reverse("insights:csv")).getvalue().decode()]
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("insights:xlsx")).getvalue()))
    texts.append(" ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row))
    for text in texts:
        assert not re.search(r"/(stafettlogg|bekymringer)/\d", text)  # no link to a record
        for name, national_id in children:
            assert name not in text and name.split()[-1] not in text
            assert not national_id or national_id not in text


def _tables_from_csv(text):
    tables, current = [], None
    for row in csv.reader(io.StringIO(text)):
        if not row:
            current = None
            continue
        if current is None and len(row) == 1 and tables is not None:
            current = {"title": row[0], "rows": []}
            tables.append(current)
        elif current is not None:
            current["rows"].append(row)
    return [t for t in tables if t["rows"]]


def test_page_csv_and_xlsx_reveal_no_small_number(world):
    _data(world, n_relays=8, n_concerns=3)
    client = world.client_for(world.coordinator)
    with scope(municipality=world.fjordvik):
        data = aggregates.dashboard(world.fjordvik, {s.pk for s in (
            world.kindergarten, world.school, world.health_station, world.adult_service)})
    tables = views.ordered(data)
    # Which columns are counts, in the tables without totals (the rest: a median).
    counted = {"key_figures": None, "reports_sent": None, "worry_wait": {0, 2}, "time_on_levels": {0}}

    def check(grid, table):
        assert_safe(grid, totals=table.totals, count_columns=None if table.totals else counted[table.key])

    for table in tables:
        check([[c.text for c in cells] for _l, cells in table.rows], table)
    parsed_tables = _tables_from_csv(client.get(reverse("insights:csv")).getvalue().decode())
    assert len(parsed_tables) == len(tables)
    for parsed, table in zip(parsed_tables, tables, strict=True):
        check([row[1:] for row in parsed["rows"][1:]], table)
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("insights:xlsx")).getvalue()))
    for ws, table in zip(book.worksheets, tables, strict=True):
        check([list(r[1:]) for r in ws.iter_rows(min_row=5, values_only=True)], table)


def _count(client):
    """The page's queries, read from a fresh snapshot."""
    with scope(municipality=client.municipality):
        snapshot.refresh(client.municipality)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_data(world):
    _data(world, n_relays=5, n_concerns=2)
    client = world.client_for(world.coordinator)
    client.municipality = world.fjordvik
    small = _count(client)
    with scope(municipality=world.fjordvik):
        template = Relay.objects.filter(holder_service=world.kindergarten).first()
        now = timezone.now()
        kids = Child.objects.bulk_create([
            Child(municipality=world.fjordvik, name=f"Bulk {i}", name_key=f"bulk {i}",
                  birth_date=dt.date(2019, 1, 1))
            for i in range(195)
        ])
        Relay.objects.bulk_create([
            Relay(municipality=world.fjordvik, child=kid, guide_id=template.guide_id, level=1 + i % 3,
                  area_of_concern="-", holder_id=template.holder_id,
                  holder_service_id=(world.kindergarten, world.school, world.health_station)[i % 3].pk,
                  created_at=now - dt.timedelta(days=i), created_by_id=template.holder_id,
                  last_activity_at=now,
                  status="closed" if i % 2 else "open", closed_at=now if i % 2 else None)
            for i, kid in enumerate(kids)
        ])
        assert Relay.objects.count() >= 200
    assert _count(client) == small
