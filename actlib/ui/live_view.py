"""One machinery for every live view: a session keeps its runs, Play trains on from where
they stand, and only the live area (a fragment) reruns while it plays.

Used by the Playground (:mod:`actlib.ui.live_playground`) and by every lesson run that
trains to a fixed step count (:mod:`actlib.ui.live_runs`). What it knows of Streamlit 1.67:

* The live area is an ``st.fragment``. While playing, one fragment run draws frames for up
  to :data:`BURST_SECONDS` (one frame in a full-page run), then mounts a tiny trusted
  component (:func:`resume_when_drawn`) whose only act is to send an event back once the
  browser has drawn it (again, should Streamlit drop it), and that event reruns the
  fragment alone for the next burst.
* So the browser paces the bursts: the next one starts when it has drawn this one. A
  browser that reads slower than the area draws (a busy laptop, a slow network, a loaded
  machine) gets fewer frames, never a growing backlog. Rerunning at once instead
  (``st.rerun(scope="fragment")``, as this did first) let megabytes of frames pile up
  for a slow browser: Pause then showed only once they had been drawn, the connection's
  keep-alive ping timed out behind them, and at 500 messages waiting Streamlit 1.67 drops
  the session without closing the connection, leaving a page "running" on its last frame
  whose clicks go nowhere (the 12-session load benchmark's stuck Playgrounds).
* Within a burst (and in a lesson run playing inside a page run) a frame is drawn only
  while fewer than :data:`BROWSER_BACKLOG_LIMIT` messages wait to be sent
  (:func:`wait_for_browser`).
* A click on Pause inside a running fragment is queued, not delivered: the loop asks between
  pieces of training and after every frame whether a rerun waits (:func:`rerun_waiting`)
  and ends its burst at once.
* Training holds one of the process's trainer slots for a frame's share of training only,
  so a closed tab holds nothing and sessions take turns on the cores frame by frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from actlib.training.live import LiveRun
from actlib.ui import presenter
from actlib.ui.fault import show_callback_fault
from actlib.ui.live_runner import queue_status, trainer_slot, wait_message

BURST_SECONDS = 1.0
"""How long one fragment run plays before the browser is asked to start the next (a queued
click acts then at the latest, should the check for waiting reruns be unavailable)."""
PIECE_SECONDS = 0.04
"""Training between two checks for a waiting click: Pause acts within about this, plus
the frame being drawn."""
FIRST_PIECE_SECONDS = 0.01
"""Training before the first frame of a burst: after a press of Play the first change
waits on this, not on a full frame's share."""
CLICK_CHECK_SECONDS = 0.01
"""How often a frame waiting for its time asks whether a click waits."""
MAX_STEPS_PER_PIECE = 2000
FRAME_WALL_CAP_SECONDS = 2.0
"""The longest a frame's training may take in wall time on a busy server: the picture
still moves at least this often while other sessions train."""


@dataclass
class LiveSession:
    """What one browser session keeps of one live view: its runs (one, or several trained
    side by side) and whether they play."""

    runs: list[LiveRun]
    playing: bool = False
    steps_per_piece: int = 10
    note: str | None = None
    frames: int = 0
    from_cache: bool = False
    refresh_page: bool = False
    """Set when the rest of the page shows numbers of the run that are now out of date (it
    paused or ended inside the fragment): the next fragment run redraws the page once."""
    waiting: str | None = None
    """While other sessions hold every trainer: this one's place in the queue, in words."""
    steps_per_second: float = 0.0
    """Training speed over the last burst, for the status line."""
    just_pressed: bool = False
    """Play was pressed and no frame has shown since: the next frame trains only
    :data:`FIRST_PIECE_SECONDS`."""

    @property
    def run(self) -> LiveRun:
        return self.runs[0]

    @property
    def step(self) -> int:
        return self.runs[0].step

    @property
    def finished(self) -> bool:
        return all(run.finished for run in self.runs)


def enter_live_area(view: str) -> None:
    """What every live area does first: set the session's chart theme again (a fragment's
    rerun may come on a new thread, where the page header's setting is not) and show the
    message of one of its buttons' callbacks that failed (:mod:`actlib.ui.fault`)."""
    presenter.restore()
    show_callback_fault(view)


def in_fragment_rerun() -> bool:
    """Whether this script run is a rerun of fragments alone (not a full-page run), where a
    fragment may rerun itself."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(getattr(ctx, "fragment_ids_this_run", None))


def _requested() -> str:
    """What the script runner has been asked to do next: "RERUN" (a click waits), "STOP"
    (the session is ending) or "CONTINUE"; read from Streamlit 1.67's request state, and
    "CONTINUE" where that is not available."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    requests = getattr(ctx, "script_requests", None)
    state = getattr(requests, "_state", None)
    return getattr(state, "name", "CONTINUE")


def waiting_rerun_redraws_here() -> bool:
    """Whether the rerun that waits will draw this live area again: a full-page run, the
    session ending, or a rerun of this very fragment (a click in it). False for a rerun of
    other fragments only, and where Streamlit 1.67's request state cannot be read.

    A fragment's event from a page the student has just left is such a rerun (the home
    page's warm-up element sent one while it waited for a browser event, which it no
    longer does): Streamlit queues it, finds no such fragment when it comes to run it, and
    skips it. The burst that ended for it must then ask for the next burst itself, or the
    run stands at its first frame with Pause on screen (seen 2 in 6 times clicking a card
    at once)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    requests = getattr(ctx, "script_requests", None)
    state = getattr(getattr(requests, "_state", None), "name", None)
    if state == "STOP":
        return True
    rerun = getattr(requests, "_rerun_data", None)
    queue = getattr(rerun, "fragment_id_queue", None)
    if state != "RERUN" or queue is None:
        return False
    return not queue or _current_fragment_id() in queue


def _current_fragment_id() -> str | None:
    """The id of the fragment whose body runs now (Streamlit 1.67's per-thread state)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState

        return ThreadState.get().fragment_id
    except (ImportError, AttributeError, LookupError):
        return None


def end_for_waiting_rerun(key: str) -> None:
    """End a burst because a rerun waits: if that rerun will not draw this area again
    (:func:`waiting_rerun_redraws_here`), ask for the next burst as a burst's end does."""
    if not waiting_rerun_redraws_here():
        resume_when_drawn(key)


def rerun_waiting() -> bool:
    """Whether this run should end now: a click is waiting for it, or a new run has
    replaced it.

    Streamlit queues a rerun requested from inside a running fragment instead of
    interrupting it. A full-page rerun (a control moved outside the area) instead starts
    on a new thread at once and asks this one to stop ("STOP"), which it does only at its
    next Streamlit call: until then both would train and draw the same runs. There is no
    public way to see either, so this reads the script runner's request state (Streamlit
    1.67); where that is not available it answers False and the burst ends by time
    (:data:`BURST_SECONDS`).
    """
    return _requested() in ("RERUN", "STOP")


BROWSER_BACKLOG_LIMIT = 40
"""Messages a session's browser may have waiting on the server before a live view draws its
next frame: about three Playground frames, far below the 500 at which Streamlit drops the
session."""


def browser_backlog() -> int | None:
    """How many messages for this session's browser wait on the server, not yet written to
    its connection; None where that cannot be read (AppTest, a server other than Streamlit
    1.67's own, a session no longer connected).

    A browser that reads slower than a live view draws (a busy laptop, a slow network, a
    loaded machine) leaves messages waiting here; Streamlit 1.67 gives them no bound short
    of dropping the session at 500 (``WEBSOCKET_MAX_SEND_QUEUE_SIZE``). There is no public
    way to see the queue: this reads the session's client in the runtime's session manager.
    """
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return None
    try:
        info = Runtime.instance()._session_mgr.get_active_session_info(ctx.session_id)
        return int(info.client._send_queue.qsize())
    except Exception:  # internals moved, or the session is gone: nothing to wait for
        return None


def wait_for_browser() -> bool:
    """Wait, in short naps, until this session's browser has taken all but
    :data:`BROWSER_BACKLOG_LIMIT` of the messages sent to it. Returns False as soon as a
    click waits or the session is ending (its tab closed: Streamlit then asks the script to
    stop), so the wait never outlives the browser and Pause acts at once."""
    while (backlog := browser_backlog()) is not None and backlog > BROWSER_BACKLOG_LIMIT:
        if _requested() != "CONTINUE":
            return False
        time.sleep(CLICK_CHECK_SECONDS)
    return True


RESUME_RETRY_MS = 2500
"""How long the resume component waits for the next burst before it asks again."""
RESUME_RETRIES = 4
_RESUME_JS = """
const pending = (window.__activationLabResume ??= new Map());
export default function ({ data, key, setTriggerValue }) {
  const previous = pending.get(key);
  if (previous) clearTimeout(previous.timer);  // a newer burst supersedes its retries
  if (!(data && data.token)) return;
  const mine = { timer: null, sent: 0 };
  pending.set(key, mine);
  const send = () => {
    setTriggerValue("resume", mine.sent === 0 ? data.token : data.token + ":" + mine.sent);
    mine.sent += 1;
    if (mine.sent <= RETRIES) mine.timer = setTimeout(send, RETRY_MS);
  };
  mine.timer = setTimeout(send, 0);
  return () => {
    clearTimeout(mine.timer);
    if (pending.get(key) === mine) pending.delete(key);
  };
}
""".replace("RETRIES", str(RESUME_RETRIES)).replace("RETRY_MS", str(RESUME_RETRY_MS))
_resume = st.components.v2.component("activation_lab_resume", js=_RESUME_JS)


def resume_when_drawn(key: str) -> None:
    """Make the fragment this is called in run again once the browser has drawn this run.

    This mounts a component with no visible part whose script sends one trigger event back
    once mounted, which the browser does after everything sent before it; an event from
    inside a fragment reruns that fragment alone. It serves after a burst and after a
    full-page run, where a fragment cannot rerun itself. Trusted code only: it carries no
    user text, just a fresh token so that every run sends a new event.

    Streamlit 1.67 drops a fragment's event that arrives while a full-page run re-creates
    the fragment ("The fragment ... does not exist anymore" in its log), which would leave
    a playing run standing with Pause on screen. So until the next burst replaces it, the
    component asks again every :data:`RESUME_RETRY_MS` ms, :data:`RESUME_RETRIES` times at
    most; the next burst's component, or the area without one (paused), cancels the
    timer."""
    _resume(data={"token": f"{time.monotonic():.6f}"}, key=f"{key}:resume",
            on_resume_change=lambda: None)


def wait_for_click(until: float) -> bool:
    """Wait until ``until`` (a ``time.monotonic()`` time) in short naps, so that a click
    arriving meanwhile acts at once. Returns False when a click waits."""
    while (left := until - time.monotonic()) > 0:
        if rerun_waiting():
            return False
        time.sleep(min(left, CLICK_CHECK_SECONDS))
    return not rerun_waiting()


def adapt_steps(steps: int, seconds: float, wanted_seconds: float = PIECE_SECONDS) -> int:
    """Steps for the next piece of training, so that it takes about ``wanted_seconds``."""
    if seconds <= 0:
        return min(MAX_STEPS_PER_PIECE, steps * 2)
    wanted = steps * wanted_seconds / seconds
    return int(min(MAX_STEPS_PER_PIECE, max(1, 0.5 * steps + 0.5 * wanted)))


def train_piece(session: LiveSession, seconds: float, wait: float) -> bool:
    """Train every run of the session for about ``seconds`` of this thread's CPU time
    (:func:`train_share`), inside one trainer slot if one frees up within ``wait`` seconds.
    Returns False when a click waits."""
    with trainer_slot(wait, seconds) as got:
        if not got:  # other sessions hold both trainers: say where this one stands
            session.waiting = wait_message(queue_status())
            return not rerun_waiting()
        session.waiting = None
        return train_share(session, seconds)


def train_share(session: LiveSession, seconds: float) -> bool:
    """Train every run of the session for about ``seconds`` of this thread's CPU time in
    pieces, checking for a waiting click between them (the caller holds a trainer slot).
    Returns False when a click waits.

    The share is CPU time, not wall time, so a frame trains as much on a busy server as on
    an idle one (up to :data:`FRAME_WALL_CAP_SECONDS` of wall time). Measured by wall time,
    six Dead ReLU runs opened at once (six Chromium pages on the same two cores) got a
    tenth of the steps per frame, so each drew 18-27 frames instead of 3, each a full set
    of charts, and the redraws took the CPU the trainings needed: the slowest settled after
    89 s; with CPU time, 47 s."""
    cpu_start = time.thread_time()
    wall_end = time.monotonic() + max(seconds, FRAME_WALL_CAP_SECONDS)
    while ((left := seconds - (time.thread_time() - cpu_start)) > 0.1 * seconds
           and time.monotonic() < wall_end and not session.finished):
        # A piece never runs past the deadline: the last one is cut to the time left,
        # so a frame trains for its share and no more (frames keep their pace).
        steps = session.steps_per_piece
        cut = max(1, int(steps * min(1.0, left / PIECE_SECONDS)))
        start = time.monotonic()
        for run in session.runs:
            run.advance(cut)
        if cut == steps:
            session.steps_per_piece = adapt_steps(steps, time.monotonic() - start)
        if rerun_waiting():
            return False
    return True


LINK_PIECE_SECONDS = 0.2
"""A turn on a trainer while a link's network is trained to its step count: a live frame
elsewhere waits at most about this long behind it."""
LINK_WAIT_SECONDS = 0.5
"""How often a link waiting for a trainer redraws its place in the queue."""


def train_in_turns(run: LiveRun, step: int, show_wait: Callable[[str | None], None]) -> None:
    """Train ``run`` on to ``step`` (a link opened at its step count: a few seconds at most)
    like every other training of the app: on one of the process's trainer slots, first come
    first served, in turns of about :data:`LINK_PIECE_SECONDS`, so that the sessions
    playing meanwhile keep their pace and a closed tab holds nothing.

    While other sessions hold both trainers, ``show_wait(message)`` says where this one
    stands (and is a point where a stopped script ends); ``show_wait(None)`` once it trains
    again. The pieces change nothing: a run is a pure function of its step count."""
    steps, waited = 10, False
    while run.step < step:
        with trainer_slot(LINK_WAIT_SECONDS, LINK_PIECE_SECONDS) as got:
            if got:
                start = time.monotonic()
                taken = run.advance(min(steps, step - run.step))
                steps = adapt_steps(steps, time.monotonic() - start, LINK_PIECE_SECONDS)
        if not got:
            show_wait(wait_message(queue_status()))
            waited = True
            continue
        if waited:
            show_wait(None)
            waited = False
        if taken == 0:
            return  # every model diverged: the run stops where it stands


def play(session: LiveSession, key: str, draw: Callable[[], None], frame_seconds: float,
         train_share: float, on_link: Callable[[], None] = lambda: None,
         link_every: float = 1.0, after_first_frame: Callable[[], None] = lambda: None
         ) -> None:
    """Play for one burst: each frame trains for ``train_share`` of ``frame_seconds`` and
    then calls ``draw()``. The fragment run ends when a click waits, when the runs are over
    (pausing, and asking the page to redraw once) or when the burst is up, after which the
    next burst starts once the browser has drawn this one (:func:`resume_when_drawn`). In a
    full-page run the burst is one frame. A burst first draws where the runs stand (its
    slots were just laid out again), except right after a press of Play, when it trains a
    short piece first so that the press shows a change at once; the training after a
    burst's last frame is drawn by the next burst. ``on_link()`` writes the runs' state to
    the link every ``link_every`` seconds and at the end; ``after_first_frame()`` draws
    what follows the run once a burst (slow charts), after the first frame."""
    fragment_run = in_fragment_rerun()
    burst_start, first_step = time.monotonic(), session.step
    burst_end = time.monotonic() + (BURST_SECONDS if fragment_run else 0.0)
    linked = time.monotonic()
    drawn = not session.just_pressed
    if drawn:
        # The area's slots have just been laid out again: draw where the run stands
        # before training, so the last burst's picture is replaced at once rather than
        # after the first piece of training (seconds on a busy server, long enough for
        # Streamlit to fade it as stale).
        draw()
        after_first_frame()
    while True:
        if not wait_for_browser():
            on_link()
            end_for_waiting_rerun(key)
            return  # a click waits (it runs next), or the session is ending
        start = time.monotonic()
        # The first frame after Play trains one short piece, so the first change shows at
        # once; later frames (and later bursts) train their full share.
        share = FIRST_PIECE_SECONDS if session.just_pressed else frame_seconds * train_share
        session.just_pressed = False
        if not train_piece(session, min(share, frame_seconds * train_share), frame_seconds):
            on_link()
            end_for_waiting_rerun(key)
            return  # a click waits (Pause, Step, Reset): it runs next and draws the frame
        if drawn and time.monotonic() >= burst_end and not session.finished:
            break  # the next burst draws this training first (drawn here, it would twice)
        draw()
        if not drawn:
            after_first_frame()
        drawn = True
        session.frames += 1
        if session.finished:
            session.playing = False
            on_link()
            if fragment_run:
                st.rerun(scope="app")  # the page below the area shows the finished run
            return
        if rerun_waiting():
            on_link()
            end_for_waiting_rerun(key)
            return  # the queued click (Pause, Step, Reset) runs next
        if time.monotonic() >= burst_end:
            break
        if time.monotonic() - linked > link_every:
            on_link()
            linked = time.monotonic()
        if not wait_for_click(start + frame_seconds):
            on_link()
            end_for_waiting_rerun(key)
            return  # a click came while waiting for the next frame
    on_link()
    session.steps_per_second = (session.step - first_step) / max(
        time.monotonic() - burst_start, 1e-3)
    resume_when_drawn(key)


def toggle_play(session: LiveSession) -> None:
    """Play or Pause (a button callback); pausing asks the page to catch up once."""
    session.playing = not session.playing
    session.note = None
    session.just_pressed = session.playing
    if not session.playing:
        session.refresh_page = True


def refresh_page_if_due(session: LiveSession) -> None:
    """Rerun the whole page once after a run paused inside the fragment, so the parts drawn
    outside it (tables, verdicts, notes) show the run where it stands. Called at the end of
    the area: the paused frame and its status are on screen first (Pause shows at once),
    and the rest of the page follows."""
    if session.refresh_page and in_fragment_rerun():
        session.refresh_page = False
        st.rerun(scope="app")
    session.refresh_page = False
