"""The session reaper drops closed sessions whose reconnect window is over, and only those,
with the installed Streamlit's own session manager and store (the internals it reads are
pinned here: an upgrade that moves them fails these tests instead of the server quietly
keeping every closed session)."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from unittest import mock

from streamlit.runtime.caching.ttl_cache import TTLCache
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.session_manager import SessionInfo
from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

from actlib.ui import session_reaper

TTL = 0.3


class FakeSession:
    """What the store needs of an AppSession: an id (and it holds page state)."""

    def __init__(self, session_id: str) -> None:
        self.id = session_id
        self.page_state = bytearray(1 << 20)


def manager(ttl: float = TTL) -> WebsocketSessionManager:
    return WebsocketSessionManager(
        session_storage=MemorySessionStorage(ttl_seconds=ttl),
        uploaded_file_manager=mock.Mock(), script_cache=mock.Mock(),
        message_enqueued_callback=None)


def store(mgr: WebsocketSessionManager, session_id: str) -> weakref.ref:
    """Store a disconnected session as Streamlit does; a weak reference to it."""
    session = FakeSession(session_id)
    mgr._session_storage.save(SessionInfo(client=None, session=session))
    return weakref.ref(session)


def test_the_internals_read_are_there():
    mgr = manager()
    assert isinstance(mgr._storage_lock, type(threading.Lock()))
    assert isinstance(mgr._session_storage._cache, TTLCache)
    assert mgr._session_storage._cache.ttl == TTL


def test_streamlit_alone_keeps_expired_sessions_until_a_write():
    """The behaviour the reaper is for: past its window a session is no longer listed,
    but the store still holds it (and everything it references)."""
    mgr = manager()
    kept = store(mgr, "a")
    time.sleep(TTL + 0.1)
    assert mgr.get_session_info("a") is None  # no longer resumable...
    gc.collect()
    assert kept() is not None  # ...but still in memory


def test_reap_drops_expired_sessions_and_frees_them():
    mgr = manager()
    old = [store(mgr, f"old{i}") for i in range(3)]
    time.sleep(TTL + 0.1)
    assert session_reaper.reap_expired_sessions(mgr) == 3
    gc.collect()
    assert all(ref() is None for ref in old)
    assert session_reaper.reap_expired_sessions(mgr) == 0


def test_reap_keeps_sessions_that_can_still_be_resumed():
    mgr = manager(ttl=60)
    fresh = store(mgr, "fresh")
    assert session_reaper.reap_expired_sessions(mgr) == 0
    gc.collect()
    assert fresh() is not None
    assert mgr.get_session_info("fresh") is not None


def test_reap_waits_for_the_storage_lock():
    """Disconnects and resumes move sessions in and out of the store under this lock."""
    mgr = manager()
    store(mgr, "a")
    time.sleep(TTL + 0.1)
    done = threading.Event()
    with mgr._storage_lock:
        worker = threading.Thread(
            target=lambda: (session_reaper.reap_expired_sessions(mgr), done.set()))
        worker.start()
        assert not done.wait(0.2)
    assert done.wait(5)
    worker.join()


def test_release_collects_and_trims_only_when_something_was_dropped():
    with mock.patch.object(session_reaper.gc, "collect") as collect, \
            mock.patch.object(session_reaper.runtime, "release_free_memory") as trim:
        session_reaper._release(0)
        assert not collect.called and not trim.called
        session_reaper._release(2)
        assert collect.called and trim.called


def test_release_does_not_trim_while_training():
    """A running training's steps reuse the memory freed between them."""
    from actlib.ui import live_runner

    with mock.patch.object(session_reaper.gc, "collect"), \
            mock.patch.object(session_reaper.runtime, "release_free_memory") as trim, \
            live_runner.trainer_slot(timeout=1.0) as held:
        assert held
        session_reaper._release(1)
        assert not trim.called


def test_a_broken_store_stops_the_thread_quietly():
    """Internals that moved: the thread ends, nothing raises into the server."""
    broken = mock.Mock(spec=["_storage_lock"])
    broken._storage_lock = threading.Lock()
    with mock.patch.object(session_reaper, "REAP_SECONDS", 0.01):
        thread = threading.Thread(target=session_reaper._reap_forever, args=(broken,))
        thread.start()
        thread.join(5)
    assert not thread.is_alive()


def test_no_thread_without_a_server():
    """AppTest and plain imports have no running server: nothing starts."""
    assert session_reaper.session_manager() is None
    assert session_reaper.start_session_reaper() is False
    assert not session_reaper._started.is_set()


def test_apptest_pages_run_without_a_reaper():
    """AppTest's runtime is a mock without a session manager: the page runs, no thread."""
    from tests.apptest_charts import open_page

    open_page("pages/shapes.py")
    assert not session_reaper._started.is_set()


def test_a_server_like_runtime_gets_its_manager():
    mgr = manager()
    runtime = mock.Mock(spec=["_session_mgr"])
    runtime._session_mgr = mgr
    with mock.patch("streamlit.runtime.Runtime.exists", return_value=True), \
            mock.patch("streamlit.runtime.Runtime.instance", return_value=runtime):
        assert session_reaper.session_manager() is mgr
