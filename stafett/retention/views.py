"""The coordinator's retention schedule and the legal hold on a child,
reached from one of the child's cases. Views only read forms and call the
actions; the policy answers 404 for everyone who may not."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from stafett.access.views import staff
from stafett.lib.errors import Conflict

from . import actions
from .forms import LiftHoldForm, ScheduleForm, SetHoldForm
from .models import RetentionSchedule


@staff
def schedule(request):
    current = actions.schedule_of(request.actor)
    form = ScheduleForm(request.POST if request.method == "POST" else None, instance=current,
                        initial={"version": current.version})
    if request.method == "POST" and form.is_valid():
        months = {name: form.cleaned_data[name] for name in RetentionSchedule.FIELDS}
        try:
            actions.update_schedule(request.actor, version=form.cleaned_data["version"], **months)
        except Conflict:
            messages.error(request, _("Someone else changed the schedule while you were editing. "
                                      "Check the periods and save again."))
        else:
            messages.success(request, _("The retention schedule has been saved. "
                                        "It applies from the next run."))
            return redirect("retention:schedule")
    return render(request, "retention/schedule.html", {"form": form, "schedule": current})


def _hold(request, kind, pk):
    case, hold = actions.read_hold(request.actor, kind, pk)
    form_class = LiftHoldForm if hold else SetHoldForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if hold:
                actions.lift_hold(request.actor, kind, pk,
                                  lift_reason=form.cleaned_data["lift_reason"])
                messages.success(request, _("The legal hold has been lifted. The child's data "
                                            "follows the retention schedule again."))
            else:
                actions.set_hold(request.actor, kind, pk, reason=form.cleaned_data["reason"])
                messages.success(request, _("The legal hold has been set. Nothing about the "
                                            "child is deleted until it is lifted."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(request.path)
    back = ("relay:detail" if kind == "relay" else "concerns:detail", case.pk)
    return render(request, "retention/hold.html", {
        "case": case, "kind": kind, "hold": hold, "form": form, "back": back,
    })


@staff
def relay_hold(request, pk):
    return _hold(request, "relay", pk)


@staff
def concern_hold(request, pk):
    return _hold(request, "concern", pk)
