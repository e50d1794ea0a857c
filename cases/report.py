"""Render rows of results as a text table, Markdown, LaTeX, CSV or JSON.

Every command that prints a table uses :func:`format_rows`, so the formats
behave the same everywhere: LaTeX tables use booktabs rules with formulas
typeset by sympy, and a provenance record
(:func:`rankstrat.cases.provenance.provenance`) heads every format but plain
text on a terminal.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
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
    """Strict JSON text of results holding numpy scalars or arrays; a number that
    is not finite (NaN, inf) is written as null, which every JSON reader accepts.

    Examples
    --------
    >>> import numpy as np
    >>> to_json({"rank": np.int64(7), "spectrum": np.array([1.0, 0.5])})
    '{"rank": 7, "spectrum": [1.0, 0.5]}'
    >>> to_json({"q": [float("nan"), np.float64("inf"), 2.5]})
    '{"q": [null, null, 2.5]}'
    """
    return json.dumps(_finite(data), default=_json_default, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    if hasattr(value, "tolist") and not isinstance(value, (int, str)):  # numpy arrays and scalars
        return _finite(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def latex_math(text: str) -> str:
    """A formula written in sizes (``k*(d + 1)``) as LaTeX math, typeset by sympy.

    Size names with digits become subscripts (``n1`` -> ``n_{1}``) and a
    ``star`` suffix a star (``kstar`` -> ``k^{*}``). Text sympy cannot read is
    set upright and escaped.

    Examples
    --------
    >>> print(latex_math("k*(d + 1)"))
    $k \\left(d + 1\\right)$
    >>> print(latex_math("kstar*(d + 1)"), latex_math("n1*k + k*n2"))
    $k^{*} \\left(d + 1\\right)$ $k n_{1} + k n_{2}$
    >>> print(latex_math("not a formula!"))
    \\text{not a formula!}
    """
    import sympy
    from sympy.parsing.sympy_parser import parse_expr

    try:
        names = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", text))
        local = {name: sympy.Symbol(name) for name in names}
        expr = parse_expr(text, local_dict=local, evaluate=False)
    except Exception:  # noqa: BLE001 -- any unreadable text is shown as text
        return r"\text{" + latex_text(text) + "}"
    symbol_names = {local[name]: _latex_symbol(name) for name in names if name.endswith("star") and len(name) > 4}
    return "$" + sympy.latex(expr, symbol_names=symbol_names) + "$"


def _latex_symbol(name: str) -> str:
    import sympy

    return sympy.latex(sympy.Symbol(name[: -len("star")])) + "^{*}"


def latex_text(text: str) -> str:
    """``text`` with the characters LaTeX treats specially escaped.

    Examples
    --------
    >>> print(latex_text(r"a_b & 50% {x} ~ y^2 \\ z"))
    a\\_b \\& 50\\% \\{x\\} \\textasciitilde{} y\\textasciicircum{}2 \\textbackslash{} z
    """
    special = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
               **{char: "\\" + char for char in "&%$#_{}"}}
    return "".join(special.get(char, char) for char in text)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _latex_table(rows: Sequence[dict], columns: Sequence[str], math_columns: Sequence[str]) -> list[str]:
    """A booktabs tabular: numbers right-aligned, text left, formulas typeset; source aligned too."""
    table = []
    for row in rows:
        cells = []
        for c in columns:
            value = row.get(c)
            if value is None:
                cells.append("--")
            elif c in math_columns:
                cells.append(latex_math(str(value)))
            else:
                cells.append(latex_text(_cell(value)))
        table.append(cells)
    header = [latex_text(c) for c in columns]
    align = "".join("r" if table and all(_is_number(r[i]) or r[i] == "--" for r in table) else "l"
                    for i in range(len(columns)))
    widths = [max(len(header[i]), *(len(r[i]) for r in table)) if table else len(header[i])
              for i in range(len(columns))]

    def line(cells: list[str]) -> str:
        padded = [cell.rjust(w) if a == "r" else cell.ljust(w) for cell, w, a in zip(cells, widths, align)]
        return " & ".join(padded).rstrip() + r" \\"

    return [r"\begin{tabular}{" + align + "}", r"\toprule", line(header), r"\midrule",
            *(line(cells) for cells in table), r"\bottomrule", r"\end{tabular}"]


def format_rows(
    rows: Sequence[dict],
    columns: Sequence[str],
    fmt: str = "text",
    provenance: dict | None = None,
    math_columns: Sequence[str] = (),
) -> str:
    """Format ``rows`` (dicts) with the given ``columns`` in ``fmt``.

    Parameters
    ----------
    rows : sequence of dict
    columns : sequence of str
        Keys to show, in order; they are also the headers.
    fmt : {'text', 'md', 'latex', 'csv', 'json'}
    provenance : dict, optional
        From :func:`rankstrat.cases.provenance.provenance`: comment lines
        before a CSV (``#``), LaTeX (``%``) or Markdown (``<!-- -->``) table;
        in JSON the document becomes ``{"provenance": ..., "rows": [...]}``.
        A text table, meant for a terminal, leaves it out
        (:func:`write_rows` puts it in text files).
    math_columns : sequence of str
        Columns holding formulas, typeset as math in LaTeX (:func:`latex_math`).

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
    >>> print(format_rows(rows, ["claim", "measured"], "csv", provenance={"seed": 0}).strip())
    # seed: 0
    claim,measured
    mf.rank,7
    >>> print(format_rows([{"k": 2, "rank_formula": "k*(d + 1)"}], ["k", "rank_formula"], "latex",
    ...                   math_columns=["rank_formula"]))
    \\begin{tabular}{rl}
    \\toprule
    k & rank\\_formula \\\\
    \\midrule
    2 & $k \\left(d + 1\\right)$ \\\\
    \\bottomrule
    \\end{tabular}
    """
    from rankstrat.cases.provenance import provenance_lines

    if fmt == "json":
        plain = [{c: row.get(c) for c in columns} for row in rows]
        return to_json(plain if provenance is None else {"provenance": provenance, "rows": plain})
    if provenance is None or fmt == "text":
        preamble = []
    elif fmt == "md":
        preamble = ["<!--", *provenance_lines(provenance, ""), "-->"]
    else:
        preamble = provenance_lines(provenance, "% " if fmt == "latex" else "# ")
    return "\n".join(preamble + [_format_table(rows, columns, fmt, math_columns)])


def _format_table(rows: Sequence[dict], columns: Sequence[str], fmt: str, math_columns: Sequence[str]) -> str:
    if fmt == "latex":
        return "\n".join(_latex_table(rows, columns, math_columns))
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
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    widths = [max(len(c), *(len(cells[i]) for cells in table)) if table else len(c) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(cells, widths)) for cells in table]
    return "\n".join(line.rstrip() for line in lines)


OUT_FORMATS = {".json": "json", ".csv": "csv", ".tex": "latex", ".md": "md"}
"""Format of an ``--out`` file by its extension; any other extension gets text."""


def write_rows(path: str, rows: Sequence[dict], columns: Sequence[str], provenance: dict,
               math_columns: Sequence[str] = ()) -> str:
    """Write ``rows`` with their provenance to ``path``, in the format its extension names.

    Parameters
    ----------
    path : str
        ``.json``, ``.csv``, ``.tex`` (LaTeX), ``.md``; anything else is text.
    rows, columns, math_columns
        As :func:`format_rows`.
    provenance : dict
        From :func:`rankstrat.cases.provenance.provenance`.

    Returns
    -------
    str
        ``path``.

    Raises
    ------
    InputError
        When the file cannot be written (naming ``--out``).

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = write_rows(path, [{"k": 1}], ["k"], {"seed": 0})
    >>> print(open(path).read().strip())
    # seed: 0
    k
    1
    """
    import os

    from rankstrat.cases.provenance import provenance_lines
    from rankstrat.numerics.output_paths import PARTIAL_SUFFIX
    from rankstrat.theory.errors import InputError

    fmt = OUT_FORMATS.get(os.path.splitext(path)[1].lower(), "text")
    text = format_rows(rows, columns, fmt, provenance=provenance, math_columns=math_columns)
    if fmt == "text":
        text = "\n".join(provenance_lines(provenance) + [text])
    partial = path + PARTIAL_SUFFIX  # replaced atomically: a reader never sees half a report
    try:
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        os.replace(partial, path)
    except OSError as exc:
        raise InputError(f"--out {path!r}: cannot write ({exc.strerror})") from None
    return path
