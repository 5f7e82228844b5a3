"""No page, export or query result links an answer to a person."""

import io
import logging
import re

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from stafett.audit.models import AuditEvent
from stafett.surveys.models import Answer, Invitation, Response

from .helpers import answer, answers_for, open_wave, staff


def test_a_response_has_no_person_and_no_time():
    fields = {f.name for f in Response._meta.get_fields()}
    assert fields == {"id", "municipality", "wave", "service", "answers"}
    assert {f.name for f in Answer._meta.get_fields()} == {"id", "municipality", "response", "question",
                                                           "value", "text"}
    assert not any(f.is_relation and f.related_model is Response
                   for f in Invitation._meta.get_fields())


def _identities(people):
    marks = set()
    for user in people:
        marks |= {user.username, user.first_name, user.last_name, user.email}
    return {m for m in marks if m}


def test_no_page_or_export_names_a_respondent(world):
    people = [world.teacher, world.leader, world.colleague, *staff(world, world.kindergarten, 4, "navngitt")]
    wave = open_wave(world, [world.kindergarten])
    for i, user in enumerate(people):
        answer(world, user, wave, value=1 + i % 5, text=f"Svar nummer {i} uten navn.")
    coordinator = world.client_for(world.coordinator)
    leader = world.client_for(world.leader)
    texts = []
    for client in (coordinator, leader):
        for name in ("surveys:results", "surveys:results_csv"):
            texts.append(client.get(reverse(name, args=[wave.pk])).getvalue().decode())
        book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("surveys:results_xlsx", args=[wave.pk])).getvalue()))
        texts.append(" ".join(str(c) for s in book.worksheets for row in s.iter_rows(values_only=True) for c in row))
    texts.append(coordinator.get(reverse("surveys:wave", args=[wave.pk])).content.decode())
    texts.append(coordinator.get(reverse("surveys:index")).content.decode())
    pdf = coordinator.get(reverse("surveys:results_pdf", args=[wave.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert any("Svar nummer 3 uten navn." in t for t in texts), "the free texts are shown"
    respondents = _identities(people) - {world.leader.username, world.leader.first_name, world.leader.last_name}
    for text in texts:
        # The leader's own name may be in the page frame ("logged in as"); the
        # employees who answered never are.
        body = re.sub(r"<header.*?</header>", "", text, flags=re.S)
        for mark in respondents:
            assert not re.search(rf"\b{re.escape(mark)}\b", body), mark
        for user in people:
            assert f"user={user.pk}" not in body and f"/{user.pk}/" not in body.replace(f"/{wave.pk}/", "/")


def test_answering_writes_no_audit_row_and_no_log_line(world, caplog):
    wave = open_wave(world, [world.kindergarten])
    with scopes_disabled():
        before = AuditEvent.objects.count()
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as queries:
        response = world.client_for(world.teacher).post(reverse("surveys:answer", args=[wave.pk]),
                                                        answers_for(wave))
    assert response.status_code == 302
    with scopes_disabled():
        assert AuditEvent.objects.count() == before
    for record in caplog.records:
        message = record.getMessage()
        assert "kari" not in message.lower() and str(world.teacher.pk) not in message.split()
    # The response's insert carries no user id: only the invitation's update does.
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"] and "surveys_response" in q["sql"]]
    assert len(inserts) == 1 and "user" not in inserts[0]


def test_response_ids_do_not_follow_the_order_of_answering(world):
    people = staff(world, world.school, 20, "rekke")
    wave = open_wave(world, [world.school])
    with scopes_disabled():
        invitation_order = list(Invitation.objects.filter(wave=wave, user__in=people).order_by("pk")
                                .values_list("user_id", flat=True))
    seen = []
    for user_id in invitation_order:
        user = next(p for p in people if p.pk == user_id)
        answer(world, user, wave)
        with scopes_disabled():
            seen.append(next(r for r in Response.objects.filter(wave=wave).values_list("id", flat=True)
                             if r not in seen))
    assert seen != sorted(seen)
    with scopes_disabled():
        assert list(Response.objects.filter(wave=wave).order_by("id").values_list("id", flat=True)) != seen
