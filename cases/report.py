"""Render rows of results as a text table, Markdown, LaTeX, CSV or JSON.

Every command that prints a table uses :func:`format_rows`, so the formats
behave the same everywhere.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Sequence

FORMATS = ("text", "md", "latex", "csv", "json")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy arrays and scalars alike
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def to_json(data: Any) -> str:
    """JSON text of results holding numpy scalars or arrays.

    Examples
    --------
    >>> import numpy as np
    >>> to_json({"rank": np.int64(7), "spectrum": np.array([1.0, 0.5])})
    '{"rank": 7, "spectrum": [1.0, 0.5]}'
    """
    return json.dumps(data, default=_json_default)


def format_rows(rows: Sequence[dict], columns: Sequence[str], fmt: str = "text") -> str:
    """Format ``rows`` (dicts) with the given ``columns`` in ``fmt``.

    Parameters
    ----------
    rows : sequence of dict
    columns : sequence of str
        Keys to show, in order; they are also the headers.
    fmt : {'text', 'md', 'latex', 'csv', 'json'}

    Returns
    -------
    str

    Examples
    --------
    >>> rows = [{"claim": "mf.rank", "predicted": 7, "measured": 7}]
    >>> print(format_rows(rows, ["claim", "predicted", "measured"], "md"))
    | claim | predicted | measured |
    | --- | --- | --- |
    | mf.rank | 7 | 7 |
    >>> print(format_rows(rows, ["claim", "measured"], "csv").strip())
    claim,measured
    mf.rank,7
    """
    if fmt == "json":
        return to_json([{c: row.get(c) for c in columns} for row in rows])
    table = [[_cell(row.get(c)) for c in columns] for row in rows]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(table)
        return out.getvalue().rstrip("\n")
    if fmt == "md":
        lines = ["| " + " | ".join(columns) + " |", "| " + " | ".join("---" for _ in columns) + " |"]
        lines += ["| " + " | ".join(cells) + " |" for cells in table]
        return "\n".join(lines)
    if fmt == "latex":
        escape = lambda text: text.replace("_", r"\_").replace("%", r"\%").replace("&", r"\&")
        lines = [r"\begin{tabular}{" + "l" * len(columns) + "}", r"\hline"]
        lines.append(" & ".join(escape(c) for c in columns) + r" \\ \hline")
        lines += [" & ".join(escape(c) for c in cells) + r" \\" for cells in table]
        lines += [r"\hline", r"\end{tabular}"]
        return "\n".join(lines)
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    widths = [max(len(c), *(len(cells[i]) for cells in table)) if table else len(c) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(cells, widths)) for cells in table]
    return "\n".join(line.rstrip() for line in lines)
