"""The coordinator's page for the Noark 5 extract: start one, follow its
status, download the result as a zip.

Only counts and status are shown: the page reads no case, so opening it is
not audited; starting and downloading are (stafett.archive.extract_jobs).
Everyone but the municipality's BTI coordinator gets 404.
"""

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from stafett.access.views import staff
from stafett.archive import extract_jobs
from stafett.archive.models import NoarkExtract


@never_cache
@staff
def index(request):
    if request.method == "POST":
        job = extract_jobs.start_extract(request.actor)
        if job.requested_by_id == request.user.pk and job.status == NoarkExtract.Status.QUEUED:
            messages.success(request, _("The extract has started. It is written in the background; "
                                        "update the status to see when it is ready."))
        else:
            messages.info(request, _("An extract is already being written. Wait until it is ready."))
        return redirect("archive_extract:index")
    jobs = extract_jobs.list_extracts(request.actor)
    busy = any(job.status in (NoarkExtract.Status.QUEUED, NoarkExtract.Status.RUNNING) for job in jobs)
    return render(request, "archive/extract.html", {"nav": "extract", "jobs": jobs, "busy": busy})


@never_cache
@staff
def download(request, pk):
    job = extract_jobs.open_extract(request.actor, pk)
    folder = extract_jobs.extract_folder(job)
    response = StreamingHttpResponse(extract_jobs.zip_stream(folder), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="noark5-{job.municipality.number}-uttrekk-{job.pk}.zip"')
    return response
