"""The state tables (ARCHITECTURE.md rule 6): every state a worry, a relay, a
consent and a handover can be in, and the actions each state allows. Written
once here; the apps' policies, their pages and the follow-up rules all ask
these tables instead of comparing status strings of their own.

Which *person* may take an allowed action is the apps' policy (who holds,
who takes part, who leads); a state only narrows it further.
"""

from __future__ import annotations

from enum import StrEnum


class StateTable:
    def __init__(self, name: str, table: dict[str, frozenset[str]]):
        self.name = name
        self.table = table

    def actions(self, state: str) -> frozenset[str]:
        return self.table[state]

    def allows(self, state: str, action: str) -> bool:
        return action in self.table[state]

    def states_allowing(self, action: str) -> list[str]:
        return [state for state, actions in self.table.items() if action in actions]


# --- level-0 worries -------------------------------------------------------------

CONCERN_WORK = frozenset({
    "view", "define", "share", "talk", "comment", "decide", "close", "acute", "history",
    "reassign",
})
CONCERN = StateTable("concern", {
    "open": CONCERN_WORK,
    # The acute path and reading are never closed; a comment may still be added.
    "closed": frozenset({"view", "acute", "history", "comment", "reassign"}),
})


# --- relays (stafettlogg) -----------------------------------------------------------

RELAY_WORK = frozenset({
    "view", "history", "acute", "consent", "participants", "handover", "content", "meeting",
    "level", "close", "withhold", "guardians", "appoint", "include",
})
RELAY = StateTable("relay", {
    "open": RELAY_WORK,
    "closed": frozenset({"view", "history", "acute"}),
})


# --- consents --------------------------------------------------------------------------


class ConsentState(StrEnum):
    IN_FORCE = "in_force"
    SUPERSEDED = "superseded"  # a newer consent (extension, renewal, narrowing) replaced it
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


CONSENT = StateTable("consent", {
    # Only a consent in force shares the relay with the services it names.
    ConsentState.IN_FORCE: frozenset({"share", "extend", "withdraw"}),
    ConsentState.SUPERSEDED: frozenset(),
    ConsentState.WITHDRAWN: frozenset(),
    # An expired consent shares nothing; the family may give a new one.
    ConsentState.EXPIRED: frozenset({"renew"}),
})


class ProposalState(StrEnum):
    """A consent proposed for the family to sign in the family pages."""

    PENDING = "pending"
    RECORDED = "recorded"  # everyone required signed: it is now a Consent
    SUPERSEDED = "superseded"  # a newer proposal, or a consent recorded otherwise, replaced it
    CANCELLED = "cancelled"  # the family withdrew consent while it waited


CONSENT_PROPOSAL = StateTable("consent_proposal", {
    ProposalState.PENDING: frozenset({"sign"}),
    ProposalState.RECORDED: frozenset(),
    ProposalState.SUPERSEDED: frozenset(),
    ProposalState.CANCELLED: frozenset(),
})


# --- handovers -------------------------------------------------------------------------


class HandoverState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


HANDOVER = StateTable("handover", {
    HandoverState.PENDING: frozenset({"accept", "decline", "cancel"}),
    HandoverState.ACCEPTED: frozenset(),
    HandoverState.DECLINED: frozenset(),
    HandoverState.CANCELLED: frozenset(),
})
