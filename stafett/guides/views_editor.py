"""The guide editor: where the BTI coordinator edits the municipality's action
guide as a draft, publishes it as a new version, and reads the history.

Every view is `@staff` and asks the policy layer (`require_guide_editor`)
first, so everyone but the coordinator of this municipality gets 404, as for
anything else they may not see. Writes go through `guides.actions`. The draft
is shown nowhere else: the staff guide pages show the newest published version.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from stafett.access.views import staff
from stafett.guides.policy import require_guide_editor
from stafett.lib import forms as fields

from . import actions, diff
from .models import Guide, Level, Step, Tool, Variant, other_language

# The written standards' names inside a sentence ("Text in nynorsk (optional)").
LANGUAGE_NAMES = {"nb": gettext_lazy("bokmål"), "nn": gettext_lazy("nynorsk")}
NAV = "guide_editor"
DRAFT_KEY = "utkast"

# --- forms ------------------------------------------------------------------

# (field name, label, long text?, help text) of each text, in the guide's language;
# the `_other` twin of each is the same text in the other written standard.
GUIDE_TEXTS = [
    ("title", gettext_lazy("Title"), False, ""),
    ("introduction", gettext_lazy("Introduction"), True,
     gettext_lazy("Shown at the top of the guide. Put a blank line between paragraphs.")),
]
LEVEL_TEXTS = [
    ("title", gettext_lazy("Title"), False, ""),
    ("purpose", gettext_lazy("Purpose"), True,
     gettext_lazy("What the work on this level is for.")),
    ("audience", gettext_lazy("Who it is for"), True,
     gettext_lazy("Which children, families and services this level is for.")),
]
STEP_TEXTS = [
    ("title", gettext_lazy("Title"), False, ""),
    ("summary", gettext_lazy("Summary"), True,
     gettext_lazy("A few sentences, shown beside the work on a worry.")),
    ("body", gettext_lazy("Read more"), True,
     gettext_lazy("The longer text behind “Read more”. Put a blank line between paragraphs.")),
    ("who", gettext_lazy("Who does it"), False,
     gettext_lazy("For example: the employee who noticed it, together with the leader.")),
]


def _clean_text(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


class EditorForm(forms.Form):
    """A form on the draft: carries the draft's lock_version, and builds its
    text fields twice, in the guide's language (the title required) and in the
    other written standard (all optional), each input marked with its `lang`."""

    texts: list = []
    model: type = Step
    lock_version = fields.VersionField()

    def __init__(self, *args, guide: Guide, **kwargs):
        super().__init__(*args, **kwargs)
        self.guide = guide
        self.language = guide.language
        self.other = other_language(guide.language)
        self.text_names: list[str] = []
        self.other_names: list[str] = []
        for name, label, long, help_text in self.texts:
            for twin, lang in ((name, self.language), (f"{name}_other", self.other)):
                model_field = self.model._meta.get_field(twin)
                attrs = {"lang": lang}
                field_class, limit = (
                    (fields.TextField, fields.LONG_TEXT_LIMIT) if long
                    else (fields.LineField, model_field.max_length)
                )
                self.fields[twin] = field_class(
                    label=label if twin == name else format_lazy(
                        "{} ({})", label, LANGUAGE_NAMES.get(lang, lang)),
                    required=twin == "title",
                    limit=limit,
                    help_text=help_text if twin == name else "",
                    widget=forms.Textarea(attrs=attrs | {"rows": 6}) if long else forms.TextInput(attrs),
                    error_messages={"required": _("Write a title.")},
                )
                (self.text_names if twin == name else self.other_names).append(twin)

    def clean(self):
        data = super().clean()
        for name in (*self.text_names, *self.other_names):
            if isinstance(data.get(name), str):
                data[name] = _clean_text(data[name])
        return data

    def fieldsets(self) -> list[dict]:
        """The text fields grouped by language, for `<fieldset>`s with legends."""
        language_name = LANGUAGE_NAMES.get(self.language, self.language)
        other_name = LANGUAGE_NAMES.get(self.other, self.other)
        return [
            {"legend": _("Text in %(language)s, the guide's language") % {"language": language_name},
             "fields": [self[name] for name in self.text_names]},
            {"legend": _("Text in %(language)s (optional)") % {"language": other_name},
             "fields": [self[name] for name in self.other_names]},
        ]

    def texts_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in (*self.text_names, *self.other_names)}


class GuideForm(EditorForm):
    texts = GUIDE_TEXTS
    model = Guide


class LevelForm(EditorForm):
    texts = LEVEL_TEXTS
    model = Level


class ToolChoiceField(fields.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class StepForm(EditorForm):
    texts = STEP_TEXTS

    def __init__(self, *args, guide: Guide, tools, **kwargs):
        super().__init__(*args, guide=guide, **kwargs)
        self.fields["tools"] = ToolChoiceField(
            queryset=tools, required=False, label=_("Tools for this step"),
            widget=forms.CheckboxSelectMultiple,
        )


class NewStepForm(StepForm):
    def __init__(self, *args, level: Level, **kwargs):
        super().__init__(*args, **kwargs)
        self.level = level
        self.fields["variant"] = fields.ChoiceField(
            label=_("For which services"), choices=Variant.choices, required=False,
            widget=forms.RadioSelect, initial=Variant.COMMON,
            help_text=_("A step for one kind of service replaces the common step with the "
                        "same number for those services, or adds a step for them alone."),
        )
        self.fields["number"] = forms.IntegerField(
            label=_("Step number"), min_value=1, max_value=actions.MAX_STEP_NUMBER,
            help_text=_("Steps are shown in the order of their numbers."),
            error_messages={"required": _("Give the step a number.")},
        )
        # Place and variant first, then the texts.
        self.order_fields(["variant", "number"])

    def placement(self) -> list:
        return [self["variant"], self["number"]]

    def clean(self):
        data = super().clean()
        number, variant = data.get("number"), data.get("variant") or ""
        data["variant"] = variant
        if number and any(s.number == number and s.variant == variant
                          for s in self.level.steps.all()):
            self.add_error("number", _("This level already has a step with this number for "
                                       "these services. Choose another number."))
        return data


# --- helpers ----------------------------------------------------------------


def _draft_or_404(request) -> Guide:
    draft = actions.current_draft(request.actor)  # Forbidden (→ 404) for all but the coordinator
    if draft is None:
        raise Http404
    return draft


def _conflict_message(request) -> None:
    messages.error(request, _(
        "Someone else changed the draft while you were writing. Your text is still in the "
        "form; what is saved now is shown below it. Check it and save again."
    ))


def _gone(request):
    messages.error(request, _("The draft has been published or discarded by someone else "
                              "in the meantime, so your change was not saved."))
    return redirect("guides_editor:index")


def _saved_now(form, obj) -> list[dict]:
    """What is saved now for each text field the person has in the form differently."""
    rows = []
    for name in (*form.text_names, *form.other_names):
        saved = getattr(obj, name)
        if saved != form.data.get(name, "").replace("\r\n", "\n").strip():
            rows.append({"label": form.fields[name].label, "text": saved,
                         "lang": form.fields[name].widget.attrs.get("lang", "")})
    return rows


def _rebind(form_class, request, draft, **kwargs):
    """The posted form again, carrying the draft's lock_version as it is now."""
    fresh = Guide.objects.get(pk=draft.pk)
    data = request.POST.copy()
    data["lock_version"] = str(fresh.lock_version)
    form = form_class(data, guide=fresh, **kwargs)
    form.is_valid()
    return form


def _context(**extra):
    return {"nav": NAV, **extra}


# --- the editor -------------------------------------------------------------


@staff
def index(request):
    """The draft's levels and steps with links to edit them; or, with no draft,
    the version in force and a button to start editing."""
    draft = actions.current_draft(request.actor)
    if draft is None:
        current = (
            Guide.objects.filter(status=Guide.Status.PUBLISHED)
            .select_related("published_by").order_by("-number", "-pk").first()
        )
        return render(request, "guides/editor/index.html", _context(current=current))
    levels = Level.objects.filter(guide=draft).order_by("number").prefetch_related(
        Prefetch("steps", queryset=Step.objects.order_by("number", "variant"))
    )
    rows = []
    for level in levels:
        steps = list(level.steps.all())
        common = {s.number for s in steps if not s.variant}
        rows.append({
            "level": level,
            "steps": [{"step": s, "replaces": bool(s.variant) and s.number in common,
                       "required": actions.is_required(s)} for s in steps],
        })
    return render(request, "guides/editor/index.html", _context(
        draft=draft, rows=rows, guide_lang=draft.language,
    ))


@staff
@require_POST
def start(request):
    try:
        actions.start_draft(request.actor)
    except actions.NoPublishedGuide:
        messages.error(request, _("There is no published action guide to start from yet."))
    else:
        messages.success(request, _("You are now editing a draft. Nobody else sees it until "
                                    "you publish it."))
    return redirect("guides_editor:index")


def _edit(request, *, draft, obj, form_class, perform, success, template, form_kwargs=None,
          **extra):
    """The shared shape of the three text forms: show, validate, save through
    an action, and on a conflict keep the person's text and show what is saved."""
    form_kwargs = form_kwargs or {}
    initial = {"lock_version": draft.lock_version}
    initial |= {name: getattr(obj, name) for name, *_rest in form_class.texts}
    initial |= {f"{name}_other": getattr(obj, f"{name}_other") for name, *_rest in form_class.texts}
    initial |= extra.pop("initial", {})
    form = form_class(request.POST or None, guide=draft, initial=initial, **form_kwargs)
    saved_now = []
    if request.method == "POST" and form.is_valid():
        try:
            perform(form)
        except actions.DraftGone:
            return _gone(request)
        except actions.Conflict:
            _conflict_message(request)
            form = _rebind(form_class, request, draft, **form_kwargs)
            obj.refresh_from_db()
            saved_now = _saved_now(form, obj)
        else:
            messages.success(request, success)
            return redirect("guides_editor:index")
    return render(request, template, _context(
        draft=draft, form=form, saved_now=saved_now, guide_lang=draft.language, **extra,
    ))


@staff
def edit_guide(request):
    draft = _draft_or_404(request)
    return _edit(
        request, draft=draft, obj=draft, form_class=GuideForm,
        perform=lambda form: actions.update_guide(
            request.actor, draft, lock_version=form.cleaned_data["lock_version"],
            **form.texts_data()),
        success=_("The title and introduction have been saved."),
        template="guides/editor/guide_form.html",
    )


@staff
def edit_level(request, number):
    draft = _draft_or_404(request)
    level = get_object_or_404(Level.objects.filter(guide=draft), number=number)
    return _edit(
        request, draft=draft, obj=level, form_class=LevelForm,
        perform=lambda form: actions.update_level(
            request.actor, level, lock_version=form.cleaned_data["lock_version"],
            **form.texts_data()),
        success=_("Level %(number)s has been saved.") % {"number": level.number},
        template="guides/editor/level_form.html", level=level,
    )


def _draft_step(draft, pk) -> Step:
    return get_object_or_404(
        Step.objects.filter(level__guide=draft).select_related("level"), pk=pk
    )


def _tools(draft):
    return Tool.objects.filter(guide=draft).order_by("title")


@staff
def edit_step(request, pk):
    draft = _draft_or_404(request)
    step = _draft_step(draft, pk)
    return _edit(
        request, draft=draft, obj=step, form_class=StepForm,
        form_kwargs={"tools": _tools(draft)},
        initial={"tools": [t.pk for t in step.tools.all()]},
        perform=lambda form: actions.update_step(
            request.actor, step, lock_version=form.cleaned_data["lock_version"],
            tools=form.cleaned_data["tools"], **form.texts_data()),
        success=_("The step has been saved."),
        template="guides/editor/step_form.html", step=step, level=step.level,
        removable=not actions.is_required(step),
    )


@staff
def add_step(request, number):
    draft = _draft_or_404(request)
    level = get_object_or_404(
        Level.objects.filter(guide=draft).prefetch_related("steps"), number=number
    )
    kwargs = {"tools": _tools(draft), "level": level}
    initial = {"lock_version": draft.lock_version, "variant": Variant.COMMON,
               "number": max((s.number for s in level.steps.all()), default=0) + 1}
    form = NewStepForm(request.POST or None, guide=draft, initial=initial, **kwargs)
    saved_now = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_step(
                request.actor, level, lock_version=data["lock_version"],
                variant=data["variant"], number=data["number"], tools=data["tools"],
                **form.texts_data(),
            )
        except actions.DraftGone:
            return _gone(request)
        except actions.Conflict:
            _conflict_message(request)
            form = _rebind(NewStepForm, request, draft, **kwargs)
        except actions.StepNumberTaken:
            form.add_error("number", _("This level already has a step with this number for "
                                       "these services. Choose another number."))
        else:
            messages.success(request, _("The step has been added."))
            return redirect("guides_editor:index")
    return render(request, "guides/editor/step_form.html", _context(
        draft=draft, form=form, level=level, saved_now=saved_now, guide_lang=draft.language,
        adding=True,
    ))


class LockForm(forms.Form):
    lock_version = fields.VersionField()


@staff
def remove_step(request, pk):
    """Ask first; remove on POST."""
    draft = _draft_or_404(request)
    step = _draft_step(draft, pk)
    if actions.is_required(step):
        raise Http404
    form = LockForm(request.POST or None, initial={"lock_version": draft.lock_version})
    if request.method == "POST" and form.is_valid():
        try:
            actions.remove_step(request.actor, step,
                                lock_version=form.cleaned_data["lock_version"])
        except actions.DraftGone:
            return _gone(request)
        except actions.Conflict:
            messages.error(request, _("Someone else changed the draft in the meantime. "
                                      "Check the step and try again."))
            form = LockForm(initial={"lock_version": Guide.objects.get(pk=draft.pk).lock_version})
        else:
            messages.success(request, _("The step has been removed."))
            return redirect("guides_editor:index")
    return render(request, "guides/editor/step_remove.html", _context(
        draft=draft, step=step, level=step.level, form=form, guide_lang=draft.language,
    ))


@staff
@require_POST
def publish(request):
    draft = _draft_or_404(request)
    form = LockForm(request.POST)
    if not form.is_valid():
        messages.error(request, fields.OUT_OF_DATE)
        return redirect("guides_editor:index")
    try:
        version = actions.publish_draft(request.actor, draft,
                                        lock_version=form.cleaned_data["lock_version"])
    except actions.DraftGone:
        return _gone(request)
    except actions.Conflict:
        messages.error(request, _("Someone else changed the draft just now, so it was not "
                                  "published. Check the draft and publish again."))
        return redirect("guides_editor:index")
    messages.success(request, _("Version %(number)s of the action guide has been published. "
                                "New worries follow it from now on.") % {"number": version.number})
    return redirect("guides_editor:history")


@staff
def discard(request):
    """Ask first; discard on POST."""
    draft = _draft_or_404(request)
    form = LockForm(request.POST or None, initial={"lock_version": draft.lock_version})
    if request.method == "POST" and form.is_valid():
        try:
            actions.discard_draft(request.actor, draft,
                                  lock_version=form.cleaned_data["lock_version"])
        except actions.DraftGone:
            return _gone(request)
        except actions.Conflict:
            messages.error(request, _("Someone else changed the draft in the meantime. "
                                      "Check it, and discard it again if you still want to."))
            return redirect("guides_editor:index")
        messages.success(request, _("The draft has been discarded."))
        return redirect("guides_editor:index")
    return render(request, "guides/editor/discard.html", _context(draft=draft, form=form))


# --- history and differences ------------------------------------------------


def _versions(actor) -> tuple[list[Guide], Guide | None]:
    published = list(
        Guide.objects.filter(municipality=actor.municipality, status=Guide.Status.PUBLISHED)
        .select_related("published_by").order_by("-number", "-pk")
    )
    draft = actions.current_draft(actor)
    return published, draft


class CompareForm(forms.Form):
    fra = fields.ChoiceField(label=gettext_lazy("From version"))
    til = fields.ChoiceField(label=gettext_lazy("To version"))

    def __init__(self, *args, published, draft, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(g.number), _("Version %(number)s") % {"number": g.number})
                   for g in published if g.number is not None]
        if draft is not None:
            choices.insert(0, (DRAFT_KEY, _("The draft")))
        self.fields["fra"].choices = choices
        self.fields["til"].choices = choices


def _by_key(published, draft):
    versions = {str(g.number): g for g in published if g.number is not None}
    if draft is not None:
        versions[DRAFT_KEY] = draft
    return versions


def _default_pair(published, draft) -> dict:
    """The newest change: the draft against its base, else the two newest versions."""
    if draft is not None and draft.based_on_id:
        base = next((g for g in published if g.pk == draft.based_on_id), None)
        if base is not None:
            return {"fra": str(base.number), "til": DRAFT_KEY}
    if len(published) >= 2:
        return {"fra": str(published[1].number), "til": str(published[0].number)}
    return {}


@staff
def history(request):
    require_guide_editor(request.actor)
    published, draft = _versions(request.actor)
    rows = [{"version": g, "previous": published[i + 1] if i + 1 < len(published) else None}
            for i, g in enumerate(published)]
    page = Paginator(rows, 50).get_page(request.GET.get("side"))
    compare = CompareForm(published=published, draft=draft,
                          initial=_default_pair(published, draft))
    return render(request, "guides/editor/history.html", _context(
        page=page, draft=draft, compare=compare,
    ))


@staff
def compare(request):
    require_guide_editor(request.actor)
    published, draft = _versions(request.actor)
    params = request.GET if "fra" in request.GET else _default_pair(published, draft)
    form = CompareForm(params or None, published=published, draft=draft)
    changes, old, new = None, None, None
    if form.is_bound and form.is_valid():
        versions = _by_key(published, draft)
        old, new = versions[form.cleaned_data["fra"]], versions[form.cleaned_data["til"]]
        changes = diff.compare(old, new)
    return render(request, "guides/editor/compare.html", _context(
        compare=form, changes=changes, old=old, new=new, draft=draft,
    ))
