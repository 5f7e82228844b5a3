"""The person's "Needs attention" list and marking a notification read.

Links and children's names go through the policy layer: a notification only
names the child and links to the worry or relay when the reader may open it
now; otherwise (a BTI coordinator, a leader who cannot see the relay, a
holder who has since lost access) it shows the kind and the service only.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stafett.access.views import staff
from stafett.followup import actions
from stafett.followup.forms import SettingsForm
from stafett.followup.models import Notification, Rule
from stafett.lib.rows import choice_labels, day_label, url_for_each


def _mine(request):
    return Notification.objects.filter(
        user=request.user, municipality=request.actor.municipality
    )


@staff
def needs_attention(request):
    page, rows = actions.needs_attention(request.actor, request.GET.get("side"))
    # Labels and links once per page, not per row in the template.
    labels = choice_labels(Rule.choices)
    read = url_for_each("followup:read")
    since = day_label("SHORT_DATE_FORMAT")
    where = {"concern": url_for_each("concerns:detail"), "appoint": url_for_each("relay:appoint"),
             "relay": url_for_each("relay:detail")}
    for row in rows:
        notification = row["notification"]
        row["rule_label"] = labels[notification.brk.rule]
        row["read_url"] = read(notification.pk)
        row["since"] = since(notification.brk.opened_at)
        shown = next((key for key in ("concern", "appoint", "relay") if row[key]), None)
        row["shown"] = shown  # which case the row links to (None: not the reader's)
        row["where_url"] = where[shown](row[shown].pk) if shown else ""
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
