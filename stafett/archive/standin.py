"""A stand-in for the municipality's archive on the file drop, for the demo
and the tests: it answers each arkivmelding in the drop as a Noark archive
does, with a kvittering (XML per `…opprett.kvittering.xsd`) in the folder's
`kvittering.json`, numbering the cases it files. A real archive behind the
file drop writes the same; behind Fiks IO the archive answers by message.
"""

from __future__ import annotations

import json
import uuid

from django_scopes import scopes_disabled
from lxml import etree

from stafett.transport import filedrop

from . import case
from .delivery import FEIL_NS, KVITTERING_NS
from .models import ArchiveMessage

XSI = "http://www.w3.org/2001/XMLSchema-instance"


def kvittering_xml(message: ArchiveMessage, *, case_year: int, case_number: int,
                   error: str = "") -> bytes:
    """A receipt as an archive writes it (for the demo's receiver and the
    tests): the folder taken in (or refused, with `error`) and the
    registration."""
    k = f"{{{KVITTERING_NS}}}"
    root = etree.Element(f"{k}arkivmeldingKvittering", nsmap={None: KVITTERING_NS})
    if error:
        failed = etree.SubElement(root, f"{k}mappeFeilet")
        etree.SubElement(failed, f"{{{FEIL_NS}}}feilId").text = str(uuid.uuid4())
        etree.SubElement(failed, f"{{{FEIL_NS}}}feilmelding").text = error
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    xsi = XSI
    folder = etree.SubElement(root, f"{k}mappeKvittering", {f"{{{xsi}}}type": "saksmappeKvittering"})
    folder_sid = case.system_id(message.municipality.number, message.delivery.source,
                                message.delivery.source_id)
    etree.SubElement(folder, f"{k}systemID").text = folder_sid
    etree.SubElement(folder, f"{k}opprettetEllerEksisterende").text = "Opprettet"
    etree.SubElement(folder, f"{k}saksaar").text = str(case_year)
    etree.SubElement(folder, f"{k}sakssekvensnummer").text = str(case_number)
    post = etree.SubElement(root, f"{k}registreringKvittering",
                            {f"{{{xsi}}}type": "journalpostKvittering"})
    etree.SubElement(post, f"{k}systemID").text = str(message.registration_id)
    etree.SubElement(post, f"{k}opprettetEllerEksisterende").text = "Opprettet"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@scopes_disabled()
def answer_all(*, case_year: int, first_case_number: int = 1) -> int:
    """Answer every arkivmelding in the drop that has no receipt yet; one
    case number per folder. Returns how many messages were answered."""
    answered, numbers = 0, {}
    for message in (ArchiveMessage.objects.select_related("delivery", "municipality")
                    .order_by("pk")):
        folder = (filedrop.root() / "archive" / message.municipality.number
                  / str(message.message_id))
        if not folder.is_dir() or (folder / filedrop.RECEIPT).exists():
            continue
        number = numbers.setdefault(message.delivery_id, first_case_number + len(numbers))
        xml = kvittering_xml(message, case_year=case_year, case_number=number)
        (folder / filedrop.RECEIPT).write_text(json.dumps(
            {"outcome": "archived", "payload": {"kvittering": xml.decode("utf-8")}}),
            encoding="utf-8")
        answered += 1
    return answered
