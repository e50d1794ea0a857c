"""Plot a stability curve: rank of the data Jacobian against the number of inputs (PNG)."""

from __future__ import annotations

import os
import textwrap
from typing import Optional, Sequence

from rankstrat.theory.errors import InputError


def plot_stability_curve(curve: Sequence, path: str, title: str = "", closed_form: Optional[int] = None) -> str:
    """Draw ``rank J(X[:n])`` against ``n`` with the model rank ``R`` and the onset of stability.

    Parameters
    ----------
    curve : sequence of StabilityResult
        From :func:`rankstrat.numerics.rank.stability.stability_curve`.
    path : str
        Output file, ``.png``.
    title : str
    closed_form : int, optional
        The closed-form ``R`` to mark (dashed) beside the measured one.

    Returns
    -------
    str
        ``path``.

    Raises
    ------
    InputError
        For a path that does not end in ``.png`` or an empty curve.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.points import generic_inputs, random_point
    >>> from rankstrat.numerics.rank.stability import stability_curve
    >>> spec = parse_spec("twolayer:d=1,k=1")
    >>> curve = stability_curve(spec, random_point(spec), generic_inputs(spec, 3))
    >>> out = plot_stability_curve(curve, str(pathlib.Path(tempfile.mkdtemp()) / "c.png"), closed_form=2)
    >>> pathlib.Path(out).stat().st_size > 0
    True
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rankstrat.numerics.rank.stability import stability_onset

    if not str(path).endswith(".png"):
        raise InputError(f"--plot: expected a .png file, got {path!r}")
    if not curve:
        raise InputError("--plot: the stability curve is empty")
    sizes = [r.num_inputs for r in curve]
    ranks = [r.data_rank.rank if r.data_rank.rank is not None else float("nan") for r in curve]
    model = curve[0].model_rank.rank
    fig, ax = plt.subplots(figsize=(6.0, 4.0), dpi=120)
    stable = [r.stable is True for r in curve]
    ax.plot(sizes, ranks, color="0.3", linewidth=1.0, zorder=1)
    ax.scatter([n for n, s in zip(sizes, stable) if s], [r for r, s in zip(ranks, stable) if s],
               color="tab:green", s=14, label="linearly stable", zorder=2)
    ax.scatter([n for n, s in zip(sizes, stable) if not s], [r for r, s in zip(ranks, stable) if not s],
               color="tab:red", s=14, label="not stable", zorder=2)
    if model is not None:
        ax.axhline(model, color="tab:blue", linewidth=1.0, label=f"model rank R = {model} (measured)")
    if closed_form is not None:
        ax.axhline(closed_form, color="black", linestyle="--", linewidth=0.8, label=f"closed form R = {closed_form}")
    onset = stability_onset(curve)
    if onset is not None:
        ax.axvline(onset, color="tab:green", linestyle=":", linewidth=1.0, label=f"stable from n = {onset}")
    ax.set_xlabel("number of inputs n")
    ax.set_ylabel("rank of the n x M Jacobian")
    ax.set_title(textwrap.fill(title or "linear stability", 70), fontsize=8)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
