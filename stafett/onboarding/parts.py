"""The four parts of the introduction and their questions.

Some questions are made from the municipality's own guide and numbers (the
name of a step in the person's variant, which level has a title, the child
welfare service's phone, the age from which the child consents), others are
fixed and translated. A person meets the same questions, with the options in
the same order, every time they open a part: the order is drawn from their id,
so that a wrong answer can be tried again on the same question, and the right
option is not always the first.

Nothing here touches personal data: the guide, the municipality's numbers and
the person's own id.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stafett.guides.loader import current_guide
from stafett.guides.models import Step, steps_for_variant
from stafett.tenancy.models import Service

from .models import Part

ORDER = [Part.LEVELS, Part.ACUTE, Part.CONSENT, Part.HOLDER]

# The URL slug of each part, in Norwegian like the other addresses.
SLUGS = {Part.LEVELS: "nivaer", Part.ACUTE: "akutt", Part.CONSENT: "samtykke",
         Part.HOLDER: "stafettholder"}
PART_OF_SLUG = {slug: part for part, slug in SLUGS.items()}


@dataclass
class Question:
    key: str
    text: str
    # (value, label) in the order shown; the value is the option's own index,
    # so a reordering never changes which value is right.
    options: list[tuple[str, str]]
    correct: str
    explanation: str


@dataclass
class Intro:
    """What one person reads: the guide in their variant and the questions."""

    guide: object | None
    variant: str
    levels: list = field(default_factory=list)


def variant_of(actor) -> str:
    """The kind of the person's service, as the staff guide pages choose it
    (stafett.guides.views._guide_context): the first of their services by name."""
    if not actor.service_ids:
        return ""
    return (
        Service.objects.filter(pk__in=actor.service_ids)
        .order_by("name").values_list("kind", flat=True).first()
    ) or ""


def intro_for(actor) -> Intro:
    """The current published guide with each level's steps in the person's
    variant. Three queries whatever the size of the guide."""
    guide = current_guide()
    variant = variant_of(actor)
    if guide is None:
        return Intro(guide=None, variant=variant)
    levels = list(guide.levels.prefetch_related(
        Prefetch("steps", queryset=Step.objects.select_related("level").order_by("number"))
    ))
    for level in levels:
        level.variant_steps = steps_for_variant(level.steps.all(), variant)
    return Intro(guide=guide, variant=variant, levels=levels)


def _question(rng, key, text, right, wrong, explanation) -> Question:
    """A question whose right answer is `right`; the options are shown in an
    order drawn from `rng`. Wrong options equal to the right one are dropped."""
    labels = [str(right)] + [str(w) for w in wrong if str(w) != str(right)]
    labels = list(dict.fromkeys(labels))
    options = [(str(i), label) for i, label in enumerate(labels)]
    rng.shuffle(options)
    return Question(key=key, text=str(text), options=options, correct="0",
                    explanation=str(explanation))


def _rng(actor, part) -> random.Random:
    return random.Random(f"{getattr(actor.user, 'pk', 0)}-{part}")


def questions_for(actor, part: str, intro: Intro | None = None) -> list[Question]:
    rng = _rng(actor, part)
    municipality = actor.municipality
    if part == Part.LEVELS:
        return _level_questions(rng, intro if intro is not None else intro_for(actor))
    if part == Part.ACUTE:
        return [
            _question(
                rng, "phone",
                _("Which number do you call to reach the child welfare service in %(name)s?")
                % {"name": municipality.name},
                municipality.child_welfare_phone,
                [municipality.after_hours_phone, "113", "116 117"],
                _("The child welfare service in %(name)s has the number %(phone)s. "
                  "The numbers are on the acute page, which every page links to.")
                % {"name": municipality.name, "phone": municipality.child_welfare_phone},
            ),
            _question(
                rng, "when",
                _("You suspect that a child is subjected to violence or sexual abuse. When do you "
                  "contact the police or the child welfare service?"),
                _("The same day, together with my leader"),
                [_("After I have talked with the parents"),
                 _("When the parents have consented to a stafettlogg")],
                _("On suspicion of violence or sexual abuse you act the same day, together with "
                  "your leader. Talking to the parents first can put the child at risk."),
            ),
            _question(
                rng, "consent",
                _("Do you need the parents' consent to contact the child welfare service on the "
                  "acute path?"),
                _("No: the duty to report overrides confidentiality"),
                [_("Yes, from both parents"), _("Yes, from the leader of the service")],
                _("The duty to report to the child welfare service overrides confidentiality; "
                  "no consent is needed, and the legal basis is recorded instead."),
            ),
        ]
    if part == Part.CONSENT:
        age = municipality.child_consent_age
        return [
            _question(
                rng, "covers",
                _("What does a consent to a stafettlogg cover?"),
                _("The services, the purpose and the period it names"),
                [_("Every service in the municipality, for as long as the child needs help"),
                 _("Whatever the stafettholder decides")],
                _("A consent names the services that may take part, the purpose and an end "
                  "date. A service it does not name sees nothing of the log."),
            ),
            _question(
                rng, "withdraw",
                _("The parents withdraw their consent, or narrow it to fewer services. When does "
                  "sharing with the services left out stop?"),
                _("At once"),
                [_("When the stafettlogg is closed"), _("After 30 days")],
                _("A withdrawn or narrower consent stops sharing at once: the services left out "
                  "lose access in the same moment, and they are told."),
            ),
            _question(
                rng, "age",
                _("From what age must the child also consent to a stafettlogg in %(name)s?")
                % {"name": municipality.name},
                age, [12, 18],
                _("In %(name)s the child's own consent is needed from the age of %(age)s. "
                  "Younger children are heard too: their view is part of the log.")
                % {"name": municipality.name, "age": age},
            ),
        ]
    return [
        _question(
            rng, "role",
            _("What does the stafettholder do?"),
            _("Coordinates the cooperation around the child and keeps the stafettlogg, so that "
              "nothing falls between services"),
            [_("Decides alone which measures the child gets"),
             _("Approves reports of concern to the child welfare service")],
            _("The stafettholder is the one person who coordinates and documents the "
              "cooperation for the child, so that follow-up does not break between services."),
        ),
        _question(
            rng, "handover",
            _("How is the role of stafettholder handed over?"),
            _("The holder asks someone to take over, and the role passes when that person accepts"),
            [_("The holder's leader moves it without asking anyone"),
             _("It passes by itself to the service the child moves to")],
            _("A handover is a request that the person asked accepts or declines. Until it is "
              "accepted, the holder keeps the baton."),
        ),
        _question(
            rng, "gone",
            _("The stafettholder leaves the service. Who appoints the next holder?"),
            _("The service's leader, or the BTI coordinator where the service has no leader"),
            [_("The parents"), _("Nobody: the stafettlogg is closed")],
            _("When the holder leaves, the service's leader (or, where it has none, the BTI "
              "coordinator) appoints an active member of the service, who accepts or declines."),
        ),
    ]


def _level_questions(rng, intro: Intro) -> list[Question]:
    questions = []
    levels = [level for level in intro.levels if level.variant_steps]
    if levels:
        level = rng.choice(levels)
        step = rng.choice(level.variant_steps)
        others = [s.title for s in level.variant_steps if s.title != step.title]
        if len(others) < 2:  # a level of one or two steps: borrow from the others
            others += [s.title for lvl in levels for s in lvl.variant_steps if s.title != step.title]
        rng.shuffle(others)
        questions.append(_question(
            rng, "step",
            gettext("In your guide, what is step %(step)s on level %(level)s called?")
            % {"step": step.number, "level": level.number},
            step.title, list(dict.fromkeys(others))[:2],
            gettext("Step %(step)s on level %(level)s is “%(title)s”.")
            % {"step": step.number, "level": level.number, "title": step.title},
        ))
    if len(intro.levels) >= 2:
        level = rng.choice(intro.levels)
        numbers = [lvl.number for lvl in intro.levels if lvl.number != level.number]
        rng.shuffle(numbers)
        questions.append(_question(
            rng, "level",
            gettext("Which level is “%(title)s”?") % {"title": level.title},
            gettext("Level %(number)s") % {"number": level.number},
            [gettext("Level %(number)s") % {"number": n} for n in numbers[:2]],
            gettext("“%(title)s” is level %(number)s.") % {"title": level.title, "number": level.number},
        ))
    questions.append(_question(
        rng, "lowest",
        _("On which level should a worry be handled?"),
        _("On the lowest level that is enough, moving up or down as needed"),
        [_("Always on level 3, to be safe"), _("On the level the parents choose")],
        _("Handle as much as possible on the lowest level. Move up when one service is not "
          "enough, and down again when it is."),
    ))
    return questions


def wrong_answers(questions: list[Question], answers: dict[str, str]) -> list[str]:
    """The keys of the questions not answered right."""
    return [q.key for q in questions if answers.get(q.key) != q.correct]
