"""The process's trainer slots: at most :data:`MAX_CONCURRENT_TRAININGS` live runs train at
once across all sessions, so that sessions share the two cores frame by frame.

Every live view (:mod:`actlib.ui.live_view`) takes a slot for one frame's share of training
only, never between frames: a closed tab holds nothing, and a session waiting for a slot
still draws its frame and stays responsive to its own clicks. The slots are handed out first
come, first served (:mod:`actlib.ui.trainer_queue`), and a waiting session can read its place
and an estimate of its wait (:func:`queue_status`, :func:`wait_message`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from actlib.ui.trainer_queue import QueueStatus, TrainerQueue

MAX_CONCURRENT_TRAININGS = 2
WAIT_MESSAGE = "Waiting for a free trainer: other sessions are training right now"
FRAME_TURN_SECONDS = 0.05
"""What a live frame's turn on a trainer is taken to last, for others' wait estimates."""

trainers = TrainerQueue(MAX_CONCURRENT_TRAININGS)


def _owner() -> tuple[str | None, int]:
    """Who asks for a trainer: this session's script thread."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return (ctx.session_id if ctx is not None else None, threading.get_ident())


@contextlib.contextmanager
def trainer_slot(timeout: float, seconds: float = FRAME_TURN_SECONDS) -> Iterator[bool]:
    """One of the process's trainer slots for a short piece of work (a live frame), if one
    frees up within ``timeout`` seconds; yields whether it was had. Holding it only for a
    frame lets sessions take turns on the two cores, and a closed tab holds nothing.
    ``seconds``: how long the work will hold the slot, for others' wait estimates."""
    owner = _owner()
    got = trainers.acquire(owner, timeout, seconds)
    try:
        yield got
    finally:
        if got:
            trainers.release(owner)


def queue_status() -> QueueStatus:
    """This session's place in the queue and estimated wait (place 0: it holds a slot)."""
    return trainers.status(_owner())


def wait_message(status: QueueStatus) -> str:
    """What a waiting session reads: its place in the queue and about how long."""
    ahead = status.position - 1
    place = ("you are next" if ahead == 0 else
             f"{ahead} session{'s' * (ahead != 1)} ahead of you")
    return f"{WAIT_MESSAGE}; {place}, about {max(1, round(status.wait_seconds))} s…"
