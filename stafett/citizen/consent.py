"""The family's consent in the family pages: give, extend, renew and
withdraw, each party for themself (ID-porten).

A new consent (a first one, an extension, a renewal, a narrowing) is a
proposal (relay.ConsentProposal) that every required party signs: each
guardian with parental responsibility, and the young person from the
municipality's consent age. When the last one signs, it is recorded by the
same write as staff's (relay.actions.record_consent) and supersedes the
consent in force in that transaction. A withdrawal by any one party takes
effect in the same request (relay.actions.end_consent, as when staff record
it); withdrawing some services records the consent without them.

Each party's ID-porten assurance level (`acr`) is recorded with their
signature; a consent is never recorded below "substantial". A withdrawal only
narrows sharing, so it is accepted from any logged-in family member.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett.access.rules import Forbidden
from stafett.access.states import CONSENT_PROPOSAL
from stafett.audit.models import LegalBasis
from stafett.notify.outbox import tell
from stafett.oidc.levels import acr_sufficient
from stafett.relay import actions as relay_actions
from stafett.relay.models import Consent, ConsentParty, ConsentProposal, ProposalSignature
from stafett.relay.policy import current_consent, holder_is_active
from stafett.tenancy.models import Service

from .actions import audit
from .policy import family_scope, load_family_relay

FAMILY = LegalBasis.FAMILY_ACCESS
def _check_acr(acr) -> None:
    if not acr_sufficient(acr):
        raise ValidationError(_(
            "To consent, log in with ID-porten at a higher security level (for example "
            "BankID, or MinID with a code). Log out and log in again."))


def _tell_holder(relay, kind: str) -> None:
    """The holder is told what the family did (in this transaction, through
    the outbox); while nobody holds the relay who can act, nobody is."""
    if holder_is_active(relay):
        tell(relay.holder, kind, municipality=relay.municipality, about=relay)


def _who(actor, relay) -> tuple[int | None, bool]:
    """The actor as a party: (their guardian id, False) or (None, True) for the child."""
    guardian_id = actor.family.guardian_for(relay.child_id)
    if guardian_id is not None:
        return guardian_id, False
    if actor.family.is_the_child(relay.child_id):
        return None, True
    raise Forbidden("party")


def read_consent(actor, pk, action: str = "view") -> dict:
    """What the consent page shows, audited as one family read: the consent in
    force with its parties, the proposal waiting (who has signed, who must),
    and whether the actor still has to sign."""
    with transaction.atomic():
        relay = load_family_relay(actor, pk, action)
        with family_scope(relay):
            today = timezone.localdate()
            current = current_consent(relay, today)
            if current is not None:
                current = (Consent.objects.filter(pk=current.pk)
                           .prefetch_related("services", "parties__guardian")
                           .select_related("recorded_by").get())
            proposal = relay_actions.pending_proposal(relay)
            guardians, child_must = relay_actions.required_parties(relay, today)
            guardian_id, is_child = _who(actor, relay)
            signed_guardians = set()
            child_signed = False
            if proposal is not None:
                signatures = list(proposal.signatures.all())
                signed_guardians = {s.guardian_id for s in signatures if s.guardian_id}
                child_signed = any(s.is_child for s in signatures)
            i_signed = child_signed if is_child else guardian_id in signed_guardians
            services = list(Service.objects.filter(municipality_id=relay.municipality_id)
                            .order_by("name"))
        audit(actor, "read_consent", relay)
    return {
        "relay": relay, "current": current, "proposal": proposal,
        "required_guardians": [(g, g.pk in signed_guardians) for g in guardians],
        "child_must_consent": child_must, "child_signed": child_signed,
        "i_must_sign": proposal is not None and not i_signed,
        "is_child": is_child, "services": services,
    }


@transaction.atomic
def propose(actor, pk, *, services, purpose: str, valid_until, acr) -> ConsentProposal:
    """A family member proposes a new consent (give, extend, renew, narrow) and
    signs it at once; it is recorded when the others have signed too."""
    relay = load_family_relay(actor, pk, "consent", lock=True)
    _check_acr(acr)
    with family_scope(relay):
        proposal = relay_actions.propose_consent(
            actor, relay, services=services, purpose=purpose, valid_until=valid_until,
            service_id=relay.holder_service_id)
        audit(actor, "propose_consent", relay, proposal)
        _sign(actor, relay, proposal, acr)
    return proposal


@transaction.atomic
def sign(actor, pk, proposal_pk, *, acr) -> ConsentProposal:
    """One party signs the proposal waiting; the last signature records it."""
    relay = load_family_relay(actor, pk, "consent", lock=True)
    with family_scope(relay):
        proposal = (ConsentProposal.objects.select_for_update()
                    .filter(pk=proposal_pk, relay=relay).first()
                    if str(proposal_pk).isdigit() and len(str(proposal_pk)) < 19 else None)
        if proposal is None:
            raise Forbidden("proposal")
        if not CONSENT_PROPOSAL.allows(proposal.status, "sign"):
            raise ValidationError(_(
                "This request for consent has been replaced or closed and can no longer be "
                "signed. See the consent in force below."))
        _check_acr(acr)
        _sign(actor, relay, proposal, acr)
        audit(actor, "sign_consent", relay, proposal)
    return proposal


def _sign(actor, relay, proposal, acr) -> None:
    guardian_id, is_child = _who(actor, relay)
    signatures = list(proposal.signatures.all())
    if any(s.guardian_id == guardian_id and s.is_child == is_child for s in signatures):
        raise ValidationError(_("You have already signed this consent."))
    now = timezone.now()
    signatures.append(ProposalSignature.objects.create(
        municipality_id=relay.municipality_id, proposal=proposal, guardian_id=guardian_id,
        is_child=is_child, user=actor.user, signed_at=now, assurance_level=acr,
    ))
    today = timezone.localdate()
    guardians, child_must = relay_actions.required_parties(relay, today)
    signed = {s.guardian_id for s in signatures if s.guardian_id}
    complete = ({g.pk for g in guardians} <= signed
                and (not child_must or any(s.is_child for s in signatures)))
    if not complete:
        _tell_holder(relay, "family_consent_signed")
        return
    parties = [ConsentParty(guardian_id=s.guardian_id, is_child=s.is_child,
                            signed_at=s.signed_at, assurance_level=s.assurance_level)
               for s in signatures if s.is_child or s.guardian_id in {g.pk for g in guardians}]
    relay_actions.record_consent(
        actor, relay, parties=parties, services=list(proposal.services.all()),
        purpose=proposal.purpose, given_on=today, valid_until=proposal.valid_until,
        method=Consent.Method.IDPORTEN, proposal=proposal,
        service_id=relay.holder_service_id, basis=FAMILY,
    )
    _tell_holder(relay, "family_consent_recorded")


@transaction.atomic
def withdraw(actor, pk, *, service_ids=None) -> Consent | None:
    """Withdraw consent now: for every service (`service_ids` None), or for
    some of them. Withdrawing the holder's own service, or every service,
    withdraws the whole consent. Returns the narrowed consent, or None."""
    relay = load_family_relay(actor, pk, "consent", lock=True)
    name = actor.user.get_full_name()
    with family_scope(relay):
        current = current_consent(relay)
        if current is None:
            raise ValidationError(_("There is no consent in force to withdraw."))
        covered = {s.pk: s for s in current.services.all()}
        chosen = set(covered) if service_ids is None else set(service_ids)
        if not chosen:
            raise ValidationError(_("Choose the services you withdraw your consent for."))
        if chosen - set(covered):
            raise ValidationError(_("The consent does not cover one of the services you chose."))
        if relay.holder_service_id in chosen or chosen == set(covered):
            relay_actions.end_consent(
                actor, relay, entry=("consent_withdrawn_family", {"name": name}),
                kind="family_withdrew_consent", service_id=relay.holder_service_id, basis=FAMILY)
            return None
        parties = [ConsentParty(guardian_id=p.guardian_id, is_child=p.is_child,
                                signed_at=p.signed_at, assurance_level=p.assurance_level)
                   for p in current.parties.all()]
        dropped = ", ".join(sorted(covered[s].name for s in chosen))
        narrowed = relay_actions.record_consent(
            actor, relay, parties=parties,
            services=[s for pk_, s in covered.items() if pk_ not in chosen],
            purpose=current.purpose, given_on=current.given_on, valid_until=current.valid_until,
            method=current.method, scan=current.scan,
            first_entry=("consent_service_withdrawn", {"name": name, "services": dropped}),
            service_id=relay.holder_service_id, basis=FAMILY,
        )
        _tell_holder(relay, "family_withdrew_consent")
    return narrowed
