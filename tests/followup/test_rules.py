"""A test per rule, with a controlled clock: the break appears after the
threshold, reaches the right person, and clears when mended."""

import datetime as dt

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.concerns import actions as concern_actions
from stafett.followup.models import Break, FollowUpSettings, Rule
from stafett.followup.rules import transition_years
from stafett.relay import actions
from stafett.tenancy.models import Membership
from tests.concerns.helpers import make_concern
from tests.relay.helpers import make_relay

from .conftest import evaluate, notified, open_rules


def breaks(world, rule):
    with scope(municipality=world.fjordvik):
        return list(Break.objects.filter(rule=rule).order_by("pk"))


# --- a worry idle on level 0 ---------------------------------------------------


def test_idle_worry_reaches_its_author_and_clears_when_closed(world, clock):
    concern = make_concern(world)
    evaluate(world, clock.at(13))
    assert open_rules(world, world.teacher) == []
    clock.advance(15)
    evaluate(world, clock.now())
    assert open_rules(world, world.teacher) == ["concern_idle"]
    assert notified(world, "concern_idle") == ["kari"]
    with scope(municipality=world.fjordvik):
        concern_actions.close_concern(world.actor(world.teacher), concern, version=concern.version,
                                      reason="Avklart.")
    clock.advance(1)
    evaluate(world, clock.now())
    assert open_rules(world, world.teacher) == []
    [brk] = breaks(world, "concern_idle")
    assert brk.mended_at == clock.now()


def test_idle_worry_goes_to_the_leader_when_the_author_has_left(world, clock):
    make_concern(world)
    with scopes_disabled():
        Membership.objects.filter(user=world.teacher).update(active=False)
    evaluate(world, clock.at(15))
    assert notified(world, "concern_idle") == ["leif"]


def test_activity_on_the_worry_mends_it(world, clock):
    concern = make_concern(world)
    evaluate(world, clock.advance(15))
    assert open_rules(world, world.teacher) == ["concern_idle"]
    with scope(municipality=world.fjordvik):
        concern_actions.add_comment(world.actor(world.teacher), concern, text="Snakket med mor.")
    evaluate(world, clock.advance(1))
    assert open_rules(world, world.teacher) == []


def test_the_threshold_is_the_municipalitys(world, clock):
    make_concern(world)
    with scope(municipality=world.fjordvik):
        FollowUpSettings.objects.create(municipality=world.fjordvik, concern_idle_days=3)
    evaluate(world, clock.at(4))
    assert open_rules(world, world.teacher) == ["concern_idle"]


# --- the holder -----------------------------------------------------------------


def test_inactive_holder_is_reminded_and_a_note_mends_it(world, clock):
    relay, _ = make_relay(world)
    evaluate(world, clock.at(29))
    assert notified(world, "holder_inactive") == []
    evaluate(world, clock.advance(31))
    assert notified(world, "holder_inactive") == ["helga"]
    with scope(municipality=world.fjordvik):
        actions.add_entry(world.actor(world.health_nurse), relay, kind="note", text="Samtale i dag.")
    evaluate(world, clock.advance(1))
    assert "holder_inactive" not in open_rules(world, world.health_nurse)
    assert breaks(world, "holder_inactive")[0].mended_at is not None


def test_holder_who_left_the_service_reaches_the_coordinator_without_a_leader(world, clock):
    make_relay(world)
    evaluate(world, clock.advance(1))
    assert notified(world, "holder_gone") == []
    with scopes_disabled():
        membership = Membership.objects.get(user=world.health_nurse)
        membership.active = False
        membership.save()
    evaluate(world, clock.advance(1))
    # The health station has no leader: the BTI coordinator is told.
    assert notified(world, "holder_gone") == ["cora"]
    with scopes_disabled():
        Membership.objects.create(municipality=world.fjordvik, service=world.health_station,
                                  user=world.colleague, role="leader")
        membership.active = True
        membership.save()
    evaluate(world, clock.advance(1))
    assert open_rules(world, world.coordinator) == []


def test_holder_who_lost_access_reaches_the_leader(world, clock):
    with scopes_disabled():
        Membership.objects.create(municipality=world.fjordvik, service=world.health_station,
                                  user=world.colleague, role="leader")
    make_relay(world)
    world.health_nurse.is_active = False
    world.health_nurse.save()
    evaluate(world, clock.advance(1))
    assert notified(world, "holder_gone") == ["kasper"]


# --- handover -------------------------------------------------------------------


def test_handover_not_accepted_reaches_the_new_and_the_old_holder(world, clock):
    relay, _ = make_relay(world)
    with scope(municipality=world.fjordvik):
        handover = actions.request_handover(world.actor(world.health_nurse), relay,
                                            to_user=world.other_employee, to_service=world.school,
                                            note="Skolen tar over.")
    evaluate(world, clock.at(6))
    assert notified(world, "handover_pending") == []
    evaluate(world, clock.advance(8))
    assert notified(world, "handover_pending") == ["helga", "olav"]
    assert breaks(world, "handover_pending")[0].recipient == world.other_employee
    with scope(municipality=world.fjordvik):
        actions.respond_to_handover(world.actor(world.other_employee), handover, accept=True)
    evaluate(world, clock.advance(1))
    assert open_rules(world, world.other_employee) == []
    assert "handover_pending" not in open_rules(world, world.health_nurse)


# --- measures -------------------------------------------------------------------


def _measure(world, relay, *, deadline_days, evaluate_days):
    today = timezone.localdate()
    with scope(municipality=world.fjordvik):
        return actions.add_measure(
            world.actor(world.health_nurse), relay, what="Søvndagbok", responsible_service=world.health_station,
            starts_on=today, deadline=today + dt.timedelta(days=deadline_days),
            evaluate_on=today + dt.timedelta(days=evaluate_days),
        )


def _evaluate_measure(world, relay, measure):
    with scope(municipality=world.fjordvik):
        actions.record_evaluation(world.actor(world.health_nurse), relay, what_happened="Bedre søvn.",
                                  conclusion="Fortsetter.", measure=measure)


def test_evaluation_date_passed_without_an_evaluation(world, clock):
    relay, _ = make_relay(world)
    measure = _measure(world, relay, deadline_days=60, evaluate_days=10)
    evaluate(world, clock.at(10))
    assert notified(world, "evaluation_overdue") == []
    evaluate(world, clock.advance(11))
    assert notified(world, "evaluation_overdue") == ["helga"]
    _evaluate_measure(world, relay, measure)
    evaluate(world, clock.advance(1))
    assert "evaluation_overdue" not in open_rules(world, world.health_nurse)


def test_measure_past_its_deadline_is_mended_by_an_evaluation_after_it(world, clock):
    relay, _ = make_relay(world)
    measure = _measure(world, relay, deadline_days=20, evaluate_days=5)
    clock.advance(6)
    _evaluate_measure(world, relay, measure)  # evaluated before the deadline: not enough
    evaluate(world, clock.at(20))
    assert notified(world, "measure_overdue") == []
    evaluate(world, clock.advance(15))
    assert notified(world, "measure_overdue") == ["helga"]
    _evaluate_measure(world, relay, measure)
    evaluate(world, clock.advance(1))
    assert "measure_overdue" not in open_rules(world, world.health_nurse)


def test_closed_relays_raise_no_measure_breaks(world, clock):
    relay, _ = make_relay(world)
    _measure(world, relay, deadline_days=5, evaluate_days=5)
    with scope(municipality=world.fjordvik):
        relay.refresh_from_db()
        actions.close_relay(world.actor(world.health_nurse), relay, version=relay.version,
                            reason="goal_reached", summary="Målet er nådd.")
    evaluate(world, clock.advance(10))
    assert notified(world, "measure_overdue") == notified(world, "evaluation_overdue") == []


# --- consent --------------------------------------------------------------------


def test_consent_expiring_within_30_days_until_it_is_renewed(world, clock):
    relay, parents = make_relay(world)  # consent valid for 365 days
    evaluate(world, clock.at(334))
    assert notified(world, "consent_expiring") == []
    evaluate(world, clock.advance(336))
    assert notified(world, "consent_expiring") == ["helga"]
    with scope(municipality=world.fjordvik):
        actions.give_consent(
            world.actor(world.health_nurse), relay, guardians=parents, child_consents=False,
            services=[world.health_station, world.school], purpose="Fortsatt samarbeid.",
            given_on=timezone.localdate(), valid_until=timezone.localdate() + dt.timedelta(days=365),
            method="digital",
        )
    evaluate(world, clock.advance(1))
    assert "consent_expiring" not in open_rules(world, world.health_nurse)


def test_expired_consent_is_a_break(world, clock):
    make_relay(world)
    evaluate(world, clock.at(400))
    assert notified(world, "consent_expiring") == ["helga"]


# --- relay idle -------------------------------------------------------------------


def test_relay_without_activity(world, clock):
    relay, _ = make_relay(world)
    evaluate(world, clock.at(44))
    assert notified(world, "relay_idle") == []
    evaluate(world, clock.advance(46))
    assert notified(world, "relay_idle") == ["helga"]
    with scope(municipality=world.fjordvik):
        actions.add_entry(world.actor(world.health_nurse), relay, kind="bright_spot", text="God uke.")
    evaluate(world, clock.advance(1))
    assert "relay_idle" not in open_rules(world, world.health_nurse)


# --- transitions ----------------------------------------------------------------


def test_transition_years():
    assert transition_years(dt.date(2027, 5, 2), 90) == set()
    assert transition_years(dt.date(2027, 5, 3), 90) == {2021, 2014}
    assert transition_years(dt.date(2027, 7, 31), 90) == {2021, 2014}
    assert transition_years(dt.date(2027, 8, 1), 90) == set()
    assert transition_years(dt.date(2026, 12, 1), 300) == {2021, 2014}


def _relay_for(world, birth_date, name):
    today = timezone.localdate()
    with scope(municipality=world.fjordvik):
        actor = world.actor(world.health_nurse)
        relay = actions.start_relay(
            actor, service=world.health_station, level=2, area_of_concern="Overgang.",
            child={"name": name, "birth_date": birth_date, "expected_date": None, "national_id": ""},
        )
        parent = actions.add_guardian(actor, relay, name="Forelder", relation="mor")
        actions.give_consent(
            actor, relay, guardians=[parent], child_consents=False,
            services=[world.health_station, world.kindergarten, world.school], purpose="Overgang.",
            given_on=today, valid_until=today + dt.timedelta(days=365), method="digital",
        )
        relay.refresh_from_db()
    return relay


def test_transition_without_the_receiving_service_until_it_joins(world, clock):
    clock.set(dt.datetime(2027, 4, 20, 12, tzinfo=dt.UTC))
    relay = _relay_for(world, dt.date(2021, 3, 1), "Ella Strandvik")  # turns 6 in 2027
    _relay_for(world, dt.date(2019, 3, 1), "Eldre Barn")  # no transition this year
    evaluate(world, dt.datetime(2027, 5, 2, 12, tzinfo=dt.UTC))
    assert notified(world, "transition") == []
    clock.set(dt.datetime(2027, 5, 4, 12, tzinfo=dt.UTC))
    evaluate(world, clock.now())
    assert notified(world, "transition") == ["helga"]
    assert [b.relay_id for b in breaks(world, "transition")] == [relay.pk]
    with scope(municipality=world.fjordvik):
        actions.add_participant(world.actor(world.health_nurse), relay, service=world.school)
    evaluate(world, clock.advance(1))
    assert open_rules(world, world.health_nurse).count("transition") == 0


def test_lower_secondary_transition(world, clock):
    clock.set(dt.datetime(2027, 6, 1, 12, tzinfo=dt.UTC))
    _relay_for(world, dt.date(2014, 9, 1), "Ungdom Barn")  # turns 13 in 2027
    evaluate(world, clock.now())
    assert notified(world, "transition") == ["helga"]


def test_the_follow_up_rule_reads_the_newest_consent(world, clock):
    """A year-long consent is replaced by one that ends in ten days: the
    consent-expiry break opens although the superseded one runs for a year."""
    relay, parents = make_relay(world)
    evaluate(world, clock.at(0))
    with scope(municipality=world.fjordvik):
        assert not Break.objects.filter(rule=Rule.CONSENT_EXPIRING, relay=relay,
                                        mended_at__isnull=True).exists()
    today = timezone.localdate()
    with scope(municipality=world.fjordvik):
        actions.give_consent(
            world.actor(world.health_nurse), relay, guardians=parents, child_consents=False,
            services=[world.health_station], purpose="Samarbeid.", given_on=today,
            valid_until=today + dt.timedelta(days=10), method="digital",
        )
    evaluate(world, clock.at(0))
    with scope(municipality=world.fjordvik):
        assert Break.objects.filter(rule=Rule.CONSENT_EXPIRING, relay=relay,
                                    mended_at__isnull=True).exists()
