"""Small groups stay hidden: the rule on its own, and everything the results
publish for two waves — every reader's page, CSV and XLSX — read back as
strings and put into the independent LP auditor of tests/insights."""

import pytest
from django.urls import reverse

from stafett.surveys.results import hidden_groups
from tests.conftest import nb
from tests.insights.auditor import Auditor, assert_unnarrowable
from tests.insights.published import csv_grids, page_grids, xlsx_grids


@pytest.mark.parametrize(("counts", "hidden", "municipality"), [
    ({1: 7, 2: 6}, set(), True),
    ({1: 7, 2: 3, 3: 6, 4: 2}, {2, 4}, True),  # hidden together 5
    ({1: 6, 2: 4, 3: 5, 4: 0}, {2, 3}, True),  # 4 alone would be the difference
    ({1: 4}, {1}, False),  # fewer than five in all
    ({1: 1, 2: 1, 3: 1, 4: 1, 5: 1}, {1, 2, 3, 4, 5}, False),  # five hidden of one each: sizes exact
    ({1: 9, 2: 1}, {1, 2}, True),
])
def test_the_rule(counts, hidden, municipality):
    assert hidden_groups(counts) == (hidden, municipality)


def test_never_a_shown_group_or_a_difference_of_one_to_four():
    """Every way of splitting up to 30 respondents over four services."""
    import itertools

    for counts in itertools.product(range(0, 9), repeat=4):
        groups = dict(enumerate(counts))
        hidden, municipality = hidden_groups(groups)
        shown = [n for s, n in groups.items() if s not in hidden]
        assert all(n == 0 or n >= 5 for n in shown)
        if municipality:
            rest = sum(groups.values()) - sum(shown)
            assert rest == 0 or rest >= 5
            assert sum(groups.values()) >= 5


HIDDEN = "skjult"


def _label_to_atoms(labels_by_wave, wave, label, municipality):
    if label == municipality:
        return {("n", wave, s) for s in labels_by_wave[wave]}
    return {("n", wave, label)}


def _publish(auditor, grids, wave_titles, labels_by_wave, municipality, where):
    """Respondent counts only: the respondents table, and each question
    table's respondents column (the same numbers)."""
    for grid in grids:
        if grid.key == "respondents":
            for label, row in zip(grid.labels, grid.cells, strict=True):
                for title, text in zip(wave_titles, row, strict=True):
                    text = ":" if text == HIDDEN else text
                    auditor.publish(text, _label_to_atoms(labels_by_wave, title, label, municipality),
                                    f"{where}:{label}:{title}")
        elif grid.key.startswith("q") and grid.cells:
            for label, row in zip(grid.labels, grid.cells, strict=True):
                title, text = row[0], row[1]
                text = ":" if text == HIDDEN else text
                auditor.publish(text, _label_to_atoms(labels_by_wave, title, label, municipality),
                                f"{where}:{grid.key}:{label}:{title}")


def _everything(world, two_waves):
    """An auditor with every respondent count published for the two waves."""
    auditor = Auditor()
    services = [world.kindergarten, world.school, world.health_station, world.adult_service]
    labels_by_wave = {"Kartlegging 2025": [s.name for s in services],
                      "Kartlegging 2026": [s.name for s in services]}
    municipality = nb("The whole municipality")
    pages = 0
    for reader in two_waves["readers"]:
        client = world.client_for(reader)
        for key, titles in (("baseline", ["Kartlegging 2025"]), ("repeat", ["Kartlegging 2026", "Kartlegging 2025"])):
            wave = two_waves[key]
            html = client.get(reverse("surveys:results", args=[wave.pk])).content.decode()
            grids, _periods = page_grids(html)
            assert grids, f"{reader.username} sees no tables for {key}"
            _publish(auditor, grids, titles, labels_by_wave, municipality, f"{reader.username}:{key}:page")
            keys = [g.key for g in grids if g.cells or g.key == "respondents"]
            text = client.get(reverse("surveys:results_csv", args=[wave.pk])).getvalue().decode()
            _publish(auditor, csv_grids(text, keys), titles, labels_by_wave, municipality,
                     f"{reader.username}:{key}:csv")
            content = client.get(reverse("surveys:results_xlsx", args=[wave.pk])).getvalue()
            _publish(auditor, xlsx_grids(content), titles, labels_by_wave, municipality,
                     f"{reader.username}:{key}:xlsx")
            pages += 1
    return auditor, pages


def test_everything_published_for_two_waves_passes_the_auditor(world, two_waves):
    auditor, pages = _everything(world, two_waves)
    assert pages == 8
    hidden = [c for c in auditor.cells if c.text == ":"]
    assert hidden, "the fixture has hidden groups"
    assert_unnarrowable(auditor)
    assert_unnarrowable(auditor, integer=True)


def test_the_auditor_catches_hiding_only_the_small_groups(world, two_waves):
    """The same figures with only the 1–4 groups hidden (no further hiding):
    the repeat's school (4) is the municipality minus the shown services."""
    auditor = Auditor()
    wave = "Kartlegging 2026"
    services = {"bhg": 6, "skole": 4, "helse": 5, "voksen": 0}
    for name, n in services.items():
        auditor.publish(":" if 0 < n < 5 else str(n), {("n", wave, name)}, name)
    auditor.publish(str(sum(services.values())), {("n", wave, s) for s in services}, "all")
    assert auditor.narrowed()


def test_leaders_see_their_services_and_the_municipality_only(world, two_waves):
    html = world.client_for(world.leader).get(
        reverse("surveys:results", args=[two_waves["baseline"].pk])).content.decode()
    grids, _ = page_grids(html)
    respondents = next(g for g in grids if g.key == "respondents")
    assert respondents.labels == [world.kindergarten.name, nb("The whole municipality")]
    assert respondents.cells == [["7"], ["18"]]
    # Lise leads the school: hidden in both waves.
    html = world.client_for(world.other_leader).get(
        reverse("surveys:results", args=[two_waves["repeat"].pk])).content.decode()
    respondents = next(g for g in page_grids(html)[0] if g.key == "respondents")
    assert respondents.cells == [[HIDDEN, HIDDEN], ["15", "18"]]
    # Employees and other municipalities: nothing.
    for user in (world.teacher, world.colleague, world.outsider):
        assert world.client_for(user).get(
            reverse("surveys:results", args=[two_waves["baseline"].pk])).status_code == 404


def test_free_texts_only_for_the_municipality_and_at_least_five(world, two_waves):
    html = world.client_for(world.coordinator).get(
        reverse("surveys:results", args=[two_waves["baseline"].pk])).content.decode()
    # 18 texts per free-text question, in no service's name and shuffled.
    assert html.count("Tekst fra kindergarten nummer 0.") == 2
    assert "Tekst fra adult_service nummer 1." in html
    first = [line for line in html.splitlines() if "Tekst fra" in line]
    orders = {tuple(first)}
    for _ in range(3):
        again = world.client_for(world.coordinator).get(
            reverse("surveys:results", args=[two_waves["baseline"].pk])).content.decode()
        orders.add(tuple(line for line in again.splitlines() if "Tekst fra" in line))
    assert len(orders) > 1
    # The repeat's texts: the fixture wrote the default text 15 times, shown.
    html = world.client_for(world.coordinator).get(
        reverse("surveys:results", args=[two_waves["repeat"].pk])).content.decode()
    assert html.count("Mer tid til samarbeid.") == 30
