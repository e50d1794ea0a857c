"""Data sets as numpy arrays: synthetic separable data, scikit-learn digits, MNIST, CIFAR-10.

Every loader returns ``(X, y)``: ``X`` a float64 array of shape
``(n_samples, n_features)`` with pixel values scaled to [0, 1], ``y`` an int64
array of labels. MNIST and CIFAR-10 are read from their standard distribution
files in a folder the user names; nothing is downloaded. When files are
missing the error says which files to put where.

Data-set strings (:func:`load_dataset`)::

    synthetic[:d=3,n=20000,seed=0]        labels from a linear teacher (separable)
    digits[:classes=3-8]                   scikit-learn's bundled 8x8 digits
    mnist[:dir=data/mnist,split=train,classes=0-1,limit=10000]
    cifar10[:dir=data/cifar10,split=test,classes=3-5,limit=5000]
"""

from __future__ import annotations

import gzip
import io
import os
import pickle
import struct
from typing import Optional, Sequence

import numpy as np

from rankstrat.theory.errors import InputError

IDX_IMAGES_MAGIC = 2051
"""Magic number of an MNIST idx3 image file (unsigned bytes, 3 dimensions)."""
IDX_LABELS_MAGIC = 2049
"""Magic number of an MNIST idx1 label file (unsigned bytes, 1 dimension)."""

MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
"""Standard MNIST file names per split (each also accepted with ``.gz``)."""

CIFAR10_FILES = {
    "train": tuple(f"data_batch_{i}" for i in range(1, 6)),
    "test": ("test_batch",),
}
"""Standard CIFAR-10 python batch names per split."""

CIFAR10_FOLDER = "cifar-10-batches-py"
"""Folder the CIFAR-10 python archive unpacks to; the batches may also lie directly in the given folder."""

DEFAULT_DIRS = {"mnist": os.path.join("data", "mnist"), "cifar10": os.path.join("data", "cifar10")}
"""Folders searched when a data-set string names no ``dir``."""


# ---------------------------------------------------------------------------
# class selection
# ---------------------------------------------------------------------------

def select_classes(X: np.ndarray, y: np.ndarray, classes: Optional[Sequence[int]]):
    """Keep the samples whose label is in ``classes`` (all when None).

    Raises
    ------
    InputError
        When a requested class does not occur, or fewer than two remain.

    Examples
    --------
    >>> X, y = np.arange(8.0).reshape(4, 2), np.array([0, 1, 2, 1])
    >>> select_classes(X, y, [1, 2])[1].tolist()
    [1, 2, 1]
    """
    if classes is None:
        return X, y
    wanted = sorted({int(c) for c in classes})
    present = set(np.unique(y).tolist())
    missing = [c for c in wanted if c not in present]
    if missing:
        raise InputError(f"classes {missing} do not occur; labels present: {sorted(present)}")
    if len(wanted) < 2:
        raise InputError(f"classes {wanted}: need at least two classes")
    keep = np.isin(y, wanted)
    return X[keep], y[keep]


# ---------------------------------------------------------------------------
# synthetic and digits
# ---------------------------------------------------------------------------

def separable_teacher(dim: int, seed: int = 0) -> np.ndarray:
    """The unit-norm weight vector of the linear teacher of :func:`make_separable`.

    Examples
    --------
    >>> round(float(np.linalg.norm(separable_teacher(3))), 12)
    1.0
    """
    if dim < 1:
        raise InputError(f"synthetic: d={dim!r}; expected a positive integer")
    w = np.random.default_rng([seed, 1]).standard_normal(dim)
    return w / np.linalg.norm(w)


def make_separable(n_samples: int, dim: int = 3, seed: int = 0, teacher_seed: int = 0):
    """Gaussian inputs labelled by a linear teacher: separable by construction.

    ``X ~ N(0, I_dim)`` and ``y = 1[X . w* > 0]`` with ``w* =``
    :func:`separable_teacher` ``(dim, teacher_seed)``, so the linear
    classifiers without bias contain a classifier with zero error, and a
    classifier ``w`` has true error ``angle(w, w*) / pi``.

    Parameters
    ----------
    n_samples : int
    dim : int
    seed : int
        Seed of the inputs.
    teacher_seed : int
        Seed of the teacher; keep it fixed to draw more data of the same problem.

    Returns
    -------
    X : numpy.ndarray, float64, shape (n_samples, dim)
    y : numpy.ndarray, int64, values 0 and 1

    Examples
    --------
    >>> X, y = make_separable(5, dim=2, seed=1)
    >>> X.shape, X.dtype, sorted(set(y.tolist())) <= [0, 1]
    ((5, 2), dtype('float64'), True)
    >>> bool(np.all((X @ separable_teacher(2) > 0) == (y == 1)))
    True
    """
    if n_samples < 1:
        raise InputError(f"synthetic: n={n_samples!r}; expected a positive integer")
    teacher = separable_teacher(dim, teacher_seed)
    X = np.random.default_rng([seed, 2]).standard_normal((n_samples, dim))
    y = (X @ teacher > 0).astype(np.int64)
    return X, y


def load_digits(classes: Optional[Sequence[int]] = None):
    """scikit-learn's bundled 8x8 handwritten digits (1797 images, offline).

    Parameters
    ----------
    classes : sequence of int or None
        Labels to keep (for example ``(3, 8)``); None keeps all ten.

    Returns
    -------
    X : numpy.ndarray, float64, shape (n, 64), values in [0, 1]
    y : numpy.ndarray, int64

    Examples
    --------
    >>> X, y = load_digits(classes=(3, 8))
    >>> X.shape, float(X.max()), sorted(set(y.tolist()))
    ((357, 64), 1.0, [3, 8])
    """
    from sklearn.datasets import load_digits as sklearn_digits

    data = sklearn_digits()
    X = np.asarray(data.data, dtype=np.float64) / 16.0
    y = np.asarray(data.target, dtype=np.int64)
    return select_classes(X, y, classes)


# ---------------------------------------------------------------------------
# MNIST
# ---------------------------------------------------------------------------

def _find_file(folder: str, name: str) -> Optional[str]:
    for candidate in (name, name + ".gz", name.replace("-idx", ".idx"), name.replace("-idx", ".idx") + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            return path
    return None


def _open_maybe_gzip(path: str):
    with open(path, "rb") as handle:
        start = handle.read(2)
    return gzip.open(path, "rb") if start == b"\x1f\x8b" else open(path, "rb")


def read_idx(path: str) -> np.ndarray:
    """Read an idx file (the MNIST format), gzip-compressed or not.

    The header is a big-endian magic number ``0x0000TTDD`` (type code ``TT``,
    0x08 for unsigned bytes; ``DD`` dimensions) followed by one big-endian
    int32 size per dimension; MNIST images have magic 2051, labels 2049.

    Parameters
    ----------
    path : str

    Returns
    -------
    numpy.ndarray of uint8

    Raises
    ------
    InputError
        For a missing file, a bad magic number or a truncated file.

    Examples
    --------
    >>> read_idx("/nonexistent/train-labels-idx1-ubyte")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: idx file '/nonexistent/train-labels-idx1-ubyte' not found
    """
    if not os.path.isfile(path):
        raise InputError(f"idx file {path!r} not found")
    with _open_maybe_gzip(path) as handle:
        raw = handle.read()
    if len(raw) < 4:
        raise InputError(f"idx file {path!r}: too short for a header")
    zero, type_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or type_code != 0x08 or ndim < 1:
        magic = struct.unpack(">i", raw[:4])[0]
        raise InputError(f"idx file {path!r}: magic number {magic} is not an unsigned-byte idx file "
                         f"(expected {IDX_LABELS_MAGIC} for labels or {IDX_IMAGES_MAGIC} for images)")
    header = 4 + 4 * ndim
    shape = struct.unpack(f">{ndim}i", raw[4:header])
    count = int(np.prod(shape))
    if len(raw) - header < count:
        raise InputError(f"idx file {path!r}: truncated ({len(raw) - header} bytes of data, header says {count})")
    return np.frombuffer(raw, dtype=np.uint8, count=count, offset=header).reshape(shape)


def _missing_files_message(dataset: str, folder: str, names: Sequence[str], hint: str) -> str:
    listing = ", ".join(names)
    return (f"{dataset}: files not found in folder {os.path.abspath(folder)!r}; put {listing} "
            f"there ({hint}), or name another folder with dir=PATH")


def load_mnist(folder: str = DEFAULT_DIRS["mnist"], split: str = "train",
               classes: Optional[Sequence[int]] = None, limit: Optional[int] = None):
    """MNIST from its four standard idx files in ``folder`` (gzip-compressed or not).

    Parameters
    ----------
    folder : str
        Folder holding ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
        ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte`` (each may end
        in ``.gz``).
    split : {'train', 'test'}
    classes : sequence of int or None
    limit : int or None
        Keep only the first ``limit`` images (before class selection).

    Returns
    -------
    X : numpy.ndarray, float64, shape (n, rows * cols), values in [0, 1]
    y : numpy.ndarray, int64

    Raises
    ------
    InputError
        Naming the files to put into the folder when they are missing.

    Examples
    --------
    >>> load_mnist("/nonexistent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: mnist: files not found in folder '/nonexistent'; put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz there (...), or name another folder with dir=PATH
    """
    if split not in MNIST_FILES:
        raise InputError(f"mnist: split={split!r}; expected one of {', '.join(MNIST_FILES)}")
    image_name, label_name = MNIST_FILES[split]
    image_path, label_path = _find_file(folder, image_name), _find_file(folder, label_name)
    if image_path is None or label_path is None:
        wanted = [n + ".gz" for n, p in ((image_name, image_path), (label_name, label_path)) if p is None]
        raise InputError(_missing_files_message(
            "mnist", folder, wanted, "the standard MNIST files, gzip-compressed or not"))
    images, labels = read_idx(image_path), read_idx(label_path)
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise InputError(f"mnist: {image_path!r} has shape {images.shape} and {label_path!r} {labels.shape}; "
                         "expected (n, rows, cols) images and n labels")
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    X = images.reshape(images.shape[0], -1).astype(np.float64) / 255.0
    return select_classes(X, labels.astype(np.int64), classes)


# ---------------------------------------------------------------------------
# CIFAR-10
# ---------------------------------------------------------------------------

class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles only plain containers and numpy arrays: a batch file cannot run code."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
        ("numpy", "ndarray"), ("numpy", "dtype"),
        ("_codecs", "encode"), ("builtins", "bytearray"),
    }

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a data file")


def read_cifar_batch(path: str):
    """Read one CIFAR-10 python batch: a pickled dict with ``b'data'`` and ``b'labels'``.

    Only plain containers and numpy arrays are unpickled; anything else in the
    file is refused.

    Parameters
    ----------
    path : str

    Returns
    -------
    data : numpy.ndarray of uint8, shape (n, 3072)
        Rows are 1024 red, 1024 green, 1024 blue values of a 32x32 image.
    labels : numpy.ndarray of int64, shape (n,)

    Raises
    ------
    InputError
        For a missing, unreadable or malformed batch.

    Examples
    --------
    >>> read_cifar_batch("/nonexistent/data_batch_1")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: CIFAR-10 batch '/nonexistent/data_batch_1' not found
    """
    if not os.path.isfile(path):
        raise InputError(f"CIFAR-10 batch {path!r} not found")
    try:
        with open(path, "rb") as handle:
            batch = _ArrayUnpickler(io.BytesIO(handle.read()), encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
        raise InputError(f"CIFAR-10 batch {path!r}: not a readable python batch ({exc})") from None
    if not isinstance(batch, dict):
        raise InputError(f"CIFAR-10 batch {path!r}: expected a dict, got {type(batch).__name__}")
    data = batch.get(b"data", batch.get("data"))
    labels = batch.get(b"labels", batch.get("labels"))
    if data is None or labels is None:
        raise InputError(f"CIFAR-10 batch {path!r}: expected keys b'data' and b'labels'")
    data = np.asarray(data, dtype=np.uint8)
    labels = np.asarray(labels, dtype=np.int64).ravel()
    if data.ndim != 2 or data.shape[0] != labels.shape[0]:
        raise InputError(f"CIFAR-10 batch {path!r}: data shape {data.shape} does not match {labels.shape[0]} labels")
    return data, labels


def load_cifar10(folder: str = DEFAULT_DIRS["cifar10"], split: str = "train",
                 classes: Optional[Sequence[int]] = None, limit: Optional[int] = None):
    """CIFAR-10 from its python batches in ``folder`` or ``folder/cifar-10-batches-py``.

    Parameters
    ----------
    folder : str
    split : {'train', 'test'}
        ``train`` reads ``data_batch_1`` .. ``data_batch_5``, ``test`` reads ``test_batch``.
    classes : sequence of int or None
    limit : int or None
        Keep only the first ``limit`` images (before class selection).

    Returns
    -------
    X : numpy.ndarray, float64, shape (n, 3072), values in [0, 1]
    y : numpy.ndarray, int64

    Raises
    ------
    InputError
        Naming the batch files to put into the folder when they are missing.

    Examples
    --------
    >>> load_cifar10("/nonexistent", split="test")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: cifar10: files not found in folder '/nonexistent'; put test_batch there (...), or name another folder with dir=PATH
    """
    if split not in CIFAR10_FILES:
        raise InputError(f"cifar10: split={split!r}; expected one of {', '.join(CIFAR10_FILES)}")
    names = CIFAR10_FILES[split]
    nested = os.path.join(folder, CIFAR10_FOLDER)
    base = nested if os.path.isdir(nested) else folder
    missing = [n for n in names if not os.path.isfile(os.path.join(base, n))]
    if missing:
        raise InputError(_missing_files_message(
            "cifar10", base, missing,
            f"the python version of CIFAR-10; the folder {CIFAR10_FOLDER} inside it also works"))
    parts, total = [], 0
    for name in names:
        data, labels = read_cifar_batch(os.path.join(base, name))
        parts.append((data, labels))
        total += labels.size
        if limit is not None and total >= limit:
            break
    data = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    if limit is not None:
        data, labels = data[:limit], labels[:limit]
    return select_classes(data.astype(np.float64) / 255.0, labels, classes)


# ---------------------------------------------------------------------------
# data-set strings
# ---------------------------------------------------------------------------

DATASETS = {
    "synthetic": "synthetic[:d=3,n=20000,seed=0]",
    "digits": "digits[:classes=3-8]",
    "mnist": f"mnist[:dir={DEFAULT_DIRS['mnist']},split=train,classes=0-1,limit=N]",
    "cifar10": f"cifar10[:dir={DEFAULT_DIRS['cifar10']},split=train,classes=3-5,limit=N]",
}
"""Data sets :func:`load_dataset` knows, with their string forms."""

MAX_LABEL = 9
"""Largest class label of the bundled and standard data sets (digits, MNIST, CIFAR-10: 0 to 9)."""
MAX_SYNTHETIC_ENTRIES = 10**8
"""Most entries ``n x d`` of a synthetic data set (800 MB of float64)."""
_LIMITS = {"d": (1, 10**4), "n": (1, MAX_SYNTHETIC_ENTRIES), "seed": (0, 2**32 - 1), "limit": (1, 10**8)}

_KEYS = {
    "synthetic": {"d": int, "n": int, "seed": int},
    "digits": {"classes": "classes"},
    "mnist": {"dir": str, "split": str, "classes": "classes", "limit": int},
    "cifar10": {"dir": str, "split": str, "classes": "classes", "limit": int},
}


def parse_dataset(text: str) -> tuple[str, dict]:
    """Split a data-set string into its name and typed options.

    Raises
    ------
    InputError
        Naming the string, the offending part and what is accepted.

    Examples
    --------
    >>> parse_dataset("digits:classes=3-8")
    ('digits', {'classes': (3, 8)})
    >>> parse_dataset("svhn")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: dataset 'svhn': unknown data set 'svhn'; expected one of synthetic[...
    """
    name, _, body = str(text).strip().partition(":")
    name = name.strip().lower()
    if name not in _KEYS:
        raise InputError(f"dataset {text!r}: unknown data set {name!r}; expected one of {', '.join(DATASETS.values())}")
    from rankstrat.theory.values import parse_integer

    options = {}
    items = [p.strip() for p in body.split(",")] if body.strip() else []
    for item in items:
        key, eq, raw = (s.strip() for s in item.partition("="))
        if not eq or key not in _KEYS[name]:
            raise InputError(f"dataset {text!r}: {name}: unknown option {item!r}; "
                             f"expected keys {', '.join(_KEYS[name])} (form {DATASETS[name]})")
        if key in options:
            raise InputError(f"dataset {text!r}: {name}: {key} given twice")
        kind = _KEYS[name][key]
        where = f"dataset {text!r}: {name}: {key}"
        if kind == "classes":
            parts = raw.split("-")
            if not all(parts):
                raise InputError(f"{where}={raw!r} is not valid; expected labels 0 to {MAX_LABEL} joined by - "
                                 f"(form {DATASETS[name]})")
            classes = tuple(parse_integer(c, where, 0, MAX_LABEL) for c in parts)
            if len(set(classes)) < 2:
                raise InputError(f"{where}={raw!r}: need at least two different classes (form {DATASETS[name]})")
            options[key] = classes
        elif kind is int:
            options[key] = parse_integer(raw, where, *_LIMITS[key])
        elif not raw:
            raise InputError(f"{where}: empty (form {DATASETS[name]})")
        else:
            options[key] = raw
    if options.get("n", 20000) * options.get("d", 3) > MAX_SYNTHETIC_ENTRIES:
        raise InputError(f"dataset {text!r}: n x d is more than {MAX_SYNTHETIC_ENTRIES:.0e} entries; lower n or d")
    return name, options


def load_dataset(text: str):
    """Load a data set named by a string (see the module docstring).

    Parameters
    ----------
    text : str

    Returns
    -------
    X : numpy.ndarray, float64
    y : numpy.ndarray, int64

    Examples
    --------
    >>> X, y = load_dataset("synthetic:d=2,n=10")
    >>> X.shape, y.dtype
    ((10, 2), dtype('int64'))
    """
    name, options = parse_dataset(text)
    if name == "synthetic":
        return make_separable(options.get("n", 20000), options.get("d", 3), options.get("seed", 0))
    if name == "digits":
        return load_digits(options.get("classes"))
    loader = load_mnist if name == "mnist" else load_cifar10
    return loader(options.get("dir", DEFAULT_DIRS[name]), options.get("split", "train"),
                  options.get("classes"), options.get("limit"))
