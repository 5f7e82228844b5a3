"""The actor for a citizen: what their national identity number makes them to
the children on record, looked up once per request.

A guardian sees a child's log only while registered WITH parental
responsibility; a young person sees their own log from the municipality's
consent age (15 or 16). The lookup crosses municipalities on purpose (a family
may have a relay in two), and returns ids only.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone
from django_scopes import scopes_disabled

from stafett.access.actor import Actor, Family
from stafett.concerns.models import Child
from stafett.lib.dates import add_years
from stafett.relay.models import Guardian


def build_citizen_actor(user, today: dt.date | None = None) -> Actor:
    if not (user.is_active and user.is_citizen and user.national_id):
        return Actor(user=user, municipality=None, family=Family(national_id=""))
    today = today or timezone.localdate()
    with scopes_disabled():
        guardianships = tuple(
            Guardian.objects.filter(national_id=user.national_id, parental_responsibility=True)
            .order_by("pk").values_list("municipality_id", "pk", "child_id")
        )
        own = [
            (m, c) for m, c, born, age in Child.objects.filter(
                national_id=user.national_id, duplicate_of__isnull=True, birth_date__isnull=False,
            ).values_list("municipality_id", "pk", "birth_date", F("municipality__child_consent_age"))
            if add_years(born, age) <= today
        ]
    return Actor(
        user=user, municipality=None,
        family=Family(national_id=user.national_id, guardianships=guardianships,
                      own_children=tuple(own)),
    )
