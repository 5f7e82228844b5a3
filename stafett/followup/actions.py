from django.db import transaction

from stafett.access.policy import require_followup_configurer

from .engine import settings_for


def settings_of(actor):
    require_followup_configurer(actor)
    return settings_for(actor.municipality)


@transaction.atomic
def update_settings(actor, **days) -> None:
    """New thresholds take effect at the next run of the rules."""
    conf = settings_of(actor)
    for name, value in days.items():
        setattr(conf, name, value)
    conf.save(update_fields=list(days))
