"""Plot a stability curve: rank of the data Jacobian against the number of inputs."""

from __future__ import annotations

import textwrap
from typing import Optional, Sequence

from rankstrat.numerics.figures import check_figure_path, new_figure, outside_legend, save_figure
from rankstrat.theory.errors import InputError


def plot_stability_curve(curve: Sequence, path: str, title: str = "", closed_form: Optional[int] = None) -> str:
    """Draw ``rank J(X[:n])`` against ``n`` with the model rank ``R`` and the onset of stability;
    filled markers are certified ranks, hollow ones are not.

    Parameters
    ----------
    curve : sequence of StabilityResult
        From :func:`rankstrat.numerics.rank.stability.stability_curve`.
    path : str
        Output file; its extension picks the format.
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
        For an unknown figure extension, a missing folder or an empty curve.

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
    from rankstrat.numerics.rank.stability import stability_onset

    check_figure_path(path)
    if not curve:
        raise InputError("--plot: the stability curve is empty")
    sizes = [r.num_inputs for r in curve]
    ranks = [r.data_rank.rank if r.data_rank.rank is not None else float("nan") for r in curve]
    model = curve[0].model_rank.rank
    fig = new_figure(7.0, 4.0)
    ax = fig.add_subplot()
    stable = [r.stable is True for r in curve]
    ax.plot(sizes, ranks, color="0.3", linewidth=1.0, zorder=1)
    certified = [r.data_rank.certainty == "certified" for r in curve]
    for verdict, color, label in ((True, "tab:green", "linearly stable"), (False, "tab:red", "not stable")):
        for sure in (True, False):
            chosen = [i for i in range(len(curve)) if stable[i] == verdict and certified[i] == sure]
            if chosen:
                ax.scatter([sizes[i] for i in chosen], [ranks[i] for i in chosen], s=18, zorder=2,
                           color=color if sure else "white", edgecolors=color)
        ax.scatter([], [], s=18, color=color, label=label)
    ax.scatter([], [], s=18, color="white", edgecolors="0.3", label="rank not certified (hollow)")
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
    outside_legend(ax)
    return save_figure(fig, path)
