"""List the children that may be recorded twice, by ids only, per municipality;
merge them where that is safe (docs/one-child.md).

Three kinds, none of which the app resolves on its own:
- the same identity number on several rows, each with an open relay: merging
  would give the child two open relays, so a person must first have one of
  them closed (the family and both holders decide which goes on);
- the same name and date without a number: perhaps one child, perhaps two;
- a row without a number with the same name and date as a row with one.

`--merge` merges every group of the first kind that has become safe (at most
one open relay left). `--merge-child ID --into ID` merges one row into another
after a person has checked that they are the same child. Both audit every
worry and relay that moves.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django_scopes import scopes_disabled

from stafett.concerns.children import (
    merge_duplicates,
    open_relay_count,
)
from stafett.concerns.models import Child
from stafett.relay.children import live_models, merge_and_audit
from stafett.relay.models import Relay
from stafett.tenancy.models import Municipality


class Command(BaseCommand):
    help = "List children that may be recorded twice (ids only); merge where it is safe."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="municipality number (default: all)")
        parser.add_argument("--merge", action="store_true",
                            help="merge rows with one identity number where at most one open relay is left")
        parser.add_argument("--merge-child", type=int, metavar="ID",
                            help="merge this child row (checked by a person to be the same child) ...")
        parser.add_argument("--into", type=int, metavar="ID", help="... into this one")

    def handle(self, *args, municipality=None, merge=False, merge_child=None, into=None, **options):
        with scopes_disabled():
            municipalities = Municipality.objects.order_by("number")
            if municipality:
                municipalities = municipalities.filter(number=municipality)
                if not municipalities:
                    raise CommandError(f"No municipality with number {municipality}.")
            if (merge_child is None) != (into is None):
                raise CommandError("Give both --merge-child and --into.")
            if merge_child is not None:
                self._merge_one(merge_child, into)
            if merge:
                with transaction.atomic():
                    report = merge_duplicates(live_models(), merge=merge_and_audit)
                for municipality_id, kept, others in report.merged:
                    self.stdout.write(f"merged {', '.join(map(str, others))} into {kept} "
                                      f"(municipality id {municipality_id})")
                if not report.merged:
                    self.stdout.write("Nothing could be merged.")
            for m in municipalities:
                self._list(m)

    def _merge_one(self, other_id, kept_id):
        rows = {c.pk: c for c in Child.objects.filter(pk__in=[other_id, kept_id])}
        if other_id == kept_id or len(rows) != 2:
            raise CommandError("Give two different existing child ids.")
        other, kept = rows[other_id], rows[kept_id]
        if other.municipality_id != kept.municipality_id:
            raise CommandError("The two rows belong to different municipalities.")
        if other.national_id and kept.national_id and other.national_id != kept.national_id:
            raise CommandError("The two rows have different identity numbers: two children.")
        if open_relay_count(Relay, [other_id, kept_id]) > 1:
            raise CommandError(
                "Both rows have an open relay. Have one of them closed first, then merge."
            )
        merge_and_audit(kept_id, [other_id])
        self.stdout.write(f"merged {other_id} into {kept_id}")

    def _list(self, municipality):
        children = Child.objects.filter(municipality=municipality)
        same_number = (
            children.exclude(national_id="").values("national_id").annotate(n=Count("pk"))
            .filter(n__gt=1).values_list("national_id", flat=True)
        )
        lines = []
        for national_id in same_number:
            ids = list(children.filter(national_id=national_id).order_by("pk")
                       .values_list("pk", flat=True))
            relays = list(Relay.objects.filter(child_id__in=ids, status="open").order_by("pk")
                          .values_list("pk", flat=True))
            lines.append(f"  same identity number, not merged: children {_ids(ids)}; "
                         f"open relays {_ids(relays)}")
        for kept in children.filter(national_id="", duplicates__isnull=False).distinct().order_by("pk"):
            ids = [kept.pk, *kept.duplicates.order_by("pk").values_list("pk", flat=True)]
            lines.append(f"  same name and date, no identity number: children {_ids(ids)}")
        numbered = children.exclude(national_id="").filter(duplicate_of__isnull=True)
        like_numbered = children.filter(national_id="", duplicate_of__isnull=True).filter(
            Exists(numbered.filter(name_key=OuterRef("name_key"), birth_date=OuterRef("birth_date")))
        ).order_by("pk")
        for child in like_numbered:
            match = list(numbered.filter(name_key=child.name_key, birth_date=child.birth_date)
                         .order_by("pk").values_list("pk", flat=True))
            lines.append(f"  without a number, same name and date as {_ids(match)}: child {child.pk}")
        header = f"{municipality.number} {municipality.name}:"
        self.stdout.write(header + (" none" if not lines else ""))
        for line in lines:
            self.stdout.write(line)


def _ids(ids) -> str:
    return ", ".join(map(str, ids)) or "none"
