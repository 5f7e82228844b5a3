"""The family's consent pages: the consent in force, a request waiting for
signatures, proposing a new one (give, extend, renew, fewer services) and
withdrawing. Declared `family`; the citizen policy answers 404 for anyone
but a guardian with parental responsibility or the young person from the
consent age."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stafett.access.views import family
from stafett.oidc.levels import ACR_SESSION_KEY, acr_sufficient
from stafett.relay.forms import FamilyWithdrawForm, ProposalForm

from . import consent as actions
from .policy import family_scope, load_family_relay


@family
def consent(request, pk):
    # Proposing is the "consent" action, which the policy refuses on a closed log.
    page = actions.read_consent(request.actor, pk, "consent" if request.method == "POST" else "view")
    relay = page["relay"]
    acr_ok = acr_sufficient(request.session.get(ACR_SESSION_KEY))
    with family_scope(relay):
        form = ProposalForm(request.POST or None, relay=relay, current=page["current"])
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                actions.propose(request.actor, relay.pk, services=list(data["services"]),
                                purpose=data["purpose"], valid_until=data["valid_until"],
                                acr=request.session.get(ACR_SESSION_KEY))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _(
                    "You have signed. The consent comes into force when everyone who must "
                    "consent has signed too.") if _still_waiting(relay) else _(
                    "The consent is now in force."))
                return redirect("citizen:consent", pk=relay.pk)
        return render(request, "citizen/consent.html", {
            **page, "form": form, "acr_ok": acr_ok, "nav": "consent",
        })


def _still_waiting(relay) -> bool:
    with family_scope(relay):
        return relay.consent_proposals.filter(status="pending").exists()


@family
@require_POST
def consent_sign(request, pk, proposal_pk):
    try:
        actions.sign(request.actor, pk, proposal_pk, acr=request.session.get(ACR_SESSION_KEY))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        relay = load_family_relay(request.actor, pk)
        messages.success(request, _(
            "You have signed. The consent comes into force when everyone who must consent "
            "has signed too.") if _still_waiting(relay) else _("The consent is now in force."))
    return redirect("citizen:consent", pk=pk)


@family
def consent_withdraw(request, pk):
    page = actions.read_consent(request.actor, pk, "consent")
    relay, current = page["relay"], page["current"]
    if current is None:
        messages.info(request, _("There is no consent in force to withdraw."))
        return redirect("citizen:consent", pk=relay.pk)
    with family_scope(relay):
        form = FamilyWithdrawForm(request.POST or None, current=current,
                                  holder_service_id=relay.holder_service_id)
        if request.method == "POST" and form.is_valid():
            what = form.cleaned_data["what"]
            chosen = None if what == form.ALL else [int(what)]
            try:
                narrowed = actions.withdraw(request.actor, relay.pk, service_ids=chosen)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _(
                    "Your consent is withdrawn for the service you chose. It can no longer "
                    "read the log.") if narrowed else _(
                    "The consent is withdrawn. Only the holder's service keeps its own record; "
                    "no other service can read the log."))
                return redirect("citizen:consent", pk=relay.pk)
        return render(request, "citizen/consent_withdraw.html", {
            **page, "form": form, "nav": "consent",
        })
