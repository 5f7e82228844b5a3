"""`{% load relay_page %}`: the lists of a relay's page written in Python, as
its timeline's entries are (entries.py). The page is the most shown page of
the system and the richest: in the template its short lists and links cost
a third of its rendering (docs/performance-notes.md, "Sixth round"). Each tag writes
exactly what the template wrote; the page's headings, sections and prose
stay in relay/detail.html."""

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from stafett.lib.rows import day_label, html_text, id_url

register = template.Library()

_STEP_CLASS = {"done": "is-done", "next": "is-next", "open": "", "": ""}


def _sentence(message: str, **values) -> str:
    """A translated sentence with values, as {% blocktranslate %} makes it:
    each value escaped, the sentence itself as translated."""
    return message % {name: html_text(value) for name, value in values.items()}


@register.simple_tag
def guide_steps(steps, language: str) -> SafeString:
    """The list items of the guide's steps (views.guide_progress): each a link
    to the step in the guide, with whether it is done, the suggested next one
    or not done (in the page's `language`: the guide's own may differ)."""
    status = {"done": html_text(_("Done")), "next": html_text(_("Suggested next")),
              "open": html_text(_("Not done"))}
    lang = html_text(language)
    items = []
    for item in steps:
        shown = (f'<span class="status" lang="{lang}">{status[item.status]}</span>'
                 if item.status else "")
        items.append(
            f'<li class="{_STEP_CLASS[item.status]}">\n'
            f'      <a href="{html_text(item.url)}">{html_text(item.step.number)}. {html_text(item.step.title)}</a>\n'
            f"      {shown}\n"
            f"    </li>")
    return mark_safe("\n    ".join(items))  # every text above is escaped


@register.simple_tag
def kind_filter(kinds, kind: str, base_query: str = "") -> SafeString:
    """The timeline's filter, one list item per kind of entry (after "All"),
    the one shown marked as the current page."""
    query = html_text(base_query or "")
    return mark_safe("".join(  # every text is escaped
        f'<li><a href="?{query}type={html_text(value)}#tidslinje"'
        f'{" aria-current=\"page\"" if value == kind else ""}>{html_text(label)}</a></li>'
        for value, label in kinds))


@register.simple_tag
def holder_history(history) -> SafeString:
    """Who held the relay, for which service and from when, oldest first, the
    last marked as holding it now."""
    when, now, since_when = day_label("j. F Y"), html_text(_("holds the relay now")), _("from %(when)s")
    items = []
    for number, (holder, service, since) in enumerate(history, 1):
        badge = f' <span class="badge">{now}</span>' if number == len(history) else ""
        items.append(f"<li>{html_text(holder.display_name)}, {html_text(service.name)} – "
                     f"{_sentence(since_when, when=when(since))}{badge}</li>")
    return mark_safe("\n        ".join(items))  # every text above is escaped


@register.simple_tag
def participant_items(participants) -> SafeString:
    """Those taking part: the service, the person, the task, and a warning
    where the consent in force does not cover the service (`covered`)."""
    warning = html_text(_("not covered by the consent: no access"))
    uncovered = f' <strong class="warn-text">({warning})</strong>'
    items = []
    for participant in participants:
        person = f": {html_text(participant.user.display_name)}" if participant.user else ""
        task = f" – {html_text(participant.task)}" if participant.task else ""
        items.append(f"<li>{html_text(participant.service.name)}{person}{task}"
                     f"{'' if participant.covered else uncovered}</li>")
    return mark_safe("\n        ".join(items))  # every text above is escaped


@register.simple_tag
def guardian_items(guardians) -> SafeString:
    """The child's guardians, those without parental responsibility marked."""
    without = " – " + html_text(_("without parental responsibility"))
    return mark_safe("".join(  # every text is escaped
        f"<li>{html_text(g.name)} ({html_text(g.relation)})"
        f"{'' if g.parental_responsibility else without}</li>" for g in guardians))


@register.simple_tag
def child_facts(relay, child) -> SafeString:
    """The facts of the child and the relay shown beside its log: the name as
    the holder wrote it, the date of birth (or the expected date), the
    identity number masked where it was given, the level, holder and status."""
    date = day_label("j. F Y")
    rows = [(_("Child"), html_text(relay.child_name))]
    if child.unborn:
        rows.append((_("Expected date of birth"), date(child.expected_date)))
    else:
        rows.append((_("Date of birth"), date(child.birth_date)))
    if relay.child_id_given and child.national_id:
        rows.append((_("National identity number"), html_text(child.masked_national_id)))
    rows += [
        (_("Level"), html_text(relay.level)),
        (_("Holder"), f"{html_text(relay.holder.display_name)}, {html_text(relay.holder_service.name)}"),
        (_("Status"), html_text(_("Open") if relay.is_open else _("Closed"))),
    ]
    return mark_safe(  # every text is escaped (the dates are digits and month names)
        '<dl class="facts">\n'
        + "".join(f"  <dt>{html_text(term)}</dt><dd>{value}</dd>\n" for term, value in rows)
        + "</dl>")


# What the holder (and those who may) do to the relay, in the order shown:
# (action, route, label, translated when shown); the guardians' copy is
# there for everyone.
_RELAY_ACTIONS = (
    ("guardians", "relay:guardians", gettext_noop("Guardians")),
    ("consent", "relay:consent", gettext_noop("Record consent")),
    ("participants", "relay:participants", gettext_noop("Manage participants")),
    ("handover", "relay:handover", gettext_noop("Hand over the relay")),
    ("close", "relay:close", gettext_noop("Close the relay")),
    (None, "relay:guardian_copy", gettext_noop("The guardians' copy")),
)
# What is added to the log, by who may add content or plan meetings:
# (action, route, query, label, secondary).
_CONTENT_LINKS = (
    ("content", "relay_content:goal_new", "", gettext_noop("Add a goal"), False),
    ("content", "relay_content:measure_new", "", gettext_noop("Add a measure"), False),
    ("content", "relay_content:evaluation_new", "", gettext_noop("Record an evaluation"), False),
    ("meeting", "relay_content:meeting_new", "", gettext_noop("Plan a meeting"), False),
    ("content", "relay_content:entry_new", "", gettext_noop("Write a note"), True),
    ("content", "relay_content:entry_new", "?type=lysglimt", gettext_noop("Add a bright spot"), True),
)


@register.simple_tag
def relay_action_links(relay, allowed) -> SafeString:
    """The list items of what the viewer may do to the relay (`allowed`:
    policy.relay_actions)."""
    return mark_safe("\n    ".join(  # every text is escaped
        f'<li><a href="{id_url(route, relay.pk)}">{html_text(_(label))}</a></li>'
        for action, route, label in _RELAY_ACTIONS if action is None or action in allowed))


@register.simple_tag
def content_links(relay, allowed) -> SafeString:
    """The buttons that add to the log, for those who may (`allowed`): a
    navigation landmark of its own, or nothing."""
    label_of_nav = html_text(_("Add to the log"))
    items = [
        f'<li><a class="button button--small{" button--secondary" if secondary else ""}" '
        f'href="{id_url(route, relay.pk)}{query}">{html_text(_(label))}</a></li>'
        for action, route, query, label, secondary in _CONTENT_LINKS if action in allowed]
    if not items:
        return mark_safe("")
    return mark_safe(  # every text is escaped
        f'<nav class="concern-tools" aria-label="{label_of_nav}">\n'
        f'  <ul class="inline-list">\n    ' + "\n    ".join(items) + "\n  </ul>\n</nav>")


def _names(services) -> str:
    return ", ".join(html_text(service.name) for service in services)


@register.simple_tag
def consent_cards(consents, allowed, relay) -> SafeString:
    """A card for each consent in force (views._with_states): until when,
    which services, given by whom (and when signed with ID-porten), for what;
    the scanned form for those who record consent. "No consent in force."
    when there is none."""
    if not consents:
        return mark_safe("<p>" + html_text(_("No consent in force.")) + "</p>")
    date, child = day_label("j. F Y"), html_text(_("the child"))
    in_force, services, given_by = html_text(_("In force")), html_text(_("Services")), html_text(_("Given by"))
    until = _("until %(date)s")
    scan_label = html_text(_("The scanned form"))
    cards = []
    for consent in consents:
        parties = []
        for party in consent.parties.all():
            who = child if party.is_child else html_text(party.guardian.name)
            if party.signed_at:
                who += " (" + _sentence(_("signed with ID-porten %(when)s, %(level)s"),
                                        when=date_filter(template_localtime(party.signed_at),
                                                         "SHORT_DATETIME_FORMAT"),
                                        level=party.assurance_level) + ")"
            parties.append(who)
        scan = ""
        if consent.scan and "consent" in allowed:
            url = reverse("relay:consent_scan", args=[relay.pk, consent.pk])
            scan = f'\n  <p><a href="{html_text(url)}">{scan_label}</a></p>'
        cards.append(
            f'<div class="card">\n'
            f"  <p><strong>{in_force}</strong> – "
            f"{_sentence(until, date=date(consent.valid_until))}</p>\n"
            f"  <p>{services}: {_names(consent.services.all())}</p>\n"
            f"  <p>{given_by}: {', '.join(parties)}</p>\n"
            f'  <p class="prose">{html_text(consent.purpose)}</p>{scan}\n'
            f"</div>")
    return mark_safe("\n".join(cards))  # every text above is escaped


@register.simple_tag
def earlier_consents(consents) -> SafeString:
    """The list items of the consents no longer in force: their services and
    how each ended (withdrawn, with why; expired; extended by a newer one)."""
    date, items = day_label("j. F Y"), []
    for consent in consents:
        if consent.in_force and not consent.superseded:
            continue
        if consent.withdrawn_at:
            ended = (_sentence(_("withdrawn %(when)s"), when=date(consent.withdrawn_at))
                     + f": {html_text(consent.withdrawn_reason)}")
        elif consent.expired:
            ended = _sentence(_("expired %(when)s"), when=date(consent.valid_until))
        else:
            ended = html_text(_("extended by a newer consent"))
        items.append(f"<li>{_names(consent.services.all())} – {ended}</li>")
    return mark_safe("\n          ".join(items))  # every text above is escaped
