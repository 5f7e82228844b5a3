"""Level-0 pages. Views load through the policy layer and write through
actions; none of them checks access or writes a row on its own."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stafett.access.views import staff
from stafett.audit.models import AuditEvent
from stafett.guides.loader import current_guide
from stafett.guides.models import Tool
from stafett.lib.forms import with_version
from stafett.lib.prepared import Columns, Prepared
from stafett.lib.rows import url_for_each
from stafett.tenancy.models import Service

from . import actions, forms
from .journey import CODES, days_idle, journey, level0_steps, next_step
from .models import AcuteContact, Comment, Concern, Conversation
from .policy import author_active, concern_actions, led_concerns, own_concern_ids

STEP_FORMS = {
    "define": forms.DefineForm,
    "share": forms.ShareForm,
    "talk": forms.ConversationForm,
    "decide": forms.DecisionForm,
    "close": forms.CloseForm,
}


def _page_query(related, with_author_active: bool):
    """The rows of a page of worries, by id: the concerns with `related`
    joined (the child's name and id are on the concern itself), whether each
    has a conversation, and for the leader's inbox whether its author is
    still active. Prepared: a list page pays for its SQL once per process."""
    columns = Columns(Concern, related)
    extra = ("has_conversation", "author_active") if with_author_active else ("has_conversation",)

    def build(ids):
        rows = Concern.objects.filter(pk__in=ids).annotate(
            has_conversation=Exists(Conversation.objects.filter(concern=OuterRef("pk"))))
        if with_author_active:
            rows = rows.annotate(author_active=author_active())
        return rows.values_list(*columns.names, *extra)

    prepared = Prepared(Concern, build)

    def load(ids):
        width, rows = len(columns.names), prepared.rows(ids=ids)
        concerns = columns.instances(row[:width] for row in rows)
        for concern, row in zip(concerns, rows, strict=True):
            for name, value in zip(extra, row[width:], strict=True):
                setattr(concern, name, value)
        return concerns

    return load


_MINE = _page_query(("service",), with_author_active=False)
_INBOX = _page_query(("service", "author"), with_author_active=True)


def _rows(request, ordered, load):
    """One page of concerns with their journey, audited as a list read.

    A constant number of queries whatever the page size: the page's ids
    (`ordered`: the policy's filter, run once), the page's rows (`load`),
    and the level-0 steps of every guide on the page in one query.
    """
    page = actions.list_concerns(request.actor, ordered, request.GET.get("side"), load=load)
    concerns = page.object_list
    steps = level0_steps(((c.guide_id, c.service.kind) for c in concerns), tools=False)
    # Links and labels once per page, not per row in the template.
    link, reassign = url_for_each("concerns:detail"), url_for_each("concerns:reassign")
    of_total = _("%(done)s of %(total)s")
    rows = []
    for concern in concerns:
        items = journey(
            concern, steps[(concern.guide_id, concern.service.kind)], concern.has_conversation
        )
        done, total = sum(item.done for item in items), len(items)
        rows.append({
            "concern": concern,
            "done": done,
            "total": total,
            "steps_done": of_total % {"done": done, "total": total},
            "next": next_step(items),
            "days_idle": days_idle(concern),
            "url": link(concern.pk),
            "reassign_url": reassign(concern.pk),
        })
    return page, rows


def _status(request) -> str:
    status = request.GET.get("status", "open")
    return status if status in ("open", "closed") else "open"


@staff
def mine(request):
    status = _status(request)
    page, rows = _rows(request, own_concern_ids(request.actor, status), _MINE)
    return render(request, "concerns/mine.html", {
        "page": page, "rows": rows, "status": status, "nav": "mine",
    })


@staff
def inbox(request):
    actor = request.actor
    if not actor.led_service_ids:
        raise Http404
    status = _status(request)
    ordered = led_concerns(actor).filter(status=status).order_by("-last_activity_at", "-pk")
    page, rows = _rows(request, ordered, _INBOX)
    return render(request, "concerns/inbox.html", {
        "page": page, "rows": rows, "status": status, "nav": "inbox",
    })


@staff
def new(request):
    actor = request.actor
    services = Service.objects.filter(pk__in=actor.service_ids).order_by("name")
    if not actor.service_ids:
        # A coordinator without a service has no children of her own to worry about here.
        raise Http404
    form = forms.NewConcernForm(request.POST or None, services=services)
    if request.method == "POST" and form.is_valid():
        concern = actions.create_concern(
            actor,
            service=form.cleaned_data["service"],
            child=form.child_fields(),
            observations=form.cleaned_data["observations"],
            questions=form.cleaned_data["questions"],
        )
        messages.success(request, _("The worry has been registered. Only you can see it until you share it with your leader."))
        return redirect("concerns:detail", pk=concern.pk)
    guide = current_guide()
    # The guide text beside the form, from the variant of the person's (first) service.
    first = services.first()
    kind = first.kind if first else ""
    guide_step = level0_steps([(guide.pk, kind)])[(guide.pk, kind)].get("define") if guide else None
    return render(request, "concerns/new.html", {
        "form": form, "guide_step": guide_step, "nav": "mine",
    })


def _parts_of(model, related: str):
    """What a worry's pages list of one kind of its parts (in the model's
    order) with the person in `related`: a prepared query."""
    columns = Columns(model, (related,))
    prepared = Prepared(model, lambda concern_id: (
        model.objects.filter(concern_id=concern_id).values_list(*columns.names)))
    return lambda concern: columns.instances(prepared.rows(concern_id=concern.pk))


_conversations = _parts_of(Conversation, "recorded_by")
_comments = _parts_of(Comment, "author")
_acute_contacts = _parts_of(AcuteContact, "recorded_by")


def _context(request, concern, allowed=None, **extra):
    """What every page of one worry shows: the journey and what the viewer may
    do (`allowed`, when the page has evaluated it already: for a leader, a query)."""
    conversations = _conversations(concern)
    key = (concern.guide_id, concern.service.kind)
    # The steps' tools are shown only on a step's own page (its guide box).
    steps = level0_steps([key], tools="code" in extra)[key]
    items = journey(concern, steps, bool(conversations))
    return {
        "concern": concern,
        "child": concern.child,
        "journey": items,
        "next": next_step(items),
        "allowed": concern_actions(request.actor, concern) if allowed is None else allowed,
        "conversations": conversations,
        "steps_by_code": steps,
        # The worry keeps its own guide version; the page says when a newer one exists.
        "newest_guide": current_guide(),
        "guide_step": steps.get(extra.get("code", "")),
        "nav": "inbox" if concern.author_id != request.user.pk else "mine",
        **extra,
    }


_TOOLS = Prepared(Tool, lambda guide_id: (
    Tool.objects.filter(guide_id=guide_id).order_by("title", "pk").values_list("key", "kind", "title")))


def _tool_links(concern) -> list[dict]:
    """The forms of the worry's guide to fill in from it, the consent form
    first: their titles and links, made once for the page."""
    page, pdf = url_for_each("concerns:tool", concern.pk), url_for_each("concerns:tool_pdf", concern.pk)
    tools = [{"title": title, "url": page(key), "pdf_url": pdf(key),
              "main": kind == Tool.Kind.CONSENT or key == "samtykkeskjema"}
             for key, kind, title in _TOOLS.rows(guide_id=concern.guide_id)]
    return sorted(tools, key=lambda tool: not tool["main"])


@staff
def detail(request, pk):
    concern = actions.read_concern(request.actor, pk)
    comments = _comments(concern)
    acute_contacts = _acute_contacts(concern)
    return render(request, "concerns/detail.html", _context(
        request, concern, comments=comments, acute_contacts=acute_contacts,
        comment_form=forms.CommentForm(), tools=_tool_links(concern),
    ))


@staff
def step(request, pk, code):
    if code not in CODES:
        raise Http404
    # Reading the page needs "view"; posting the form needs the step's own
    # action, checked before anything is read or recorded.
    concern = actions.read_concern(request.actor, pk, code if request.method == "POST" else "view")
    allowed = concern_actions(request.actor, concern)
    may_act = code in allowed
    form_class = STEP_FORMS[code]
    initial = {"version": concern.version}
    if code == "define":
        initial |= {"observations": concern.observations, "questions": concern.questions}
    elif code == "decide":
        initial |= {"outcome": concern.outcome, "reason": concern.outcome_reason}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                _perform(request.actor, concern, code, form.cleaned_data)
            except actions.Conflict:
                messages.error(request, _(
                    "Someone else changed this worry while you were writing. "
                    "Your text is still in the form: check the page and save again."
                ))
                form = form_class(with_version(request.POST, concern.version))
            else:
                messages.success(request, SUCCESS[code]())
                return redirect("concerns:detail", pk=concern.pk)
    return render(request, f"concerns/step_{code}.html", _context(
        request, concern, form=form, code=code, may_act=may_act, allowed=allowed,
    ))


SUCCESS = {
    "define": lambda: _("The description has been saved."),
    "share": lambda: _("The worry has been shared with your leader."),
    "talk": lambda: _("The conversation has been recorded."),
    "decide": lambda: _("The decision has been recorded."),
    "close": lambda: _("The worry has been closed."),
}


def _perform(actor, concern, code, data):
    if code == "define":
        actions.define_concern(actor, concern, version=data["version"],
                               observations=data["observations"], questions=data["questions"])
    elif code == "share":
        actions.share_concern(actor, concern, version=data["version"], message=data["message"])
    elif code == "talk":
        actions.record_conversation(actor, concern, held_on=data["held_on"],
                                    participants=data["participants"], summary=data["summary"],
                                    child_view=data["child_view"])
    elif code == "decide":
        actions.decide(actor, concern, version=data["version"], outcome=data["outcome"],
                       reason=data["reason"])
    elif code == "close":
        actions.close_concern(actor, concern, version=data["version"], reason=data["reason"])


@staff
@require_POST
def comment(request, pk):
    concern = actions.read_concern(request.actor, pk, "comment")
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        actions.add_comment(request.actor, concern, text=form.cleaned_data["text"])
        messages.success(request, _("Your comment has been added."))
    else:
        messages.error(request, _("Write a comment before you send it."))
    return redirect("concerns:detail", pk=concern.pk)


@staff
def acute(request, pk):
    concern = actions.read_concern(request.actor, pk, "acute")
    form = forms.AcuteContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.record_acute_contact(request.actor, concern, **form.cleaned_data)
        messages.success(request, _("The contact has been recorded."))
        return redirect("concerns:acute", pk=concern.pk)
    contacts = _acute_contacts(concern)
    return render(request, "concerns/acute.html", _context(
        request, concern, form=form, acute_contacts=contacts,
    ))


@staff
def reassign(request, pk):
    """A worry whose author has left the service: its leader gives it to
    someone who works there now."""
    actor = request.actor
    concern = actions.read_concern(actor, pk, "reassign")
    form = forms.ReassignForm(request.POST or None, service=concern.service,
                              exclude_user=concern.author)
    if request.method == "POST" and form.is_valid():
        to_user = form.cleaned_data["to"].user
        try:
            actions.reassign_concern(actor, concern, to_user=to_user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s is now responsible for the worry.")
                             % {"name": to_user.display_name})
            return redirect("concerns:inbox")
    return render(request, "concerns/reassign.html", _context(request, concern, form=form))


@staff
def history(request, pk):
    """Who has read and changed this worry: for its author and the leader."""
    concern = actions.read_concern(request.actor, pk, "history")
    events = (
        AuditEvent.objects.filter(object_type="concern", object_id=concern.pk)
        .select_related("actor")
        .order_by("-at", "-id")  # seq is set only once the sealer has chained the row
    )
    page = Paginator(events, 50).get_page(request.GET.get("side"))
    return render(request, "concerns/history.html", _context(request, concern, page=page))
