"""The arithmetic attacker: a reader with a linear-programming solver.

Written apart from `stafett.insights.suppression` on purpose (it imports
nothing from it): it sees only the strings a table publishes and what any
reader knows about how the numbers add up, and asks, for every hidden cell,
the smallest and the largest value it can have given everything published.

What a reader knows, and so what the auditor assumes:
- A number is that count exactly.
- "<5" is a count from 1 to 4 (the legend says so).
- ":" is a count that is hidden although it may be 5 or more. Zeros are shown
  as 0 and never hidden, so it is at least 1; a ":" can also be a small count
  shown as ":" rather than "<5" (the suppression does that where the "<5"
  itself would give a neighbour away), so a reader cannot assume more: 1..inf.
  (Assuming ">= 5" for it would be wrong for those cells, and the auditor
  refuses a system that the real counts do not satisfy: see `ranges`.)
- Every count is a sum of disjoint non-negative parts ("atoms"). The caller
  names a cell's atoms: a table's inner cell is its own atom, a total is the
  union of its row or column, and cells of different tables that count the
  same set of records (a leader's row and the coordinator's, this month in the
  3- and the 12-month table) share atoms; nested periods become sums over
  month (or period-band) atoms, so their inequalities come for free.

A hidden cell is *narrowed* when its range [lo, hi] contains fewer than three
integers. The atoms are continuous here (linear programming, HiGHS): the
relaxed range contains every integer solution, so rounding lo up and hi down
only ever keeps integers that the relaxation allows; a range of fewer than
three integers in the relaxation is certainly a disclosure. The converse
(three integers in the relaxed range but fewer in the integer one) cannot
happen for a table with totals (its equations form a network matrix, whose
vertices are integral); `integer_ranges` gives the exact integer ranges
(mixed-integer programming) where a test asks for them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix, vstack

INF = math.inf
PRIOR = {"<5": (1, 4), ":": (1, INF)}
NOT_A_COUNT = {"–", "-", "", None}


def prior(text):
    """(lo, hi) a reader knows for a published string, or None for no count."""
    if text in NOT_A_COUNT:
        return None
    text = str(text).strip()
    if text in PRIOR:
        return PRIOR[text]
    if not re.fullmatch(r"\d+", text):
        raise AssertionError(f"not a count: {text!r}")
    return (int(text), int(text))


@dataclass
class Published:
    text: str
    atoms: frozenset
    where: str


class Auditor:
    def __init__(self):
        self.cells: list[Published] = []
        self.orders: list[tuple[frozenset, frozenset]] = []

    def publish(self, text, atoms, where=""):
        """One published count: its string and the atoms it adds up."""
        if prior(text) is None:
            return
        self.cells.append(Published(str(text).strip(), frozenset(atoms), where))

    def at_most(self, smaller, larger):
        """A reader knows sum(smaller) <= sum(larger)."""
        self.orders.append((frozenset(smaller), frozenset(larger)))

    def table(self, grid, atoms_of, *, totals=True, where=""):
        """A table of strings; `atoms_of(i, j)` names the atoms of inner cell
        (i, j). With totals, the last row and column add up the others."""
        n_rows = len(grid) - (1 if totals else 0)
        n_cols = len(grid[0]) - (1 if totals else 0) if grid else 0
        inner = [[frozenset(atoms_of(i, j)) for j in range(n_cols)] for i in range(n_rows)]
        for i in range(len(grid)):
            for j in range(len(grid[i])):
                rows = range(n_rows) if i == n_rows else [i]
                cols = range(n_cols) if j == n_cols else [j]
                atoms = frozenset().union(*(inner[r][c] for r in rows for c in cols))
                self.publish(grid[i][j], atoms, f"{where}[{i}][{j}]")

    # --- the linear program -------------------------------------------------

    def _system(self):
        """Rows: every distinct (atoms, range) published, then the orderings;
        `self.row_of[i]` is cell i's row."""
        atoms = sorted({a for c in self.cells for a in c.atoms}
                       | {a for s, b in self.orders for a in s | b}, key=repr)
        col = {a: k for k, a in enumerate(atoms)}
        rows, lo, hi, seen, self.row_of = [], [], [], {}, []
        for c in self.cells:
            low, high = prior(c.text)
            if (c.atoms, low, high) not in seen:
                seen[c.atoms, low, high] = len(rows)
                rows.append({col[a]: 1.0 for a in c.atoms})
                lo.append(low)
                hi.append(high)
            self.row_of.append(seen[c.atoms, low, high])
        for smaller, larger in self.orders:
            row = {col[a]: 1.0 for a in smaller}
            for a in larger:
                row[col[a]] = row.get(col[a], 0.0) - 1.0
            rows.append(row)
            lo.append(-INF)
            hi.append(0.0)
        entries = [(r, k, x) for r, row in enumerate(rows) for k, x in row.items()]
        matrix = coo_matrix(([x for _r, _k, x in entries],
                             ([r for r, _k, _x in entries], [k for _r, k, _x in entries])),
                            shape=(len(rows), max(len(atoms), 1)))
        return atoms, matrix.tocsr(), np.array(lo, float), np.array(hi, float)

    def ranges(self):
        """{cell index: (lo, hi)} of every hidden cell, by linear programming.

        A number published several times (two formats, two readers) is solved
        once. To save solving, a few feasible points come first (vertices with
        every atom capped, which only shrinks the feasible set): a cell seen
        taking values three integers apart gets that inner interval, which is
        enough to know it is not narrowed; every other cell gets its exact
        minimum and maximum.
        """
        atoms, matrix, lo, hi = self._system()
        n = max(len(atoms), 1)
        fixed = lo == hi
        a_eq, b_eq = matrix[fixed], lo[fixed]
        # lo <= Ax <= hi as two one-sided blocks, infinite sides left out
        up, down = ~fixed & np.isfinite(hi), ~fixed & np.isfinite(lo)
        a_ub = vstack([matrix[up], -matrix[down]]).tocsr()
        b_ub = np.concatenate([hi[up], -lo[down]])

        def solve(objective, bounds=(0, None)):
            res = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                          bounds=bounds, method="highs")
            if res.status == 2:
                raise AssertionError("the published numbers contradict the reader's priors")
            return res

        rows = sorted({self.row_of[i] for i, c in enumerate(self.cells) if c.text in PRIOR})
        seen = {r: [INF, -INF] for r in rows}
        cap = (0, 10.0 * (max(lo[fixed], default=0) + 10))
        rng = np.random.default_rng(0)
        for round_ in range(8):
            open_ = [r for r in rows if integers_in(*seen[r]) < 3]
            if len(open_) < 4:
                break
            signs = np.array([1.0, -1.0])[round_ % 2] if round_ < 2 else rng.choice([1.0, -1.0], len(open_))
            res = solve(-(matrix[open_].T @ (np.ones(len(open_)) * signs)), cap)
            if res.status != 0:
                break
            for r, x in zip(open_, matrix[open_] @ res.x, strict=True):
                seen[r] = [min(seen[r][0], x), max(seen[r][1], x)]
        found = {}
        for r in rows:
            if integers_in(*seen[r]) >= 3:
                found[r] = tuple(seen[r])
                continue
            objective = np.zeros(n)
            objective[matrix[r].indices] = 1.0
            bounds = []
            for sign in (1.0, -1.0):
                res = solve(sign * objective)
                bounds.append(INF if res.status == 3 else sign * res.fun)
            found[r] = (bounds[0], bounds[1])
        return {i: found[self.row_of[i]] for i, c in enumerate(self.cells) if c.text in PRIOR}

    def integer_ranges(self, indices):
        """Exact integer ranges (mixed-integer programming) for some cells."""
        atoms, matrix, lo, hi = self._system()
        n = max(len(atoms), 1)
        constraint = LinearConstraint(matrix, lo, hi)
        out = {}
        for index in indices:
            objective = np.zeros(n)
            objective[matrix[self.row_of[index]].indices] = 1.0
            bounds = []
            for sign in (1.0, -1.0):
                res = milp(sign * objective, constraints=[constraint], integrality=np.ones(n),
                           bounds=Bounds(0, np.inf))
                bounds.append(INF if res.status == 3 or res.x is None else sign * res.fun)
            out[index] = tuple(bounds)
        return out

    def narrowed(self, *, integer=False):
        """Every hidden cell whose range holds fewer than three integers:
        [(where, text, lo, hi)]."""
        found = []
        ranges = self.ranges()
        if integer:
            first = {}
            for index in ranges:
                first.setdefault(self.cells[index].atoms, index)
            exact = self.integer_ranges(list(first.values()))
            ranges = {index: exact[first[self.cells[index].atoms]] for index in ranges}
        reported = set()
        for index, (lo, hi) in ranges.items():
            if integers_in(lo, hi) < 3 and self.cells[index].atoms not in reported:
                reported.add(self.cells[index].atoms)
                cell = self.cells[index]
                found.append((cell.where, cell.text, lo, hi))
        return found


def integers_in(lo, hi):
    if hi == INF:
        return INF
    if hi < lo:  # nothing seen yet
        return 0
    return math.floor(hi + 1e-6) - math.ceil(lo - 1e-6) + 1


def assert_unnarrowable(auditor, *, integer=False):
    found = auditor.narrowed(integer=integer)
    assert not found, "hidden cells a reader can narrow: " + "; ".join(
        f"{where} {text} in [{lo:g}, {hi:g}]" for where, text, lo, hi in found)


def audit_grid(grid, *, totals=True, count_columns=None, name="t"):
    """An auditor for one table on its own: every inner cell its own atom."""
    auditor = Auditor()
    cols = None if count_columns is None else set(count_columns)
    if cols is not None:
        grid = [[text if j in cols else None for j, text in enumerate(row)] for row in grid]
    auditor.table(grid, lambda i, j: {(name, i, j)}, totals=totals, where=name)
    return auditor
