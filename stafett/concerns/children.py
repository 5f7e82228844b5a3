"""One child, one record (docs/one-child.md).

`child_for` is the only way a `Child` row is found or created. It matches
- by national identity number (or D-number) when one is given;
- otherwise by the name's key (stafett.lib.names) and the date of birth, or
  the expected date for an unborn child.

The database holds the rule (partial unique constraints on Child), so two
people registering the same child at the same moment end with one row: the
loser's INSERT fails inside a savepoint and it reads the winner's row.

`merge_duplicates` folds rows from before matching into one, where the
identity number says they are the same child; the data migration and
`manage.py duplicate_children --merge` both use it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count
from django_scopes import scopes_disabled

from stafett.lib.names import name_key

from .models import Child

# Re-reading after a lost race needs one more round; more would mean the rule
# itself is broken, which must not be hidden by looping.
_ATTEMPTS = 3


def child_for(municipality, *, name: str, birth_date: dt.date | None = None,
              expected_date: dt.date | None = None, national_id: str = ""):
    """The one Child of `municipality` these facts describe, created if new.

    Must run inside a transaction (the actions' own). A child known without an
    identity number gets the number when someone registers it with one. The
    stored name is never changed by what is typed, and the caller must not show
    it: each case keeps the name its own author typed.
    """
    key = name_key(name)
    children = Child.objects.filter(municipality=municipality, duplicate_of__isnull=True)
    for _attempt in range(_ATTEMPTS):
        found = _find(children, key, birth_date, expected_date, national_id)
        if found is not None:
            return found
        try:
            with transaction.atomic():
                return Child.objects.create(
                    municipality=municipality, name=name, name_key=key, birth_date=birth_date,
                    expected_date=expected_date, national_id=national_id,
                )
        except IntegrityError:
            # Someone registered the same child a moment ago: read theirs.
            continue
    raise RuntimeError("no child found or created after repeated conflicts")


def _find(children, key, birth_date, expected_date, national_id):
    if national_id:
        found = children.filter(national_id=national_id).first()
        if found is not None:
            return found
        if birth_date is None:
            return None
        # Known by name and date without a number: this registration adds it.
        known = children.filter(national_id="", name_key=key, birth_date=birth_date).first()
        if known is None:
            return None
        try:
            with transaction.atomic():
                updated = type(known).objects.filter(pk=known.pk, national_id="").update(
                    national_id=national_id
                )
        except IntegrityError:
            return None  # the number was registered meanwhile: the caller reads again
        if not updated:
            return None
        known.national_id = national_id
        return known
    if birth_date is not None:
        by_date = children.filter(name_key=key, birth_date=birth_date)
    else:
        by_date = children.filter(name_key=key, expected_date=expected_date)
    found = by_date.filter(national_id="").first()
    if found is not None:
        return found
    # Typed without a number, but known with one: the same child if exactly one
    # child of that name and date has a number. Two with different numbers are
    # two children, and the name alone cannot say which.
    numbered = list(by_date.exclude(national_id="")[:2])
    return numbered[0] if len(numbered) == 1 else None


# --- merging rows from before matching -------------------------------------------


@dataclass
class MergeReport:
    # (municipality id, kept child id, merged child ids)
    merged: list[tuple[int, int, list[int]]] = field(default_factory=list)
    # (municipality id, child ids): one identity number, an open relay on more
    # than one row; left for a person to resolve.
    blocked: list[tuple[int, list[int]]] = field(default_factory=list)
    # (municipality id, child ids): the same name and date without a number;
    # perhaps one child, perhaps two, never merged automatically.
    set_aside: list[tuple[int, list[int]]] = field(default_factory=list)


def merge_children(models, kept_id: int, other_ids: list[int]) -> None:
    """Fold `other_ids` into `kept_id`: worries, relays and guardians move,
    the other rows go. `models` holds Child, Concern, Relay and Guardian (the
    live classes, or a migration's historical ones)."""
    Child, Concern, Relay, Guardian = models
    with scopes_disabled():
        for model in (Concern, Relay, Guardian):
            model.objects.filter(child_id__in=other_ids).update(child_id=kept_id)
        kept = Child.objects.get(pk=kept_id)
        others = Child.objects.filter(pk__in=other_ids)
        earlier = [i for ids in others.values_list("merged_ids", flat=True) for i in ids]
        kept.merged_ids = sorted(set(kept.merged_ids) | set(other_ids) | set(earlier))
        if not kept.national_id:
            kept.national_id = next(
                iter(others.exclude(national_id="").values_list("national_id", flat=True)), ""
            )
        kept.duplicate_of_id = None
        # Out of the uniqueness first (marked as the kept row's duplicates), so
        # that the kept row can hold the number alone; then they go.
        others.update(duplicate_of_id=kept_id)
        Child.objects.filter(duplicate_of_id__in=other_ids).update(duplicate_of_id=kept_id)
        Child.objects.filter(pk=kept_id).update(duplicate_of_id=None)
        others.delete()
        kept.save(update_fields=["merged_ids", "national_id", "duplicate_of"])


def open_relay_count(Relay, child_ids) -> int:
    return Relay.objects.filter(child_id__in=child_ids, status="open").count()


def merge_duplicates(models, merge=None) -> MergeReport:
    """Merge every group of rows of one municipality with the same identity
    number into the oldest, unless that would give the child two open relays:
    such a group is left as it is, its younger rows marked `duplicate_of` the
    oldest so the uniqueness holds and `duplicate_children` shows them.

    Rows without a number that share the name's key and date are never merged
    (a name is not proof); the younger ones are marked `duplicate_of` the
    oldest, for a person to check.
    """
    Child, _Concern, Relay, _Guardian = models
    merge = merge or (lambda kept, others: merge_children(models, kept, others))
    report = MergeReport()
    with scopes_disabled():
        groups = (
            Child.objects.exclude(national_id="").values("municipality_id", "national_id")
            .annotate(n=Count("pk")).filter(n__gt=1).order_by("municipality_id", "national_id")
        )
        for group in list(groups):
            ids = list(
                Child.objects.filter(municipality_id=group["municipality_id"],
                                     national_id=group["national_id"])
                .order_by("pk").values_list("pk", flat=True)
            )
            kept, others = ids[0], ids[1:]
            if open_relay_count(Relay, ids) > 1:
                Child.objects.filter(pk__in=others).update(duplicate_of_id=kept)
                report.blocked.append((group["municipality_id"], ids))
                continue
            merge(kept, others)
            report.merged.append((group["municipality_id"], kept, others))
        for date_field in ("birth_date", "expected_date"):
            groups = (
                Child.objects.filter(national_id="", duplicate_of__isnull=True,
                                     **{f"{date_field}__isnull": False})
                .values("municipality_id", "name_key", date_field)
                .annotate(n=Count("pk")).filter(n__gt=1)
                .order_by("municipality_id", "name_key", date_field)
            )
            for group in list(groups):
                ids = list(
                    Child.objects.filter(
                        municipality_id=group["municipality_id"], name_key=group["name_key"],
                        national_id="", duplicate_of__isnull=True,
                        **{date_field: group[date_field]},
                    ).order_by("pk").values_list("pk", flat=True)
                )
                Child.objects.filter(pk__in=ids[1:]).update(duplicate_of_id=ids[0])
                report.set_aside.append((group["municipality_id"], ids))
    return report
