"""Refresh the leadership view's snapshot now, in this process: every
municipality, or those named by number.

    manage.py refresh_insights                 every municipality
    manage.py refresh_insights 0301 4601       these municipalities
"""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from stafett.insights import snapshot
from stafett.tenancy.models import Municipality


class Command(BaseCommand):
    help = "Recompute the leadership view's figures (the snapshot) now."

    def add_arguments(self, parser):
        parser.add_argument("numbers", nargs="*", help="Municipality numbers (default: all).")

    def handle(self, *args, numbers=(), **options):
        only = None
        if numbers:
            with scopes_disabled():
                found = dict(Municipality.objects.filter(number__in=numbers).values_list("number", "pk"))
            missing = sorted(set(numbers) - set(found))
            if missing:
                raise CommandError(f"no municipality numbered {', '.join(missing)}")
            only = list(found.values())
        result = snapshot.refresh_all(only, skip_fresh=False)
        self.stdout.write(f"refreshed the leadership view of {result['municipalities']} municipalities")
        if result.get("failed"):
            raise CommandError(f"refreshing failed for {', '.join(result['failed'])} (see the log)")
