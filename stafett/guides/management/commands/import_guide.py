"""Read an action guide from a YAML file (docs/guide-format.md) into a
municipality's draft, for the BTI coordinator to review and publish.

    manage.py import_guide --municipality 9901 guide.yaml
    manage.py import_guide --municipality 9901 guide.yaml --publish

The whole file is checked first; on any problem every one is printed with its
line number, nothing is changed, and the command exits with status 1.
"""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from stafett.guides.loader import GuideFormatError, import_guide
from stafett.tenancy.models import Municipality


class Command(BaseCommand):
    help = "Import an action guide (handlingsveileder) from YAML as a municipality's draft."

    def add_arguments(self, parser):
        parser.add_argument(
            "--municipality", required=True, help="Municipality number, e.g. 9901."
        )
        parser.add_argument("file", help="The YAML file.")
        parser.add_argument(
            "--publish", action="store_true",
            help="Publish it at once as the next version instead of making it the draft.",
        )

    def handle(self, *args, municipality, file, publish=False, **options):
        try:
            place = Municipality.objects.get(number=municipality)
        except Municipality.DoesNotExist:
            raise CommandError(f"No municipality with number {municipality}.") from None
        try:
            with open(file, encoding="utf-8-sig") as handle:
                text = handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text.") from None
        with scope(municipality=place):
            try:
                guide = import_guide(place, text, as_draft=not publish, source=file)
            except GuideFormatError as exc:
                for problem in exc.problems:
                    self.stderr.write(f"{file}: {problem}")
                raise CommandError(
                    f"{len(exc.problems)} problem(s) in {file}; nothing was changed."
                ) from None
            steps = sum(level.steps.count() for level in guide.levels.all())
            tools = guide.tools.count()
        what = f"version {guide.number}" if publish else "the draft"
        self.stdout.write(self.style.SUCCESS(
            f"Imported “{guide.title}” for {place.name} as {what}: {steps} steps, "
            f"{tools} tools."
        ))
