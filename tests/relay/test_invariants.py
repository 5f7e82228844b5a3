"""Whatever sequence of handovers, withdrawals, consent changes (wider and
narrower), level changes, people leaving their service or losing their
account, appointments and closings: an open relay has exactly one holder, who
either works in the holder service and takes part, or is gone — and then
someone may appoint the next; only the newest consent counts; and nobody ever
sees the relay without an active membership of a service the consent in force
covers."""

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
from stafett.accounts.models import User
from stafett.relay import actions
from stafett.relay.models import Consent, Handover, Participant, Relay
from stafett.relay.policy import (
    appointable_relays,
    consents_in_force,
    holder_is_active,
    relay_actions,
    visible_relays,
)
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
        # Fresh copies: examples close accounts, and each example's changes roll back.
        self.people = [User.objects.get(pk=p.pk) for p in (
            world.health_nurse, world.other_employee, world.other_leader, world.teacher,
            world.leader, world.colleague, world.coordinator)]
        self.relay, self.parents = make_relay(world)
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

    # --- people come and go -------------------------------------------------------

    @rule(person=st.integers(0, 6))
    def leave_service(self, person):
        Membership.objects.filter(user=self.people[person]).update(active=False)

    @rule(person=st.integers(0, 6))
    def close_account(self, person):
        user = self.people[person]
        user.is_active = False
        user.save(update_fields=["is_active"])

    @rule(person=st.integers(0, 6))
    def come_back(self, person):
        user = self.people[person]
        Membership.objects.filter(user=user).update(active=True)
        user.is_active = True
        user.save(update_fields=["is_active"])

    @rule(appointer=st.integers(0, 6), person=st.integers(0, 6))
    def appoint(self, appointer, person):
        self.relay.refresh_from_db()
        self._try(actions.appoint_holder, self.world.actor(self.people[appointer]), self.relay,
                  to_user=self.people[person], note="Ta over")

    @rule(keep=st.sets(st.integers(0, 3), max_size=2))
    def narrow_consent(self, keep):
        """A consent for fewer services than the one in force."""
        self.relay.refresh_from_db()
        current = consents_in_force().filter(relay=self.relay).first()
        if current is None:
            return
        covered = set(current.services.all())
        services = {self.relay.holder_service} | {
            s for i, s in enumerate(self.services) if i in keep and s in covered}
        today = timezone.localdate()
        self._try(actions.give_consent, self._holder_actor(), self.relay, guardians=self.parents,
                  child_consents=False, services=list(services), purpose="Mindre",
                  given_on=today, valid_until=today + dt.timedelta(days=30), method="digital")

    # --- what must always hold ---------------------------------------------------------

    @invariant()
    def exactly_one_holder_who_belongs_or_can_be_replaced(self):
        relay = Relay.objects.get(pk=self.relay.pk)
        assert relay.holder_id is not None
        if relay.is_open and holder_is_active(relay):
            assert Participant.objects.filter(
                relay=relay, user_id=relay.holder_id, service_id=relay.holder_service_id,
                left_at__isnull=True,
            ).exists()
        elif relay.is_open:
            # Nobody who can act holds the baton: the holder service's leader,
            # or where it has none the coordinator, may appoint the next holder.
            leaders = set(Membership.objects.filter(
                service_id=relay.holder_service_id, role="leader", active=True,
                user__is_active=True).values_list("user_id", flat=True))
            appointers = [p for p in self.people if p.pk in leaders] if leaders else [
                p for p in self.people if p == self.world.coordinator]
            for person in appointers:
                person.refresh_from_db()
                if person.is_active:
                    assert appointable_relays(self.world.actor(person)).filter(pk=relay.pk).exists()
            assert "content" not in relay_actions(self.world.actor(relay.holder), relay)
        assert Handover.objects.filter(relay=relay, status="pending").count() <= (1 if relay.is_open else 0)

    @invariant()
    def only_the_newest_consent_counts(self):
        relay = Relay.objects.get(pk=self.relay.pk)
        assert Consent.objects.filter(relay=relay, withdrawn_at__isnull=True,
                                      superseded_at__isnull=True).count() <= 1
        in_force = list(consents_in_force().filter(relay=relay))
        newest = Consent.objects.filter(relay=relay).order_by("-recorded_at", "-pk").first()
        assert in_force in ([], [newest])

    @invariant()
    def nobody_sees_it_without_active_membership_and_covering_consent(self):
        relay = Relay.objects.get(pk=self.relay.pk)
        covered = set(consents_in_force().filter(relay=relay).values_list("services", flat=True))
        for person in self.people:
            actor = self.world.actor(person)
            if not visible_relays(actor).filter(pk=relay.pk).exists():
                continue
            person.refresh_from_db()
            assert person.is_active, f"{person} sees the relay with a closed account"
            if person.pk == relay.holder_id and actor.works_in(relay.holder_service_id):
                continue
            participating = set(
                Participant.objects.filter(relay=relay, left_at__isnull=True)
                .values_list("service_id", flat=True)
            ) & actor.service_ids
            assert participating & covered, f"{person} sees relay without covering consent"


def test_relay_invariants_hold(world):
    run_state_machine_as_test(
        lambda: RelayMachine(world),
        settings=settings(max_examples=30, stateful_step_count=15, deadline=None),
    )
