"""The person's "Needs attention" list and marking a notification read.

Links and children's names go through the policy layer: a notification only
names the child and links to the worry or relay when the reader may open it
now; otherwise (a BTI coordinator, a leader who cannot see the relay, a
holder who has since lost access) it shows the kind and the service only.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stafett.access.policy import visible_concerns
from stafett.access.relays import visible_relays
from stafett.access.views import staff
from stafett.audit.log import record_many
from stafett.audit.models import LegalBasis
from stafett.followup import actions
from stafett.followup.forms import SettingsForm
from stafett.followup.models import Notification

PAGE_SIZE = 25


def _mine(request):
    return Notification.objects.filter(
        user=request.user, municipality=request.actor.municipality
    )


@staff
def needs_attention(request):
    actor = request.actor
    queryset = _mine(request).filter(brk__mended_at__isnull=True).select_related("brk", "brk__service")
    page = Paginator(queryset.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("side"))
    notifications = list(page.object_list)
    concern_ids = {n.brk.concern_id for n in notifications if n.brk.concern_id}
    relay_ids = {n.brk.relay_id for n in notifications if n.brk.relay_id}
    concerns = {c.pk: c for c in visible_concerns(actor).filter(pk__in=concern_ids).select_related("child")} \
        if concern_ids else {}
    relays = {r.pk: r for r in visible_relays(actor).filter(pk__in=relay_ids).select_related("child")} \
        if relay_ids else {}
    rows = []
    for n in notifications:
        concern = concerns.get(n.brk.concern_id)
        relay = relays.get(n.brk.relay_id)
        rows.append({"notification": n, "concern": concern, "relay": relay})
    with transaction.atomic():
        record_many(actor, "list", [(c, c.child_id, None) for c in concerns.values()],
                    legal_basis=LegalBasis.SERVICE_DUTY)
        record_many(actor, "list",
                    [(r, r.child_id, None) for r in relays.values() if r.holder_id == request.user.pk],
                    legal_basis=LegalBasis.SERVICE_DUTY)
        record_many(actor, "list",
                    [(r, r.child_id, None) for r in relays.values() if r.holder_id != request.user.pk],
                    legal_basis=LegalBasis.CONSENT)
    return render(request, "followup/list.html", {"page": page, "rows": rows, "nav": "followup"})


@require_POST
@staff
def mark_read(request, pk):
    notification = _mine(request).filter(pk=pk).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        _mine(request).filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("followup:list")


@staff
def settings(request):
    """The coordinator's thresholds for the follow-up rules."""
    conf = actions.settings_of(request.actor)
    form = SettingsForm(request.POST or None, instance=conf)
    if request.method == "POST" and form.is_valid():
        actions.update_settings(request.actor, **form.cleaned_data)
        messages.success(request, _("The thresholds have been saved. They apply from the next run."))
        return redirect("followup:settings")
    return render(request, "followup/settings.html", {"form": form, "nav": "followup"})
