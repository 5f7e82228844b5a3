"""The guide as a file in the browser: only the BTI coordinator downloads,
uploads and starts from a template; everyone else gets 404 (anonymous: the
login page); a broken upload lists its problems by line and changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stafett.guides.loader import available_templates, current_guide, export_guide
from stafett.guides.models import Guide, Level, Step, Tool

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "guide-example.yaml"
URLS = ("guides_io:import", "guides_io:export", "guides_io:from_template")


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"  # new strings are not translated yet
    return client


def coordinator(world) -> Client:
    return english(world.client_for(world.coordinator))


def counts():
    with scopes_disabled():
        return tuple(model.objects.count() for model in (Guide, Level, Step, Tool))


def upload(text: str | bytes, name: str = "veileder.yaml") -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="application/yaml")


def draft(world) -> Guide | None:
    with scope(municipality=world.fjordvik):
        return Guide.objects.filter(status=Guide.Status.DRAFT).first()


# --- who may ------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["teacher", "leader", "other_leader", "outsider"])
@pytest.mark.parametrize("name", URLS)
def test_everyone_but_the_coordinator_gets_404(world, person, name):
    client = world.client_for(getattr(world, person))
    before = counts()
    assert client.get(reverse(name)).status_code == 404
    data = {"lock_version": "0", "template": "national", "file": upload(EXAMPLE.read_text())}
    assert client.post(reverse(name), data).status_code == 404
    assert counts() == before


@pytest.mark.parametrize("name", URLS)
def test_anonymous_visitors_are_sent_to_log_in(world, name):
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- download -----------------------------------------------------------------------


def test_download_the_guide_in_force(world):
    response = coordinator(world).get(reverse("guides_io:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == \
        'attachment; filename="handlingsveileder-9901-v1.yaml"'
    with scope(municipality=world.fjordvik):
        assert response.content.decode("utf-8") == export_guide(current_guide())


def test_download_the_draft_or_a_version(world):
    client = coordinator(world)
    url = reverse("guides_io:export")
    assert client.get(url + "?versjon=utkast").status_code == 404  # no draft yet
    assert client.get(url + "?versjon=2").status_code == 404
    assert client.get(url + "?versjon=x").status_code == 404
    assert client.get(url + "?versjon=1").status_code == 200
    client.post(reverse("guides_io:from_template"), {"template": "stord", "lock_version": "0"})
    response = client.get(url + "?versjon=utkast")
    assert response.status_code == 200
    assert 'filename="handlingsveileder-9901-utkast.yaml"' in response["Content-Disposition"]
    assert "language: nn" in response.content.decode("utf-8")


# --- upload -------------------------------------------------------------------------


def test_the_upload_page(world):
    response = coordinator(world).get(reverse("guides_io:import"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1 and 'enctype="multipart/form-data"' in html
    assert re.search(r'<label for="id_file"[^>]*>', html) and 'type="file"' in html
    assert reverse("guides_io:export") in html and "style=" not in html
    assert 'name="replace"' not in html  # nothing to replace yet


def test_upload_a_valid_file_makes_the_draft(world):
    client = coordinator(world)
    response = client.post(reverse("guides_io:import"),
                           {"file": upload(EXAMPLE.read_text()), "lock_version": "0"})
    assert response.status_code == 302
    assert response["Location"] == reverse("guides_editor:index")
    new = draft(world)
    assert new.title == "Handlingsveileder for Eksempel kommune"
    assert new.created_by == world.coordinator
    page = client.get(response["Location"]).content.decode()
    assert "15 steps and 2 tools" in page


def test_a_broken_upload_lists_every_problem_by_line_and_changes_nothing(world):
    client = coordinator(world)
    client.post(reverse("guides_io:from_template"), {"template": "national", "lock_version": "0"})
    before = counts()
    old = draft(world)
    text = EXAMPLE.read_text().replace("language: nb", "language: sv").replace(
        "        title: Første møte", "        titel: Første møte")
    response = client.post(reverse("guides_io:import"), {
        "file": upload(text), "lock_version": str(old.lock_version), "replace": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert "<li>The file has 3 problems, so nothing was changed:</li>" in html
    assert "Correct the problems listed above, and upload the file again." in html
    assert re.search(r"<li>line \d+: guide: &#x27;language&#x27; must be nb", html)
    assert re.search(r"<li>line \d+: level 3, step 1: unknown key &#x27;titel&#x27; "
                     r"\(did you mean &#x27;title&#x27;\?\)</li>", html)
    assert counts() == before and draft(world).lock_version == old.lock_version


def test_replacing_a_draft_must_be_confirmed(world):
    client = coordinator(world)
    client.post(reverse("guides_io:from_template"), {"template": "stord", "lock_version": "0"})
    old = draft(world)
    assert 'name="replace"' in client.get(reverse("guides_io:import")).content.decode()
    data = {"file": upload(EXAMPLE.read_text()), "lock_version": str(old.lock_version)}
    response = client.post(reverse("guides_io:import"), data)
    assert response.status_code == 200
    assert "Confirm that the current draft may be replaced." in response.content.decode()
    assert draft(world).language == "nn"
    data = {"file": upload(EXAMPLE.read_text()), "lock_version": str(old.lock_version),
            "replace": "on"}
    assert client.post(reverse("guides_io:import"), data).status_code == 302
    new = draft(world)
    assert new.pk == old.pk and new.language == "nb"


def test_a_draft_changed_meanwhile_is_not_replaced(world):
    client = coordinator(world)
    client.post(reverse("guides_io:from_template"), {"template": "stord", "lock_version": "0"})
    old = draft(world)
    data = {"file": upload(EXAMPLE.read_text()), "lock_version": str(old.lock_version - 1),
            "replace": "on"}
    response = client.post(reverse("guides_io:import"), data, follow=True)
    assert "The draft was changed after you opened the page" in response.content.decode()
    assert draft(world).lock_version == old.lock_version and draft(world).language == "nn"


@pytest.mark.parametrize("content, message", [
    ("title: Bokmål".encode("latin-1"), "The file is not UTF-8 text."),
    (b"x" * 1_000_001, "The file is larger than 1 MB."),
    (b"", "The submitted file is empty."),
])
def test_files_that_are_not_guide_text(world, content, message):
    before = counts()
    response = coordinator(world).post(reverse("guides_io:import"),
                                       {"file": upload(content), "lock_version": "0"})
    assert response.status_code == 200 and message in response.content.decode()
    assert counts() == before


def test_no_file(world):
    response = coordinator(world).post(reverse("guides_io:import"), {"lock_version": "0"})
    assert "Choose the file to upload." in response.content.decode()


# --- start from a template ----------------------------------------------------------


def test_the_template_page_lists_the_templates(world):
    html = coordinator(world).get(reverse("guides_io:from_template")).content.decode()
    assert html.count("<h1") == 1 and html.count('type="radio"') == len(available_templates())
    for index, template in enumerate(available_templates()):
        assert f'id="id_template_{index}"' in html and f'value="{template["key"]}"' in html
        assert f'<label for="id_template_{index}">' in html


def test_start_from_a_template(world):
    client = coordinator(world)
    response = client.post(reverse("guides_io:from_template"),
                           {"template": "nittedal", "lock_version": "0"})
    assert response.status_code == 302
    new = draft(world)
    assert new.template == "nittedal" and new.created_by == world.coordinator
    with scope(municipality=world.fjordvik):
        assert Step.objects.filter(level__guide=new, variant="voksen", code="children").exists()
        assert current_guide().template == "national"  # nothing published


def test_an_unknown_template(world):
    before = counts()
    response = coordinator(world).post(reverse("guides_io:from_template"),
                                       {"template": "oslo", "lock_version": "0"})
    html = response.content.decode()
    assert response.status_code == 200 and "Choose one of the templates." in html
    assert 'href="#id_template_0"' in html
    assert counts() == before
