"""The survey's pages: the coordinator's bank and waves, the employee's answer
page and the results. Results show aggregates only, through the suppression
in results.py; no page here shows who answered what."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stafett.access.rules import Forbidden
from stafett.access.views import staff
from stafett.guides.pdf import pdf_response, render_pdf
from stafett.lib.downloads import csv_response, xlsx_response
from stafett.lib.forms import MAX_ID
from stafett.lib.replica import stale_reads_ok
from stafett.tenancy.models import Service

from . import actions, exports, results
from .bank import display_text
from .forms import QuestionEditForm, QuestionForm, WaveForm
from .models import Question, Wave
from .policy import (
    invitation_for,
    may_run_surveys,
    may_see_some_results,
    readable_waves,
    require_survey_runner,
    result_service_ids,
)


def _runner(request, pk=None):
    """Ask the policy first, before reading any input (a stranger gets 404,
    never a message), and treat an id no database row can have as missing."""
    require_survey_runner(request.actor)
    if pk is not None and pk > MAX_ID:
        raise Forbidden("survey")


def _id(pk):
    if pk > MAX_ID:
        raise Forbidden("survey")


def _version(request) -> int | None:
    try:
        value = int(request.POST.get("version", ""))
    except ValueError:
        return None
    return value if 0 < value < 2**31 else None


def _stale(request, to):
    messages.error(request, _("The page was out of date. Look again, then try once more."))
    return redirect(to)


@staff
def index(request):
    actor = request.actor
    if not may_see_some_results(actor):
        raise Forbidden("surveys")
    actions.close_due_waves(actor.municipality)
    waves = (Wave.objects.filter(municipality=actor.municipality) if may_run_surveys(actor)
             else readable_waves(actor)).order_by("-created_at", "-pk")
    page = Paginator(waves, settings.STAFETT_PAGE_SIZE).get_page(request.GET.get("side"))
    return render(request, "surveys/index.html", {
        "nav": "surveys", "page": page, "runner": may_run_surveys(actor)})


# --- the bank -------------------------------------------------------------------------


@staff
def bank(request):
    questions = actions.bank(request.actor)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.add_question(request.actor, **form.cleaned_data)
        messages.success(request, _("The question has been added to the bank."))
        return redirect("surveys:bank")
    rows = [{"question": q, "text": display_text(q.text, q.key)} for q in questions]
    return render(request, "surveys/bank.html", {"nav": "surveys", "rows": rows, "form": form})


@staff
def question(request, pk):
    _runner(request, pk)
    actions.bank(request.actor)
    q = Question.objects.filter(municipality=request.actor.municipality, pk=pk).first()
    if q is None:
        raise Forbidden("question")
    form = QuestionEditForm(request.POST or None, initial={
        "area": q.area, "text": display_text(q.text, q.key), "version": q.version})
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_question(request.actor, pk, **form.cleaned_data)
        except actions.SurveyError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("surveys:question", pk=pk)
        messages.success(request, _("The question has been saved."))
        return redirect("surveys:bank")
    return render(request, "surveys/question.html", {"nav": "surveys", "question": q, "form": form,
                                                     "kind": q.get_kind_display()})


@require_POST
@staff
def question_move(request, pk):
    _runner(request, pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return _stale(request, "surveys:bank")
    actions.move_question(request.actor, pk, direction)
    return redirect("surveys:bank")


@require_POST
@staff
def question_active(request, pk):
    _runner(request, pk)
    active = request.POST.get("active")
    if active not in ("0", "1"):
        return _stale(request, "surveys:bank")
    actions.set_active(request.actor, pk, active == "1")
    messages.success(request, _("The question is in use again.") if active == "1"
                     else _("The question has been retired. Earlier waves keep it."))
    return redirect("surveys:bank")


# --- waves -------------------------------------------------------------------------------


def _wave_form_page(request, form, wave=None):
    return render(request, "surveys/wave_form.html", {"nav": "surveys", "form": form, "wave": wave})


@staff
def wave_new(request):
    actions.bank(request.actor)
    municipality = request.actor.municipality
    # Offered with every service and every question in use ticked: the
    # coordinator takes away what a wave should not ask.
    initial = {"services": list(Service.objects.filter(municipality=municipality)),
               "questions": list(Question.objects.filter(municipality=municipality, active=True))}
    form = WaveForm(request.POST or None, initial=initial, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version")
        try:
            wave = actions.create_wave(request.actor, **data)
        except actions.SurveyError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The wave has been created. Check it, then open it for answers."))
            return redirect("surveys:wave", pk=wave.pk)
    return _wave_form_page(request, form)


@staff
def wave_edit(request, pk):
    _runner(request, pk)
    wave = actions.wave_of(request.actor, pk)
    if wave.status != Wave.Status.DRAFT:
        messages.error(request, _("The wave has been opened; its questions and services can no longer change."))
        return redirect("surveys:wave", pk=pk)
    initial = {"title": wave.title, "baseline": wave.baseline, "closes_on": wave.closes_on,
               "services": list(wave.services.all()), "version": wave.version,
               "questions": [wq.question_id for wq in actions.questions_of(wave)]}
    form = WaveForm(request.POST or None, initial=initial, municipality=request.actor.municipality)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or 0
        try:
            actions.update_wave(request.actor, pk, version=version, **data)
        except actions.SurveyError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The wave has been saved."))
            return redirect("surveys:wave", pk=pk)
    return _wave_form_page(request, form, wave)


@staff
def wave(request, pk):
    _runner(request, pk)
    wave = actions.wave_of(request.actor, pk)
    rates = actions.response_rates(request.actor, wave)
    questions = [display_text(wq.text, wq.question.key) for wq in actions.questions_of(wave)]
    services = list(wave.services.order_by("name").values_list("name", flat=True))
    invited = sum(r["invited"] for r in rates)
    answered = sum(r["answered"] for r in rates)
    return render(request, "surveys/wave.html", {
        "nav": "surveys", "wave": wave, "rates": rates, "questions": questions, "services": services,
        "invited": invited, "answered": answered})


def _wave_action(request, pk, work, done):
    try:
        result = work()
    except actions.SurveyError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done(result))
    return redirect("surveys:wave", pk=pk)


@require_POST
@staff
def wave_open(request, pk):
    _runner(request, pk)
    version = _version(request)
    if version is None:
        return _stale(request, "surveys:index")
    return _wave_action(request, pk, lambda: actions.open_wave(request.actor, pk, version=version),
                        lambda n: _("The wave is open. %(n)s people have been invited.") % {"n": n})


@require_POST
@staff
def wave_remind(request, pk):
    _runner(request, pk)
    return _wave_action(request, pk, lambda: actions.remind(request.actor, pk),
                        lambda n: _("%(n)s people who have not answered have been reminded.") % {"n": n})


@require_POST
@staff
def wave_close(request, pk):
    _runner(request, pk)
    version = _version(request)
    if version is None:
        return _stale(request, "surveys:index")
    return _wave_action(request, pk, lambda: actions.close_wave(request.actor, pk, version=version),
                        lambda _n: _("The wave is closed."))


# --- answering -----------------------------------------------------------------------------


@staff
def answer(request, pk):
    _id(pk)
    actions.close_due_waves(request.actor.municipality)
    invitation = invitation_for(request.actor, pk)
    wave = invitation.wave
    questions = actions.questions_of(wave)
    errors, posted = [], {}
    if request.method == "POST":
        posted = request.POST
        try:
            actions.answer(request.actor, pk, request.POST)
        except actions.SurveyError as error:
            errors = error.messages
        else:
            messages.success(request, _("Thank you! Your answers have been saved anonymously."))
            return redirect("surveys:answer", pk=pk)
    rows = [{"wq": wq, "number": n, "text": display_text(wq.text, wq.question.key),
             "name": f"q{wq.pk}", "value": posted.get(f"q{wq.pk}", "")}
            for n, wq in enumerate(questions, start=1)]
    can_answer = wave.status == Wave.Status.OPEN and not invitation.answered
    return render(request, "surveys/answer.html", {
        "nav": "surveys", "wave": wave, "rows": rows, "errors": errors, "can_answer": can_answer,
        "answered": invitation.answered, "likert": [1, 2, 3, 4, 5]})


# --- results -------------------------------------------------------------------------------


def _results(request, pk):
    actor = request.actor
    actions.close_due_waves(actor.municipality)
    wave = Wave.objects.filter(municipality=actor.municipality, pk=pk).first()
    if wave is None:
        raise Forbidden("wave")
    wave_services = set(wave.services.values_list("pk", flat=True))
    readable = result_service_ids(actor, wave, wave_services)
    if readable is None:
        raise Forbidden("results")
    names = dict(Service.objects.filter(municipality=actor.municipality).values_list("pk", "name"))
    with stale_reads_ok():  # the counts may be seconds old: a replica may serve them
        return results.results_for(wave, readable, names)


def _legend() -> str:
    return _("Nothing is shown for fewer than five respondents. \"hidden\": the group had too few "
             "respondents, or is hidden so that the municipality's figure cannot reveal a smaller group.")


@staff
def wave_results(request, pk):
    _id(pk)
    data = _results(request, pk)
    return render(request, "surveys/results.html", {"nav": "surveys", "data": data, "legend": _legend(),
                                                    "coordinator": request.actor.is_coordinator})


@staff
def results_export(request, pk, fmt):
    _id(pk)
    data = _results(request, pk)
    stem = f"kartlegging-{data.wave.pk}"
    if fmt == "xlsx":
        return xlsx_response(lambda book: exports.write_xlsx(book, data, _legend()), f"{stem}.xlsx")
    if fmt == "pdf":
        pdf = render_pdf("surveys/results_pdf.html", {"data": data, "legend": _legend(),
                                                      "municipality": request.actor.municipality},
                         request)
        return pdf_response(pdf, f"{stem}.pdf", private=True)
    return csv_response(exports.csv_rows(data, _legend()), f"{stem}.csv")
