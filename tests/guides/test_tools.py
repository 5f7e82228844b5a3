"""The tool library for staff: blank forms, and forms filled in from a worry
for exactly those who may see the worry."""

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from stafett.audit.models import AuditEvent
from stafett.guides.loader import current_guide, load_guide
from stafett.guides.models import Tool
from stafett.guides.placeholders import BLANK
from tests.concerns.helpers import make_concern

CONSENT_BODY = (
    "## Samtykke til samarbeid\n\n"
    "Vi samtykker til at {service} i {municipality} samarbeider om {child}, "
    "født {child_birth_date}.\n\n"
    "- Kontaktperson: {employee}\n- Møte: {meeting_time}, {meeting_place}\n\n"
    "Dato: {today}\n\n"
    "Politi: {police_phone}. Barnevernet: {child_welfare_phone}.\n\n"
    "Ikke kode: {{ request }} {% load static %} <script>alert(1)</script>"
)


def give_bodies(municipality, bodies=None) -> None:
    """Give the current guide's tools these texts (known ones, whatever is shipped)."""
    bodies = bodies or {"samtykkeskjema": CONSENT_BODY}
    with scope(municipality=municipality):
        guide = current_guide()
        for key, body in bodies.items():
            Tool.objects.filter(guide=guide, key=key).update(body=body)


def _audit_count(concern):
    with scope(municipality=concern.municipality):
        return AuditEvent.objects.filter(object_type="concern", object_id=concern.pk).count()


def _main(response):
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


@pytest.fixture
def consent(world):
    give_bodies(world.fjordvik)
    return world


# --- The blank forms -----------------------------------------------------------


def test_blank_tool_page_fills_the_municipality_and_leaves_blanks(consent):
    world = consent
    response = world.client_for(world.teacher).get(
        reverse("guides_tools:tool", args=["samtykkeskjema"]))
    assert response.status_code == 200
    html = _main(response)
    assert "Fjordvik kommune" in html and "40 00 10 01" in html and "112" in html
    assert BLANK in html  # child, service, employee, date, meeting
    assert "Ella" not in html and "Kari" not in html
    assert '<h2 class="tool-text__heading">Samtykke til samarbeid</h2>' in html
    assert "<li>Kontaktperson: " + BLANK + "</li>" in html
    # Coordinator text is shown literally, escaped; never run as a template.
    assert "{{ request }}" in html and "{% load static %}" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert reverse("guides_tools:tool_pdf", args=["samtykkeskjema"]) in html
    assert 'media="print"' in response.content.decode()  # the print stylesheet
    assert response.context["tool"].guide == response.context["guide"]


def test_tool_without_a_text_shows_its_description(world):
    give_bodies(world.fjordvik, {"kartleggingsskjema": ""})
    response = world.client_for(world.teacher).get(
        reverse("guides_tools:tool", args=["kartleggingsskjema"]))
    assert response.status_code == 200
    tool = response.context["tool"]
    assert tool.body == "" and not response.context["tool_has_body"]
    assert tool.description[:40] in _main(response)


def test_tool_page_lists_the_steps_it_belongs_to(world):
    response = world.client_for(world.teacher).get(
        reverse("guides_tools:tool", args=["samtykkeskjema"]))
    html = _main(response)
    for level in (1, 2, 3):
        assert reverse("guides:step", args=[level, 1]) in html


def test_unknown_tool_is_404(world):
    client = world.client_for(world.teacher)
    assert client.get(reverse("guides_tools:tool", args=["finnes-ikke"])).status_code == 404
    assert client.get(reverse("guides_tools:tool_pdf", args=["finnes-ikke"])).status_code == 404


def test_each_municipality_gets_its_own_tool(consent):
    world = consent
    html = _main(world.client_for(world.outsider).get(
        reverse("guides_tools:tool", args=["samtykkeskjema"])))
    assert "Åsheim kommune" in html and "Fjordvik" not in html
    assert "Samtykke til samarbeid" not in html  # Fjordvik's text, not Åsheim's


def test_the_step_box_links_to_the_tool_page(world):
    # The form for a new worry shows the "define" step with its mapping form.
    html = world.client_for(world.teacher).get(reverse("concerns:new")).content.decode()
    assert reverse("guides_tools:tool", args=["kartleggingsskjema"]) in html


# --- Access ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["guides_tools:tool", "guides_tools:tool_pdf"])
def test_blank_tools_need_a_login(world, name):
    response = Client().get(reverse(name, args=["samtykkeskjema"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["concerns:tool", "concerns:tool_pdf"])
def test_anonymous_is_sent_to_login_for_a_filled_form(world, name):
    concern = make_concern(world, shared=True)
    response = Client().get(reverse(name, args=[concern.pk, "samtykkeskjema"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert _audit_count(concern) == 2  # create + share, no read


@pytest.mark.parametrize("name", ["concerns:tool", "concerns:tool_pdf"])
@pytest.mark.parametrize("who", ["teacher", "leader"])
def test_the_author_and_her_leader_get_the_filled_form(consent, name, who):
    world = consent
    concern = make_concern(world, shared=True)
    before = _audit_count(concern)
    response = world.client_for(getattr(world, who)).get(
        reverse(name, args=[concern.pk, "samtykkeskjema"]))
    assert response.status_code == 200
    assert _audit_count(concern) == before + 1  # exactly one read event
    with scope(municipality=world.fjordvik):
        event = AuditEvent.objects.filter(object_id=concern.pk).order_by("-id").first()
    assert event.action == "read" and event.actor == getattr(world, who)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["concerns:tool", "concerns:tool_pdf"])
@pytest.mark.parametrize("who", ["colleague", "other_employee", "other_leader", "coordinator",
                                 "outsider", "operator"])
def test_everyone_else_gets_404(consent, name, who):
    world = consent
    concern = make_concern(world, shared=True)
    before = _audit_count(concern)
    response = world.client_for(getattr(world, who)).get(
        reverse(name, args=[concern.pk, "samtykkeskjema"]))
    assert response.status_code in ((302, 404) if who == "operator" else (404,))
    assert _audit_count(concern) == before


def test_the_leader_cannot_see_a_worry_not_yet_shared(consent):
    world = consent
    concern = make_concern(world, shared=False)
    url = reverse("concerns:tool", args=[concern.pk, "samtykkeskjema"])
    assert world.client_for(world.leader).get(url).status_code == 404
    assert world.client_for(world.teacher).get(url).status_code == 200


def test_missing_worry_and_unknown_tool_are_404(consent):
    world = consent
    concern = make_concern(world)
    client = world.client_for(world.teacher)
    assert client.get(reverse("concerns:tool",
                              args=[concern.pk + 999, "samtykkeskjema"])).status_code == 404
    assert client.get(reverse("concerns:tool",
                              args=[concern.pk, "finnes-ikke"])).status_code == 404


# --- Filled in ------------------------------------------------------------------


def test_filled_form_shows_the_worry_values(consent):
    world = consent
    concern = make_concern(world, shared=True)
    response = world.client_for(world.leader).get(
        reverse("concerns:tool", args=[concern.pk, "samtykkeskjema"]))
    html = _main(response)
    birth = concern.child.birth_date.strftime("%d.%m.%Y")
    assert (f"Vi samtykker til at Solsikken barnehage i Fjordvik kommune samarbeider om "
            f"Ella Strandvik, født {birth}.") in html
    assert "Kontaktperson: Leif Styrersen" in html  # the person who prints it
    assert f"Møte: {BLANK}, {BLANK}" in html  # meetings come with the relay
    assert "{{ request }}" in html and "&lt;script&gt;" in html and "<script>" not in html
    assert reverse("concerns:tool_pdf", args=[concern.pk, "samtykkeskjema"]) in html
    assert reverse("concerns:detail", args=[concern.pk]) in html
    assert response.context["nav"] == "inbox"


def test_filled_form_uses_the_worrys_own_guide_version(consent):
    world = consent
    concern = make_concern(world, shared=True)
    # A new version is published after the worry was started, with a new consent text.
    with scope(municipality=world.fjordvik):
        load_guide(world.fjordvik, "national")
    give_bodies(world.fjordvik, {"samtykkeskjema": "Ny versjon for {child}."})
    client = world.client_for(world.teacher)
    filled = _main(client.get(
        reverse("concerns:tool", args=[concern.pk, "samtykkeskjema"])))
    assert "Vi samtykker til at Solsikken barnehage" in filled
    assert "Ny versjon" not in filled
    blank = _main(client.get(reverse("guides_tools:tool", args=["samtykkeskjema"])))
    assert f"Ny versjon for {BLANK}." in blank


def test_step_pages_of_a_worry_link_the_filled_forms(consent):
    world = consent
    concern = make_concern(world, shared=True)
    html = world.client_for(world.teacher).get(
        reverse("concerns:step", args=[concern.pk, "talk"])).content.decode()
    assert reverse("concerns:tool", args=[concern.pk, "samtaleguide-barn"]) in html


def test_the_worry_page_links_the_filled_consent_form_first(consent):
    world = consent
    concern = make_concern(world, shared=True)
    page = world.client_for(world.teacher).get(reverse("concerns:detail", args=[concern.pk]))
    html = page.content.decode()
    start = html.index('id="concern-tools-title"')
    html = html[start:html.index("</section>", start)]  # the section of forms
    consent_url = reverse("concerns:tool", args=[concern.pk, "samtykkeskjema"])
    other_url = reverse("concerns:tool", args=[concern.pk, "agenda"])
    assert consent_url in html and other_url in html
    assert html.index(consent_url) < html.index(other_url)
    assert reverse("concerns:tool_pdf", args=[concern.pk, "samtykkeskjema"]) in html
    assert "Ella" not in html  # links only, no child's data
    assert world.client_for(world.colleague).get(
        reverse("concerns:detail", args=[concern.pk])).status_code == 404


def test_filled_pdf_response(consent):
    world = consent
    concern = make_concern(world, shared=True)
    response = world.client_for(world.teacher).get(
        reverse("concerns:tool_pdf", args=[concern.pk, "samtykkeskjema"]))
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert f'filename="samtykkeskjema-{concern.pk}.pdf"' in disposition
    assert "Ella" not in disposition  # no child's name in a file name
    assert response.content.startswith(b"%PDF-")


def test_blank_pdf_response(world):
    response = world.client_for(world.teacher).get(
        reverse("guides_tools:tool_pdf", args=["agenda"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="agenda.pdf"'
    assert response.content.startswith(b"%PDF-")
