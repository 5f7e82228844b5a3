"""The report as the receiver gets it: KS Fiks "offentlig bekymringsmelding
v2" JSON, checked against the official JSON Schema, and a PDF/A of the same
content.

`content` (the report as the reporter filled it in) has this shape, one key
per field of the form:

    child:     name, national_id, unborn, address, postcode, town, phone, told, why_not
    guardians: [name, phone, told, why_not] (one or two)
    reporter:  name, role, phone, email
    service:   name, organisation_number, address, postcode, town
    observed, history, other_views, other_services, interpreter

The schema is a copy of KS's, unchanged (stafett/reports/schema; a test
compares it with the published one), because the app must check a report
wherever it runs.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from stafett.guides.pdf import ARCHIVE_VARIANT, render_pdf

MESSAGE_TYPE = "no.ks.fiks.bekymringsmelding.offentlig.v2"
JSON_NAME = "bekymringsmelding.json"
PDF_NAME = "bekymringsmelding.pdf"
# How the report reached the child welfare service, as KS names it.
DELIVERY_CHANNEL = "Fagsystem"

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
SCHEMA_FILE = SCHEMA_DIR / "v2" / "offentlig.bekymringsmelding.v2.json"
ADDRESS_FILE = SCHEMA_DIR / "adresse.json"
# Where the schema's "../adresse.json" resolves from its own $id.
ADDRESS_URI = "https://fiks.ks.no/adresse.json"


def validator_for(schema_file: Path = SCHEMA_FILE, address_file: Path = ADDRESS_FILE):
    """A draft 2019-09 validator of the schema, with the address schema
    registered where its relative reference points."""
    from jsonschema import Draft201909Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT201909

    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    address = json.loads(address_file.read_text(encoding="utf-8"))
    registry = Registry().with_resource(
        ADDRESS_URI, Resource.from_contents(address, default_specification=DRAFT201909))
    return Draft201909Validator(schema, registry=registry,
                                format_checker=Draft201909Validator.FORMAT_CHECKER)


@cache
def _validator():
    return validator_for()


def schema_errors(document: dict) -> list[str]:
    """Where the document breaks the official schema ("" for the top), one
    line per error; empty when it validates."""
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    return ["/".join(str(p) for p in error.absolute_path) or "/" for error in errors]


def _address(address: str, postcode: str, town: str) -> dict:
    return {"adresselinje1": address, "postnummer": postcode, "poststed": town}


def _told(person: dict) -> dict:
    told = bool(person.get("told"))
    return {"orientert": told, "orientertGrunn": "" if told else person.get("why_not", "")}


def build_document(report, content: dict, conf, sent_at) -> dict:
    """The KS Fiks JSON of `content` for `report` (its municipality), sent at
    `sent_at` from the municipality's district in `conf`."""
    child, reporter, service = content["child"], content["reporter"], content["service"]
    virksomhet = {
        "navn": service["name"],
        "adresse": _address(service["address"], service["postcode"], service["town"]),
    }
    if service.get("organisation_number"):
        virksomhet["orgnr"] = service["organisation_number"]
    barn = {
        "fnr": "" if child.get("unborn") else child.get("national_id", ""),
        "ufoedt": bool(child.get("unborn")),
        "personnavn": child["name"],
        "adresse": _address(child["address"], child["postcode"], child["town"]),
        **_told(child),
    }
    if child.get("phone"):
        barn["telefonnummer"] = child["phone"]
    foresatte = []
    for guardian in content.get("guardians", []):
        row = {"personnavn": guardian["name"], **_told(guardian)}
        if guardian.get("phone"):
            row["telefonnummer"] = guardian["phone"]
        foresatte.append(row)
    melding = {"melding": content["observed"], "historie": content["history"]}
    if content.get("other_views"):
        melding["andreSynspunkter"] = content["other_views"]
    return {
        "kommunenummer": report.municipality.number,
        "kommunenavn": report.municipality.name,
        "bydelsnummer": conf.district_number,
        "bydelsnavn": conf.district_name,
        "offentligMelder": {
            "personnavn": reporter["name"],
            "rolle": reporter["role"],
            "telefonnummer": reporter["phone"],
            "epost": reporter["email"],
            "virksomhet": virksomhet,
        },
        "offentligBarn": [barn],
        "foresatte": foresatte,
        "behovForTolk": content.get("interpreter", ""),
        "andreHjelpeinstanser": content.get("other_services", ""),
        "melding": melding,
        "sendingstidspunkt": timezone.localtime(sent_at).isoformat(timespec="seconds"),
        "leveringskanal": DELIVERY_CHANNEL,
    }


def checked_document(report, content, conf, sent_at) -> dict:
    """The document, or ValidationError naming what the receiver would refuse."""
    if not content["service"].get("organisation_number"):
        raise ValidationError(_(
            "The report cannot be sent: your service has no organisation number. "
            "Ask the BTI coordinator to enter it."))
    document = build_document(report, content, conf, sent_at)
    errors = schema_errors(document)
    if errors:
        raise ValidationError(
            _("The report does not meet the child welfare service's format, so it was not "
              "sent. Check these fields: %(fields)s") % {"fields": ", ".join(errors)})
    return document


def document_bytes(document: dict) -> bytes:
    """The file as sent: the same bytes for every retry (keys sorted, since
    PostgreSQL's jsonb keeps no order)."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def render_report_pdf(report, content: dict, document: dict) -> bytes:
    """The PDF/A of the same content, in bokmål (the receiver's language)."""
    with translation.override("nb"):
        return render_pdf("reports/report_pdf.html", {
            "report": report, "content": content, "document": document,
            "municipality": report.municipality, "pdf_lang": "nb",
        }, variant=ARCHIVE_VARIANT)
