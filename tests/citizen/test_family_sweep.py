"""The family ACCESS sweep: every route of the `citizen` namespace, found in
the URL conf (so a family page added later is covered without touching this
file, as long as its URL keywords are in KWARGS), asked by the one family
member it is for and by everyone who must be refused.

- The entitled family member (Frida, Mia's mother) gets the page (200), or
  for a route that only takes POST, an answer that is not an error.
- Each of these gets 404, GET and POST, and no audit row is written: a
  guardian of another child (Åse for Mia's relay), a guardian without
  parental responsibility (Unni), a young person under the consent age
  (Tobias, for his own relay), a young person for a relay not hers (Ylva), a
  person who is nobody's guardian (Nils), a family of the other municipality
  (Frida for Åsheim's relay, Åse for Fjordvik's), and staff (Helga, who holds
  Mia's relay, and Per of Åsheim). A route without a relay in its address has
  nothing to refuse to a citizen (their own list, their own settings): only
  staff are refused there.
- Anonymous is sent to the family login (ID-porten), GET and POST.
- The guardian an entry is withheld from (Geir) never sees its text, its
  correction or the reason on any family page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.access.views import FAMILY_LOGIN
from stafett.audit.models import AuditEvent
from stafett.relay import actions
from stafett.relay.models import ConsentProposal

WITHHELD_TEXT = "Samtale med mor alene om tryggheten hjemme."
WITHHELD_CORRECTION = "Rettet: samtale med mor alene om tryggheten hjemme og på skolen."
WITHHELD_REASON = "Mistanke om vold fra far"

# How to fill a family route's URL keywords, given the relay the request is
# about. A family page whose address has another keyword fails the sweep
# until it is added here (with an object of that relay from the fixture).
def _proposal(family, relay) -> int:
    """A consent waiting for the family's signatures on `relay`, as the holder's
    "ask the family to consent digitally" leaves it."""
    with scope(municipality=relay.municipality_id):
        proposal = relay.consent_proposals.filter(status=ConsentProposal.Status.PENDING).first()
        if proposal is None:
            proposal = ConsentProposal.objects.create(
                municipality_id=relay.municipality_id, relay=relay, kind=ConsentProposal.Kind.RENEW,
                purpose="Samarbeid om trivsel.", valid_until=dt.date.today() + dt.timedelta(days=300),
                proposed_by=relay.holder, proposed_at=timezone.now(),
            )
            proposal.services.set([relay.holder_service_id])
    return proposal.pk


KWARGS = {
    "pk": lambda family, relay: relay.pk,
    "relay_pk": lambda family, relay: relay.pk,
    "proposal_pk": _proposal,
}


@dataclass(frozen=True)
class Route:
    name: str
    keywords: tuple[str, ...]

    @property
    def about_a_relay(self) -> bool:
        return bool(self.keywords)

    def path(self, family, relay) -> str:
        return reverse(f"citizen:{self.name}",
                       kwargs={key: KWARGS[key](family, relay) for key in self.keywords})


def _patterns(resolver: URLResolver, names: tuple[str, ...] = (), keywords: tuple[str, ...] = ()):
    """Every named route under `resolver`, with its namespaces and the URL
    keywords of the includes above it."""
    for entry in resolver.url_patterns:
        found = keywords + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = names + ((entry.namespace,) if entry.namespace else ())
            yield from _patterns(entry, inner, found)
        elif isinstance(entry, URLPattern) and entry.name:
            yield ":".join((*names, entry.name)), found


def family_routes() -> list[Route]:
    _prefix, resolver = get_resolver().namespace_dict["citizen"]
    return sorted({Route(name, keywords) for name, keywords in _patterns(resolver)},
                  key=lambda r: r.name)


ROUTES = family_routes()


def test_the_sweep_can_fill_every_family_route():
    assert ROUTES, "no route in the citizen namespace"
    unknown = {(r.name, key) for r in ROUTES for key in r.keywords if key not in KWARGS}
    assert not unknown, (
        f"family routes with URL keywords the sweep cannot fill: {sorted(unknown)}; "
        "add them to KWARGS in tests/citizen/test_family_sweep.py"
    )


def _audit_rows() -> int:
    with scopes_disabled():
        return AuditEvent.objects.count()


def _ask(client, method: str, path: str):
    return client.get(path) if method == "get" else client.post(path, {})


@pytest.fixture
def corrected(family, world):
    """The note withheld from Geir, corrected: the correction is withheld too."""
    with scope(municipality=world.fjordvik):
        actions.correct_entry(world.actor(world.health_nurse), family.withheld_note,
                              text=WITHHELD_CORRECTION)
    return family


def _refused(family, world, route: Route) -> list[tuple[str, object, object]]:
    """(who, user, the relay the request is about) for everyone who must get 404."""
    staff = [("Helga, who holds Mia's relay", world.health_nurse, family.mia_relay),
             ("Per of Åsheim", world.outsider, family.mia_relay)]
    if not route.about_a_relay:
        return staff
    return staff + [
        ("Åse, a guardian of another child, in the other municipality", family.ase, family.mia_relay),
        ("Unni, without parental responsibility", family.unni, family.mia_relay),
        ("Tobias, under the consent age, for his own relay", family.tobias, family.tobias_relay),
        ("Ylva, a young person, for a relay not hers", family.ylva, family.mia_relay),
        ("Nils, nobody's guardian", family.nils, family.mia_relay),
        ("Frida, for a relay of the other municipality", family.frida, family.asheim_relay),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_every_family_route_answers_its_own_and_refuses_everyone_else(route, world, corrected):
    family = corrected
    if any(key not in KWARGS for key in route.keywords):
        pytest.fail(f"citizen:{route.name} has URL keywords the sweep cannot fill: {route.keywords}")
    mia_path = route.path(family, family.mia_relay)

    # The entitled family member.
    frida = family.client_for(family.frida)
    response = frida.get(mia_path)
    post_only = response.status_code == 405
    if post_only:
        response = frida.post(mia_path, {})
        assert response.status_code in (200, 302, 303), (route.name, response.status_code)
    else:
        assert response.status_code == 200, (route.name, response.status_code)
        assert "no-store" in response["Cache-Control"]

    # Everyone who must be refused: 404 and nothing recorded.
    for who, user, relay in _refused(family, world, route):
        client = (family if user.is_citizen else world).client_for(user)
        path = route.path(family, relay)
        for method in ("get", "post"):
            before = _audit_rows()
            response = _ask(client, method, path)
            expected = (404, 405) if method == "get" and post_only and user.is_citizen else (404,)
            assert response.status_code in expected, (route.name, method, who, response.status_code)
            assert _audit_rows() == before, (route.name, method, who, "an audit row was written")

    # Anonymous: to the family login, GET and POST, nothing recorded.
    login = reverse(FAMILY_LOGIN)
    for method in ("get", "post"):
        before = _audit_rows()
        response = _ask(Client(), method, mia_path)
        assert response.status_code == 302, (route.name, method, response.status_code)
        assert response["Location"].startswith(login), (route.name, method, response["Location"])
        assert _audit_rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_a_withheld_entry_is_never_on_a_family_page_of_the_guardian_it_is_withheld_from(route, corrected):
    family = corrected
    if any(key not in KWARGS for key in route.keywords):
        pytest.fail(f"citizen:{route.name} has URL keywords the sweep cannot fill: {route.keywords}")
    geir = family.client_for(family.geir)
    response = geir.get(route.path(family, family.mia_relay))
    if response.status_code == 405:
        return  # a route that only takes POST shows no page
    assert response.status_code == 200
    page = response.content.decode()
    for secret in (WITHHELD_TEXT, WITHHELD_CORRECTION, WITHHELD_REASON):
        assert secret not in page, (route.name, secret)
