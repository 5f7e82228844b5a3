"""Whatever sequence of handovers, withdrawals, consent changes, level
changes and closings: an open relay has exactly one holder, who works in the
holder service and takes part; and no service ever sees the relay without a
consent in force covering it."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_scopes import scope
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from stafett.access.rules import Forbidden
from stafett.relay import actions
from stafett.relay.models import Consent, Handover, Participant, Relay
from stafett.relay.policy import consents_in_force, visible_relays
from stafett.tenancy.models import Membership

from .helpers import make_relay


class RelayMachine(RuleBasedStateMachine):
    def __init__(self, world):
        super().__init__()
        self.world = world
        # Each example runs in a savepoint that teardown rolls back.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._scope = scope(municipality=world.fjordvik)
        self._scope.__enter__()
        self.relay, self.parents = make_relay(world)
        self.people = [world.health_nurse, world.other_employee, world.other_leader, world.teacher,
                       world.leader, world.colleague, world.coordinator]
        self.services = [world.health_station, world.school, world.kindergarten, world.adult_service]

    def teardown(self):
        transaction.set_rollback(True)
        self._scope.__exit__(None, None, None)
        self._atomic.__exit__(None, None, None)

    def _holder_actor(self):
        self.relay.refresh_from_db()
        return self.world.actor(self.relay.holder)

    def _try(self, fn, *args, **kwargs):
        try:
            with transaction.atomic():
                return fn(*args, **kwargs)
        except (ValidationError, Forbidden, actions.Conflict):
            return None

    @rule(person=st.integers(0, 6), service=st.integers(0, 3))
    def hand_over(self, person, service):
        user, svc = self.people[person], self.services[service]
        if not Membership.objects.filter(user=user, service=svc, active=True).exists():
            return
        self._try(actions.request_handover, self._holder_actor(), self.relay, to_user=user,
                  to_service=svc, note="Overtar")

    @rule(accept=st.booleans())
    def respond(self, accept):
        pending = Handover.objects.filter(relay=self.relay, status="pending").first()
        if pending:
            self._try(actions.respond_to_handover, self.world.actor(pending.to_user), pending, accept=accept)

    @rule()
    def withdraw(self):
        self._try(actions.withdraw_consent, self._holder_actor(), self.relay, reason="Trekker samtykket")

    @rule()
    def expire(self):
        Consent.objects.filter(relay=self.relay).update(
            valid_until=timezone.localdate() - dt.timedelta(days=1)
        )

    @rule(extra=st.sets(st.integers(0, 3), max_size=3))
    def consent_again(self, extra):
        self.relay.refresh_from_db()
        services = {self.relay.holder_service} | {self.services[i] for i in extra}
        today = timezone.localdate()
        self._try(actions.give_consent, self._holder_actor(), self.relay, guardians=self.parents,
                  child_consents=False, services=list(services), purpose="Samarbeid",
                  given_on=today, valid_until=today + dt.timedelta(days=100), method="digital")

    @rule(person=st.integers(0, 6), service=st.integers(0, 3))
    def add_participant(self, person, service):
        self._try(actions.add_participant, self._holder_actor(), self.relay,
                  service=self.services[service], user=self.people[person])

    @rule(index=st.integers(0, 10))
    def remove_participant(self, index):
        active = list(Participant.objects.filter(relay=self.relay, left_at__isnull=True).order_by("pk"))
        if active:
            self._try(actions.remove_participant, self._holder_actor(), active[index % len(active)])

    @rule(level=st.integers(1, 3))
    def change_level(self, level):
        actor = self._holder_actor()
        meeting = self._try(actions.plan_meeting, actor, self.relay, kind="evaluation_decision",
                            starts_at=timezone.now(), place="Møterom")
        if meeting:
            self._try(actions.change_level, actor, self.relay, meeting=meeting, to_level=level,
                      reason="Vurdert i møtet", release_services=self.services[1:2])

    @precondition(lambda self: Relay.objects.get(pk=self.relay.pk).is_open)
    @rule()
    def close(self):
        self.relay.refresh_from_db()
        self._try(actions.close_relay, self._holder_actor(), self.relay, version=self.relay.version,
                  reason="goal_reached", summary="Ferdig")

    @invariant()
    def exactly_one_holder_who_belongs(self):
        relay = Relay.objects.get(pk=self.relay.pk)
        assert relay.holder_id is not None
        if relay.is_open:
            assert Membership.objects.filter(
                user_id=relay.holder_id, service_id=relay.holder_service_id, active=True
            ).exists()
            assert Participant.objects.filter(
                relay=relay, user_id=relay.holder_id, service_id=relay.holder_service_id,
                left_at__isnull=True,
            ).exists()
        assert Handover.objects.filter(relay=relay, status="pending").count() <= (1 if relay.is_open else 0)

    @invariant()
    def nobody_sees_it_without_covering_consent(self):
        relay = Relay.objects.get(pk=self.relay.pk)
        covered = set(consents_in_force().filter(relay=relay).values_list("services", flat=True))
        for person in self.people:
            actor = self.world.actor(person)
            if not visible_relays(actor).filter(pk=relay.pk).exists() or person.pk == relay.holder_id:
                continue
            participating = set(
                Participant.objects.filter(relay=relay, left_at__isnull=True)
                .values_list("service_id", flat=True)
            ) & actor.service_ids
            assert participating & covered, f"{person} sees relay without covering consent"


def test_relay_invariants_hold(world):
    run_state_machine_as_test(
        lambda: RelayMachine(world),
        settings=settings(max_examples=30, stateful_step_count=12, deadline=None),
    )
