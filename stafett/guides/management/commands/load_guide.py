"""Load a shipped action-guide template for one municipality.

    manage.py load_guide --municipality 9901 --template national

Loading again creates a new guide, which becomes the current one; worries
already started keep the guide they were started under.
"""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from stafett.guides.loader import TEMPLATES, load_guide
from stafett.tenancy.models import Municipality


class Command(BaseCommand):
    help = "Load an action guide (handlingsveileder) template for a municipality."

    def add_arguments(self, parser):
        parser.add_argument(
            "--municipality", required=True, help="Municipality number, e.g. 9901."
        )
        parser.add_argument(
            "--template", required=True, choices=sorted(TEMPLATES), help="Which shipped guide."
        )

    def handle(self, *args, municipality, template, **options):
        try:
            place = Municipality.objects.get(number=municipality)
        except Municipality.DoesNotExist:
            raise CommandError(f"No municipality with number {municipality}.") from None
        with scope(municipality=place):
            try:
                guide = load_guide(place, template)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            steps = sum(level.steps.count() for level in guide.levels.all())
            tools = guide.tools.count()
        self.stdout.write(self.style.SUCCESS(
            f"Loaded “{guide.title}” for {place.name}: {steps} steps, {tools} tools "
            f"(guide id {guide.pk})."
        ))
