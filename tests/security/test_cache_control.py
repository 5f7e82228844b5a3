"""No browser cache or proxy keeps a child's data: every response to a
logged-in person, and every response but the public guide's, says
`Cache-Control: no-store, private`."""

from django.test import Client
from django.urls import reverse


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def _assert_no_store(response):
    assert {"no-store", "private"} <= _directives(response), response.get("Cache-Control")


def test_pages_with_a_childs_data_are_not_stored(scene):
    w = scene.world
    teacher, nurse = w.client_for(w.teacher), w.client_for(w.health_nurse)
    pages = [
        (teacher, reverse("concerns:detail", args=[scene.concern.pk])),  # a worry
        (nurse, reverse("relay:detail", args=[scene.relay.pk])),  # a relay
        (nurse, reverse("relay:pdf", args=[scene.relay.pk])),  # the whole log as a PDF
        (nurse, reverse("relay:mine")),  # a list
        (teacher, reverse("concerns:mine")),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_no_store(response)
    assert "public" not in _directives(client.get(reverse("relay:pdf", args=[scene.relay.pk])))


def test_refusals_redirects_and_form_errors_are_not_stored_either(scene):
    w = scene.world
    olav = w.client_for(w.other_employee)  # the school, not in the worry
    _assert_no_store(olav.get(reverse("concerns:detail", args=[scene.concern.pk])))  # 404
    teacher = w.client_for(w.teacher)
    response = teacher.post(reverse("concerns:new"), {"child_name": "Ola"})
    assert response.status_code == 200
    _assert_no_store(response)
    _assert_no_store(Client().get(reverse("relay:mine")))  # to the login page
    _assert_no_store(Client().get(reverse("accounts:login")))


def test_the_public_guide_and_static_files_may_be_cached(scene):
    w = scene.world
    url = reverse("guides_public:overview", kwargs={"municipality_number": w.fjordvik.number})
    anonymous = Client().get(url)
    assert anonymous.status_code == 200
    assert "no-store" not in _directives(anonymous)
    # A logged-in person's request may carry their data in the page frame.
    _assert_no_store(w.client_for(w.teacher).get(url))
    static = Client().get("/static/css/stafett.css")
    assert static.status_code == 200
    assert "no-store" not in _directives(static)
