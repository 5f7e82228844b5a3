"""Running the Noark 5 extract for the coordinator: start it (an action),
write it in the worker (a task), offer it for download.

Only the municipality's BTI coordinator may start or download an extract;
everyone else gets 404, like a missing page. The coordinator sees counts and
status only: the page reads no case. The extract reads every closed case, so
each run is audited under the duty to archive (arkivlova § 6) — started,
written or failed, downloaded — with the extract's id; the counts are on the
extract's row, not in the audit trail.

An extract is written into a hidden folder and renamed when complete, so a
download never sees half an extract, and a failed one leaves nothing behind.
"""

from __future__ import annotations

import logging
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.access.actor import Actor
from stafett.access.rules import Forbidden, get_visible
from stafett.archive import extract
from stafett.archive.models import NoarkExtract
from stafett.audit import log as audit
from stafett.audit.models import LegalBasis

logger = logging.getLogger(__name__)

Status = NoarkExtract.Status
# How many extracts the page lists (newest first).
LISTED = 20


# --- policy ------------------------------------------------------------------------


def require_extracts(actor: Actor) -> None:
    """The BTI coordinator of the municipality, no one else."""
    if not (actor.is_staff_member and actor.is_coordinator):
        raise Forbidden("noark_extract")


def list_extracts(actor: Actor) -> list[NoarkExtract]:
    require_extracts(actor)
    return list(NoarkExtract.objects.filter(municipality=actor.municipality)
                .select_related("requested_by").order_by("-requested_at", "-pk")[:LISTED])


def _audit(actor, action: str, job: NoarkExtract) -> None:
    audit.record(actor, f"noark_extract.{action}", job, legal_basis=LegalBasis.DUTY_TO_ARCHIVE)


# --- actions -------------------------------------------------------------------------


@transaction.atomic
def start_extract(actor: Actor) -> NoarkExtract:
    """Queue an extract of the actor's municipality; if one is already waiting
    or being written, that one is the answer (one at a time)."""
    require_extracts(actor)
    waiting = (NoarkExtract.objects.select_for_update()
               .filter(municipality=actor.municipality, status__in=[Status.QUEUED, Status.RUNNING])
               .first())
    if waiting is not None:
        return waiting
    try:
        with transaction.atomic():
            job = NoarkExtract.objects.create(municipality=actor.municipality,
                                              requested_by=actor.user, requested_at=timezone.now())
    except IntegrityError:
        # Another request started one at the same moment: that one it is.
        return NoarkExtract.objects.get(municipality=actor.municipality,
                                        status__in=[Status.QUEUED, Status.RUNNING])
    _audit(actor, "start", job)
    transaction.on_commit(lambda: run_extract.enqueue(job.pk), robust=True)
    return job


def record_command_run(municipality) -> NoarkExtract:
    """The row (and the audit) for `manage.py export_noark`: no person asked."""
    with transaction.atomic():
        job = NoarkExtract.objects.create(municipality=municipality, requested_at=timezone.now())
        _audit(Actor(user=None, municipality=municipality), "start", job)
    return job


def _claim(job_pk: int) -> NoarkExtract | None:
    """queued → running, once: a second worker (or a repeated task) finds it taken."""
    with transaction.atomic():
        claimed = (NoarkExtract.objects.filter(pk=job_pk, status=Status.QUEUED)
                   .update(status=Status.RUNNING, started_at=timezone.now()))
    return NoarkExtract.objects.select_related("municipality", "requested_by").get(pk=job_pk) \
        if claimed else None


def _actor_of(job: NoarkExtract) -> Actor:
    return Actor(user=job.requested_by, municipality=job.municipality)


def _folder_name(job: NoarkExtract) -> str:
    return f"{job.municipality.number}/uttrekk-{job.pk}"


def run_job(job: NoarkExtract, output: Path | None = None) -> extract.Result:
    """Write the extract of a queued job: into `output` (the command), or
    into the extract folder (the page's). Marks it done or failed."""
    job = _claim(job.pk)
    if job is None:
        raise RuntimeError("the extract is not waiting to be written")
    if output is None:
        final = Path(settings.STAFETT_EXTRACT_DIR) / _folder_name(job)
        work = final.with_name(f".{final.name}.partial")
        shutil.rmtree(work, ignore_errors=True)
        work.parent.mkdir(parents=True, exist_ok=True)
        stored = _folder_name(job)
    else:
        final = work = Path(output)
        stored = str(Path(output).resolve())
    run_by = job.requested_by.get_full_name() if job.requested_by else ""
    try:
        result = extract.export_municipality(job.municipality, work, run_by=run_by)
        if work != final:
            work.rename(final)
    except Exception as error:
        logger.exception("Noark extract %s failed", job.pk)
        if work != final:
            shutil.rmtree(work, ignore_errors=True)
        with transaction.atomic():
            NoarkExtract.objects.filter(pk=job.pk).update(
                status=Status.FAILED, finished_at=timezone.now(), error=type(error).__name__[:100])
            _audit(_actor_of(job), "failed", job)
        raise
    with transaction.atomic():
        NoarkExtract.objects.filter(pk=job.pk).update(
            status=Status.DONE, finished_at=timezone.now(), path=stored,
            size=sum(size for _h, size in result.files.values()) + result.document_bytes,
            **result.counts)
        _audit(_actor_of(job), "written", job)
    return result


@task
def run_extract(job_pk: int) -> dict:
    """The worker's part: write the extract the coordinator started."""
    with scopes_disabled():
        municipality = NoarkExtract.objects.select_related("municipality").get(pk=job_pk).municipality
    with scope(municipality=municipality):
        job = NoarkExtract.objects.get(pk=job_pk)
        if job.status != Status.QUEUED:
            return {"skipped": job.status}
        return run_job(job).counts


# --- download ------------------------------------------------------------------------


@transaction.atomic
def open_extract(actor: Actor, pk) -> NoarkExtract:
    """A finished extract of the actor's municipality, for download (audited)."""
    require_extracts(actor)
    job = get_visible(NoarkExtract.objects.filter(
        municipality=actor.municipality, status=Status.DONE, requested_by__isnull=False), pk)
    if not extract_folder(job).is_dir():
        raise Forbidden("missing")
    _audit(actor, "download", job)
    return job


def extract_folder(job: NoarkExtract) -> Path:
    return Path(settings.STAFETT_EXTRACT_DIR) / job.path


class _Pipe:
    """What zipfile writes to, drained by the response after each piece."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.offset = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self):
        pass

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def zip_stream(folder: Path, chunk: int = 1 << 16) -> Iterator[bytes]:
    """The folder as a zip, one piece at a time (never the whole file in
    memory): files in sorted order under the folder's name."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = f"{folder.name}/{path.relative_to(folder).as_posix()}"
            with open(path, "rb") as source, archive.open(name, "w", force_zip64=True) as target:
                while data := source.read(chunk):
                    target.write(data)
                    yield pipe.drain()
            yield pipe.drain()
    yield pipe.drain()
