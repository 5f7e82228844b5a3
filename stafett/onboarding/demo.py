"""Demo data for `seed_demo`: some of Fjordvik's employees have completed the
introduction, some are halfway, the rest (Kari among them) see the start page's
card. Fictional people only, as the rest of the demo."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_scopes import scope

from stafett.accounts.models import User

from .models import PartCompletion
from .parts import ORDER

# username -> parts completed, and how many days ago the last one was.
DEMO = {"leif": (4, 40), "lise": (4, 21), "olav": (4, 9), "hanne": (4, 3), "kasper": (2, 1)}


def seed(municipality) -> None:
    """Idempotent: adds nothing once anyone in the municipality has completed a part."""
    with scope(municipality=municipality):
        if PartCompletion.objects.filter(municipality=municipality).exists():
            return
        users = {u.username: u for u in User.objects.filter(username__in=DEMO)}
        now = timezone.now()
        PartCompletion.objects.bulk_create([
            PartCompletion(municipality=municipality, user=users[name], part=part,
                           completed_at=now - dt.timedelta(days=days, minutes=10 * (parts - i)))
            for name, (parts, days) in DEMO.items() if name in users
            for i, part in enumerate(ORDER[:parts])
        ])
