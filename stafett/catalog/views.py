"""The catalogue of measures for staff: every member of staff reads it; the
coordinator keeps every measure, a leader their own service's (policy.py).
Lists paginate and make the same number of queries whatever their size."""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stafett.access.views import staff
from stafett.lib.downloads import attachment, csv_response
from stafett.lib.errors import Conflict
from stafett.tenancy.models import Service

from . import actions, policy, queries
from .fileformat import BOM, CSV_DIALECT, CatalogFormatError, csv_rows, read_file, yaml_pieces
from .forms import ConfirmImportForm, DeactivateForm, FilterForm, ImportForm, MeasureForm
from .models import CatalogMeasure

NAV = "catalog"
MAX_UPLOAD_BYTES = 1_000_000
MAX_SHOWN_PROBLEMS = 200


def _query_string(form: FilterForm) -> str:
    pairs = [(name, form.data.get(name)) for name in form.fields if form.data.get(name)]
    return urlencode(pairs) + "&" if pairs else ""


@staff
def catalog_list(request):
    policy.require_reader(request.actor)
    municipality_id = request.actor.municipality.pk
    form = FilterForm(request.GET, with_status=True, services=queries.services_with_measures(
        municipality_id, active_only=False))
    measures = queries.filtered(policy.visible_measures(request.actor), form.filters())
    page = Paginator(measures, settings.STAFETT_PAGE_SIZE).get_page(request.GET.get("side"))
    return render(request, "catalog/list.html", {
        "nav": NAV, "form": form, "page": page, "query": _query_string(form),
        "may_edit": policy.may_edit_any(request.actor),
    })


@staff
def detail(request, pk):
    measure = policy.get_measure(request.actor, pk)
    return render(request, "catalog/detail.html", {
        "nav": NAV, "measure": measure, "may_edit": policy.may_edit(request.actor, measure),
        "form": DeactivateForm(initial={"version": measure.version}),
    })


def _services(actor):
    ids = policy.editable_service_ids(actor)
    services = Service.objects.filter(municipality_id=actor.municipality.pk).order_by("name")
    return services if ids is None else services.filter(pk__in=ids)


def _save(request, form, measure=None):
    data = form.measure_fields()
    try:
        if measure is None:
            measure = actions.create_measure(request.actor, **data)
            messages.success(request, _("The measure has been added to the catalogue."))
        else:
            measure = actions.update_measure(request.actor, measure,
                                             version=form.cleaned_data["version"], **data)
            messages.success(request, _("The measure has been saved."))
    except ValidationError as error:
        form.add_error(None, error)
        return None
    except IntegrityError:
        form.add_error("key", _("Another measure already has this key."))
        return None
    except Conflict:
        form.add_error(None, _("Someone else changed the measure after you opened it. Reload "
                               "the page to see their change, and make yours again."))
        return None
    return redirect("catalog:detail", pk=measure.pk)


@staff
def new(request):
    policy.require_any_editor(request.actor)
    form = MeasureForm(request.POST or None, services=_services(request.actor),
                       initial={"version": 0, "access": CatalogMeasure.Access.LOW_THRESHOLD})
    if request.method == "POST" and form.is_valid():
        response = _save(request, form)
        if response:
            return response
    return render(request, "catalog/form.html", {"nav": NAV, "form": form,
                                                 "title": _("New measure")})


@staff
def edit(request, pk):
    measure = policy.get_measure(request.actor, pk)
    policy.require_editor(request.actor, measure)
    initial = {f: getattr(measure, f) for f in (
        "name", "key", "description", "access", "age_from", "age_to", "for_unborn",
        "for_children", "for_young", "for_parents", "steps", "contact", "version")}
    initial |= {"service": measure.service_id, "levels": list(measure.levels)}
    services = _services(request.actor) | Service.objects.filter(pk=measure.service_id)
    form = MeasureForm(request.POST or None, services=services.distinct(), initial=initial)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, measure)
        if response:
            return response
    return render(request, "catalog/form.html", {"nav": NAV, "form": form, "measure": measure,
                                                 "title": _("Change the measure")})


@staff
def status(request, pk):
    """Deactivate an active measure, or bring an inactive one back."""
    measure = policy.get_measure(request.actor, pk)
    policy.require_editor(request.actor, measure)
    form = DeactivateForm(request.POST or None, initial={"version": measure.version})
    if request.method == "POST" and form.is_valid():
        try:
            measure = actions.set_active(request.actor, measure, version=form.cleaned_data["version"],
                                         active=not measure.active)
        except Conflict:
            messages.error(request, _("Someone else changed the measure after you opened it. "
                                      "Check it, and try again."))
        else:
            messages.success(request, _("The measure is active again.") if measure.active else
                             _("The measure is no longer active. It is kept, and relays that "
                               "used it still show it."))
        return redirect("catalog:detail", pk=measure.pk)
    return render(request, "catalog/status.html", {"nav": NAV, "form": form, "measure": measure})


@staff
def export(request):
    policy.require_reader(request.actor)
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "yaml"):
        raise Http404
    # Read in chunks while the file is sent: a national catalogue never sits whole in memory.
    measures = (policy.visible_measures(request.actor).select_related("service").order_by("key")
                .iterator(chunk_size=500))
    number = request.actor.municipality.number
    filename = f"tiltaksoversikt-{number}.{kind}"
    if kind == "csv":
        return csv_response(csv_rows(measures), filename, start=BOM, **CSV_DIALECT)
    return attachment(yaml_pieces(measures, number), filename, "application/yaml; charset=utf-8")


def _problem_list(problems) -> tuple[list[str], int]:
    return [str(p) for p in problems[:MAX_SHOWN_PROBLEMS]], max(0, len(problems) - MAX_SHOWN_PROBLEMS)


SESSION_KEY = "stafett_catalog_import"


def _show_problems(context, upload, problems):
    context["problems"], context["hidden"] = _problem_list(problems)
    upload.add_error("file", ngettext(
        "The file has %(count)s problem, so nothing was imported. Correct it, "
        "and upload the file again.",
        "The file has %(count)s problems, so nothing was imported. Correct "
        "them, and upload the file again.", len(problems)) % {"count": len(problems)})


@staff
def import_(request):
    """Upload (checked completely; a clean file is kept in the session and
    shown as a preview after a redirect), then confirm to write it at once."""
    policy.require_any_editor(request.actor)
    context = {"nav": NAV}
    upload = ImportForm()
    pending = request.session.get(SESSION_KEY)
    if request.method == "POST" and "expected" in request.POST:
        confirm = ConfirmImportForm(request.POST)
        if pending is None or not confirm.is_valid():
            messages.error(request, _("The page is out of date. Upload the file again."))
            return redirect("catalog:import")
        try:
            rows = read_file(pending["name"], base64.b64decode(pending["content"]))
            counts = actions.import_catalog(request.actor, rows,
                                            expected=confirm.cleaned_data["expected"])
        except (CatalogFormatError, actions.ImportProblems, binascii.Error, Conflict,
                IntegrityError):
            messages.error(request, _("The catalogue was changed after you saw the preview, so "
                                      "nothing was imported. Upload the file again to see the "
                                      "changes."))
            return redirect("catalog:import")
        request.session.pop(SESSION_KEY, None)
        messages.success(request, _(
            "The file is imported: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.")
            % counts)
        return redirect("catalog:list")
    if request.method == "POST":
        upload = ImportForm(request.POST, request.FILES)
        if upload.is_valid():
            file = upload.cleaned_data["file"]
            if file.size > MAX_UPLOAD_BYTES:
                upload.add_error("file", _("The file is larger than 1 MB. Is it the right file?"))
            else:
                data = file.read()
                try:
                    actions.plan_import(request.actor, read_file(file.name, data))
                except (CatalogFormatError, actions.ImportProblems) as error:
                    _show_problems(context, upload, error.problems)
                else:
                    request.session[SESSION_KEY] = {
                        "name": file.name[:200], "content": base64.b64encode(data).decode()}
                    return redirect(reverse("catalog:import") + "?forhandsvis=1")
    elif pending is not None and request.GET.get("forhandsvis"):
        try:
            planned, expected = actions.plan_import(
                request.actor, read_file(pending["name"], base64.b64decode(pending["content"])))
        except (CatalogFormatError, actions.ImportProblems, binascii.Error) as error:
            _show_problems(context, upload, getattr(error, "problems", []))
        else:
            context["planned"] = planned
            context["file_name"] = pending["name"]
            context["confirm"] = ConfirmImportForm(initial={"expected": expected})
    context["form"] = upload
    return render(request, "catalog/import.html", context)
