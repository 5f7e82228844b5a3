"""The results page and its exports make the same number of queries with 10
and with 10 000 answers."""

import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from stafett.surveys.models import Answer, QuestionKind, Response, WaveQuestion

from .helpers import open_wave


def _bulk(world, wave, services, n_responses):
    with scopes_disabled():
        questions = list(WaveQuestion.objects.filter(wave=wave))
        responses = [Response(id=uuid.uuid4(), municipality=world.fjordvik, wave=wave,
                              service=services[i % len(services)]) for i in range(n_responses)]
        Response.objects.bulk_create(responses)
        answers = []
        for i, response in enumerate(responses):
            for wq in questions:
                if wq.kind == QuestionKind.FREE_TEXT:
                    answers.append(Answer(municipality=world.fjordvik, response=response, question=wq,
                                          text=f"Tekst {i}"))
                else:
                    value = 1 + i % 5 if wq.kind == QuestionKind.LIKERT else i % 2
                    answers.append(Answer(municipality=world.fjordvik, response=response, question=wq,
                                          value=value))
        Answer.objects.bulk_create(answers, batch_size=2000)
        return len(answers)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_results_are_bounded(world):
    services = [world.kindergarten, world.school]
    keys = ["levels-know", "consent-form", "coop-better"]
    baseline = open_wave(world, services, title="Runde 1", keys=keys)
    repeat = open_wave(world, services, title="Runde 2", baseline=False, keys=keys)
    small = _bulk(world, baseline, services, 4) + _bulk(world, repeat, services, 6)
    assert small == 30
    client = world.client_for(world.coordinator)
    urls = [reverse(name, args=[repeat.pk]) for name in ("surveys:results", "surveys:results_csv",
                                                         "surveys:results_xlsx")]
    before = [_count(client, u) for u in urls]
    many = _bulk(world, baseline, services, 1500) + _bulk(world, repeat, services, 1840)
    assert many >= 10_000
    after = [_count(client, u) for u in urls]
    assert before == after
