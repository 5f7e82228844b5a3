"""The demo has one closed relay archived through the file drop: its folder
holds arkivmelding.xml (valid against the official schema) and the PDF/A,
the stand-in archive's receipt marks it archived, and the command prints
where the files are."""

from django.core.management import call_command
from django_scopes import scopes_disabled

from stafett.archive.models import ArchiveDelivery
from tests.archive.helpers import assert_valid


def test_the_demo_archives_one_closed_relay_through_the_file_drop(db, capsys, filedrop):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: nothing is archived twice
    out = capsys.readouterr().out
    with scopes_disabled():
        [delivery] = ArchiveDelivery.objects.filter(source="relay")
        assert delivery.status == ArchiveDelivery.Status.ARCHIVED
        # The worries the demo closed with a decision are archived too, once each.
        assert set(ArchiveDelivery.objects.values_list("status", flat=True)) == {"archived"}
        assert delivery.archive_reference
        messages = list(delivery.messages.all())
    assert len(messages) == 3  # the consent, the minutes, the closing summary
    base = filedrop / "archive" / "9901"
    assert f"{base}/<message id>/" in out
    for message in messages:
        folder = base / str(message.message_id)
        root = assert_valid((folder / "arkivmelding.xml").read_bytes())
        assert "Oskar Solberg" in root.findtext(
            "{https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1}mappe/"
            "{https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1}tittel")
        [pdf] = folder.glob("*.pdf")
        assert pdf.read_bytes().startswith(b"%PDF")


def test_every_arkivmelding_of_the_demo_validates(db, filedrop):
    call_command("seed_demo")
    files = list((filedrop / "archive").rglob("arkivmelding.xml"))
    with scopes_disabled():
        assert len(files) == sum(d.messages.count() for d in ArchiveDelivery.objects.all()) > 3
    for path in files:
        assert_valid(path.read_bytes())
