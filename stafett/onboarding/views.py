"""The introduction for new employees, and who has completed it.

The introduction shows guide text and the municipality's numbers, no personal
data; the status page shows employees' names and completion (never answers),
so it is kept out of caches like every page with personal data.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from stafett.access.views import staff

from . import actions
from .forms import QuestionsForm, ServiceFilterForm
from .parts import ORDER, PART_OF_SLUG, SLUGS, intro_for, questions_for
from .policy import require_introduction, require_status
from .status import active_members, completion_by_service, completion_of, parts_done

PER_PAGE = 50


def _parts(done):
    return [{"part": p, "slug": SLUGS[p], "label": p.label, "done": p.value in done,
             "number": i + 1} for i, p in enumerate(ORDER)]


@staff
def index(request):
    require_introduction(request.actor)
    done = parts_done(request.actor)
    parts = _parts(done)
    first_open = next((p for p in parts if not p["done"]), None)
    return render(request, "onboarding/index.html", {
        "parts": parts, "done": sum(p["done"] for p in parts), "total": len(ORDER),
        "first_open": first_open, "nav": "home",
    })


@staff
def part(request, slug):
    actor = request.actor
    require_introduction(actor)
    current = PART_OF_SLUG.get(slug)
    if current is None:
        raise Http404
    intro = intro_for(actor) if current == ORDER[0] else None
    questions = questions_for(actor, current, intro)
    index = ORDER.index(current)
    if request.method == "POST":
        form = QuestionsForm(questions, request.POST)
        if form.is_valid():
            wrong = actions.check_and_complete(actor, current, form.cleaned_data, questions)
            if not wrong:
                messages.success(request, _("Well done: you have completed the part “%(part)s”.")
                                 % {"part": current.label})
                if index + 1 < len(ORDER):
                    return redirect("onboarding:part", slug=SLUGS[ORDER[index + 1]])
                return redirect("onboarding:index")
            form.explain(wrong)
    else:
        form = QuestionsForm(questions)
    done = parts_done(actor)
    guide = intro.guide if intro else None
    return render(request, f"onboarding/part_{current.value}.html", {
        "part": current, "number": index + 1, "total": len(ORDER), "form": form,
        "done": current.value in done, "intro": intro, "parts": _parts(done),
        "guide_lang": guide.language if guide and guide.language != (get_language() or "") else "",
        "previous_slug": SLUGS[ORDER[index - 1]] if index > 0 else None,
        "next_slug": SLUGS[ORDER[index + 1]] if index + 1 < len(ORDER) else None,
        "wrong": len(form.errors) if request.method == "POST" else 0,
        "nav": "home",
    })


@staff
def status(request):
    actor = request.actor
    visible = require_status(actor)
    services = completion_by_service(actor.municipality, visible)
    filter_form = ServiceFilterForm(services, request.GET or None)
    chosen = visible
    if filter_form.is_valid() and filter_form.cleaned_data["tjeneste"] in visible:
        chosen = {filter_form.cleaned_data["tjeneste"]}
    page = Paginator(active_members(actor.municipality, chosen), PER_PAGE).get_page(
        request.GET.get("side"))
    members = list(page.object_list)
    progress = completion_of(actor.municipality, {m.user_id for m in members})
    rows = [{"membership": m, "progress": progress.get(m.user_id)} for m in members]
    query = f"tjeneste={next(iter(chosen))}&" if len(chosen) == 1 and chosen != visible else ""
    return render(request, "onboarding/status.html", {
        "services": services, "rows": rows, "page": page, "filter_form": filter_form,
        "total": len(ORDER), "query": query, "nav": "home",
        "is_coordinator": actor.is_coordinator,
    })
