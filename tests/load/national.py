"""Build the national data set on PostgreSQL: 357 municipalities, about
1.1 million children, 100 000 relays, 2 million log entries and 20 million
audit events, with one city of 10 000 open relays among them.

Run:
    .venv/bin/python tests/load/national.py                 # the full set
    .venv/bin/python tests/load/national.py --scale 0.05    # a quick one
Options: --db NAME (default stafett_national; dropped and created again),
--server postgres://postgres@127.0.0.1:5432, --jobs N (audit writers, 2),
--scale S (every count but the number of municipalities times S).

Everything is bulk SQL (INSERT … SELECT over generate_series, with ids
computed from a per-municipality plan) except the municipalities and their
guides (the app's own loader, once each) and the audit trail (sealed in
Python, streamed with COPY). Constraints and secondary indexes of the filled
tables are dropped before the load and added again after it, so PostgreSQL
validates every foreign key and unique rule once, over the whole set.

The people to log in as (password BENCH_PASSWORD, no second factor) are
written to the table `bench_people` (username, role, object ids) for
tests/load/bench_pages.py. Not collected by pytest (tests/load/conftest.py).
"""

import argparse
import datetime as dt
import hashlib
import hmac
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

BENCH_PASSWORD = "stafett-benk-passord-2026"
MUNICIPALITIES = 357
CITY_NUMBER = "7000"  # no real municipality has a 70xx number
# National totals at --scale 1.
CHILDREN = 1_100_000
RELAYS = 100_000
CITY_OPEN_RELAYS = 10_000
ENTRIES_PER_RELAY = 20
AUDIT_EVENTS = 20_000_000
BIG_RELAY_ENTRIES = 500 - ENTRIES_PER_RELAY  # relay 0 of the city: 500 in all
TARGET_CHILD_EVENTS = 5_000
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)

# Tables filled by bulk SQL: their constraints (but the primary key) and
# secondary indexes are dropped during the load and added again after.
BULK_TABLES = [
    "accounts_user", "tenancy_service", "tenancy_membership", "tenancy_municipalityrole",
    "concerns_child", "concerns_concern", "relay_guardian", "relay_relay", "relay_consent",
    "relay_consent_services", "relay_consentparty", "relay_participant", "relay_handover",
    "relay_goal", "relay_measure", "relay_meeting", "relay_evaluation", "relay_levelchange",
    "relay_entry", "relay_withholding", "followup_break", "followup_notification",
    "followup_followupsettings", "audit_auditevent", "audit_auditchain",
]
# Tables whose triggers keep Participant.covered_until (migration relay 0011).
COVERAGE_TABLES = ["relay_participant", "relay_consent", "relay_consent_services"]


STARTED = time.perf_counter()


def log(message):
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", flush=True)


# --- the plan: how big each municipality is, and where its ids start ---------


def make_plan(scale: float) -> list[dict]:
    """One row per municipality: counts and the first id of each kind of row.
    Ids are explicit and contiguous per municipality, so every foreign key is
    arithmetic on the plan in SQL (no lookups while loading)."""
    children = int(CHILDREN * scale)
    relays = int(RELAYS * scale)
    city_open = max(20, int(CITY_OPEN_RELAYS * scale))
    sizes = []
    # The city: a tenth of the children, 10 000 open relays and some closed.
    sizes.append({"children": children // 10, "relays": city_open + city_open // 5,
                  "open": city_open, "services": 60})
    rest_children = children - children // 10
    rest_relays = max(0, relays - sizes[0]["relays"])
    # The others: a long tail, as in a country of many small municipalities.
    weights = [1 / (i ** 0.8) for i in range(1, MUNICIPALITIES)]
    total = sum(weights)
    for w in weights:
        nr = max(3, round(rest_relays * w / total))
        sizes.append({"children": max(nr * 2 + 10, round(rest_children * w / total)),
                      "relays": nr, "open": max(2, nr * 3 // 5), "services": 8})
    total_relays = sum(s["relays"] for s in sizes)
    plan, next_id = [], {}

    def take(kind, n):
        lo = next_id.get(kind, 1)
        next_id[kind] = lo + n
        return lo

    for i, s in enumerate(sizes):
        nr, ns = s["relays"], s["services"]
        p = {"idx": i, "nc": s["children"], "nr": nr, "nro": s["open"], "ns": ns,
             "nu": max(4 * ns + 6, s["children"] // 100), "ncon": nr + max(4, nr // 2)}
        p["nq"] = p["ncon"] - nr  # level-0 worries that did not become a relay
        p["ne"] = nr * ENTRIES_PER_RELAY + (BIG_RELAY_ENTRIES if i == 0 else 0)
        p["na"] = max(50, round(AUDIT_EVENTS * scale * nr / total_relays))
        p["service_lo"] = take("service", ns)
        p["user_lo"] = take("user", p["nu"] + 1)  # the last one is the coordinator
        p["child_lo"] = take("child", p["nc"])
        p["concern_lo"] = take("concern", p["ncon"])
        for kind, per_relay in [("relay", 1), ("guardian", 2), ("consent", 2), ("participant", 3),
                                ("handover", 2), ("goal", 1), ("measure", 1), ("meeting", 1),
                                ("evaluation", 1), ("levelchange", 1), ("brk", 1)]:
            p[f"{kind}_lo"] = take(kind, nr * per_relay)
        p["qbrk_lo"] = take("brk", p["ncon"])
        p["entry_lo"] = take("entry", p["ne"])
        # People of the benchmark (local user numbers): 0..ns-1 lead a service
        # each; ns is the holder with many relays, ns+1 the participant.
        p["holder_many"] = max(5, min(nr // 2, int(300 * scale) if i == 0 else 2))
        p["worries_of_holder"] = max(4, min(p["nq"] // 2, int(200 * scale))) if i == 0 else 2
        plan.append(p)
    return plan


PLAN_COLUMNS = ["idx", "mun", "guide", "nc", "nr", "nro", "ns", "nu", "ncon", "nq", "ne",
                "service_lo", "user_lo", "child_lo", "concern_lo", "relay_lo", "guardian_lo",
                "consent_lo", "participant_lo", "handover_lo", "goal_lo", "measure_lo",
                "meeting_lo", "evaluation_lo", "levelchange_lo", "brk_lo", "qbrk_lo", "entry_lo",
                "holder_many", "worries_of_holder"]


# --- SQL: each statement fills one table for every municipality at once -------
# Within a municipality: relay k (0..nr-1) belongs to child k; its holder is
# the benchmark holder for k < holder_many, else an employee by rotation; the
# holder's service is the service of their active membership (user j works in
# service j % ns). Relays k < nro are open.

HOLDER = ("(p.user_lo + CASE WHEN {k} < p.holder_many THEN p.ns "
          "ELSE p.ns + 2 + ({k} % (p.nu - p.ns - 2)) END)")
HOLDER_SERVICE = f"(p.service_lo + (({HOLDER} - p.user_lo) % p.ns))"
OTHER_SERVICE = "(p.service_lo + ((({hs}) - p.service_lo + 1 + {k} % (p.ns - 1)) % p.ns))"
T = "'{now}'::timestamptz"


def sql_statements(password_hash: str) -> list[tuple[str, str]]:
    now = NOW.isoformat()
    k = "g.k"
    holder = HOLDER.format(k=k)
    hs = HOLDER_SERVICE.format(k=k)
    other = OTHER_SERVICE.format(hs=hs, k=k)
    # The benchmark participant (local user ns+1, service 1) takes part in
    # relays holder_many .. 3*holder_many; others get an employee of the service.
    covered = f"{k} >= p.holder_many AND {k} < 3 * p.holder_many AND {hs} <> p.service_lo + 1"
    part_user = (f"CASE WHEN {covered} THEN p.user_lo + p.ns + 1 "
                 f"WHEN {k} % 3 = 0 THEN NULL ELSE p.user_lo + ({other} - p.service_lo) + p.ns * 2 END")
    part_service = f"CASE WHEN {covered} THEN p.service_lo + 1 ELSE {other} END"
    relays = "FROM national_plan p, LATERAL generate_series(0, p.nr - 1) AS g(k)"
    ts = lambda days: f"({T.format(now=now)} - make_interval(days => ({days})::int))"  # noqa: E731
    return [
        ("users", f"""
            INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email,
                is_staff, is_active, date_joined, preferred_language, session_salt, kind, national_id)
            SELECT p.user_lo + j, '{password_hash}', false, 'u' || m.number || '-' || j,
                   'Ansatt' || j, m.name, '', false, true, {ts(800)}, '', md5((p.user_lo + j)::text), 'staff', ''
            FROM national_plan p JOIN tenancy_municipality m ON m.id = p.mun,
                 LATERAL generate_series(0, p.nu) AS s(j)"""),
        ("services", """
            INSERT INTO tenancy_service (id, name, kind, municipality_id, organisation_number)
            SELECT p.service_lo + s, (ARRAY['Skole','Barnehage','Helsestasjon','Skolehelsetjenesten',
                       'PPT','Barnevern','NAV','BUP'])[1 + s % 8] || ' ' || s,
                   (ARRAY['basis','basis','basis','basis','hjelpe','hjelpe','voksen','spesialist'])[1 + s % 8],
                   p.mun, ''
            FROM national_plan p, LATERAL generate_series(0, p.ns - 1) AS g(s)"""),
        ("memberships (active, and ended ones elsewhere)", """
            INSERT INTO tenancy_membership (role, active, user_id, municipality_id, service_id)
            SELECT CASE WHEN j < p.ns THEN 'leader' ELSE 'employee' END, true, p.user_lo + j, p.mun,
                   p.service_lo + j % p.ns
            FROM national_plan p, LATERAL generate_series(0, p.nu - 1) AS g(j)
            UNION ALL
            SELECT 'employee', false, p.user_lo + j, p.mun, p.service_lo + (j + 1) % p.ns
            FROM national_plan p, LATERAL generate_series(0, p.nu - 1) AS g(j)
            WHERE j % 10 = 9"""),
        ("coordinators", """
            INSERT INTO tenancy_municipalityrole (role, municipality_id, user_id)
            SELECT 'coordinator', p.mun, p.user_lo + p.nu FROM national_plan p"""),
        ("follow-up settings", """
            INSERT INTO followup_followupsettings (concern_idle_days, holder_inactive_days, handover_days,
                consent_warning_days, relay_idle_days, transition_days, municipality_id)
            SELECT 14, 30, 7, 30, 45, 90, p.mun FROM national_plan p"""),
        ("children", """
            INSERT INTO concerns_child (id, name, name_key, birth_date, national_id, municipality_id, merged_ids)
            SELECT p.child_lo + c, 'Barn ' || (p.child_lo + c), 'barn ' || (p.child_lo + c),
                   DATE '2008-01-01' + ((c * 37) % 6500)::int, '', p.mun, '[]'
            FROM national_plan p, LATERAL generate_series(0, p.nc - 1) AS g(c)"""),
        ("guardians", f"""
            INSERT INTO relay_guardian (id, name, relation, parental_responsibility, phone, child_id,
                municipality_id, national_id)
            SELECT p.guardian_lo + 2 * {k} + r, (ARRAY['Mor','Far'])[r + 1] || ' ' || (p.child_lo + {k}),
                   (ARRAY['mor','far'])[r + 1], true, '', p.child_lo + {k}, p.mun, ''
            {relays}, LATERAL generate_series(0, 1) AS x(r)"""),
        # Worries: concern k (< nr) grew into relay k; the others are level-0
        # worries about children without a relay, the benchmark holder's first.
        ("worries", f"""
            INSERT INTO concerns_concern (id, observations, questions, shared_at, outcome, outcome_reason,
                decided_at, status, closed_reason, closed_at, created_at, last_activity_at, version,
                author_id, child_id, decided_by_id, guide_id, municipality_id, service_id, child_id_given,
                child_name, contact_detail, contact_how, raised_by_family, shared_by_id)
            SELECT p.concern_lo + {k}, 'Observasjoner ' || {k}, '', {ts(f"400 + {k} % 300")},
                   'level' || (1 + {k} % 3), 'Begrunnelse', {ts(f"390 + {k} % 300")}, 'closed', '',
                   {ts(f"390 + {k} % 300")}, {ts(f"420 + {k} % 300")}, {ts(f"390 + {k} % 300")}, 1,
                   {holder}, p.child_lo + {k}, {holder}, p.guide, p.mun, {hs}, false,
                   'Barn ' || (p.child_lo + {k}), '', '', false, {holder}
            {relays}
            UNION ALL
            SELECT p.concern_lo + p.nr + q, 'Observasjoner ' || q, 'Undring', NULL::timestamptz, '', '', NULL::timestamptz,
                   CASE WHEN q % 3 = 2 THEN 'closed' ELSE 'open' END, '',
                   CASE WHEN q % 3 = 2 THEN {ts("q % 200")} END, {ts("10 + q % 300")}, {ts("q % 40")}, 1,
                   a.author, p.child_lo + p.nr + q % (p.nc - p.nr), NULL, p.guide, p.mun,
                   p.service_lo + (a.author - p.user_lo) % p.ns, false,
                   'Barn ' || (p.child_lo + p.nr + q % (p.nc - p.nr)), '', '', false, NULL
            FROM national_plan p, LATERAL generate_series(0, p.nq - 1) AS g(q),
                 LATERAL (SELECT CASE WHEN q < p.worries_of_holder THEN p.user_lo + p.ns
                                 ELSE p.user_lo + p.ns + 2 + q % (p.nu - p.ns - 2) END AS author) a"""),
        ("relays", f"""
            INSERT INTO relay_relay (id, level, area_of_concern, status, created_at, last_activity_at,
                closed_at, closing_reason, closing_summary, child_last_word, parents_last_word, version,
                child_id, closed_by_id, concern_id, created_by_id, guide_id, holder_id, holder_service_id,
                municipality_id, child_id_given, child_name)
            SELECT p.relay_lo + {k}, 1 + {k} % 3, 'Trivsel og læring',
                   CASE WHEN {k} < p.nro THEN 'open' ELSE 'closed' END, {ts(f"380 + {k} % 300")},
                   {ts(f"{k} % 90")}, CASE WHEN {k} >= p.nro THEN {ts(f"{k} % 90")} END,
                   CASE WHEN {k} >= p.nro THEN 'goal_reached' ELSE '' END, '', '', '', 1,
                   p.child_lo + {k}, CASE WHEN {k} >= p.nro THEN {holder} END, p.concern_lo + {k},
                   {holder}, p.guide, {holder}, {hs}, p.mun, false, 'Barn ' || (p.child_lo + {k})
            {relays}"""),
        # Consent A of every relay: in force, superseded by B (k % 10 = 0),
        # withdrawn (k % 10 = 1 and every closed relay) or expired (k % 10 = 2).
        ("consents", f"""
            INSERT INTO relay_consent (id, purpose, given_on, valid_until, method, scan, recorded_at,
                withdrawn_at, withdrawn_reason, municipality_id, recorded_by_id, supersedes_id,
                withdrawn_by_id, relay_id, superseded_at)
            SELECT p.consent_lo + 2 * {k}, 'Samarbeid om tiltak', ({ts(f"370 + {k} % 300")})::date,
                   CASE WHEN {k} % 10 = 2 AND {k} < p.nro THEN ({ts(f"5 + {k} % 20")})::date
                        ELSE ({ts(f"-200 - {k} % 100")})::date END,
                   'digital', '', {ts(f"370 + {k} % 300")},
                   CASE WHEN {k} % 10 = 1 OR {k} >= p.nro THEN {ts(f"{k} % 60")} END,
                   CASE WHEN {k} % 10 = 1 OR {k} >= p.nro THEN 'Familien trakk samtykket' ELSE '' END,
                   p.mun, {holder}, NULL,
                   CASE WHEN {k} % 10 = 1 OR {k} >= p.nro THEN {holder} END, p.relay_lo + {k},
                   CASE WHEN {k} % 10 = 0 AND {k} < p.nro THEN {ts(f"100 + {k} % 200")} END
            {relays}
            UNION ALL
            SELECT p.consent_lo + 2 * {k} + 1, 'Samarbeid om tiltak, utvidet', ({ts(f"100 + {k} % 200")})::date,
                   ({ts(f"-300 - {k} % 100")})::date, 'digital', '', {ts(f"100 + {k} % 200")},
                   NULL::timestamptz, '', p.mun, {holder}, p.consent_lo + 2 * {k}, NULL::bigint,
                   p.relay_lo + {k}, NULL::timestamptz
            {relays} WHERE {k} % 10 = 0 AND {k} < p.nro"""),
        ("consent services", f"""
            INSERT INTO relay_consent_services (consent_id, service_id)
            SELECT c.id, s.service
            FROM (SELECT p.consent_lo + 2 * {k} + b AS c, {hs} AS hs, {part_service} AS other
                  {relays}, LATERAL generate_series(0, 1) AS y(b)) x
            JOIN relay_consent c ON c.id = x.c,
                 LATERAL (SELECT DISTINCT unnest(ARRAY[x.hs, x.other]) AS service) s"""),
        ("consent parties", """
            INSERT INTO relay_consentparty (is_child, consent_id, municipality_id, guardian_id, assurance_level)
            SELECT false, c.id, c.municipality_id, p.guardian_lo + 2 * (c.relay_id - p.relay_lo) + r, ''
            FROM relay_consent c JOIN national_plan p ON p.mun = c.municipality_id,
                 LATERAL generate_series(0, 1) AS x(r)"""),
        # The holder's service, another service (the benchmark participant's
        # in their relays), and in every fourth relay one who has left.
        ("participants", f"""
            INSERT INTO relay_participant (id, task, joined_at, left_at, municipality_id, service_id, user_id, relay_id)
            SELECT p.participant_lo + 3 * {k}, 'Stafettholder', {ts(f"380 + {k} % 300")}, NULL::timestamptz, p.mun, {hs},
                   {holder}, p.relay_lo + {k} {relays}
            UNION ALL
            SELECT p.participant_lo + 3 * {k} + 1, 'Oppfølging', {ts(f"370 + {k} % 300")}, NULL::timestamptz, p.mun,
                   {part_service}, {part_user}, p.relay_lo + {k} {relays}
            UNION ALL
            SELECT p.participant_lo + 3 * {k} + 2, 'Kartlegging', {ts(f"360 + {k} % 300")}, {ts(f"{k} % 100")},
                   p.mun, {other}, NULL, p.relay_lo + {k} {relays} WHERE {k} % 4 = 0"""),
        ("handovers", f"""
            INSERT INTO relay_handover (id, note, status, requested_at, responded_at, from_service_id,
                from_user_id, municipality_id, to_service_id, to_user_id, relay_id, kind, requested_by_id)
            SELECT p.handover_lo + 2 * {k}, 'Overlevering', 'accepted', {ts(f"200 + {k} % 100")},
                   {ts(f"195 + {k} % 100")}, {other}, p.user_lo + ({other} - p.service_lo) + p.ns * 3, p.mun,
                   {hs}, {holder}, p.relay_lo + {k}, 'handover', p.user_lo + ({other} - p.service_lo) + p.ns * 3
            {relays} WHERE {k} % 5 = 0
            UNION ALL
            SELECT p.handover_lo + 2 * {k} + 1, 'Ny holder', 'pending', {ts(f"{k} % 20")}, NULL::timestamptz, {hs},
                   {holder}, p.mun, {other}, p.user_lo + ({other} - p.service_lo) + p.ns * 2,
                   p.relay_lo + {k}, 'handover', {holder}
            {relays} WHERE {k} % 50 = 3 AND {k} < p.nro"""),
        ("goals", f"""
            INSERT INTO relay_goal (id, title, indicator, achieved, created_at, version, created_by_id,
                municipality_id, relay_id)
            SELECT p.goal_lo + {k}, 'Trives på skolen', 'Går på skolen hver dag', {k} >= p.nro,
                   {ts(f"360 + {k} % 300")}, 1, {holder}, p.mun, p.relay_lo + {k} {relays}"""),
        ("measures", f"""
            INSERT INTO relay_measure (id, what, starts_on, deadline, evaluate_on, created_at, version,
                created_by_id, goal_id, municipality_id, responsible_service_id, responsible_user_id, relay_id)
            SELECT p.measure_lo + {k}, 'Samtaler med helsesykepleier', ({ts(f"350 + {k} % 300")})::date,
                   ({ts(f"{k} % 120 - 60")})::date, ({ts(f"{k} % 120 - 50")})::date, {ts(f"355 + {k} % 300")},
                   1, {holder}, p.goal_lo + {k}, p.mun, {hs}, {holder}, p.relay_lo + {k} {relays}"""),
        ("meetings", f"""
            INSERT INTO relay_meeting (id, kind, starts_at, place, agenda, child_present, minutes, decisions,
                minutes_recorded_at, created_at, version, created_by_id, municipality_id, relay_id)
            SELECT p.meeting_lo + {k}, (ARRAY['network','planning','evaluation_decision'])[1 + {k} % 3],
                   {ts(f"{k} % 200 - 30")}, 'Møterom 1', 'Status', false, '', '', NULL,
                   {ts(f"300 + {k} % 60")}, 1, {holder}, p.mun, p.relay_lo + {k} {relays}"""),
        ("evaluations", f"""
            INSERT INTO relay_evaluation (id, what_happened, child_view, parents_view, professionals_view,
                conclusion, created_at, created_by_id, municipality_id, goal_id, measure_id, meeting_id, relay_id)
            SELECT p.evaluation_lo + {k}, 'Bedre oppmøte', '', '', '', 'Fortsette', {ts(f"{k} % 100")},
                   {holder}, p.mun, p.goal_lo + {k}, p.measure_lo + {k}, p.meeting_lo + {k}, p.relay_lo + {k}
            {relays} WHERE {k} % 2 = 0"""),
        ("level changes", f"""
            INSERT INTO relay_levelchange (id, from_level, to_level, reason, decided_at, decided_by_id,
                municipality_id, meeting_id, relay_id)
            SELECT p.levelchange_lo + {k}, 1, 2, 'Trenger samarbeid', {ts(f"{k} % 100")}, {holder}, p.mun,
                   p.meeting_lo + {k}, p.relay_lo + {k}
            {relays} WHERE {k} % 3 = 1"""),
        # ~20 entries a relay, round robin; relay 0 of the city gets 500 in all.
        ("log entries", f"""
            INSERT INTO relay_entry (id, kind, text, created_at, author_id, author_service_id,
                municipality_id, relay_id, event, params, by_family)
            SELECT p.entry_lo + e, CASE WHEN e % 7 = 3 THEN 'bright_spot' ELSE 'note' END,
                   'Notat nummer ' || e, {ts("(e / p.nr) * 15 + e % 13")},
                   {HOLDER.format(k='(CASE WHEN e < p.nr * 20 THEN e % p.nr ELSE 0 END)')},
                   {HOLDER_SERVICE.format(k='(CASE WHEN e < p.nr * 20 THEN e % p.nr ELSE 0 END)')},
                   p.mun, p.relay_lo + CASE WHEN e < p.nr * 20 THEN e % p.nr ELSE 0 END, '', '{{}}', false
            FROM national_plan p, LATERAL generate_series(0, p.ne - 1) AS g(e)"""),
        ("withheld entries", """
            INSERT INTO relay_withholding (reason, decided_at, decided_by_id, entry_id, guardian_id, municipality_id)
            SELECT 'Mistanke om vold', e.created_at, e.author_id, e.id,
                   p.guardian_lo + 2 * (e.relay_id - p.relay_lo), e.municipality_id
            FROM relay_entry e JOIN national_plan p ON p.mun = e.municipality_id
            WHERE e.id % 100 = 5"""),
        # Breaks: an idle relay (open, or mended once closed) for every third
        # relay, an idle worry for every other open one; each tells its person.
        ("follow-up breaks", f"""
            INSERT INTO followup_break (id, rule, object_type, object_id, opened_at, mended_at, concern_id,
                municipality_id, recipient_id, relay_id, service_id)
            SELECT p.brk_lo + {k}, 'relay_idle', 'relay', p.relay_lo + {k}, {ts(f"50 + {k} % 30")},
                   CASE WHEN {k} >= p.nro THEN {ts(f"{k} % 30")} END, NULL::bigint, p.mun, {holder},
                   p.relay_lo + {k}, {hs}
            {relays} WHERE {k} % 3 = 0
            UNION ALL
            SELECT p.qbrk_lo + c.id - p.concern_lo, 'concern_idle', 'concern', c.id, {ts("20")}, NULL::timestamptz, c.id,
                   p.mun, c.author_id, NULL, c.service_id
            FROM national_plan p JOIN concerns_concern c ON c.municipality_id = p.mun
            WHERE c.status = 'open' AND c.id % 2 = 0"""),
        ("notifications", """
            INSERT INTO followup_notification (created_at, read_at, break_id, municipality_id, user_id)
            SELECT b.opened_at, CASE WHEN b.id % 4 = 0 THEN b.opened_at END, b.id, b.municipality_id, b.recipient_id
            FROM followup_break b"""),
    ]


# --- the audit trail ----------------------------------------------------------
# Kept in one place: the lead adapts this part to the new audit schema.

AUDIT_COLUMNS = ("id", "seq", "at", "action", "object_type", "object_id", "item_type", "item_id",
                 "child_id", "legal_basis", "row_hash", "prev_hash", "hash", "actor_id",
                 "municipality_id", "service_id")
RELAY_ACTIONS = [("read", "", False), ("list", "", False), ("read", "goal", True),
                 ("create", "entry", True), ("read_pdf", "", False), ("update", "measure", True),
                 ("read_consent", "", False), ("read", "entry", True)]


def audit_rows(job):
    """Yield one municipality's trail as COPY lines, every row sealed as the
    sealer would have sealed it (stafett.audit.sealer): its row hash (the
    HMAC of AuditEvent.content) and its seal (seq from 1, linked to the row
    before), written out by hand for speed and checked against the model's
    own methods after the load. Ids are given here, since the seal covers
    the id."""
    mun, count, relays, concerns, target, first_id, key = job
    start = NOW.timestamp() - 730 * 86400
    step = 730 * 86400 / count
    every = max(2, count // target[4]) if target else 0
    target_left = target[4] if target else 0
    prev = ""
    fromts = dt.datetime.fromtimestamp
    utc = dt.UTC
    mac = hmac.new
    sha = hashlib.sha256
    nrel, ncon = len(relays), len(concerns)
    for e in range(count):
        at = fromts(int(start + e * step), utc).isoformat()
        if target_left and e % every == 0:
            target_left -= 1
            rid, child, actor, service = target[:4]
            action, item_type, has_item = RELAY_ACTIONS[e % 8]
            obj, basis = "relay", "consent"
        elif e % 4 == 3 and ncon:
            rid, child, actor, service = concerns[(e * 7919) % ncon]
            action, item_type, has_item, obj, basis = "read", "", False, "concern", "service_duty"
        else:
            rid, child, actor, service = relays[(e * 7919) % nrel]
            action, item_type, has_item = RELAY_ACTIONS[e % 8]
            obj, basis = "relay", "consent"
        item = e if has_item else None
        pk, seq = first_id + e, e + 1
        content = (f'[{mun},"{at}",{actor},"{action}","{obj}",{rid},"{item_type}",'
                   f'{"null" if item is None else item},{child},{service},"{basis}"]')
        row_hash = mac(key, content.encode(), sha).hexdigest()
        seal = mac(key, f"{prev}|{seq}|{pk}|{row_hash}".encode(), sha).hexdigest()
        yield (f"{pk}\t{seq}\t{at}\t{action}\t{obj}\t{rid}\t{item_type}\t"
               f"{'\\N' if item is None else item}\t{child}\t{basis}\t{row_hash}\t{prev}\t{seal}\t"
               f"{actor}\t{mun}\t{service}\n")
        prev = seal


def write_audit_chain(args):
    dsn, job = args
    import psycopg

    lines, last = [], ""
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        with cur.copy(f"COPY audit_auditevent ({', '.join(AUDIT_COLUMNS)}) FROM STDIN") as copy:
            for line in audit_rows(job):
                lines.append(line)
                if len(lines) == 20_000:
                    copy.write("".join(lines))
                    last = lines[-1]
                    lines = []
            if lines:
                copy.write("".join(lines))
                last = lines[-1]
        fields = last.split("\t")
        cur.execute("INSERT INTO audit_auditchain (municipality_id, last_seq, last_hash) VALUES (%s, %s, %s)",
                    (job[0], int(fields[1]), fields[12]))
    return job[0], job[1]


def build_audit(connection, dsn: str, plan: list[dict], jobs: int):
    """~20 million events in per-municipality hash chains, written by `jobs`
    processes (one chain each at a time), the city's target child with
    thousands of events spread through its chain."""
    with connection.cursor() as cursor:
        work = audit_work(cursor, dsn, plan)
    connection.close()  # the writers are forked: no connection may be shared with them
    return write_audit(work, jobs)


def audit_work(cursor, dsn, plan):
    from stafett.audit.models import audit_key
    from stafett.audit.partitions import ensure_partitions

    # The months of the two-year history, so rows land in their partitions
    # (PostgreSQL partitions the trail by month: docs/audit.md).
    ensure_partitions(since=(NOW - dt.timedelta(days=731)).date())
    key = audit_key()
    work, first_id = [], 1
    for p in plan:
        cursor.execute("SELECT id, child_id, holder_id, holder_service_id FROM relay_relay "
                       "WHERE municipality_id = %s ORDER BY id", [p["mun"]])
        relays = cursor.fetchall()
        cursor.execute("SELECT id, child_id, author_id, service_id FROM concerns_concern "
                       "WHERE municipality_id = %s AND author_id IS NOT NULL ORDER BY id", [p["mun"]])
        concerns = cursor.fetchall()
        target = None
        if p["idx"] == 0:
            count = min(TARGET_CHILD_EVENTS, p["na"] // 4)
            target = (*relays[0], count)
        work.append((dsn, (p["mun"], p["na"], relays, concerns, target, first_id, key)))
        first_id += p["na"]
    return work


def write_audit(work, jobs):
    work.sort(key=lambda w: -w[1][1])  # the biggest chains first
    done = 0
    total = sum(w[1][1] for w in work)
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for _mun, count in pool.imap_unordered(write_audit_chain, work):
            done += count
            if done * 10 // total != (done - count) * 10 // total:
                log(f"  audit events: {done:,} of {total:,}")
    return total


def check_audit(plan):
    """A sample of rows against the app's own hash, and one whole chain
    through the app's verifier."""
    from django_scopes import scopes_disabled

    from stafett.audit.log import verify_chain
    from stafett.audit.models import AuditEvent

    with scopes_disabled():
        for p in (plan[0], plan[-1]):
            for event in AuditEvent.objects.filter(municipality_id=p["mun"]).order_by("seq")[:3]:
                assert event.row_hash == event.compute_row_hash(), f"row hash mismatch in audit row {event.pk}"
                assert event.hash == event.compute_seal(), f"seal mismatch in audit row {event.pk}"
        broken = verify_chain(plan[-1]["mun"])
    assert broken is None, f"the audit chain is broken: {broken}"
    log("audit chain of the smallest municipality verified by the app")


# --- constraints off and on ---------------------------------------------------


def drop_constraints(cursor) -> list[str]:
    """Drop every constraint but primary keys, and every other index, of the
    bulk tables; return the statements that restore them (uniques first)."""
    cursor.execute("""
        SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
        FROM pg_constraint c WHERE c.conrelid::regclass::text = ANY(%s) AND c.contype <> 'p'
        ORDER BY (c.contype = 'f'), c.conname""", [BULK_TABLES])
    constraints = cursor.fetchall()
    cursor.execute("""
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), i.indrelid::regclass::text
        FROM pg_index i WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
                   [BULK_TABLES])
    indexes = cursor.fetchall()
    restore = [f'ALTER TABLE {t} ADD CONSTRAINT "{name}" {definition}'
               for t, name, kind, definition in constraints if kind != "f"]
    # A partitioned table's index is defined "ON ONLY" the parent, which
    # would restore it INVALID and without its partitions' indexes.
    restore += [definition.replace(" ON ONLY ", " ON ", 1) for _name, definition, _t in indexes]
    restore += [f'ALTER TABLE {t} ADD CONSTRAINT "{name}" {definition}'
                for t, name, kind, definition in constraints if kind == "f"]
    for t, name, _kind, _d in reversed(constraints):
        cursor.execute(f'ALTER TABLE {t} DROP CONSTRAINT "{name}"')
    for name, _d, _t in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return restore


# --- the build ------------------------------------------------------------------


def create_database(server: str, name: str):
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--db", default="stafett_national")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    dsn = f"{args.server}/{args.db}"
    begun = time.perf_counter()

    create_database(args.server, args.db)
    env = {**os.environ, "DATABASE_URL": dsn, "DJANGO_SETTINGS_MODULE": "stafett.settings"}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)
    log(f"created and migrated {args.db}")

    os.environ.update(DATABASE_URL=dsn, DJANGO_SETTINGS_MODULE="stafett.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django_scopes import scope

    from stafett.guides.loader import load_guide
    from stafett.tenancy.models import Municipality

    plan = make_plan(args.scale)
    for p in plan:
        number = CITY_NUMBER if p["idx"] == 0 else f"{7000 + p['idx']}"
        m = Municipality.objects.create(
            name="Storby" if p["idx"] == 0 else f"Kommune {number}", number=number,
            child_welfare_phone="12345678", after_hours_name="Barnevernvakta",
            after_hours_phone="23456789")
        with scope(municipality=m):
            p["mun"], p["guide"] = m.pk, load_guide(m, "national").pk
    log(f"{len(plan)} municipalities with their guides")

    password_hash = make_password(BENCH_PASSWORD)  # once; every benchmark person shares it
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'; SET synchronous_commit = off; "
                       "SET work_mem = '64MB'")
        cursor.execute(f"CREATE TABLE national_plan ({', '.join(c + ' bigint' for c in PLAN_COLUMNS)})")
        with cursor.cursor.copy(f"COPY national_plan ({', '.join(PLAN_COLUMNS)}) FROM STDIN") as copy:
            for p in plan:
                copy.write_row([p[c] for c in PLAN_COLUMNS])
        restore = drop_constraints(cursor)
        # The consent coverage is worked out once after the load, with the
        # indexes back (relay 0011's triggers would ask per row, unindexed).
        for table in COVERAGE_TABLES:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for label, statement in sql_statements(password_hash):
            cursor.execute(statement)
            log(f"{label}: {cursor.rowcount:,} rows")
    events = build_audit(connection, dsn, plan, args.jobs)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'; SET max_parallel_maintenance_workers = 2")
        log(f"audit trail: {events:,} events")
        for statement in restore:
            cursor.execute(statement)
        log(f"{len(restore)} constraints and indexes restored (every foreign key checked)")
        for table in COVERAGE_TABLES:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        cursor.execute("UPDATE relay_participant SET covered_until = NULL")  # its trigger fills it
        log(f"consent coverage of {cursor.rowcount:,} participations")
        for table in BULK_TABLES:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT COALESCE(max(id), 1) FROM {table}))")
        people = bench_people(cursor, plan[0])
        cursor.execute("DROP TABLE national_plan")
        cursor.execute("VACUUM ANALYZE")
        log("vacuumed and analysed")
    check_audit(plan)
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM concerns_child), (SELECT count(*) FROM relay_relay), "
                       "(SELECT count(*) FROM relay_entry), (SELECT count(*) FROM audit_auditevent), "
                       "(SELECT count(*) FROM relay_relay r JOIN tenancy_municipality m "
                       "ON m.id = r.municipality_id WHERE m.number = %s AND r.status = 'open')",
                       [CITY_NUMBER])
        children, relays, entries, audit, city_open = cursor.fetchone()
        cursor.execute("INSERT INTO bench_people VALUES ('_size', 'size', %s)",
                       [f"{MUNICIPALITIES} municipalities, {children:,} children, {relays:,} relays "
                        f"({city_open:,} open in the city), {entries:,} log entries, "
                        f"{audit:,} audit events"])
        seconds = time.perf_counter() - begun
        cursor.execute("INSERT INTO bench_people VALUES ('_build', 'seconds', %s)",
                       [f"{seconds:.0f} s with --scale {args.scale} --jobs {args.jobs}"])
    log(f"built in {seconds:.0f} s: {people}")


def bench_people(cursor, city: dict) -> dict:
    """Name the benchmark's people in the city, and record them with the
    objects their pages show."""
    u = city["user_lo"]
    people = {"bench-holder": u + city["ns"], "bench-participant": u + city["ns"] + 1,
              "bench-leader": u, "bench-coordinator": u + city["nu"]}
    for username, pk in people.items():
        cursor.execute("UPDATE accounts_user SET username = %s, first_name = %s WHERE id = %s",
                       [username, username.split("-")[1].capitalize(), pk])
    cursor.execute("""SELECT id FROM concerns_concern WHERE author_id = %s AND status = 'open'
                      ORDER BY id LIMIT 1""", [people["bench-holder"]])
    worry = cursor.fetchone()[0]
    cursor.execute("CREATE TABLE bench_people (name text PRIMARY KEY, role text, value text)")
    rows = [(name, "user", str(pk)) for name, pk in people.items()] + [
        ("worry", "concern", str(worry)), ("big_relay", "relay", str(city["relay_lo"])),
        ("target_child", "child", str(city["child_lo"])), ("city", "municipality", str(city["mun"])),
        ("city_number", "municipality", CITY_NUMBER), ("password", "secret", BENCH_PASSWORD)]
    cursor.executemany("INSERT INTO bench_people VALUES (%s, %s, %s)", rows)
    return dict(people, worry=worry, big_relay=city["relay_lo"])


if __name__ == "__main__":
    main()
