"""The process's trainer slots: at most :data:`MAX_CONCURRENT_TRAININGS` live runs train at
once across all sessions, so that sessions share the two cores frame by frame.

Every live view (:mod:`actlib.ui.live_view`) takes a slot for one frame's share of training
only, never between frames: a closed tab holds nothing, and a session waiting for a slot
still draws its frame and stays responsive to its own clicks.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

MAX_CONCURRENT_TRAININGS = 2

_trainers = threading.BoundedSemaphore(MAX_CONCURRENT_TRAININGS)


@contextlib.contextmanager
def trainer_slot(timeout: float) -> Iterator[bool]:
    """One of the process's trainer slots for a short piece of work (a live frame), if one
    frees up within ``timeout`` seconds; yields whether it was had. Holding it only for a
    frame lets sessions take turns on the two cores, and a closed tab holds nothing."""
    got = _trainers.acquire(timeout=max(timeout, 0.0))
    try:
        yield got
    finally:
        if got:
            _trainers.release()
