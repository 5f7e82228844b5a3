"""The coordinator's extract page: Cora starts an extract, the worker writes
it, she downloads the zip; she sees counts and status, never a child, and
cannot open a relay or a worry. Everyone else gets 404."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from stafett.archive import extract_jobs
from stafett.archive.models import NoarkExtract
from stafett.audit.models import AuditEvent, LegalBasis
from tests.conftest import nb

from .conftest import close_a_concern, close_a_relay

INDEX = reverse("archive_extract:index")


def download_url(pk):
    return reverse("archive_extract:download", args=[pk])


def run_worker():
    """The real worker, once through the queue."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")


def audit_actions(world, job):
    with scope(municipality=world.fjordvik):
        return list(AuditEvent.objects.filter(object_type="noarkextract", object_id=job.pk)
                    .order_by("id").values_list("action", "actor_id", "legal_basis"))


@pytest.fixture
def cases(world):
    return close_a_relay(world), close_a_concern(world)


def test_cora_starts_the_worker_writes_and_she_downloads_the_zip(transactional_db, world, cases):
    # Transactional: the enqueue runs when the start commits, and the real
    # worker closes its database connection after the task, as in production.
    relay, concern = cases
    cora = world.client_for(world.coordinator)
    page = cora.get(INDEX)
    assert page.status_code == 200
    assert nb("No extract has been made yet.") in page.content.decode()

    response = cora.post(INDEX, follow=True)
    assert nb("The extract has started. It is written in the background; "
              "update the status to see when it is ready.") in response.content.decode()
    with scope(municipality=world.fjordvik):
        job = NoarkExtract.objects.get()
    assert job.status == "queued" and job.requested_by == world.coordinator

    run_worker()
    job.refresh_from_db()
    assert (job.status, job.folders, job.registrations, job.documents, job.corrections) == \
        ("done", 2, 5, 5, 1)
    page = cora.get(INDEX).content.decode()
    assert nb("ready") in page
    # Counts and status only: no child's name, no link to a case.
    assert "Ella" not in page and "Nora" not in page
    assert reverse("relay:detail", args=[relay.pk]) not in page
    assert reverse("concerns:detail", args=[concern.pk]) not in page

    response = cora.get(download_url(job.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    root = f"uttrekk-{job.pk}/"
    assert {root + "arkivuttrekk.xml", root + "arkivstruktur.xml", root + "endringslogg.xml",
            root + "loependeJournal.xml", root + "offentligJournal.xml"} <= set(names)
    assert sum(1 for n in names if n.startswith(root + "dokumenter/")) == 5
    folder = extract_jobs.extract_folder(job)
    assert archive.read(root + "arkivstruktur.xml") == (folder / "arkivstruktur.xml").read_bytes()

    assert audit_actions(world, job) == [
        ("noark_extract.start", world.coordinator.pk, LegalBasis.DUTY_TO_ARCHIVE),
        ("noark_extract.written", world.coordinator.pk, LegalBasis.DUTY_TO_ARCHIVE),
        ("noark_extract.download", world.coordinator.pk, LegalBasis.DUTY_TO_ARCHIVE),
    ]


def test_cora_cannot_open_any_relay_or_worry(world, cases):
    relay, concern = cases
    cora = world.client_for(world.coordinator)
    assert cora.get(reverse("relay:detail", args=[relay.pk])).status_code == 404
    assert cora.get(reverse("concerns:detail", args=[concern.pk])).status_code == 404


def test_a_second_start_while_one_waits_finds_that_one(world, django_capture_on_commit_callbacks):
    cora = world.client_for(world.coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cora.post(INDEX)
        response = cora.post(INDEX, follow=True)
    assert nb("An extract is already being written. Wait until it is ready.") in response.content.decode()
    with scope(municipality=world.fjordvik):
        assert NoarkExtract.objects.count() == 1
    assert len(callbacks) == 1


@pytest.mark.parametrize("who", ["leader", "teacher", "outsider", "other_leader"])
def test_everyone_but_the_coordinator_gets_404(world, cases, who, django_capture_on_commit_callbacks):
    with scope(municipality=world.fjordvik):
        job = NoarkExtract.objects.create(municipality=world.fjordvik,
                                          requested_by=world.coordinator,
                                          requested_at=cases[0].closed_at)
        extract_jobs.run_job(job)
    client = world.client_for(getattr(world, who))
    assert client.get(INDEX).status_code == 404
    assert client.post(INDEX).status_code == 404
    assert client.get(download_url(job.pk)).status_code == 404
    with scope(municipality=world.fjordvik):
        assert NoarkExtract.objects.count() == 1
    assert [a for a, _u, _b in audit_actions(world, job)] == ["noark_extract.written"]


def test_cora_of_fjordvik_cannot_download_another_municipalitys_extract(world):
    with scope(municipality=world.asheim):
        job = NoarkExtract.objects.create(municipality=world.asheim, requested_by=world.outsider,
                                          requested_at=timezone.now())
        extract_jobs.run_job(job)
    cora = world.client_for(world.coordinator)
    assert cora.get(download_url(job.pk)).status_code == 404
    assert cora.get(download_url(999999)).status_code == 404


def test_a_failed_extract_leaves_nothing_and_says_so(world, cases, settings, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("stafett.archive.extract._write_document", broken)
    with scope(municipality=world.fjordvik):
        job = NoarkExtract.objects.create(municipality=world.fjordvik, requested_by=world.coordinator,
                                          requested_at=cases[0].closed_at)
        with pytest.raises(OSError):
            extract_jobs.run_job(job)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "OSError")
    number_dir = settings.STAFETT_EXTRACT_DIR / "9901"
    assert not any(number_dir.iterdir())
    page = world.client_for(world.coordinator).get(INDEX).content.decode()
    assert nb("Failed: start a new extract. The operator can see why in the log.") in page
    assert world.client_for(world.coordinator).get(download_url(job.pk)).status_code == 404
