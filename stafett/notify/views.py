"""The person's notices: newest first, paginated, marked read one by one or
all at once.

A notice holds a kind, ids and codes, never a child's name, so this page
shows the kind's sentence and a link to the relay or worry; whether the
person may open it is decided there, by the policy layer. Nothing here reads
a child's data, so nothing here is audited.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from stafett.access.views import staff
from stafett.notify import kinds
from stafett.notify.models import Notice
from stafett.notify.outbox import LINKS


def _mine(request):
    return Notice.objects.filter(recipient=request.user, municipality=request.actor.municipality)


# A request to take over is answered on its own page, which the person asked
# may open even before the relay is theirs to read.
ANSWER_LINK = "relay:respond_to_handover"


def _link(notice):
    if notice.object_type not in LINKS or not notice.object_id:
        return None
    handover = notice.params.get("handover")
    if notice.kind in ("handover_offered", "holder_appointment") and handover:
        return reverse(ANSWER_LINK, args=[notice.object_id, handover])
    return reverse(LINKS[notice.object_type], args=[notice.object_id])


@never_cache
@staff
def notices(request):
    page = Paginator(_mine(request).order_by("-created_at", "-pk"),
                     settings.STAFETT_PAGE_SIZE).get_page(request.GET.get("side"))
    rows = [
        {
            "notice": notice,
            "sentence": kinds.sentence(notice.kind),
            "link": _link(notice),
            "about": notice.object_type,
        }
        for notice in page.object_list
    ]
    unread = any(row["notice"].read_at is None for row in rows)
    return render(request, "notify/list.html",
                  {"page": page, "rows": rows, "unread": unread, "nav": "notices"})


@require_POST
@staff
def mark_read(request, pk):
    if not _mine(request).filter(pk=pk).exists():
        raise Http404
    _mine(request).filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(_back(request))


@require_POST
@staff
def mark_all_read(request):
    _mine(request).filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notify:list")


def _back(request) -> str:
    # Back to the page the person was on; only a page number is taken over.
    page = request.POST.get("side", "")
    url = reverse("notify:list")
    return f"{url}?side={page}" if page.isdigit() else url
