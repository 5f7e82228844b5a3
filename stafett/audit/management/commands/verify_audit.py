from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from stafett.audit.log import verify_chain
from stafett.tenancy.models import Municipality


class Command(BaseCommand):
    help = ("Verify the audit trail (the sealed chain and the rows not sealed yet); "
            "name the first broken or missing row.")

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="municipality number (default: all)")

    def handle(self, *args, municipality=None, **options):
        with scopes_disabled():
            municipalities = Municipality.objects.order_by("number")
            if municipality:
                municipalities = municipalities.filter(number=municipality)
                if not municipalities:
                    raise CommandError(f"No municipality with number {municipality}.")
            broken = []
            for m in municipalities:
                result = verify_chain(m.pk)
                if result is None:
                    self.stdout.write(f"{m.number} {m.name}: intact")
                    continue
                event_id, seq, reason = result
                broken.append(m.number)
                where = (f"event id {event_id}, not sealed yet" if seq is None
                         else f"seq {seq} (event id {event_id})")
                self.stdout.write(f"{m.number} {m.name}: BROKEN at {where}: {reason}")
        if broken:
            raise CommandError(f"Audit trail broken in {', '.join(broken)}.")
