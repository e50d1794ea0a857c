"""Data loaders: synthetic separable data, digits, and MNIST / CIFAR-10 files written here."""

import gzip
import os
import pickle
import struct

import numpy as np
import pytest

from rankstrat.numerics.datasets import (
    CIFAR10_FILES,
    MNIST_FILES,
    load_cifar10,
    load_dataset,
    load_digits,
    load_mnist,
    make_separable,
    parse_dataset,
    read_idx,
    select_classes,
    separable_teacher,
)
from rankstrat.theory.errors import InputError

# ---------------------------------------------------------------------------
# writers of the standard formats (independent of the loaders under test)
# ---------------------------------------------------------------------------

def write_idx_images(path, images, compress=False):
    header = struct.pack(">iiii", 2051, images.shape[0], images.shape[1], images.shape[2])
    payload = header + images.astype(np.uint8).tobytes()
    opener = gzip.open if compress else open
    with opener(path, "wb") as handle:
        handle.write(payload)


def write_idx_labels(path, labels, compress=False):
    payload = struct.pack(">ii", 2049, labels.shape[0]) + labels.astype(np.uint8).tobytes()
    opener = gzip.open if compress else open
    with opener(path, "wb") as handle:
        handle.write(payload)


def tiny_mnist(folder, split="train", count=12, compress=True, rng=None):
    rng = rng or np.random.default_rng(0)
    images = rng.integers(0, 256, size=(count, 4, 3), dtype=np.uint8)
    labels = np.arange(count) % 10
    image_name, label_name = MNIST_FILES[split]
    suffix = ".gz" if compress else ""
    write_idx_images(os.path.join(folder, image_name + suffix), images, compress)
    write_idx_labels(os.path.join(folder, label_name + suffix), labels, compress)
    return images, labels


def tiny_cifar(folder, split="train", per_batch=5, protocol=2, rng=None):
    rng = rng or np.random.default_rng(1)
    os.makedirs(folder, exist_ok=True)
    data, labels = [], []
    for name in CIFAR10_FILES[split]:
        batch_data = rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8)
        batch_labels = list(rng.integers(0, 10, size=per_batch).tolist())
        with open(os.path.join(folder, name), "wb") as handle:
            pickle.dump({b"batch_label": name.encode(), b"data": batch_data, b"labels": batch_labels},
                        handle, protocol=protocol)
        data.append(batch_data)
        labels += batch_labels
    return np.concatenate(data), np.array(labels)


# ---------------------------------------------------------------------------
# synthetic and digits
# ---------------------------------------------------------------------------

def test_synthetic_is_separable_by_its_teacher():
    X, y = make_separable(2000, dim=5, seed=3, teacher_seed=7)
    assert X.dtype == np.float64 and X.shape == (2000, 5) and y.dtype == np.int64
    teacher = separable_teacher(5, 7)
    assert np.array_equal((X @ teacher > 0).astype(int), y)
    assert 0.4 < y.mean() < 0.6
    # the same teacher labels new draws; a new seed gives new inputs
    X2, y2 = make_separable(50, dim=5, seed=4, teacher_seed=7)
    assert not np.allclose(X2, X[:50]) and np.array_equal((X2 @ teacher > 0).astype(int), y2)


def test_digits_all_and_two_classes():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0 and sorted(set(y.tolist())) == list(range(10))
    X2, y2 = load_digits(classes=[8, 3])
    assert sorted(set(y2.tolist())) == [3, 8] and len(y2) == np.sum((y == 3) | (y == 8))


def test_select_classes_errors():
    X, y = np.zeros((4, 1)), np.array([0, 1, 1, 2])
    with pytest.raises(InputError, match=r"classes \[7\] do not occur"):
        select_classes(X, y, [1, 7])
    with pytest.raises(InputError, match="at least two classes"):
        select_classes(X, y, [1])


# ---------------------------------------------------------------------------
# MNIST
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("compress", [True, False])
def test_mnist_round_trip(tmp_path, compress):
    images, labels = tiny_mnist(str(tmp_path), "train", compress=compress)
    X, y = load_mnist(str(tmp_path), "train")
    assert X.shape == (12, 12) and X.dtype == np.float64
    assert np.allclose(X * 255, images.reshape(12, -1))
    assert np.array_equal(y, labels)
    X3, y3 = load_mnist(str(tmp_path), "train", classes=(1, 2), limit=6)
    assert y3.tolist() == [1, 2] and np.allclose(X3 * 255, images[1:3].reshape(2, -1))


def test_mnist_test_split_and_dotted_names(tmp_path):
    images = np.full((3, 2, 2), 255, dtype=np.uint8)
    write_idx_images(os.path.join(tmp_path, "t10k-images.idx3-ubyte"), images)
    write_idx_labels(os.path.join(tmp_path, "t10k-labels.idx1-ubyte"), np.array([4, 5, 6]))
    X, y = load_mnist(str(tmp_path), split="test")
    assert X.shape == (3, 4) and np.all(X == 1.0) and y.tolist() == [4, 5, 6]


def test_mnist_missing_files_say_which_and_where(tmp_path):
    with pytest.raises(InputError) as info:
        load_mnist(str(tmp_path / "mnist"))
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message and "train-labels-idx1-ubyte.gz" in message
    assert str(tmp_path / "mnist") in message
    tiny_mnist(str(tmp_path), "train")
    with pytest.raises(InputError, match="t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz"):
        load_mnist(str(tmp_path), "test")


def test_idx_bad_magic_and_truncation(tmp_path):
    bad = tmp_path / "bad"
    bad.write_bytes(struct.pack(">iiii", 1234, 1, 1, 1) + b"\x00")
    with pytest.raises(InputError, match="magic number 1234"):
        read_idx(str(bad))
    short = tmp_path / "short"
    short.write_bytes(struct.pack(">ii", 2049, 10) + b"\x01\x02")
    with pytest.raises(InputError, match="truncated"):
        read_idx(str(short))
    labels = tmp_path / "labels"
    write_idx_labels(str(labels), np.array([3, 1, 4]))
    assert read_idx(str(labels)).tolist() == [3, 1, 4]


# ---------------------------------------------------------------------------
# CIFAR-10
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("nested, protocol", [(False, 2), (True, pickle.HIGHEST_PROTOCOL)])
def test_cifar_round_trip(tmp_path, nested, protocol):
    folder = str(tmp_path / "cifar-10-batches-py") if nested else str(tmp_path)
    data, labels = tiny_cifar(folder, "train", protocol=protocol)
    X, y = load_cifar10(str(tmp_path), "train")
    assert X.shape == (25, 3072) and X.dtype == np.float64
    assert np.allclose(X * 255, data) and np.array_equal(y, labels)
    test_data, test_labels = tiny_cifar(folder, "test", per_batch=4, protocol=protocol)
    Xt, yt = load_cifar10(str(tmp_path), "test")
    assert np.allclose(Xt * 255, test_data) and np.array_equal(yt, test_labels)
    Xl, yl = load_cifar10(str(tmp_path), "train", limit=7)
    assert Xl.shape == (7, 3072) and np.array_equal(yl, labels[:7])


def test_cifar_missing_batches_say_which_and_where(tmp_path):
    tiny_cifar(str(tmp_path), "test")
    with pytest.raises(InputError) as info:
        load_cifar10(str(tmp_path), "train")
    message = str(info.value)
    assert "data_batch_1, data_batch_2, data_batch_3, data_batch_4, data_batch_5" in message
    assert str(tmp_path) in message and "cifar-10-batches-py" in message


def test_cifar_refuses_code_in_a_batch(tmp_path):
    class Payload:
        def __reduce__(self):
            return (os.getcwd, ())

    for name in CIFAR10_FILES["test"]:
        with open(tmp_path / name, "wb") as handle:
            pickle.dump({b"data": Payload(), b"labels": [0]}, handle)
    with pytest.raises(InputError, match="refusing to load"):
        load_cifar10(str(tmp_path), "test")


def test_cifar_malformed_batch(tmp_path):
    for name in CIFAR10_FILES["test"]:
        with open(tmp_path / name, "wb") as handle:
            pickle.dump({b"labels": [0, 1]}, handle)
    with pytest.raises(InputError, match="expected keys b'data' and b'labels'"):
        load_cifar10(str(tmp_path), "test")


# ---------------------------------------------------------------------------
# data-set strings
# ---------------------------------------------------------------------------

def test_dataset_strings(tmp_path):
    assert parse_dataset("synthetic:d=4,n=100,seed=2") == ("synthetic", {"d": 4, "n": 100, "seed": 2})
    X, y = load_dataset("synthetic:d=4,n=100")
    assert X.shape == (100, 4)
    assert set(load_dataset("digits:classes=0-1")[1].tolist()) == {0, 1}
    tiny_mnist(str(tmp_path), "train")
    X, y = load_dataset(f"mnist:dir={tmp_path},classes=0-1")
    assert sorted(set(y.tolist())) == [0, 1]


@pytest.mark.parametrize("text, fragment", [
    ("svhn", "unknown data set 'svhn'"),
    ("digits:class=3-8", "unknown option 'class=3-8'"),
    ("synthetic:d=x", "d: cannot read 'x'; expected an integer"),
    ("synthetic:n=0", "n: 0 is below 1"),
    ("mnist:dir=/nonexistent/folder", "put train-images-idx3-ubyte.gz"),
])
def test_dataset_string_errors(text, fragment):
    with pytest.raises(InputError) as info:
        load_dataset(text)
    assert fragment in str(info.value)
