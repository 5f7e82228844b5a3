"""A wave's results, suppressed, for one reader; the same tables feed the
page, the charts, the CSV, the XLSX and the PDF (nothing else renders them).

The rule (docs/surveys.md): a group is a service's respondents in a wave.
- Nothing of a wave is shown while fewer than five have answered it.
- A service with 1–4 respondents is hidden entirely (its respondents, its
  distributions, its means).
- The municipality's figure minus the shown services is the hidden services
  together; so further services are hidden, the smallest first, until the
  hidden respondents together are 0, or at least five and at least two more
  than the number of hidden services (then no hidden service's size can be
  narrowed to fewer than three values). If even hiding every service cannot
  get there, the municipality figure is hidden too.
- The decision is made once per wave from all its services, and every reader
  (the coordinator, each leader) sees a subset of the same published figures,
  so comparing two readers' pages adds nothing. Waves have disjoint
  respondents, so comparing waves adds no equation either.
- Free texts only for the whole municipality, per question, when at least
  five were written, shuffled, with no service and no order.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from stafett.lib.charts import Chart, bar_chart

from .bank import display_text
from .models import Answer, QuestionKind, Response, Wave, WaveQuestion

THRESHOLD = 5
ALL = "all"  # the municipality's group key
LIKERT_VALUES = [1, 2, 3, 4, 5]
YES_NO_VALUES = [1, 0]


def hidden_groups(counts: dict[int, int]) -> tuple[set[int], bool]:
    """(hidden service ids, whether the municipality figure is shown)."""
    total = sum(counts.values())
    if total < THRESHOLD:
        return {s for s, n in counts.items() if n}, False
    hidden = {s for s, n in counts.items() if 0 < n < THRESHOLD}

    def safe() -> bool:
        together = sum(counts[s] for s in hidden)
        return together == 0 or (together >= THRESHOLD and together >= len(hidden) + 2)

    for sid in sorted((s for s in counts if s not in hidden and counts[s]), key=lambda s: (counts[s], s)):
        if safe():
            break
        hidden.add(sid)
    if not safe():
        return {s for s, n in counts.items() if n}, False
    return hidden, True


@dataclass
class Group:
    key: str  # "s<id>" or ALL
    label: str
    respondents: int
    shown: bool


@dataclass
class WaveFigures:
    wave: Wave
    groups: dict[str, Group]  # every group of the wave the reader may see
    total: int

    @property
    def visible(self) -> bool:
        return any(g.shown for g in self.groups.values())


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]  # first cells are row labels (group, wave)
    hidden_rows: set[int] = field(default_factory=set)


@dataclass
class QuestionResult:
    number: int
    text: str
    kind: str
    area: str
    table: Table | None = None
    chart: Chart | None = None
    texts: list[str] | None = None  # free texts, when at least five
    text_count: int = 0


@dataclass
class Results:
    wave: Wave
    figures: list[WaveFigures]  # this wave first, then the earlier ones compared
    respondents: Table
    questions: list[QuestionResult]
    visible: bool


def _fmt(value: float) -> str:
    return number_format(round(value, 1), 1)


def _figures(wave, counts, service_names, readable) -> WaveFigures:
    hidden, municipality_shown = hidden_groups(counts)
    groups = {}
    for sid in sorted(readable & set(counts), key=lambda s: (service_names.get(s, ""), s)):
        groups[f"s{sid}"] = Group(f"s{sid}", service_names.get(sid, "?"), counts[sid], sid not in hidden)
    total = sum(counts.values())
    groups[ALL] = Group(ALL, _("The whole municipality"), total, municipality_shown)
    return WaveFigures(wave, groups, total)


def results_for(wave: Wave, readable: set[int], service_names: dict[int, str]) -> Results:
    """The wave's results for a reader who may see `readable` services (and the
    municipality), compared with the earlier waves that asked the same
    questions. A fixed number of queries, whatever the number of answers."""
    own = list(WaveQuestion.objects.filter(wave=wave).select_related("question").order_by("position", "pk"))
    question_ids = [wq.question_id for wq in own]
    earlier = list(
        WaveQuestion.objects.filter(municipality=wave.municipality, question_id__in=question_ids,
                                    wave__created_at__lt=wave.created_at)
        .exclude(wave__status=Wave.Status.DRAFT).select_related("wave")
    )
    waves = {wave.pk: wave} | {wq.wave_id: wq.wave for wq in earlier}
    by_question = defaultdict(dict)  # question id -> wave id -> wave question id
    kinds = {}
    for wq in [*own, *earlier]:
        by_question[wq.question_id][wq.wave_id] = wq.pk
        kinds[wq.pk] = wq.kind
    counts: dict[int, dict[int, int]] = {w: {} for w in waves}
    for w, sid in Wave.services.through.objects.filter(wave_id__in=list(waves)).values_list(
            "wave_id", "service_id"):
        counts[w][sid] = 0
    for row in (Response.objects.filter(wave_id__in=list(waves)).values("wave_id", "service_id")
                .annotate(n=Count("pk"))):
        counts[row["wave_id"]][row["service_id"]] = row["n"]
    figures = {w: _figures(waves[w], counts[w], service_names, readable) for w in waves}
    order = [wave.pk] + sorted((w for w in waves if w != wave.pk),
                               key=lambda w: (waves[w].created_at, w), reverse=True)
    # Only figures a reader may see are read: the distributions of shown groups.
    wanted = [wq_id for q in by_question.values() for wq_id in q.values()
              if kinds[wq_id] != QuestionKind.FREE_TEXT]
    dist = defaultdict(int)  # (wave question, service, value) -> count
    for row in (Answer.objects.filter(question_id__in=wanted, value__isnull=False)
                .values("question_id", "response__service_id", "value").annotate(n=Count("pk"))):
        dist[row["question_id"], row["response__service_id"], row["value"]] += row["n"]
    free = [wq.pk for wq in own if wq.kind == QuestionKind.FREE_TEXT]
    texts = defaultdict(list)
    if free and figures[wave.pk].groups[ALL].shown:
        for wq_id, text in Answer.objects.filter(question_id__in=free).exclude(text="").values_list(
                "question_id", "text"):
            texts[wq_id].append(text)

    group_keys = list(figures[wave.pk].groups)
    hidden = _("hidden")
    respondents = Table("respondents", _("Respondents"),
                        [_("Group"), *[waves[w].title for w in order]], [])
    for key in group_keys:
        row = [figures[wave.pk].groups[key].label]
        for w in order:
            group = figures[w].groups.get(key)
            row.append("–" if group is None else (str(group.respondents) if group.shown or not group.respondents
                                                  else hidden))
        respondents.rows.append(row)

    questions = []
    for number, wq in enumerate(own, start=1):
        result = QuestionResult(number, display_text(wq.text, wq.question.key), wq.kind, wq.get_area_display())
        questions.append(result)
        if wq.kind == QuestionKind.FREE_TEXT:
            found = texts.get(wq.pk, [])
            result.text_count = len(found)
            if len(found) >= THRESHOLD:
                random.SystemRandom().shuffle(found)
                result.texts = found
            continue
        likert = wq.kind == QuestionKind.LIKERT
        values = LIKERT_VALUES if likert else YES_NO_VALUES
        value_labels = [str(v) for v in values] if likert else [_("Yes"), _("No")]
        summary = _("Mean (1–5)") if likert else _("Share yes")
        table = Table(f"q{number}", result.text,
                      [_("Group"), _("Wave"), _("Respondents"), *value_labels, summary], [])
        bars = []
        for key in group_keys:
            for w in order:
                group = figures[w].groups.get(key)
                wq_id = by_question[wq.question_id].get(w)
                if group is None or wq_id is None:
                    continue
                label = [group.label, waves[w].title]
                if not group.respondents:
                    table.rows.append([*label, "0", *["–"] * (len(values) + 1)])
                    bars.append((f"{group.label} – {waves[w].title}", None, "–", False))
                    continue
                if not group.shown:
                    table.hidden_rows.add(len(table.rows))
                    table.rows.append([*label, hidden, *[hidden] * (len(values) + 1)])
                    bars.append((f"{group.label} – {waves[w].title}", None, hidden, True))
                    continue
                service_ids = [int(key[1:])] if key != ALL else list(counts[w])
                cells = [sum(dist[wq_id, s, v] for s in service_ids) for v in values]
                answered = sum(cells)
                if likert:
                    mean = sum(v * c for v, c in zip(values, cells, strict=True)) / answered if answered else None
                    text = "–" if mean is None else _fmt(mean)
                    bars.append((f"{group.label} – {waves[w].title}", mean, text, False))
                else:
                    share = 100 * cells[0] / answered if answered else None
                    text = "–" if share is None else f"{round(share)} %"
                    bars.append((f"{group.label} – {waves[w].title}", share, text, False))
                table.rows.append([*label, str(group.respondents), *[str(c) for c in cells], text])
        result.table = table
        result.chart = bar_chart(bars, maximum=5 if likert else 100)
    return Results(wave, [figures[w] for w in order], respondents, questions, figures[wave.pk].visible)
