"""The report's pages. Views load through the policy and write through
actions; none checks access or writes a row on its own."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stafett.access.views import staff
from stafett.guides.pdf import pdf_response
from stafett.lib.errors import Conflict
from stafett.lib.forms import OUT_OF_DATE, VersionedForm, with_version

from . import actions, forms
from .policy import report_actions, settings_for, visible_reports


def _conflict(request):
    messages.error(request, _(
        "Someone else changed this report while you were working on it. "
        "Check the page and try again."))


def _context(request, report, **extra):
    return {
        "report": report,
        "content": report.content,
        "allowed": report_actions(request.actor, report),
        "nav": "reports",
        **extra,
    }


@staff
def index(request):
    """The reports the person may see: her own, and as a leader her services'."""
    actor = request.actor
    queryset = (visible_reports(actor).select_related("service", "reporter")
                .order_by("-created_at", "-pk"))
    page = actions.list_reports(actor, queryset, request.GET.get("side"))
    return render(request, "reports/index.html", {
        "page": page, "nav": "reports", "is_leader_here": bool(actor.led_service_ids),
    })


def _acute(request) -> bool | None:
    """The hidden field the acute page's button carries; None when it was
    not sent as the page offers it."""
    value = request.POST.get("acute", "")
    return {"": False, "1": True}.get(value)


def _not_as_offered(request, where):
    messages.error(request, OUT_OF_DATE)
    return redirect(where)


@staff
@require_POST
def create_from_concern(request, pk):
    acute = _acute(request)
    if acute is None:
        return _not_as_offered(request, reverse("concerns:detail", args=[pk]))
    report = actions.create_from_concern(request.actor, pk, acute=acute)
    messages.success(request, _(
        "A draft report has been made from the worry. Check every field before you send it."))
    return redirect("reports:edit", pk=report.pk)


@staff
@require_POST
def create_from_relay(request, pk):
    acute = _acute(request)
    if acute is None:
        return _not_as_offered(request, reverse("relay:detail", args=[pk]))
    report = actions.create_from_relay(request.actor, pk, acute=acute)
    messages.success(request, _(
        "A draft report has been made from the relay. Check every field before you send it."))
    return redirect("reports:edit", pk=report.pk)


@staff
def detail(request, pk):
    report = actions.read_report(request.actor, pk)
    conf = settings_for(report.municipality)
    return render(request, "reports/detail.html", _context(
        request, report, version_form=VersionedForm(initial={"version": report.version}),
        acute_allowed=conf.acute_without_approval,
    ))


@staff
def edit(request, pk):
    actor = request.actor
    report = actions.read_report(actor, pk, "edit")
    initial = forms.initial_from(report.content, report.version)
    form = forms.ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_report(actor, report, version=form.cleaned_data["version"],
                                content=form.content(report.service.name))
        except Conflict:
            _conflict(request)
            form = forms.ReportForm(with_version(request.POST, report.version))
        else:
            messages.success(request, _("The report has been saved."))
            return redirect("reports:detail", pk=report.pk)
    return render(request, "reports/edit.html", _context(request, report, form=form))


def _transition(request, pk, action, perform, success):
    """A POST that moves the report on; a stale page or a report the format
    refuses comes back with a message, nothing changed."""
    actor = request.actor
    report = actions.read_report(actor, pk, action)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        _conflict(request)
        return redirect("reports:detail", pk=report.pk)
    try:
        perform(actor, report, form.cleaned_data["version"])
    except Conflict:
        _conflict(request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success())
    return redirect("reports:detail", pk=report.pk)


@staff
@require_POST
def submit(request, pk):
    return _transition(request, pk, "submit",
                       lambda a, r, v: actions.submit_report(a, r, version=v),
                       lambda: _("The report has been sent to your leader for approval."))


@staff
@require_POST
def send_acute(request, pk):
    return _transition(request, pk, "send_acute",
                       lambda a, r, v: actions.send_acute(a, r, version=v),
                       lambda: _("The report is being sent to the child welfare service. "
                                 "Your leader can see it."))


@staff
@require_POST
def withdraw(request, pk):
    return _transition(request, pk, "withdraw",
                       lambda a, r, v: actions.withdraw_report(a, r, version=v),
                       lambda: _("The report has been withdrawn. It will not be sent."))


@staff
def review(request, pk):
    """The leader's page: the whole report, approve it or send it back."""
    if request.method == "POST":
        return _transition(request, pk, "approve",
                           lambda a, r, v: actions.approve_report(a, r, version=v),
                           lambda: _("The report is approved and is being sent to the child "
                                     "welfare service."))
    report = actions.read_report(request.actor, pk, "approve")
    return render(request, "reports/review.html", _context(
        request, report, version_form=VersionedForm(initial={"version": report.version}),
        send_back_form=forms.SendBackForm(initial={"version": report.version}),
    ))


@staff
def send_back(request, pk):
    actor = request.actor
    report = actions.read_report(actor, pk, "send_back")
    form = forms.SendBackForm(request.POST or None, initial={"version": report.version})
    if request.method == "POST" and form.is_valid():
        try:
            actions.send_back(actor, report, version=form.cleaned_data["version"],
                              comment=form.cleaned_data["comment"])
        except Conflict:
            _conflict(request)
        else:
            messages.success(request, _("The report has been sent back to the reporter."))
            return redirect("reports:detail", pk=report.pk)
    return render(request, "reports/review.html", _context(
        request, report, version_form=VersionedForm(initial={"version": report.version}),
        send_back_form=form,
    ))


@staff
def pdf(request, pk):
    """The PDF/A exactly as it was sent."""
    report = actions.read_report(request.actor, pk, "pdf")
    stamp = timezone.localtime(report.approved_at)
    return pdf_response(bytes(report.pdf), f"bekymringsmelding-{report.pk}-{stamp:%Y-%m-%d}.pdf",
                        private=True)


@staff
def report_settings(request):
    """The coordinator's settings for reports of concern."""
    actor = request.actor
    if not actor.is_coordinator:
        raise Http404
    conf = settings_for(actor.municipality)
    form = forms.SettingsForm(request.POST or None, instance=conf)
    if request.method == "POST" and form.is_valid():
        actions.update_settings(actor, form)
        messages.success(request, _("The settings have been saved."))
        return redirect("reports:settings")
    return render(request, "reports/settings.html", {"form": form, "nav": "reports_settings"})
