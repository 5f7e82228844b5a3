"""Who does what with the survey.

- The BTI coordinator keeps the question bank and runs the waves.
- An employee answers a wave they were invited to, once, while it is open.
- Results: the coordinator sees every service of a wave and the municipality;
  a leader the services they lead (of those the wave asked) and the
  municipality. Everyone else: 404. The suppression decides what of that is
  shown (stafett.surveys.results), once per wave for every reader.
"""

from __future__ import annotations

from stafett.access.actor import Actor
from stafett.access.rules import Forbidden

from .models import Invitation, Wave


def may_run_surveys(actor: Actor) -> bool:
    return actor.is_staff_member and actor.is_coordinator


def require_survey_runner(actor: Actor) -> None:
    if not may_run_surveys(actor):
        raise Forbidden("run_surveys")


def result_service_ids(actor: Actor, wave: Wave, wave_service_ids: set[int]) -> set[int] | None:
    """The services of `wave` whose results `actor` may read; None: no results at all."""
    if not actor.is_staff_member or wave.municipality_id != actor.municipality.pk:
        return None
    if wave.status == Wave.Status.DRAFT:
        return None
    if actor.is_coordinator:
        return set(wave_service_ids)
    led = actor.led_service_ids & wave_service_ids
    return led or None


def may_see_some_results(actor: Actor) -> bool:
    return actor.is_staff_member and (actor.is_coordinator or bool(actor.led_service_ids))


def readable_waves(actor: Actor):
    """Waves whose results the actor may open (the list page)."""
    waves = Wave.objects.filter(municipality=actor.municipality).exclude(status=Wave.Status.DRAFT)
    if actor.is_coordinator:
        return waves
    return waves.filter(services__in=actor.led_service_ids).distinct()


def invitation_for(actor: Actor, wave_id: int) -> Invitation:
    """The actor's own invitation to a wave (404 for anyone not invited)."""
    if not actor.is_staff_member:
        raise Forbidden("answer_survey")
    invitation = (Invitation.objects.filter(wave_id=wave_id, user=actor.user,
                                            municipality=actor.municipality)
                  .select_related("wave").first())
    if invitation is None or invitation.wave.status == Wave.Status.DRAFT:
        raise Forbidden("answer_survey")
    return invitation
