"""Feedback to leadership, staff side: send, follow one's own, follow an
anonymous item by its code, and the coordinator's list and answer.

Objects come through the policy (404 for missing and forbidden alike);
writes go through actions."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from stafett.access.rules import Forbidden
from stafett.access.views import staff

from . import actions, policy
from .forms import FeedbackForm, FilterForm, StatusForm, TrackForm
from .models import Feedback, StatusChange
from .parts import guide_parts, published_versions


def unknown_code_message():
    # One message for an unknown and a malformed code: the lookup tells nothing.
    return _("No feedback was found with this code. Check that you typed it as you were given it.")


def initial_from_query(request) -> dict:
    """A link from a guide step ("Give feedback on this step") prefills the form."""
    topic, part = request.GET.get("om", ""), request.GET.get("del", "")
    if topic in Feedback.Topic.values:
        return {"topic": topic, "subject": part[:100]}
    return {}


def history(feedback) -> list:
    return list(StatusChange.objects.filter(feedback=feedback).select_related("guide").order_by("at", "pk"))


def send_from(request, form, municipality):
    """Send a valid feedback form (staff or family); None, with the reason on
    the form, when the action refuses it."""
    data = form.cleaned_data
    try:
        return actions.send(request.actor, municipality=municipality, topic=data["topic"],
                            subject=data["subject"], text=data["text"], anonymous=data["anonymous"])
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None


@require_http_methods(["GET", "POST"])
@staff
def new(request):
    if not policy.may_send(request.actor):
        raise Forbidden("send_feedback")
    municipality = request.actor.municipality
    parts = guide_parts(municipality)
    form = FeedbackForm(request.POST or None, parts=parts, initial=initial_from_query(request))
    if request.method == "POST" and form.is_valid():
        sent = send_from(request, form, municipality)
        if sent is not None:
            if sent.code:
                # Shown once, in this answer only: nothing that names the
                # person (their session, a message) ever holds the code.
                return render(request, "feedback/sent_anonymous.html",
                              {"code": sent.code, "track_url": "feedback:track", "nav": "feedback"})
            messages.success(request, _("Thank you. Your feedback has been sent to the BTI coordinator."))
            return redirect("feedback:detail", sent.feedback.pk)
    return render(request, "feedback/new.html", {"form": form, "nav": "feedback", "has_guide": bool(parts.steps)})


@staff
def mine(request):
    page = Paginator(policy.own_feedback(request.actor).order_by("-created_at", "-pk"),
                     settings.STAFETT_PAGE_SIZE).get_page(request.GET.get("side"))
    parts = guide_parts(request.actor.municipality)
    rows = [{"feedback": f, "part": parts.label(f.topic, f.subject)} for f in page.object_list]
    return render(request, "feedback/mine.html", {"page": page, "rows": rows, "nav": "feedback"})


@staff
def detail(request, pk):
    feedback = policy.load_own(request.actor, pk)
    parts = guide_parts(request.actor.municipality)
    return render(request, "feedback/detail.html", {
        "feedback": feedback, "part": parts.label(feedback.topic, feedback.subject),
        "changes": history(feedback), "nav": "feedback", "guide_url": "guides:overview"})


@require_http_methods(["GET", "POST"])
@staff
def track(request):
    form = TrackForm(request.POST or None)
    feedback = None
    if request.method == "POST" and form.is_valid():
        feedback = policy.find_by_code(form.cleaned_data["code"], origin=Feedback.Origin.STAFF,
                                       municipality=request.actor.municipality)
        if feedback is None:
            form.add_error("code", unknown_code_message())
    context = {"form": form, "feedback": feedback, "nav": "feedback", "guide_url": "guides:overview"}
    if feedback is not None:
        context |= {"part": guide_parts(feedback.municipality).label(feedback.topic, feedback.subject),
                    "changes": history(feedback)}
    return render(request, "feedback/track.html", context)


# --- the coordinator ---------------------------------------------------------------------


@staff
def handle_list(request):
    queryset = policy.handled_feedback(request.actor).select_related("sender", "service")
    filters = FilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    if chosen.get("status"):
        queryset = queryset.filter(status=chosen["status"])
    if chosen.get("topic"):
        queryset = queryset.filter(topic=chosen["topic"])
    page = Paginator(queryset.order_by("-created_at", "-pk"),
                     settings.STAFETT_PAGE_SIZE).get_page(request.GET.get("side"))
    parts = guide_parts(request.actor.municipality)
    rows = [{"feedback": f, "part": parts.label(f.topic, f.subject), "sender": policy.shown_sender(f)}
            for f in page.object_list]
    counts = actions.status_counts(request.actor)
    labels = dict(Feedback.Status.choices)
    query = "".join(f"{k}={v}&" for k, v in chosen.items() if v)
    return render(request, "feedback/handle_list.html", {
        "page": page, "rows": rows, "filters": filters, "query": query, "nav": "feedback_handle",
        "counts": [(labels[s], counts[s]) for s in Feedback.Status.values]})


@require_http_methods(["GET", "POST"])
@staff
def handle_detail(request, pk):
    feedback = policy.load_handled(request.actor, pk)
    versions = published_versions(request.actor.municipality)
    form = StatusForm(request.POST or None, statuses=policy.next_statuses(feedback), versions=versions,
                      initial={"status": feedback.status, "answer": feedback.answer,
                               "guide": feedback.guide_id, "version": feedback.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        guide = data["guide"] if data["status"] == Feedback.Status.CHANGED else None
        try:
            actions.change_status(request.actor, feedback.pk, version=data["version"], status=data["status"],
                                  answer=data["answer"], guide_id=guide.pk if guide else None)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The status has been saved.") + " " + (
                _("The sender is told that there is an answer.") if not policy.is_anonymous(feedback)
                else _("The sender is anonymous and follows the feedback with a code.")))
            return redirect("feedback:handle_detail", feedback.pk)
    parts = guide_parts(request.actor.municipality)
    return render(request, "feedback/handle_detail.html", {
        "feedback": feedback, "form": form, "part": parts.label(feedback.topic, feedback.subject),
        "sender": policy.shown_sender(feedback), "changes": history(feedback), "nav": "feedback_handle",
        "guide_url": "guides:overview"})
