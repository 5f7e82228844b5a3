"""Small-number suppression for every aggregate the leadership view shows.

Every table goes through `suppress_all` (or `suppress` for one table) before it
reaches a page, a CSV or an XLSX file; nothing else renders counts.

The rule (docs/suppression.md says it for readers):
- A count from 1 to 4 is *primary* suppressed and shown as "<5": a reader
  knows it lies in 1..4.
- 0 is shown as 0 and never hidden: it names nobody, and hiding zeros would
  hide most of a small municipality's tables. So every hidden cell is >= 1.
- No hidden cell may be narrowed, by any arithmetic on everything published,
  to fewer than three possible values. Published means every table of every
  reader (the coordinator's and each leader's) for every period: the same
  count shown in two tables is one number, and nested periods and a leader's
  subtotals add equations a reader can combine.
- To get there, cells are hidden as ":" ("hidden to protect a small number"),
  first by the classic rule (no row or column of a table with totals may have
  exactly one hidden cell), then by linear programming over the whole set of
  published numbers: while some hidden cell's range [min, max] under every
  published equality holds fewer than three integers, the published number
  that binds it (a non-zero dual) is hidden too. When only the "<5" of another
  small cell binds it (three "<5" parts of a "<5" total are each at most 2),
  that small cell is shown ":" instead of "<5", which takes away its upper
  bound. A ":" therefore promises only ">= 1" to a reader.
- Non-count columns (a median) are shown only when their row's count is shown
  and at least 5.

Identity of numbers: each count cell is the number of records in a set, and
the caller describes that set as a frozenset of *atoms* (disjoint pieces, e.g.
("started", service id, month, level)); a total is the union of its cells.
Two cells with the same atom set are the same number wherever they appear,
and are hidden alike. A table without atoms gets atoms of its own (standalone).
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import random
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field

import highspy
import numpy as np

THRESHOLD = 5
SMALL = "<5"
HIDDEN = ":"
# A hidden cell must keep this many possible integer values.
MIN_CHOICES = 3
_TOL = 1e-6

Atoms = frozenset

# The last decisions, by the caller's digest of their inputs: solving is the
# expensive part, and most page views see counts that have not changed.
_DECISIONS: OrderedDict = OrderedDict()
_CACHE_SIZE = 32


@dataclass
class Table:
    """Raw counts, straight from the database. Never rendered as is."""

    key: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list]]
    totals: bool = True
    # Per body row and column: the atom set of the count (None for non-count
    # columns). Without it the table's cells are standalone numbers.
    atoms: list[list[Atoms | None]] | None = None
    # Non-count column index -> the count column whose row it depends on.
    depends: dict[int, int] = field(default_factory=dict)
    total_label: str = "Total"
    note: str = ""


@dataclass(frozen=True)
class Cell:
    text: str
    value: int | float | None  # None when hidden
    hidden: bool = False

    def __str__(self):
        return self.text


@dataclass
class SafeTable:
    """A table fit to show: every count under 5 hidden, none narrowable."""

    key: str
    title: str
    row_header: str
    columns: list[str]  # with the total column when there are totals
    rows: list[tuple[str, list[Cell]]]  # with the total row last when there are totals
    totals: bool
    note: str = ""

    @property
    def body(self):
        return self.rows[:-1] if self.totals else self.rows

    @property
    def total_row(self):
        return self.rows[-1] if self.totals else None


def _matrix(table: Table) -> list[list]:
    counts = [list(values) for _, values in table.rows]
    if not table.totals:
        return counts
    assert not table.depends, "a table with totals has count columns only"
    width = len(table.columns)
    for row in counts:
        row.append(sum(row))
    counts.append([sum(row[j] for row in counts) for j in range(width + 1)])
    return counts


def _atom_matrix(table: Table, token: int) -> list[list[Atoms | None]]:
    n_cols = len(table.columns)
    if table.atoms is None:
        atoms = [[None if j in table.depends else Atoms({(token, i, j)}) for j in range(n_cols)]
                 for i in range(len(table.rows))]
    else:
        atoms = [list(row) for row in table.atoms]
    if not table.totals:
        return atoms
    for row in atoms:
        row.append(Atoms().union(*row))
    atoms.append([Atoms().union(*(row[j] for row in atoms)) for j in range(n_cols + 1)])
    return atoms


def _lines(n_rows: int, n_cols: int):
    for i in range(n_rows):
        yield [(i, j) for j in range(n_cols)]
    for j in range(n_cols):
        yield [(i, j) for i in range(n_rows)]


def suppress(table: Table) -> SafeTable:
    """One table on its own."""
    return suppress_all([table])[0]


def suppress_all(tables: list[Table], relations=(), zeros=(), cache_key=None) -> list[SafeTable]:
    """Suppress every table so that nothing published together narrows a hidden cell.

    `relations`: pairs (smaller, larger) of atom sets that a reader knows to be
    ordered (sum of one <= sum of the other). `zeros`: atom sets a reader knows
    to be 0 without a table showing it (a row left out because it is empty).
    `cache_key`: a digest of everything the decision depends on (the counts
    and the tables' structure, not their language); the same key reuses the
    last decision instead of solving again.

    The decision depends on the order in which numbers first appear (ties go
    to the first), so callers build their tables in an order that does not
    depend on the reader's language.
    """
    together = Suppressor()
    for table in tables:
        together.add(table)
    together.add_zeros(zeros)
    together.decide(relations, cache_key)
    show = Suppressor(together.decision)
    return [show.render(show.add(table)) for table in tables]


class Suppressor:
    """`suppress_all` in two passes over the tables, one table at a time, for
    a publication too big to hold whole (a city's: thousands of tables, each
    cell a set of hundreds of atoms).

    Without a decision, it collects: `add` keeps of a table only each
    distinct count once, compactly (its key: the sorted numbers of its atoms
    as bytes), and the table's lines; `decide` then solves. With the
    `decision` of a Suppressor that collected the same tables (or the same
    tables with another language's labels), it renders: `add` then `render`
    gives each table back suppressed.
    """

    def __init__(self, decision=None):
        # (atom -> its number, the atoms by number, hidden keys, those of them shown "<5")
        self.decision = decision
        self.atom_ids: dict = decision[0] if decision is not None else {}
        self.atoms: list = decision[1] if decision is not None else []  # by number
        self.keys: list[bytes] = []  # every count's key, in order of first appearance
        self.values: list[int] = []
        self.number: dict[bytes, int] = {}
        self.lines: list[array] = []  # of tables with totals, by the keys' numbers
        self.zeros: list[bytes] = []
        self.grids: dict[int, tuple] = {}  # token -> (table, counts, cell keys), until rendered
        self.added = 0

    def _key(self, atoms) -> bytes:
        ids, out = self.atom_ids, []
        for a in atoms:
            n = ids.get(a)
            if n is None:
                if self.decision is not None:
                    raise ValueError("a count the decision did not see")
                n = self._id(a)
            out.append(n)
        out.sort()
        return array("i", out).tobytes()

    def _id(self, atom) -> int:
        n = self.atom_ids.get(atom)
        if n is None:
            n = self.atom_ids[atom] = len(self.atoms)
            self.atoms.append(atom)
        return n

    def add(self, table: Table) -> int:
        token = self.added  # also names the atoms of a table without its own
        self.added += 1
        m, a = _matrix(table), _atom_matrix(table, token)
        collecting = self.decision is None
        for i, row in enumerate(a):
            for j, atoms in enumerate(row):
                if atoms is None:
                    continue
                key = row[j] = self._key(atoms)
                if not collecting:
                    continue
                n = self.number.get(key)
                if n is None:
                    n = self.number[key] = len(self.keys)
                    self.keys.append(key)
                    self.values.append(m[i][j])
                elif self.values[n] != m[i][j]:
                    raise ValueError(f"one count, two values in {table.key}")
                row[j] = n
        if not collecting:
            self.grids[token] = (table, m, a)
        elif table.totals:
            # As arrays: a city's tables have some 50 000 lines.
            self.lines += [array("i", [a[i][j] for i, j in line]) for line in _lines(len(a), len(a[0]) if a else 0)]
        return token

    def add_zeros(self, zeros) -> None:
        self.zeros += [self._key(key) for key in zeros]

    def decide(self, relations=(), cache_key=None) -> None:
        if self.decision is not None:
            return
        for key in self.zeros:
            n = self.number.get(key)
            if n is None:
                self.number[key] = len(self.keys)
                self.keys.append(key)
                self.values.append(0)
            elif self.values[n] != 0:
                raise ValueError("a count said to be empty is not")
        decided = _DECISIONS.get(cache_key) if cache_key is not None else None
        if decided is None:
            # An ordering's atoms in the order its set gives them (the
            # program's rows keep that order).
            pairs = [([self._id(a) for a in s], [self._id(a) for a in b]) for s, b in relations]
            relations = None  # noqa: F841  (held while solving otherwise)
            lines, self.lines = self.lines, []
            hidden, small = _protect(self.keys, self.values, lines, pairs, self.atoms)
            decided = (self.atom_ids, self.atoms, hidden, small)
            if cache_key is not None:
                _DECISIONS[cache_key] = decided
                while len(_DECISIONS) > _CACHE_SIZE:
                    _DECISIONS.popitem(last=False)
        else:
            _DECISIONS.move_to_end(cache_key)
        self.decision = decided

    def render(self, token: int) -> SafeTable:
        table, m, a = self.grids.pop(token)
        return _render(table, m, a, self.decision[2], self.decision[3])


def _ids(key: bytes):
    return np.frombuffer(key, dtype=np.intc)


def _render(table, m, a, hidden, small) -> SafeTable:
    n_rows, n_cols = len(m), (len(m[0]) if m else 0)
    shown_hidden = {(i, j) for i in range(n_rows) for j in range(n_cols)
                    if a[i][j] is not None and a[i][j] in hidden}
    # A non-count column follows its count: shown only for a visible count >= 5.
    for col, count_col in table.depends.items():
        for i in range(n_rows):
            c = m[i][count_col]
            if (i, count_col) in shown_hidden or c is None or c < THRESHOLD:
                shown_hidden.add((i, col))

    def cell(i, j):
        value = m[i][j]
        if (i, j) in shown_hidden:
            return Cell(SMALL if a[i][j] in small else HIDDEN, None, True)
        if value is None:
            return Cell("–", None)
        return Cell(f"{value:g}" if isinstance(value, float) else str(value), value)

    labels = [label for label, _ in table.rows] + ([table.total_label] if table.totals else [])
    return SafeTable(
        key=table.key, title=table.title, row_header=table.row_header,
        columns=list(table.columns) + ([table.total_label] if table.totals else []),
        rows=[(labels[i], [cell(i, j) for j in range(n_cols)]) for i in range(n_rows)],
        totals=table.totals, note=table.note,
    )


def _protect(keys, values, lines, relations, atoms):
    """The hidden numbers' keys, and those of them shown "<5" (the rest show ":").

    `keys`, `values`: each number's key (its atoms' numbers, `Suppressor._key`)
    and count, in order of first appearance; `lines`: the lines of tables with
    totals, by the keys' positions; `relations`: the orderings as lists of
    atom numbers; `atoms`: the atoms by number. Numbers that share no atom
    (directly or through others) cannot inform each other, so each connected
    group of them is solved on its own.
    """
    hidden, small = set(), set()
    zero = set()
    for k, v in zip(keys, values, strict=True):
        if v == 0:
            zero.update(_ids(k).tolist())
    for members, group_lines, group_relations in _components(keys, values, lines, relations, zero):
        h, s = _protect_group([keys[n] for n in members], [values[n] for n in members],
                              [[members[k] for k in line] for line in group_lines],
                              group_relations, zero, atoms)
        hidden |= h
        small |= s
        _give_back()
    return hidden, small


def _give_back() -> None:
    """Return the memory a solved group's program freed to the system.

    HiGHS frees its matrices and factors, but the C heap keeps the pages
    (they are not at its top), so the next group's program would come on top
    of them: a city's refresh peaked 10 MB higher. glibc only; elsewhere a no-op."""
    global _TRIM
    if _TRIM is None:
        try:
            _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _TRIM = False
    if _TRIM:
        _TRIM(0)


_TRIM = None


def _components(keys, values, lines, relations, zero):
    """Each connected group: {position of its number: its index in the group}
    (in order of first appearance), its lines (by position) and its orderings."""
    parent = {}

    def find(a):
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def join(atoms):
        atoms = [a for a in atoms if a not in zero]
        for a in atoms[1:]:
            parent[find(a)] = find(atoms[0])
        return atoms[0] if atoms else None

    for key, v in zip(keys, values, strict=True):
        if v > 0:
            join(_ids(key).tolist())
    for smaller, larger in relations:
        join(smaller + larger)
    groups = {}
    for n, (key, v) in enumerate(zip(keys, values, strict=True)):
        if v > 0:
            groups.setdefault(find(next(a for a in _ids(key).tolist() if a not in zero)), []).append(n)
    for root, positions in groups.items():
        members = {n: i for i, n in enumerate(positions)}
        yield (
            members,
            [[k for k in line if k in members] for line in lines if any(k in members for k in line)],
            [(s, b) for s, b in relations
             if any(a not in zero and find(a) == root for a in s + b)],
        )


def _protect_group(keys, values, lines, relations, zero, atom_list):
    """`lines` by the numbers' indices in `keys`, which are in order of first
    appearance: the same tables give the same order."""
    small = {n for n, v in enumerate(values) if 0 < v < THRESHOLD}
    hidden = set(small)
    program = _Program(keys, values, relations, zero, atom_list)
    certified: set[int] = set()
    while True:
        _close_lines(lines, hidden, values)
        program.show(hidden, small)
        todo = sorted(hidden - certified)
        narrowed = [n for n in program.unproven(todo) if program.narrowed(n)]
        # Hiding more only relaxes the equations, so a cell that keeps three
        # values now keeps them: certified cells are not asked again.
        certified.update(n for n in todo if n not in narrowed)
        if not narrowed:
            return {keys[n] for n in hidden}, {keys[n] for n in small}
        for n in narrowed:
            program.show(hidden, small)
            candidates = program.binding(n)
            if candidates is None:  # an earlier fix freed it too
                certified.add(n)
                continue
            # The first binding number whose release gives it back three
            # values, else the smallest binding one; nothing left to release
            # cannot happen while a visible number or a "<5" binds it.
            chosen = candidates[0] if candidates else None
            for candidate in candidates[:3]:
                program.show(*_release(hidden, small, candidate))
                if not program.narrowed(n):
                    chosen = candidate
                    certified.add(n)
                    break
            if chosen is not None:
                hidden, small = _release(hidden, small, chosen)


def _release(hidden, small, n):
    """Hide a visible number, or turn a hidden "<5" into ":"."""
    if n in hidden:
        return hidden, small - {n}
    return hidden | {n}, small


def _close_lines(lines, hidden, values):
    """The classic rule: no line of a table with totals has exactly one hidden cell."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for n in line if n in hidden) != 1:
                continue
            candidates = [n for n in line if n not in hidden and values[n] > 0]
            if candidates:
                hidden.add(min(candidates, key=lambda n: (values[n], n)))
                changed = True


class _Program:
    """The published numbers as one linear program (HiGHS, kept between
    solves so that each new objective or bound starts from the last basis).

    Columns: the atoms, non-negative and continuous; atoms of a published 0
    are fixed at 0 and left out. Rows: every non-zero number, whose bounds say
    what is published of it: a visible count is an equality, "<5" is 1..4,
    ":" is >= 1 (zeros are never hidden); and the reader's known orderings.
    The relaxed range of a cell contains every integer solution, so fewer
    than three integers in it means fewer than three possible values (and
    sums of disjoint sets keep its bounds integral in practice).
    """

    def __init__(self, keys, values, relations, zero, atom_list):
        # Atoms numbered in a fixed order (sets of strings iterate in a
        # different order in every process): the same counts must give the
        # same vertices, and so the same suppression, in every worker.
        keys = [_ids(key) for key in keys]
        present = np.unique(np.concatenate([np.zeros(0, dtype=np.intc), *keys]))
        present = present[~np.isin(present, np.fromiter(zero, dtype=np.intc, count=len(zero)))]
        used = sorted(present.tolist(), key=lambda a: repr(atom_list[a]))
        # Atom number -> the program's column, by position in `present` (sorted).
        rank = np.empty(len(present), dtype=np.int32)
        rank[np.searchsorted(present, np.array(used, dtype=np.intc))] = np.arange(len(used), dtype=np.int32)

        def columns_of(ids):
            """The program's columns of these atoms, in their order; atoms
            not in the program (known to be 0) left out."""
            ids = np.asarray(ids, dtype=np.intc)
            at = np.minimum(np.searchsorted(present, ids), max(len(present) - 1, 0))
            found = present[at] == ids if len(present) else np.zeros(len(ids), dtype=bool)
            return rank[at[found]]

        self.values = values
        self.columns = [np.sort(columns_of(key)) for key in keys]
        self.cap = 2.0 * max(values, default=0) + 10
        self.n_atoms = max(len(used), 1)
        h = self.highs = _highs()
        h.addVars(self.n_atoms, np.zeros(self.n_atoms), np.full(self.n_atoms, highspy.kHighsInf))
        # The rows as arrays (a city's program has some 350 000 entries: as
        # Python lists of numpy scalars they took tens of MB for a moment).
        pairs = [(columns_of(s), columns_of(b)) for s, b in relations]
        pieces = list(self.columns) + [part for pair in pairs for part in pair]
        lengths = np.array([len(c) for c in self.columns] + [len(s) + len(b) for s, b in pairs], dtype=np.int64)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int32)
        index = np.concatenate([np.zeros(0, dtype=np.int32), *pieces])
        coef = np.concatenate([np.ones(sum(len(c) for c in self.columns)),
                               *(np.concatenate((np.ones(len(s)), -np.ones(len(b)))) for s, b in pairs)])
        lower = np.array([float(v) for v in values] + [-highspy.kHighsInf] * len(relations))
        upper = np.array([float(v) for v in values] + [0.0] * len(relations))
        h.addRows(len(lengths), lower, upper, len(index), starts, index.astype(np.int32), coef)
        # What each number's row says now: a visible count is exact.
        self.exact = np.array(values, dtype=float)
        self.lower, self.upper = self.exact.copy(), self.exact.copy()
        self.cost = None

    def show(self, hidden, small):
        """Set every number's row to what is published of it (the rows that
        change, in one call)."""
        lower, upper = self.exact.copy(), self.exact.copy()
        if hidden:
            shut = np.zeros(len(lower), dtype=bool)
            shut[np.fromiter(hidden, dtype=np.int64, count=len(hidden))] = True
            lower[shut] = 1.0
            upper[shut] = highspy.kHighsInf
            if small:
                below = np.zeros(len(lower), dtype=bool)
                below[np.fromiter(small, dtype=np.int64, count=len(small))] = True
                upper[shut & below] = THRESHOLD - 1.0
        rows = np.nonzero((lower != self.lower) | (upper != self.upper))[0]
        if len(rows):
            self.highs.changeRowsBounds(len(rows), rows.astype(np.int32), lower[rows], upper[rows])
            self.lower, self.upper = lower, upper

    def _objective(self, columns, weights, sense):
        h = self.highs
        if self.cost is not None:
            h.changeColsCost(len(self.cost), self.cost, np.zeros(len(self.cost)))
        h.changeColsCost(len(columns), columns, weights)
        self.cost = columns
        h.changeObjectiveSense(sense)
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return h.getInfo().objective_function_value
        if status in (highspy.HighsModelStatus.kUnbounded,
                      highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return math.inf if sense == highspy.ObjSense.kMaximize else -math.inf
        return None  # a time limit or trouble: nothing proven, so hide more

    def _extreme(self, n, sense):
        return self._objective(self.columns[n], np.ones(len(self.columns[n])), sense)

    def unproven(self, todo):
        """`todo` less the cells that feasible points already show taking
        values far enough apart. The points are vertices of the system with
        the atoms capped (which only shrinks it): pushing all open cells up,
        then down, then either way at random, while some are left."""
        seen = {n: [self.values[n], self.values[n]] for n in todo}
        rng = random.Random(len(todo))
        h = self.highs
        h.changeColsBounds(self.n_atoms, np.arange(self.n_atoms, dtype=np.int32),
                           np.zeros(self.n_atoms), np.full(self.n_atoms, self.cap))
        try:
            for round_ in range(12):
                open_ = [n for n in todo if _choices(*seen[n]) < MIN_CHOICES]
                if len(open_) < 3:
                    break
                weights = np.zeros(self.n_atoms)
                for n in open_:
                    sign = (1.0, -1.0)[round_ % 2] if round_ < 2 else rng.choice((1.0, -1.0))
                    weights[self.columns[n]] += sign
                columns = np.nonzero(weights)[0].astype(np.int32)
                if self._objective(columns, weights[columns], highspy.ObjSense.kMaximize) is None:
                    break
                x = np.array(h.getSolution().col_value)
                for n in open_:
                    value = float(x[self.columns[n]].sum())
                    seen[n][0], seen[n][1] = min(seen[n][0], value), max(seen[n][1], value)
        finally:
            h.changeColsBounds(self.n_atoms, np.arange(self.n_atoms, dtype=np.int32),
                               np.zeros(self.n_atoms), np.full(self.n_atoms, highspy.kHighsInf))
        return [n for n in todo if _choices(*seen[n]) < MIN_CHOICES]

    def narrowed(self, n) -> bool:
        """Whether cell `n` keeps fewer than three possible values (or that
        could not be shown)."""
        v = self.values[n]
        hi = self._extreme(n, highspy.ObjSense.kMaximize)
        if hi is None:
            return True
        if _choices(v, hi) >= MIN_CHOICES:
            return False
        lo = self._extreme(n, highspy.ObjSense.kMinimize)
        return lo is None or _choices(lo, hi) < MIN_CHOICES

    def binding(self, n):
        """None if cell `n` keeps three values; else the numbers whose bounds
        bind it at its maximum or minimum: visible ones (smallest first), then
        "<5" cells at their bound of 4."""
        hi = self._extreme(n, highspy.ObjSense.kMaximize)
        if hi is not None and _choices(self.values[n], hi) >= MIN_CHOICES:
            return None
        found = [self._duals()] if hi is not None and hi != math.inf else []
        lo = self._extreme(n, highspy.ObjSense.kMinimize)
        if hi is not None and lo is not None and _choices(lo, hi) >= MIN_CHOICES:
            return None
        if lo is not None:
            found.append(self._duals())
        visible, small = set(), set()
        count = len(self.values)  # the orderings' rows bind nothing to hide
        exact = self.lower == self.upper
        for duals, rows in found:
            binds = np.abs(duals[:count]) > _TOL
            binds[n] = False
            visible.update(np.nonzero(binds & exact)[0].tolist())
            small.update(np.nonzero(binds & ~exact & (self.upper == THRESHOLD - 1)
                                    & (np.abs(rows[:count] - self.upper) <= _TOL))[0].tolist())
        if not visible and not small:
            # Degenerate duals: every published number that shares an atom.
            atoms = set(self.columns[n].tolist())
            near = [k for k, cols in enumerate(self.columns)
                    if k != n and atoms.intersection(cols.tolist())]
            visible = {k for k in near if self.lower[k] == self.upper[k]}
            small = {k for k in near if self.upper[k] == THRESHOLD - 1}
        return (sorted(visible, key=lambda k: (self.values[k], k)) + sorted(small))

    def _duals(self):
        solution = self.highs.getSolution()
        return np.array(solution.row_dual), np.array(solution.row_value)


def _highs():
    global _BANNER_SHOWN
    if not _BANNER_SHOWN:
        # HiGHS prints its banner on the first instance; keep it out of the logs.
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            stdout = os.dup(1)
            os.dup2(devnull.fileno(), 1)
            try:
                highs = highspy.Highs()
            finally:
                os.dup2(stdout, 1)
                os.close(stdout)
        _BANNER_SHOWN = True
    else:
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    # One thread keeps the path (and so the result) the same on every run;
    # primal simplex from the last basis suits a changing objective.
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("presolve", "off")
    highs.setOptionValue("simplex_strategy", 4)
    return highs


_BANNER_SHOWN = False


def _choices(lo: float, hi: float) -> float:
    if math.isinf(hi):
        return math.inf
    return math.floor(hi + _TOL) - math.ceil(lo - _TOL) + 1
