"""Process-wide torch settings, applied once.

``torch.set_num_threads`` and glibc's allocator settings are global to the process, and
Streamlit runs every browser session as a thread of one process: a page must never change
them. :func:`configure_torch` is called once by the app's entry point (and by benchmarks).
"""

from __future__ import annotations

import ctypes
import os
import threading

import torch

_lock = threading.Lock()
_configured: int | None = None

DEFAULT_THREADS = 1
"""One thread per run: on a shared 2-core host two sessions then train side by side
instead of fighting over both cores (measured faster overall; see the design notes)."""

_M_MMAP_THRESHOLD = -3


def _raise_mmap_threshold(nbytes: int = 64 * 1024 * 1024) -> None:
    """Stop glibc from mapping and unmapping every tensor over 128 KiB.

    Measured here: a batched training step went from 28 to 19 ms on one thread.
    Harmless where glibc is not the allocator (the call is skipped).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, nbytes)
    except (OSError, AttributeError):
        pass


def configure_torch(threads: int | None = None) -> int:
    """Set torch's thread count (once per process) and the allocator; return the count.

    ``ACTLAB_THREADS`` in the environment overrides the default. Later calls with a
    different count are ignored, so a page can never change another session's setting.
    """
    global _configured
    with _lock:
        if _configured is not None:
            return _configured
        wanted = threads or int(os.environ.get("ACTLAB_THREADS", DEFAULT_THREADS))
        wanted = max(1, min(wanted, os.cpu_count() or 1))
        torch.set_num_threads(wanted)
        _raise_mmap_threshold()
        _configured = wanted
        return wanted
