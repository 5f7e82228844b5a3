"""Feedback to the municipality from the family pages: a guardian or the
young person (ID-porten) sends it to a municipality where their child is on
record, named or anonymous, and follows it. Objects come through the
feedback policy; the family pages work inside the item's municipality."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_scopes import scope, scopes_disabled

from stafett.access.views import family
from stafett.lib.forms import CHOOSE_FROM_LIST, is_id
from stafett.tenancy.models import Municipality

from . import policy
from .forms import FeedbackForm, TrackForm
from .models import Feedback, StatusChange
from .parts import guide_parts
from .views import initial_from_query, send_from, unknown_code_message


def _municipalities(request):
    """The family's municipalities, and the one chosen (the only one, or
    the one picked in the list)."""
    ids = policy.family_municipality_ids(request.actor)
    with scopes_disabled():
        municipalities = list(Municipality.objects.filter(pk__in=ids).order_by("name").only("pk", "name", "number"))
    chosen = request.POST.get("kommune") or request.GET.get("kommune")
    by_id = {m.pk: m for m in municipalities}
    if is_id(chosen) and int(chosen) in by_id:
        return by_id[int(chosen)], municipalities
    return (municipalities[0] if len(municipalities) == 1 else None), municipalities


def _chosen(value, municipality) -> bool:
    return is_id(value) and int(value) == municipality.pk


def _history(feedback):
    with scope(municipality=feedback.municipality_id):
        return list(StatusChange.objects.filter(feedback=feedback).select_related("guide").order_by("at", "pk"))


def _part(feedback):
    with scope(municipality=feedback.municipality_id):
        return guide_parts(feedback.municipality).label(feedback.topic, feedback.subject)


@require_http_methods(["GET", "POST"])
@family
def new(request):
    municipality, municipalities = _municipalities(request)
    if municipality is None:
        return render(request, "feedback/family_new.html", {
            "municipalities": municipalities, "municipality": None, "nav": "feedback"})
    with scope(municipality=municipality.pk):
        parts = guide_parts(municipality)
        form = FeedbackForm(request.POST or None, parts=parts, initial=initial_from_query(request))
        if request.method == "POST" and not _chosen(request.POST.get("kommune"), municipality):
            # The form names its municipality; anything else is not a choice offered.
            form.is_valid()
            form.add_error(None, CHOOSE_FROM_LIST)
        elif request.method == "POST" and form.is_valid():
            sent = send_from(request, form, municipality)
            if sent is not None:
                if sent.code:
                    return render(request, "feedback/sent_anonymous.html", {
                        "code": sent.code, "track_url": "feedback_family:track",
                        "base": "citizen/base.html", "nav": "feedback"})
                messages.success(request, _("Thank you. Your feedback has been sent to the municipality."))
                return redirect("feedback_family:detail", sent.feedback.pk)
    return render(request, "feedback/family_new.html", {
        "form": form, "municipality": municipality, "target_municipality": municipality,
        "municipalities": municipalities, "nav": "feedback"})


@family
def mine(request):
    with scopes_disabled():
        page = Paginator(policy.own_feedback(request.actor).select_related("municipality")
                         .order_by("-created_at", "-pk"), settings.STAFETT_PAGE_SIZE).get_page(request.GET.get("side"))
        rows = list(page.object_list)
    return render(request, "feedback/family_mine.html", {"page": page, "rows": rows, "nav": "feedback"})


@family
def detail(request, pk):
    feedback = policy.load_own(request.actor, pk)
    return render(request, "feedback/family_detail.html", {
        "feedback": feedback, "part": _part(feedback), "changes": _history(feedback), "nav": "feedback"})


@require_http_methods(["GET", "POST"])
@family
def track(request):
    form = TrackForm(request.POST or None)
    feedback = None
    if request.method == "POST" and form.is_valid():
        feedback = policy.find_by_code(form.cleaned_data["code"], origin=Feedback.Origin.FAMILY)
        if feedback is None:
            form.add_error("code", unknown_code_message())
    context = {"form": form, "feedback": feedback, "nav": "feedback"}
    if feedback is not None:
        context |= {"part": _part(feedback), "changes": _history(feedback)}
    return render(request, "feedback/family_track.html", context)
