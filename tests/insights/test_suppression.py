"""`suppress` hides every count from 1 to 4 and leaves no hidden count that a
reader's arithmetic (the LP auditor) narrows to fewer than three values."""

import random

import pytest

from stafett.insights.suppression import HIDDEN, SMALL, Suppressor, Table, suppress, suppress_all

from .auditor import Auditor, assert_unnarrowable, audit_grid
from .checker import assert_safe


def _table(rows, **kw):
    return Table(key="t", title="t", row_header="r", columns=[f"c{j}" for j in range(len(rows[0]))],
                 rows=[(f"r{i}", r) for i, r in enumerate(rows)], **kw)


def _grid(safe):
    return [[c.text for c in cells] for _label, cells in safe.rows]


def _audit(grid, integer=True, **kw):
    assert_safe(grid, **kw)
    assert_unnarrowable(audit_grid(grid, **kw), integer=integer)


# The table of the finding (issue 8, point 6), as the coordinator saw it: a
# service row "12, <5, <5, 0 = 15", grand total 17, and two other services
# whose totals are "<5". 17 - 15 = 2 = 1 + 1: both are exactly 1.
FINDING_COUNTS = [[12, 1, 2, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]]
FINDING_PUBLISHED_BEFORE = [
    ["12", SMALL, SMALL, "0", "15"],
    ["0", SMALL, "0", "0", SMALL],
    ["0", "0", SMALL, "0", SMALL],
    ["0", "0", "0", "0", "0"],
    ["12", SMALL, SMALL, "0", "17"],
]


def test_the_finding_is_caught_by_the_auditor_and_fixed():
    # The old rule (no line with exactly one hidden cell) let it through ...
    assert_safe(FINDING_PUBLISHED_BEFORE)
    # ... the LP auditor does not: both other totals are exactly 1.
    found = {(where, lo, hi) for where, _t, lo, hi in audit_grid(FINDING_PUBLISHED_BEFORE).narrowed()}
    assert ("t[1][4]", 1, 1) in found and ("t[2][4]", 1, 1) in found
    safe = _grid(suppress(_table(FINDING_COUNTS)))
    assert safe[1][1] == safe[2][2] == SMALL
    _audit(safe)


def test_three_small_parts_of_a_small_total_hide_the_total_as_hidden_not_small():
    # 1 + 1 + 1 = "<5" would make every part at most 2: the total shows ":".
    grid = _grid(suppress(_table([[1, 1, 1, 0], [30, 10, 7, 0]])))
    assert grid[0][:3] == [SMALL] * 3 and grid[0][4] == HIDDEN
    _audit(grid)


def test_the_auditor_combines_what_two_tables_publish():
    """Each table is safe alone; together the second gives away the first's
    ":" and with it the "<5" beside it (12 - 9 = 3)."""
    by_service = [[SMALL, HIDDEN, "12"], [HIDDEN, SMALL, "9"], ["10", "11", "21"]]
    alone = Auditor()
    alone.table(by_service, lambda i, j: {(i, j)})
    assert not alone.narrowed()
    together = Auditor()
    together.table(by_service, lambda i, j: {(i, j)})
    together.table([["9"]], lambda i, j: {(0, 1)}, totals=False)  # another reader's A2
    assert ("[0][0]", SMALL, 3, 3) in {(w[-6:], t, lo, hi) for w, t, lo, hi in together.narrowed()}


def test_small_counts_show_as_under_five_and_zero_as_zero():
    safe = suppress(_table([[3, 0, 10], [7, 8, 9]]))
    assert safe.rows[0][1][0].text == SMALL
    assert safe.rows[0][1][1].text == "0"
    _audit(_grid(safe))


def test_a_single_small_cell_gets_a_complement_in_row_and_column():
    safe = suppress(_table([[3, 20, 30], [40, 50, 60], [70, 80, 90]]))
    grid = _grid(safe)
    assert grid[0][0] == SMALL
    assert grid[0][1] == HIDDEN  # the next smallest in its row
    assert grid[1][0] == HIDDEN  # and in its column
    _audit(grid)


def test_a_small_total_is_hidden_with_its_parts():
    safe = suppress(_table([[1, 1], [10, 10]]))
    _audit(_grid(safe))
    assert safe.total_row[1][0].text == "11" or safe.total_row[1][0].hidden


@pytest.mark.parametrize("seed", range(100))
def test_random_tables_are_safe(seed):
    rng = random.Random(seed)
    rows = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 15, 40]) for _ in range(rng.randint(1, 5))]]
    rows += [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 15, 40]) for _ in rows[0]]
             for _ in range(rng.randint(0, 6))]
    # Integer programming on every tenth table only: it agrees with the LP
    # on these network-shaped tables and costs ten times as much.
    _audit(_grid(suppress(_table(rows))), integer=seed % 10 == 0)


def test_non_count_columns_follow_their_count():
    safe = suppress(_table([[3, 12.0], [8, 4.5]], totals=False, depends={1: 0}))
    grid = _grid(safe)
    assert grid[0] == [SMALL, HIDDEN]
    assert grid[1] == ["8", "4.5"]


def test_tables_counting_the_same_people_are_hidden_alike_and_audited_together():
    """Two breakdowns of the same records (by service and by month): their
    column totals are one number each, and each table alone would show one
    that the other hides."""
    # atoms: (service, month); columns are levels a/b
    counts = {("s1", "m1", "a"): 3, ("s1", "m2", "a"): 20, ("s2", "m1", "a"): 25,
              ("s2", "m2", "a"): 30, ("s1", "m1", "b"): 40, ("s1", "m2", "b"): 50,
              ("s2", "m1", "b"): 60, ("s2", "m2", "b"): 70}

    def table(rows, group):
        atoms = [[frozenset(k for k in counts if group(k) == r and k[2] == c) for c in "ab"]
                 for r in rows]
        values = [[sum(counts[a] for a in cell) for cell in row] for row in atoms]
        return Table(key="t", title="t", row_header="r", columns=["a", "b"],
                     rows=list(zip(rows, values, strict=True)), atoms=atoms)

    by_service, by_month = suppress_all([table(["s1", "s2"], lambda k: k[0]),
                                         table(["m1", "m2"], lambda k: k[1])])
    for j in range(3):
        assert by_service.total_row[1][j].hidden == by_month.total_row[1][j].hidden
    auditor = Auditor()
    for safe, group in ((by_service, 0), (by_month, 1)):
        labels = [label for label, _c in safe.body]
        auditor.table(_grid(safe), lambda i, j, labels=labels, group=group: {
            k for k in counts if k[group] == labels[i] and k[2] == "ab"[j]})
    assert_unnarrowable(auditor, integer=True)


def test_a_decision_renders_the_same_tables_again_and_refuses_a_count_it_did_not_see():
    """The snapshot decides once and renders every language from that decision
    (snapshot.compute): the same tables must come out, and a count the
    decision never saw must not be shown as if it had been judged."""

    counts = {("s1", "m1"): 3, ("s1", "m2"): 9, ("s2", "m1"): 7, ("s2", "m2"): 1}

    def table(label="t"):
        rows = ["s1", "s2"]
        atoms = [[frozenset({(r, c)}) for c in ("m1", "m2")] for r in rows]
        return Table(key=label, title=label, row_header="r", columns=["m1", "m2"],
                     rows=[(r, [counts[r, c] for c in ("m1", "m2")]) for r in rows], atoms=atoms)

    collected = Suppressor()
    collected.add(table())
    collected.decide()
    again = Suppressor(collected.decision)
    assert again.render(again.add(table("another language"))).rows == suppress(table()).rows
    assert any(c.hidden for _l, cells in suppress(table()).rows for c in cells)
    unseen = table()
    unseen.atoms[0][0] = frozenset({("s9", "m1")})
    with pytest.raises(ValueError):
        again.add(unseen)
