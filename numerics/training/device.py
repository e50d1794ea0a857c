"""The torch device of a computation: ``--device`` resolved, and CPU thread control."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import torch

from rankstrat.theory.errors import InputError

DEVICES = ("auto", "cpu", "cuda")
"""Accepted values of ``device`` / ``--device``."""


def resolve_device(device: str | torch.device = "cpu") -> torch.device:
    """The torch device named by ``--device``: ``auto`` picks CUDA when present.

    Parameters
    ----------
    device : {'auto', 'cpu', 'cuda'} or torch.device

    Returns
    -------
    torch.device

    Raises
    ------
    InputError
        For another name, or ``cuda`` on a machine without a CUDA device.

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    >>> resolve_device("tpu")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --device: unknown device 'tpu'; expected one of auto, cpu, cuda
    """
    if isinstance(device, torch.device):
        return device
    name = str(device)
    if name not in DEVICES:
        raise InputError(f"--device: unknown device {name!r}; expected one of {', '.join(DEVICES)}")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError("--device: 'cuda' requested but no CUDA device is available; use cpu or auto")
    return torch.device(name)


@contextmanager
def cpu_single_thread(device: torch.device):
    """Run the block with one intra-op torch thread when ``device`` is the CPU.

    The batched tensors of these loops are small (thousands of elements);
    splitting each operation across threads costs more than it gains, and
    on a shared machine it can cost several times the single-thread time.
    Parallelism comes from processes instead (:mod:`rankstrat.numerics.training.dask_backend`).

    Parameters
    ----------
    device : torch.device

    Examples
    --------
    >>> with cpu_single_thread(torch.device("cpu")):
    ...     torch.get_num_threads()
    1
    """
    if device.type != "cpu":
        yield
        return
    global _single_thread_users, _threads_before
    with _single_thread_lock:  # threads of one process (a threaded Dask worker) share the setting
        if _single_thread_users == 0:
            _threads_before = torch.get_num_threads()
            torch.set_num_threads(1)
        _single_thread_users += 1
    try:
        yield
    finally:
        with _single_thread_lock:
            _single_thread_users -= 1
            if _single_thread_users == 0:
                torch.set_num_threads(_threads_before)


_single_thread_lock = threading.Lock()
_single_thread_users = 0
_threads_before = 1
