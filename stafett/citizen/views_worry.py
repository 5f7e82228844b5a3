"""The family asks a service to start the BTI work for their child
(foreldreinitiativ)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from stafett.access.views import family
from stafett.lib.forms import CHOOSE_FROM_LIST, is_id
from stafett.tenancy.models import Municipality

from . import actions, forms


def _municipality(request):
    """The municipality whose services are offered: the one chosen, else the
    one of the family's own log, else the only one there is."""
    chosen = request.POST.get("kommune") or request.GET.get("kommune")
    with scopes_disabled():
        municipalities = list(Municipality.objects.order_by("name").only("pk", "name"))
    by_id = {m.pk: m for m in municipalities}
    if is_id(chosen) and int(chosen) in by_id:
        return by_id[int(chosen)], municipalities
    mine = {m for m, _g, _c in request.actor.family.guardianships} | {
        m for m, _c in request.actor.family.own_children}
    for municipality in municipalities:
        if municipality.pk in mine or len(municipalities) == 1:
            return municipality, municipalities
    return None, municipalities


def _chosen(value, municipality) -> bool:
    return municipality is not None and is_id(value) and int(value) == municipality.pk


@family
def worry_new(request):
    municipality, municipalities = _municipality(request)
    # The services are public facts (names), listed across municipalities.
    with scopes_disabled():
        return _worry_page(request, municipality, municipalities)


def _worry_page(request, municipality, municipalities):
    services = actions.worry_services(municipality.pk if municipality else -1)
    form = forms.WorryForm(request.POST or None, services=services)
    if request.method == "POST" and not _chosen(request.POST.get("kommune"), municipality):
        # The form names its municipality; anything else is not a choice offered.
        form.is_valid()
        form.add_error(None, CHOOSE_FROM_LIST)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.raise_worry(
                request.actor, service=data["service"], child=form.child_fields(), worry=data["worry"],
                contact_how=data["contact_how"], contact_detail=data["contact_detail"].strip(),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Your request has been sent to %(service)s. You can follow its status here.")
                             % {"service": data["service"].name})
            return redirect("citizen:home")
    return render(request, "citizen/worry_new.html", {
        "form": form, "municipality": municipality, "municipalities": municipalities, "nav": "worry",
    })
