"""Write a municipality's action guide as a YAML file (docs/guide-format.md).

    manage.py export_guide --municipality 9901                 # the current version
    manage.py export_guide --municipality 9901 --version 3 -o guide.yaml
    manage.py export_guide --municipality 9901 --draft

The same guide always gives the same text, so files can be compared with diff.
"""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from stafett.guides.loader import current_guide, export_guide
from stafett.guides.models import Guide
from stafett.tenancy.models import Municipality


class Command(BaseCommand):
    help = "Export an action guide (handlingsveileder) of a municipality as YAML."

    def add_arguments(self, parser):
        parser.add_argument(
            "--municipality", required=True, help="Municipality number, e.g. 9901."
        )
        # --version N is the guide's version here, replacing Django's own --version.
        for container in (parser, parser._optionals):
            container.conflict_handler = "resolve"
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--version", type=int, help="A published version number (default: the newest)."
        )
        which.add_argument("--draft", action="store_true", help="The draft instead.")
        parser.add_argument(
            "-o", "--output", help="Write to this file instead of standard output."
        )

    def handle(self, *args, municipality, version=None, draft=False, output=None, **options):
        try:
            place = Municipality.objects.get(number=municipality)
        except Municipality.DoesNotExist:
            raise CommandError(f"No municipality with number {municipality}.") from None
        with scope(municipality=place):
            if draft:
                guide = Guide.objects.filter(status=Guide.Status.DRAFT).first()
                missing = f"{place.name} has no draft."
            elif version is not None:
                guide = Guide.objects.filter(
                    status=Guide.Status.PUBLISHED, number=version).first()
                missing = f"{place.name} has no published version {version}."
            else:
                guide = current_guide()
                missing = f"{place.name} has no published guide."
            if guide is None:
                raise CommandError(missing)
            text = export_guide(guide)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote “{guide.title}” to {output}.")
        else:
            self.stdout.write(text, ending="")
