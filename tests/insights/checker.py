"""The attacker: reads a table as shown (strings) and tries to learn a count
under 5, directly or by subtracting the visible cells of a row or column from
its total."""

SMALL, HIDDEN = "<5", ":"


def _num(text):
    if text in (SMALL, HIDDEN, "–", "", None):
        return None
    return float(text)


def assert_safe(grid, *, totals=True, count_columns=None):
    """`grid`: rows of shown values (label excluded); with totals, the last row
    and last column are the totals."""
    for row in grid:
        for j, text in enumerate(row):
            if count_columns is not None and j not in count_columns:
                continue
            value = _num(str(text) if text is not None else None)
            assert value is None or value == 0 or value >= 5, f"small number shown: {grid}"
    if not totals or not grid:
        return
    n_rows, n_cols = len(grid), len(grid[0])
    lines = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    for line in lines:
        values = [_num(str(grid[i][j])) for i, j in line]
        unknown = [k for k, v in enumerate(values) if v is None]
        # Exactly one unknown in a line whose last member is the total: derivable.
        assert len(unknown) != 1, f"derivable by subtraction in {line}: {grid}"
