import datetime as dt

from django_scopes import scope

from stafett.concerns import actions
from stafett.lib.national_id import make_synthetic

# Fixed once per run: a suite that runs past midnight must not see two Ellas.
BIRTH = dt.date.today() - dt.timedelta(days=4 * 365)


def make_concern(world, *, author=None, service=None, shared=False, name="Ella Strandvik",
                 serial=0):
    """A worry registered through the real action, as the teacher by default."""
    author = author or world.teacher
    service = service or world.kindergarten
    birth = BIRTH
    with scope(municipality=world.fjordvik):
        actor = world.actor(author)
        concern = actions.create_concern(
            actor,
            service=service,
            child={"name": name, "birth_date": birth, "expected_date": None,
                   "national_id": make_synthetic(birth, serial % 400)},
            observations="Virker sliten om morgenen.",
            questions="Sover barnet nok?",
        )
        if shared:
            concern = actions.share_concern(actor, concern, version=concern.version)
    return concern
