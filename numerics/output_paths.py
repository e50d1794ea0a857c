"""Output files named on the command line, checked before any work is done.

Every command that writes a file (``--plot``, ``--out``, ``--figure``,
``--json FILE``) checks the path first with :func:`prepare_output_path`, and
every command that writes into a folder (``--figures``, ``sweep --out``) with
:func:`prepare_folder`: missing folders are created, and the check really
writes there (a probe file, created and removed at once), so a folder that
refuses files even to root (``/proc``, a read-only mount) is found before any
result is computed only to be lost at the end. An empty path, a path that is a
folder, or an existing special file (``/dev/null``: a report is replaced
atomically, which would replace the device) is refused with one line naming
the option.
"""

from __future__ import annotations

import os
import stat
import tempfile

from rankstrat.theory.errors import InputError

PARTIAL_SUFFIX = ".partial"
"""Suffix of the file a report is written to before it atomically replaces the named one."""


def prepare_output_path(path, option: str, extensions=None) -> str:
    """Check that a file can be written at ``path``, creating its folder when missing.

    The check writes: ``path + PARTIAL_SUFFIX`` is created and removed (so the
    folder takes new files and the name is not too long), and an existing file
    is opened for appending (not changed).

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
        The path is empty, a folder or a special file, has an unknown
        extension, or its folder cannot be created or written.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> path = prepare_output_path(os.path.join(folder, "new", "fig.png"), "--plot", ["png"])
    >>> os.path.isdir(os.path.dirname(path)), os.listdir(os.path.dirname(path))
    (True, [])
    >>> prepare_output_path(folder, "--out")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --out '...': is a folder; expected a file name
    >>> prepare_output_path("", "--plot")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --plot: empty; expected a file name
    >>> prepare_output_path("/proc/table.csv", "--out")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --out '/proc/table.csv': cannot write a file in '/proc' (...)
    >>> prepare_output_path("/dev/null", "--out")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --out '/dev/null': is not a regular file (a device, pipe or socket); expected a file name
    """
    path = _nonempty(path, option, "a file name")
    if os.path.isdir(path):
        raise InputError(f"{option} {path!r}: is a folder; expected a file name")
    if path.endswith(("/", os.sep)):
        raise InputError(f"{option} {path!r}: ends with a folder separator; expected a file name")
    if extensions is not None:
        extension = os.path.splitext(path)[1].lower().lstrip(".")
        if extension not in extensions:
            raise InputError(f"{option} {path!r}: unknown file type {extension!r}; expected a file ending in "
                             f"{', '.join('.' + e for e in extensions)}")
    exists = _exists(path, option)
    if exists and not stat.S_ISREG(os.stat(path).st_mode):
        raise InputError(f"{option} {path!r}: is not a regular file (a device, pipe or socket); expected a file name")
    folder = os.path.dirname(os.path.abspath(path))
    prepare_folder(folder, option, probe=False)
    if exists:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
        except OSError as exc:
            raise InputError(f"{option} {path!r}: the file exists and cannot be written ({exc.strerror})") from None
    partial = path + PARTIAL_SUFFIX
    if _exists(partial, option):
        _probe_folder(folder, f"{option} {path!r}")
        return path
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise InputError(f"{option} {path!r}: cannot write a file in {folder!r} ({exc.strerror or exc})") from None
    os.unlink(partial)
    return path


def prepare_folder(folder, option: str, probe: bool = True) -> str:
    """Create ``folder`` when missing and check that files can be written in it.

    Parameters
    ----------
    folder : str or path-like
    option : str
        The option named in error messages.
    probe : bool
        Write (and remove) a probe file to check the folder takes files.

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
    >>> prepare_folder("/proc", "--figures")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --figures: cannot write a file in the folder '/proc' (...)
    >>> prepare_folder(" ", "--figures")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --figures: empty; expected a folder name
    """
    folder = _nonempty(folder, option, "a folder name")
    if _exists(folder, option) and not os.path.isdir(folder):
        raise InputError(f"{option}: {folder!r} is not a folder")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{option}: cannot create the folder {folder!r} ({exc.strerror or exc})") from None
    if probe:
        _probe_folder(folder, option, "the folder ")
    return folder


def folder_takes_files(folder) -> bool:
    """Whether a file can really be created in ``folder`` (a probe, created and removed).

    Unlike ``os.access`` this is right for root and for read-only mounts.

    Examples
    --------
    >>> import tempfile
    >>> folder_takes_files(tempfile.mkdtemp()), folder_takes_files("/proc"), folder_takes_files("/no/such/folder")
    (True, False, False)
    """
    try:
        _write_probe(os.fspath(folder))
    except OSError:
        return False
    return True


def _write_probe(folder: str) -> None:
    """Create and remove a probe file in ``folder`` (raises OSError when it cannot)."""
    handle, name = tempfile.mkstemp(dir=folder, prefix=".rankstrat-probe-")
    os.close(handle)
    os.unlink(name)


def _probe_folder(folder: str, where: str, what: str = "") -> None:
    try:
        _write_probe(folder)
    except OSError as exc:
        raise InputError(f"{where}: cannot write a file in {what}{folder!r} ({exc.strerror or exc})") from None


def _nonempty(path, option: str, expected: str) -> str:
    text = "" if path is None else os.fspath(path)
    if not text.strip():
        raise InputError(f"{option}: empty; expected {expected}")
    if "\0" in text:
        raise InputError(f"{option} {text!r}: holds a NUL character; expected {expected}")
    return text


def _exists(path: str, option: str) -> bool:
    """``os.path.exists`` that reports a name too long (or otherwise unusable) as bad input."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return False
    except NotADirectoryError:
        return False
    except OSError as exc:
        raise InputError(f"{option} {path!r}: cannot use this path ({exc.strerror or exc})") from None
    return True
