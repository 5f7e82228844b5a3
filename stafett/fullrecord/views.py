"""Staff pages for requests for a child's full record. Every page is declared
`staff`; requests come through the policy (404 for missing and forbidden
alike) and every read and write through stafett.fullrecord.actions."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stafett.access.views import staff
from stafett.guides.pdf import pdf_response

from . import actions, forms


@staff
def request_list(request):
    rows = actions.list_requests(request.actor)
    today = timezone.localdate()
    return render(request, "fullrecord/list.html", {
        "rows": rows, "today": today, "nav": "fullrecord",
        "can_register": bool(actions.case_choices(request.actor)),
    })


@staff
def register(request):
    cases = actions.case_choices(request.actor)
    form = forms.RegisterForm(request.POST or None, cases=cases,
                              initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = actions.register_request(
                request.actor, case=data["case"], role=data["role"],
                requester_name=data["requester_name"], national_id=data["national_id"],
                received_on=data["received_on"], channel=data["channel"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The request is registered. Answer it by %(date)s.") % {
                "date": created.deadline.strftime("%d.%m.%Y")})
            return redirect("fullrecord:detail", pk=created.pk)
    return render(request, "fullrecord/register.html", {
        "form": form, "has_cases": bool(cases), "nav": "fullrecord",
    })


def _detail(request, pk, *, form=None, status=200):
    access_request = actions.read_request(request.actor, pk)
    return render(request, "fullrecord/detail.html", {
        "req": access_request, "today": timezone.localdate(), "nav": "fullrecord",
        "form": form or forms.ActionForm(initial={"version": access_request.version}),
        "allowed": actions.allowed(request.actor, access_request),
    }, status=status)


@staff
def detail(request, pk):
    return _detail(request, pk)


def _act(request, pk, perform, success):
    form = forms.ActionForm(request.POST)
    if form.is_valid():
        try:
            perform(form.cleaned_data["version"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("fullrecord:detail", pk=pk)
        messages.success(request, success)
        return redirect("fullrecord:detail", pk=pk)
    actions.read_request(request.actor, pk)  # 404 first for anything not theirs
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("fullrecord:detail", pk=pk)


@staff
@require_POST
def produce(request, pk):
    return _act(request, pk, lambda version: actions.produce(request.actor, pk, version=version),
                _("The record is produced and sealed. Deliver it to the requester when you are ready."))


@staff
@require_POST
def deliver(request, pk):
    return _act(request, pk, lambda version: actions.deliver(request.actor, pk, version=version),
                _("The record is delivered: the requester finds it in the family pages when they "
                  "log in with ID-porten."))


@staff
def part_pdf(request, pk):
    access_request, _document, pdf = actions.read_part(request.actor, pk)
    return pdf_response(pdf, f"innsyn-{access_request.pk}-din-del.pdf", private=True)


@staff
def part_json(request, pk):
    access_request, document, _pdf = actions.read_part(request.actor, pk)
    return json_response(document, f"innsyn-{access_request.pk}-din-del.json")


def json_response(document: dict, filename: str) -> HttpResponse:
    response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=1),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store, max-age=0"
    return response
