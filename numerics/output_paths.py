"""Output files named on the command line, checked before any work is done.

Every command that writes a file (``--plot``, ``--out``, ``--figure``) checks
the path first with :func:`prepare_output_path`: missing folders are created,
and a folder that cannot be created or written, or a path that is a folder,
is refused with one line naming the option, so no result is computed only to
be lost at the end.
"""

from __future__ import annotations

import os

from rankstrat.theory.errors import InputError


def prepare_output_path(path, option: str, extensions=None) -> str:
    """Check that a file can be written at ``path``, creating its folder when missing.

    Parameters
    ----------
    path : str or path-like
    option : str
        The option named in error messages (``--plot``).
    extensions : iterable of str, optional
        Accepted file extensions without the dot (any when None).

    Returns
    -------
    str
        ``path`` as a string.

    Raises
    ------
    InputError
        The path is a folder, has an unknown extension, or its folder cannot
        be created or written.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> path = prepare_output_path(os.path.join(folder, "new", "fig.png"), "--plot", ["png"])
    >>> os.path.isdir(os.path.dirname(path))
    True
    >>> prepare_output_path(folder, "--out")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --out '...': is a folder; expected a file name
    """
    path = os.fspath(path)
    if not path or os.path.isdir(path):
        raise InputError(f"{option} {path!r}: is a folder; expected a file name")
    if extensions is not None:
        extension = os.path.splitext(path)[1].lower().lstrip(".")
        if extension not in extensions:
            raise InputError(f"{option} {path!r}: unknown file type {extension!r}; expected a file ending in "
                             f"{', '.join('.' + e for e in extensions)}")
    prepare_folder(os.path.dirname(os.path.abspath(path)), option)
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise InputError(f"{option} {path!r}: the file exists and is not writable")
    return path


def prepare_folder(folder, option: str) -> str:
    """Create ``folder`` when missing and check that it is writable.

    Returns
    -------
    str

    Raises
    ------
    InputError

    Examples
    --------
    >>> prepare_folder("/dev/null/figures", "--out")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --out: cannot create the folder '/dev/null/figures' (Not a directory)
    """
    folder = os.fspath(folder)
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise InputError(f"{option}: {folder!r} is not a folder")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{option}: cannot create the folder {folder!r} ({exc.strerror or exc})") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{option}: the folder {folder!r} is not writable")
    return folder
