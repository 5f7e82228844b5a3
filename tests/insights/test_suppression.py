"""`suppress` hides every count from 1 to 4 and leaves none derivable."""

import random

import pytest

from stafett.insights.suppression import HIDDEN, SMALL, Table, suppress, suppress_linked

from .checker import assert_safe


def _table(rows, **kw):
    return Table(key="t", title="t", row_header="r", columns=[f"c{j}" for j in range(len(rows[0]))],
                 rows=[(f"r{i}", r) for i, r in enumerate(rows)], **kw)


def _grid(safe):
    return [[c.text for c in cells] for _label, cells in safe.rows]


def test_small_counts_show_as_under_five_and_zero_as_zero():
    safe = suppress(_table([[3, 0, 10], [7, 8, 9]]))
    assert safe.rows[0][1][0].text == SMALL
    assert safe.rows[0][1][1].text == "0"
    assert_safe(_grid(safe))


def test_a_single_small_cell_gets_a_complement_in_row_and_column():
    safe = suppress(_table([[3, 20, 30], [40, 50, 60], [70, 80, 90]]))
    grid = _grid(safe)
    assert grid[0][0] == SMALL
    assert grid[0][1] == HIDDEN  # the next smallest in its row
    assert grid[1][0] == HIDDEN  # and in its column
    assert_safe(grid)


def test_a_small_total_is_hidden_with_its_parts():
    safe = suppress(_table([[1, 1], [10, 10]]))
    assert_safe(_grid(safe))
    assert safe.total_row[1][0].text == "11" or safe.total_row[1][0].hidden


@pytest.mark.parametrize("seed", range(300))
def test_random_tables_are_safe(seed):
    rng = random.Random(seed)
    rows = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 15, 40]) for _ in range(rng.randint(1, 5))]]
    rows += [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 15, 40]) for _ in rows[0]]
             for _ in range(rng.randint(0, 6))]
    assert_safe(_grid(suppress(_table(rows))))


def test_non_count_columns_follow_their_count():
    safe = suppress(_table([[3, 12.0], [8, 4.5]], totals=False, depends={1: 0}))
    grid = _grid(safe)
    assert grid[0] == [SMALL, HIDDEN]
    assert grid[1] == ["8", "4.5"]


def test_linked_tables_hide_a_shared_margin_in_both():
    a = _table([[3, 50], [40, 60]], col_keys=["x", "y"], grand_key="all")
    b = _table([[20, 55], [23, 55]], col_keys=["x", "y"], grand_key="all")
    sa, sb = suppress_linked([a, b])
    for j in range(3):
        assert sa.total_row[1][j].hidden == sb.total_row[1][j].hidden
    assert_safe(_grid(sa))
    assert_safe(_grid(sb))
