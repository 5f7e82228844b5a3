"""Reports written the way the pages write them: through the form and the
actions."""

import json
from pathlib import Path

from django.conf import settings
from django_scopes import scope

from stafett.reports import actions, forms
from stafett.reports.document import validator_for

# The official schema, where the standards are kept beside the project
# (never the copy the app carries: a test compares those two).
STANDARDS = next(
    (p for p in [Path(settings.BASE_DIR).parent / "shared" / "standards",
                 Path("/work/shared/standards")] if p.exists()),
    None,
)
OFFICIAL = (STANDARDS / "fiks-bekymringsmelding" / "domain") if STANDARDS else None

FILLED = {
    "child_address": "Fjellveien 12", "child_postcode": "9990", "child_town": "Fjordvik",
    "child_told": "no", "child_why_not": "Barnet er fire år.",
    "guardian1_name": "Lene Strandvik", "guardian1_phone": "40 00 99 01", "guardian1_told": "yes",
    "guardian2_name": "Tor Strandvik", "guardian2_told": "no",
    "guardian2_why_not": "Mistanken gjelder far.",
    "reporter_role": "Pedagogisk leder", "reporter_phone": "40 00 10 11",
    "reporter_email": "kari@fjordvik.example",
    "service_address": "Solsikkeveien 1", "service_postcode": "9990", "service_town": "Fjordvik",
    "interpreter": "Nei",
}


def official_errors(document: dict) -> list[str]:
    """Errors against the OFFICIAL schema file (not the app's copy)."""
    assert OFFICIAL is not None, "the official standards folder is missing"
    validator = validator_for(OFFICIAL / "v2" / "offentlig.bekymringsmelding.v2.json",
                              OFFICIAL / "adresse.json")
    return [error.message for error in validator.iter_errors(document)]


def form_data(report, **changes) -> dict:
    data = {k: v for k, v in forms.initial_from(report.content, report.version).items()
            if v not in (None, False)}
    data |= FILLED | changes
    return {k: str(v) for k, v in data.items()}


def fill(actor, report, **changes):
    """Fill in a draft through the form, as the reporter does on the page
    (call inside the municipality's scope)."""
    form = forms.ReportForm(form_data(report, **changes))
    assert form.is_valid(), form.errors
    return actions.edit_report(actor, report, version=report.version,
                               content=form.content(report.service.name))


def write(world, concern, *, author=None, acute=False, **changes):
    """A draft written from `concern` and filled in through the form."""
    author = author or world.teacher
    with scope(municipality=world.fjordvik):
        actor = world.actor(author)
        report = actions.create_from_concern(actor, concern.pk, acute=acute)
        return fill(actor, report, **changes)


def submitted(world, concern, **kwargs):
    report = write(world, concern, **kwargs)
    with scope(municipality=world.fjordvik):
        return actions.submit_report(world.actor(world.teacher), report, version=report.version)


def approved(world, concern, **kwargs):
    report = submitted(world, concern, **kwargs)
    with scope(municipality=world.fjordvik):
        return actions.approve_report(world.actor(world.leader), report, version=report.version)


def sent_files(filedrop, report) -> dict[str, bytes]:
    folder = Path(filedrop) / "report" / report.municipality.number / str(report.message_id)
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.exists() else {}


def sent_document(filedrop, report) -> dict:
    return json.loads(sent_files(filedrop, report)["bekymringsmelding.json"])
