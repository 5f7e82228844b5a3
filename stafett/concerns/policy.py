"""Who may do what to a level-0 worry (ARCHITECTURE.md rules 2–4).

- Its author works on it while she is an active member of the worry's service
  (a teacher who moves to another school leaves her worries behind).
- Once shared, the leaders of its service see it, comment and take part in
  the decision.
- When the author has left the service (or her account is closed), the worry
  stays with the service: its leaders see it and reassign it.
- A BTI coordinator sees nothing by that role alone; nobody outside the
  municipality sees anything (the scope makes that structural).

Lists and pages both go through `visible_concerns`, so they cannot disagree;
`load_concern` answers 404 for missing and forbidden alike.
"""

from __future__ import annotations

from django.db import router
from django.db.models import Exists, OuterRef, Q, QuerySet

from stafett.access.actor import Actor, stand_in_actor
from stafett.access.rules import Forbidden, get_visible
from stafett.access.states import CONCERN
from stafett.lib.prepared import Columns, Prepared
from stafett.tenancy.models import Membership

from .models import Concern

AUTHOR_ACTIONS = frozenset(
    {"view", "define", "share", "talk", "comment", "decide", "close", "acute", "history"}
)
LEADER_ACTIONS = frozenset({"view", "talk", "comment", "decide", "close", "acute", "history"})
# A worry whose author has left: the leader keeps it going until it is reassigned.
ORPHAN_LEADER_ACTIONS = LEADER_ACTIONS | {"define", "share", "reassign"}


def author_active() -> Exists:
    """The author is still an active member of the worry's service."""
    return Exists(Membership.objects.filter(
        service_id=OuterRef("service_id"), user_id=OuterRef("author_id"), active=True,
        user__is_active=True,
    ))


def author_is_active(concern) -> bool:
    return Membership.objects.filter(
        service_id=concern.service_id, user_id=concern.author_id, active=True, user__is_active=True,
    ).exists()


def visible_concerns(actor: Actor) -> QuerySet:
    if not actor.is_staff_member:
        return Concern.objects.none()
    led = actor.led_service_ids
    return Concern.objects.filter(
        Q(author=actor.user, service_id__in=actor.service_ids)
        | Q(service_id__in=led, shared_at__isnull=False)
        | (Q(service_id__in=led) & ~author_active())
    )


def _own(user_id, service_ids) -> QuerySet:
    return Concern.objects.filter(author_id=user_id, service_id__in=service_ids)


_LISTED = Columns(Concern)
_VISIBLE_AMONG = Prepared(Concern, lambda user, employee_ids, led_ids, ids: (
    visible_concerns(stand_in_actor(user, employee_ids, led_ids)).filter(pk__in=ids)
    .values_list(*_LISTED.names)))


def visible_concerns_among(actor: Actor, ids) -> list:
    """The worries among `ids` that `actor` sees (`visible_concerns`), as
    one prepared statement: for a page that names worries found elsewhere."""
    if not actor.is_staff_member or not ids:
        return []
    led = actor.led_service_ids
    return _LISTED.instances(_VISIBLE_AMONG.rows(
        user=actor.user.pk, employee_ids=actor.service_ids - led, led_ids=led, ids=sorted(ids)))


def own_concerns(actor: Actor) -> QuerySet:
    """`visible_concerns(actor)` narrowed to the actor's own worries, without
    the leaders' branches: a service she leads is one she works in, so for her
    own worries they add nothing to the author's branch, and the list's page
    and count need not test every row for an active author."""
    if not actor.is_staff_member:
        return Concern.objects.none()
    return _own(actor.user.pk, actor.service_ids)


_OWN_IDS = Prepared(Concern, lambda user_id, service_ids, status: (
    _own(user_id, service_ids).filter(status=status).order_by("-last_activity_at", "-pk").values_list("pk")
), plan_each_time=False)  # the author's own, by the author's index


def own_concern_ids(actor: Actor, status: str) -> list[int]:
    """The ids of `own_concerns(actor)` with `status`, in the order of the
    list "My worries" (newest activity first): one prepared query."""
    if not actor.is_staff_member:
        return []
    return [pk for pk, in _OWN_IDS.rows(user_id=actor.user.pk, service_ids=sorted(actor.service_ids),
                                        status=status)]


def led_concerns(actor: Actor) -> QuerySet:
    """The leader's inbox: shared worries of the services she leads, and the
    worries their departed authors left behind (not her own unshared ones)."""
    led = actor.led_service_ids
    return visible_concerns(actor).filter(service_id__in=led).filter(
        Q(shared_at__isnull=False) | ~author_active()
    )


def concern_actions(actor: Actor, concern) -> frozenset[str]:
    """Everything `actor` may do to `concern` now."""
    if not actor.is_staff_member or concern.municipality_id != actor.municipality.pk:
        return frozenset()
    allowed: set[str] = set()
    if actor.is_user(concern.author_id) and actor.works_in(concern.service_id):
        allowed |= AUTHOR_ACTIONS
    if actor.leads(concern.service_id):
        if not author_is_active(concern):
            allowed |= ORPHAN_LEADER_ACTIONS
        elif concern.shared_at is not None:
            allowed |= LEADER_ACTIONS
    return frozenset(allowed) & CONCERN.actions(concern.status)


# What every page of a worry shows with it.
LOADED_WITH = ("child", "service", "author", "guide", "raised_by")
_LOADED = Columns(Concern, LOADED_WITH)
_ONE_VISIBLE = Prepared(Concern, lambda pk, user, employee_ids, led_ids: (
    visible_concerns(stand_in_actor(user, employee_ids, led_ids)).filter(pk=pk)
    .values_list(*_LOADED.names)), plan_each_time=False)  # one worry, by pk


def load_concern(actor: Actor, pk, action: str = "view", *, lock: bool = False):
    """The concern if `actor` may `action` it, else 404 — never 403. With
    `lock`, the row is locked and re-read first, so the check is made on what
    the action will change."""
    if not lock and isinstance(pk, int) and actor.is_staff_member:
        # The same statement, compiled once per process and shape.
        led = actor.led_service_ids
        rows = _ONE_VISIBLE.rows(pk=pk, user=actor.user.pk, employee_ids=actor.service_ids - led,
                                 led_ids=led)
        if not rows:
            raise Forbidden("missing")
        concern = _LOADED.instance(rows[0], router.db_for_read(Concern))
    else:
        queryset = visible_concerns(actor).select_related(*LOADED_WITH)
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        concern = get_visible(queryset, pk)
    if action not in concern_actions(actor, concern):
        raise Forbidden(action)
    return concern


def require_concern(actor: Actor, action: str, concern) -> None:
    if action not in concern_actions(actor, concern):
        raise Forbidden(action)
