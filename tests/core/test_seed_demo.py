from django.core.management import call_command
from django_scopes import scopes_disabled

from stafett.accounts.models import User
from stafett.audit.log import verify_chain
from stafett.citizen.actors import build_citizen_actor
from stafett.concerns.models import Child, Concern
from stafett.lib.national_id import parse
from stafett.relay.models import Guardian, InclusionRequest, Relay
from stafett.tenancy.models import Membership, Municipality


def test_demo_data_loads_once_with_fictional_ids_and_an_intact_audit_chain(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: the second run only prints the logins
    out = capsys.readouterr().out
    assert "kari" in out and "stafett-demo-2026" in out
    with scopes_disabled():
        assert Municipality.objects.count() == 2
        assert Concern.objects.filter(municipality__number="9901").count() == 6
        assert Relay.objects.filter(status="open").count() == 4
        # The adult service tried to start Sara's log a second time: one child,
        # one relay, and a request to Hanne to include it.
        [asked] = InclusionRequest.objects.all()
        assert asked.relay.child_name == "Sara Nyland" and asked.is_pending
        assert Child.objects.filter(name="Sara Nyland").count() == 1
        for child in Child.objects.exclude(national_id=""):
            assert parse(child.national_id, accept_synthetic=True).kind == "synthetic"
        # Heidi has left: her relay waits for the coordinator to appoint a holder,
        # and Tone works in both municipalities.
        emil = Relay.objects.get(child_name="Emil Sand")
        assert not Membership.objects.filter(user=emil.holder, active=True).exists()
        assert Membership.objects.filter(user__username="tone").values("municipality").distinct().count() == 2
        for municipality in Municipality.objects.all():
            assert verify_chain(municipality.pk) is None


def test_the_demo_families_can_log_in_and_their_numbers_are_printed(db, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    with scopes_disabled():
        guardians = list(Guardian.objects.exclude(national_id=""))
        maja = Child.objects.get(name="Maja Strand")
        assert {g.name for g in guardians} >= {"Trine Havrevoll", "Eva Nyland", "Kristin Strand", "Bjørn Lie"}
        for number in [maja.national_id, *(g.national_id for g in guardians)]:
            assert parse(number, accept_synthetic=True).kind == "synthetic"
            assert number in out
        stepfather = next(g for g in guardians if g.name == "Bjørn Lie")
        assert not stepfather.parental_responsibility
    # Maja (16) sees her own log; her stepfather nothing; her mother hers.
    people = {
        name: User(kind=User.Kind.CITIZEN, national_id=number, username=name)
        for name, number in [("maja", maja.national_id), ("bjorn", stepfather.national_id),
                             ("kristin", next(g.national_id for g in guardians if g.name == "Kristin Strand"))]
    }
    assert build_citizen_actor(people["maja"]).family.own_children
    assert build_citizen_actor(people["kristin"]).family.guardianships
    bjorn = build_citizen_actor(people["bjorn"]).family
    assert not bjorn.guardianships and not bjorn.own_children
