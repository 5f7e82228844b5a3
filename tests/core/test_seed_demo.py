from django.core.management import call_command
from django_scopes import scopes_disabled

from stafett.audit.log import verify_chain
from stafett.concerns.models import Child, Concern
from stafett.lib.national_id import parse
from stafett.relay.models import InclusionRequest, Relay
from stafett.tenancy.models import Membership, Municipality


def test_demo_data_loads_once_with_fictional_ids_and_an_intact_audit_chain(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: the second run only prints the logins
    out = capsys.readouterr().out
    assert "kari" in out and "stafett-demo-2026" in out
    with scopes_disabled():
        assert Municipality.objects.count() == 2
        assert Concern.objects.filter(municipality__number="9901").count() == 6
        assert Relay.objects.filter(status="open").count() == 3
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
