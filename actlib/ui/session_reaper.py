"""Let go of the sessions a class has closed, so the server's memory returns to its plateau.

Streamlit keeps a disconnected session for ``server.disconnectedSessionTTL`` seconds (120 by
default) so that a browser which reconnects can resume it. Its store, a TTL cache, drops
expired sessions only when it is written to, that is when another session disconnects.
When a lecture ends and the hall closes its tabs together, nobody disconnects after them:
the last sessions stayed in memory with their pages' namespaces, live runs and the tensors
behind them until a later visitor left (issue #15: the server stayed 10-17 MB above its
plateau after twelve sessions closed, 3.5 MB of it tensors of their live runs).

A daemon thread, started once per process by the entry point, drops the expired sessions
every :data:`REAP_SECONDS`, exactly as that next disconnect would (nothing is dropped that
could still be resumed), under the session manager's own storage lock. When it dropped
any, it collects the reference cycles they leave behind (Streamlit collects only after a
script run, and none may follow) and hands freed memory back to the system, unless a
training is running, whose steps reuse it (:func:`actlib.runtime.release_free_memory`).

Streamlit has no public hook for this. The internals read here are pinned by
``tests/test_session_reaper.py`` against the installed Streamlit; if they move, the thread
stops and the server behaves as it would without it.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from typing import Any

from actlib import runtime

REAP_SECONDS = 5.0
"""How often expired sessions are looked for: a class's memory is back within this many
seconds of their reconnect window closing."""

_LOGGER = logging.getLogger(__name__)
_started = threading.Event()
_start_lock = threading.Lock()


def session_manager() -> Any | None:
    """The running server's session manager, or None where there is none with a store of
    disconnected sessions (no server yet, or AppTest, whose runtime is a mock)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    manager = getattr(Runtime.instance(), "_session_mgr", None)
    storage = getattr(manager, "_session_storage", None)
    if not hasattr(manager, "_storage_lock") or not hasattr(getattr(storage, "_cache", None),
                                                               "expire"):
        return None
    return manager


def reap_expired_sessions(manager: Any) -> int:
    """Drop the disconnected sessions whose reconnect window has closed; returns how many.

    ``manager``: Streamlit's ``WebsocketSessionManager`` (its ``_storage_lock`` guards the
    store of disconnected sessions, a ``MemorySessionStorage`` whose ``_cache`` is a
    Streamlit ``TTLCache``; ``expire()`` removes what has expired and returns it).
    """
    with manager._storage_lock:
        removed = manager._session_storage._cache.expire()
    return len(removed)


def _training_now() -> bool:
    """Whether a live run holds a trainer slot (never true before a page has trained)."""
    live_runner = sys.modules.get("actlib.ui.live_runner")
    return live_runner is not None and live_runner.trainers.busy > 0


def _release(removed: int) -> None:
    """After ``removed`` sessions were dropped: free their cycles, return the memory."""
    if removed:
        gc.collect()
        if not _training_now():
            runtime.release_free_memory()


def _reap_forever(manager: Any) -> None:
    while True:
        time.sleep(REAP_SECONDS)
        try:
            removed = reap_expired_sessions(manager)
        except Exception:  # Streamlit's internals moved: behave as Streamlit alone does
            _LOGGER.warning("Closed sessions can no longer be reaped", exc_info=True)
            return
        _release(removed)


def start_session_reaper() -> bool:
    """Start the reaping thread once per server process; returns whether this call did.
    Without a running server (AppTest) nothing starts."""
    if _started.is_set():
        return False
    with _start_lock:
        if _started.is_set():
            return False
        manager = session_manager()
        if manager is None:
            return False
        _started.set()
    threading.Thread(target=_reap_forever, args=(manager,), name="actlab-session-reaper",
                     daemon=True).start()
    return True
