"""The action guide as a file: download a version or the draft as YAML,
upload a YAML file as the new draft, or start the draft from a shipped template.

For the municipality's BTI coordinator only: every view is `@staff` and asks
the policy layer first (`require_guide_editor`), so everyone else gets 404.
An upload is checked completely before anything is written; on any problem
the page lists every one with its line number and the draft stays as it was.
The format is described in docs/guide-format.md.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from stafett.access.views import staff
from stafett.guides.policy import require_guide_editor
from stafett.lib import forms as fields

from .loader import (
    DraftChanged,
    GuideFormatError,
    available_templates,
    current_guide,
    draft_from_template,
    export_guide,
    import_guide,
)
from .models import Guide, Level, Step, Tool

NAV = "guide_editor"
DRAFT_KEY = "utkast"
MAX_UPLOAD_BYTES = 1_000_000
MAX_SHOWN_PROBLEMS = 100


def _draft() -> Guide | None:
    return Guide.objects.filter(status=Guide.Status.DRAFT).select_related("created_by").first()


def _context(request, **extra) -> dict:
    return {"nav": NAV, "current": current_guide(), "draft": _draft(), **extra}


def _draft_summary(guide: Guide) -> dict:
    return {
        "levels": Level.objects.filter(guide=guide).count(),
        "steps": Step.objects.filter(level__guide=guide).count(),
        "tools": Tool.objects.filter(guide=guide).count(),
    }


# --- download ---------------------------------------------------------------------


@staff
def export(request):
    """`?versjon=utkast` for the draft, `?versjon=3` for a published version,
    nothing for the version in force."""
    require_guide_editor(request.actor)
    which = request.GET.get("versjon", "")
    if which == DRAFT_KEY:
        guide = _draft()
        name = DRAFT_KEY
    elif which:
        if not which.isdigit():
            raise Http404
        guide = Guide.objects.filter(status=Guide.Status.PUBLISHED, number=int(which)).first()
        name = f"v{which}"
    else:
        guide = current_guide()
        name = f"v{guide.number}" if guide else ""
    if guide is None:
        raise Http404
    number = request.actor.municipality.number
    response = HttpResponse(export_guide(guide), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="handlingsveileder-{number}-{name}.yaml"'
    return response


# --- upload -----------------------------------------------------------------------


class _ReplaceForm(forms.Form):
    """Carries the draft's lock_version as the page saw it (0: no draft), and
    asks to confirm when a draft would be replaced."""

    lock_version = fields.VersionField()
    replace = forms.BooleanField(
        label=gettext_lazy("Replace the current draft"),
        help_text=gettext_lazy("The draft's texts, steps and tools are replaced; published "
                               "versions stay as they are."),
        error_messages={"required": gettext_lazy("Confirm that the current draft may be "
                                                 "replaced.")},
    )

    def __init__(self, *args, draft: Guide | None, **kwargs):
        kwargs.setdefault("initial", {})["lock_version"] = draft.lock_version if draft else 0
        super().__init__(*args, **kwargs)
        if draft is None:
            del self.fields["replace"]


class ImportForm(_ReplaceForm):
    file = forms.FileField(
        label=gettext_lazy("Guide file (YAML)"),
        help_text=gettext_lazy("A file in Stafett's guide format, for example one you "
                               "downloaded here and edited. At most 1 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,application/yaml,text/yaml"}),
        error_messages={"required": gettext_lazy("Choose the file to upload.")},
    )
    field_order = ["file", "replace", "lock_version"]

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB. Is it the right file?"))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not UTF-8 text. Save it as UTF-8 and upload it again.")
            ) from None


def _show_problems(form: forms.Form, error: GuideFormatError) -> None:
    """Every problem, by line, in the error summary; the file field points to them."""
    problems = error.problems
    form.add_error(None, ngettext(
        "The file has %(count)s problem, so nothing was changed:",
        "The file has %(count)s problems, so nothing was changed:",
        len(problems)) % {"count": len(problems)})
    for problem in problems[:MAX_SHOWN_PROBLEMS]:
        form.add_error(None, str(problem))
    if len(problems) > MAX_SHOWN_PROBLEMS:
        hidden = len(problems) - MAX_SHOWN_PROBLEMS
        form.add_error(None, ngettext("… and %(count)s more problem.",
                                      "… and %(count)s more problems.", hidden)
                       % {"count": hidden})
    form.add_error("file", ngettext(
        "Correct the problem listed above, and upload the file again.",
        "Correct the problems listed above, and upload the file again.", len(problems)))


def _changed_meanwhile(request, url_name: str):
    messages.error(request, _("The draft was changed after you opened the page, so nothing "
                              "was replaced. Check the draft, and try again if you still want "
                              "to replace it."))
    return redirect(url_name)


def _done(request, draft: Guide, message: str):
    messages.success(request, message % _draft_summary(draft))
    return redirect("guides_editor:index")


@staff
def import_(request):
    require_guide_editor(request.actor)
    draft = _draft()
    form = ImportForm(request.POST or None, request.FILES or None, draft=draft)
    if request.method == "POST" and form.is_valid():
        try:
            draft = import_guide(
                request.actor.municipality, form.cleaned_data["file"], user=request.user,
                draft_version=form.cleaned_data["lock_version"],
                source=request.FILES["file"].name,
            )
        except GuideFormatError as error:
            _show_problems(form, error)
        except DraftChanged:
            return _changed_meanwhile(request, "guides_io:import")
        else:
            return _done(request, draft, _(
                "The file is now the draft: %(levels)s levels, %(steps)s steps and %(tools)s "
                "tools. Read it through, and publish it when it is ready."))
    return render(request, "guides/io/import.html", _context(request, form=form, draft=draft))


# --- start from a template ----------------------------------------------------------


class _FirstRadio(forms.RadioSelect):
    """Radio buttons whose group links (from the error summary) to the first one."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, 0 if index is None else index)


class TemplateForm(_ReplaceForm):
    template = fields.ChoiceField(
        label=gettext_lazy("Template"), widget=_FirstRadio,
        error_messages={"required": gettext_lazy("Choose a template."),
                        "invalid_choice": gettext_lazy("Choose one of the templates.")},
    )
    field_order = ["template", "replace", "lock_version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t["key"], t["title"]) for t in available_templates()]


@staff
def from_template(request):
    require_guide_editor(request.actor)
    draft = _draft()
    form = TemplateForm(request.POST or None, draft=draft)
    if request.method == "POST" and form.is_valid():
        try:
            draft = draft_from_template(
                request.actor.municipality, form.cleaned_data["template"], user=request.user,
                draft_version=form.cleaned_data["lock_version"],
            )
        except DraftChanged:
            return _changed_meanwhile(request, "guides_io:from_template")
        return _done(request, draft, _(
            "The template is now the draft: %(levels)s levels, %(steps)s steps and %(tools)s "
            "tools. Adapt it to the municipality, and publish it when it is ready."))
    chosen = form["template"].value()
    templates = [
        {**t, "id": f"{form['template'].auto_id}_{index}", "checked": t["key"] == chosen}
        for index, t in enumerate(available_templates())
    ]
    return render(request, "guides/io/from_template.html",
                  _context(request, form=form, draft=draft, templates=templates))
