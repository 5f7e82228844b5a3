from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from stafett.accounts.models import User
from stafett.surveys.models import Invitation, Question, Response, Wave
from stafett.surveys.results import hidden_groups
from tests.conftest import nb


def test_the_demo_has_a_bank_a_closed_baseline_and_a_running_repeat(db, client):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    with scopes_disabled():
        assert Question.objects.filter(municipality__number="9901").count() > 15
        baseline = Wave.objects.get(baseline=True)
        repeat = Wave.objects.get(baseline=False)
        assert baseline.status == "closed" and repeat.status == "open"
        counts = {}
        for service_id in Response.objects.filter(wave=baseline).values_list("service_id", flat=True):
            counts[service_id] = counts.get(service_id, 0) + 1
        assert sorted(counts.values()) == [2, 3, 6, 7]
        hidden, municipality = hidden_groups(counts)
        assert municipality and len(hidden) == 2
        assert Invitation.objects.filter(wave=repeat, user__username="kari", answered=False).exists()
    client.force_login(User.objects.get(username="kari"))
    assert nb("Answer the survey") in client.get(reverse("core:home")).content.decode()
    client.force_login(User.objects.get(username="cora"))
    page = client.get(reverse("surveys:results", args=[repeat.pk])).content.decode()
    assert "0-punktsanalyse 2025" in page and nb("hidden") in page
