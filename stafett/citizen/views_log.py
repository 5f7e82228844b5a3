"""The family's view of a relay and what they write in it, and where they
want to be told. Every page is declared `family`; the relay comes through
the citizen policy (404 for anything not theirs) and every read and write
through stafett.citizen.actions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stafett.access.views import family

from . import actions, explain, forms


def _page(request, pk, status=200, **bound):
    context = actions.relay_page(request.actor, pk, request.GET.get("side"))
    relay = context["relay"]
    # The page is drawn inside the relay's municipality (the forms' choices are queries).
    with actions.family_scope(relay):
        upcoming = list(actions.upcoming_meetings(relay))
        meetings = actions.upcoming_meetings(relay)
        return _render(request, context, relay, upcoming, meetings, status, bound)


def _render(request, context, relay, upcoming, meetings, status, bound):
    context.update({
        "level_text": explain.level(relay),
        "next_text": explain.next_step(context),
        "upcoming": upcoming,
        "is_the_child": request.actor.family.is_the_child(relay.child_id),
        "entry_form": bound.get("entry_form") or forms.EntryForm(),
        "view_form": bound.get("view_form") or forms.ChildViewForm(meetings=meetings),
        "reply_form": bound.get("reply_form") or forms.ReplyForm(meetings=meetings),
        "nav": "home",
    })
    return render(request, "citizen/relay.html", context, status=status)


@family
def relay(request, pk):
    return _page(request, pk)


def _write(request, pk, form, name, perform, success):
    """Validate, act, and on any refusal show the page again with the
    message beside the form (nothing is saved)."""
    if form.is_valid():
        try:
            perform(form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, success)
            return redirect("citizen:relay", pk=pk)
    return _page(request, pk, **{name: form})


def _readable(request, pk):
    """A relay the family may read (404 first for anything else, before a
    form is even read)."""
    relay = actions.load_family_relay(request.actor, pk, "view")
    return relay


@family
@require_POST
def write(request, pk):
    relay = actions.load_family_relay(request.actor, pk, "view")
    with actions.family_scope(relay):
        return _write(
            request, pk, forms.EntryForm(request.POST), "entry_form",
            lambda data: actions.write_entry(request.actor, pk, kind=data["kind"], text=data["text"]),
            _("Thank you. What you wrote is in the log, and the holder has been told."),
        )


@family
@require_POST
def child_view(request, pk):
    relay = _readable(request, pk)
    with actions.family_scope(relay):
        return _write(
            request, pk, forms.ChildViewForm(request.POST, meetings=actions.upcoming_meetings(relay)), "view_form",
            lambda data: actions.write_child_view(request.actor, pk, meeting_id=data["meeting"].pk,
                                                  text=data["text"]),
            _("Thank you. The others will read it before the meeting."),
        )


@family
@require_POST
def reply(request, pk):
    relay = _readable(request, pk)
    with actions.family_scope(relay):
        return _write(
            request, pk, forms.ReplyForm(request.POST, meetings=actions.upcoming_meetings(relay)), "reply_form",
            lambda data: actions.reply_to_meeting(request.actor, pk, meeting_id=data["meeting"].pk,
                                                  answer=data["answer"], comment=data["comment"]),
            _("Thank you for your answer. The holder has been told."),
        )


@family
def alerts(request):
    """The e-mail address the family member wants to be told at."""
    user = request.user
    form = forms.EmailForm(request.POST or None, initial={"email": user.email})
    if request.method == "POST":
        if request.POST.get("remove"):
            actions.set_email(request.actor, "")
            messages.success(request, _("We will no longer send you e-mail."))
            return redirect("citizen:alerts")
        if form.is_valid():
            actions.set_email(request.actor, form.cleaned_data["email"])
            messages.success(request, _("Saved. We will tell you at this address when something happens."))
            return redirect("citizen:alerts")
    return render(request, "citizen/alerts.html", {"form": form, "email": user.email, "nav": "alerts"})
