from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from stafett.onboarding.models import PartCompletion
from stafett.onboarding.status import completion_by_service
from stafett.tenancy.models import Municipality


def test_the_demo_has_some_employees_done_and_some_not(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    with scopes_disabled():
        fjordvik = Municipality.objects.get(number="9901")
        assert not PartCompletion.objects.filter(user__username="kari").exists()
        assert PartCompletion.objects.filter(user__username="kasper").count() == 2
    with scope(municipality=fjordvik):
        rows = {r.service_name: (r.completed, r.active_members) for r in completion_by_service(fjordvik)}
    # Leif has completed, Kasper is halfway and Kari has not started; Lise
    # and Olav have completed. (The survey demo adds more staff to both
    # services, who have not started.)
    completed, members = rows["Solsikken barnehage"]
    assert completed == 1 and members >= 3
    completed, members = rows["Bakken skole"]
    assert completed == 2 and members >= 2
