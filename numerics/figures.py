"""Figure files: one checked path, one layout and one writer for every plot of rankstrat.

:func:`new_figure` gives a :class:`matplotlib.figure.Figure` with constrained
layout on the Agg canvas (no display, no global pyplot state);
:func:`outside_legend` puts a legend beside the axes, where it covers no data;
:func:`save_figure` writes exactly the file named, in the format its extension
names, with nothing clipped.
"""

from __future__ import annotations

import os
import sys


def figure_formats() -> tuple[str, ...]:
    """File extensions matplotlib can write, sorted.

    Examples
    --------
    >>> {"png", "pdf", "svg", "eps"} <= set(figure_formats())
    True
    """
    from matplotlib.backend_bases import FigureCanvasBase

    return tuple(sorted(FigureCanvasBase.get_supported_filetypes()))


def check_figure_path(path, option: str = "--plot") -> str:
    """Check that a figure can be written at ``path``: a known extension, a writable folder (created when missing).

    Parameters
    ----------
    path : path-like
    option : str
        The option that named the path, for the message.

    Returns
    -------
    str
        The format (the extension, lower case, without the dot).

    Raises
    ------
    InputError
        Naming the option, the path and the accepted extensions.

    Examples
    --------
    >>> check_figure_path("curve.PDF")
    'pdf'
    >>> check_figure_path("curve.gifx")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --plot 'curve.gifx': unknown file type 'gifx'; expected a file ending in ...
    """
    from rankstrat.numerics.output_paths import prepare_output_path

    prepare_output_path(path, option, extensions=figure_formats())
    return os.path.splitext(os.fspath(path))[1].lower().lstrip(".")


def new_figure(width: float = 6.4, height: float = 4.2):
    """A figure with constrained layout on the Agg canvas.

    Examples
    --------
    >>> fig = new_figure(); fig.get_layout_engine().__class__.__name__
    'ConstrainedLayoutEngine'
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def outside_legend(ax, **kwargs):
    """A legend to the right of ``ax``, outside the data area (``kwargs`` go to ``legend``).

    Examples
    --------
    >>> fig = new_figure(); ax = fig.add_subplot(); _ = ax.plot([0, 1], label="a")
    >>> legend = outside_legend(ax); fig.canvas.draw()
    >>> bool(legend.get_window_extent().x0 >= ax.get_window_extent().x1)
    True
    """
    options = {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0), "borderaxespad": 0.0, "fontsize": 8,
               "frameon": False}
    return ax.legend(**{**options, **kwargs})


def save_figure(fig, path, option: str = "--plot", dpi: int = 150) -> str:
    """Write ``fig`` to ``path`` only, in the format of its extension, cropped to its content.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : path-like
        ``x.pdf`` writes ``x.pdf`` and nothing else.
    option : str
        The option that named the path, for error messages.
    dpi : int
        Resolution of raster formats.

    Returns
    -------
    str
        The path written.

    Raises
    ------
    InputError
        See :func:`check_figure_path`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> fig = new_figure(); _ = fig.add_subplot().plot([0, 1])
    >>> save_figure(fig, folder / "x.pdf") == str(folder / "x.pdf")
    True
    >>> sorted(p.name for p in folder.iterdir()), (folder / "x.pdf").read_bytes()[:4]
    (['x.pdf'], b'%PDF')
    """
    fmt = check_figure_path(path, option)
    path = os.fspath(path)
    fig.savefig(path, format=fmt, dpi=dpi, bbox_inches="tight")
    if "matplotlib.pyplot" in sys.modules:  # figures from pyplot stay registered until closed
        sys.modules["matplotlib.pyplot"].close(fig)
    return path
