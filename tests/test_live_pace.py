"""The live loop's pace: a frame trains for its share of CPU time and no more, on a
simulated clock (never a timed test: the clocks here advance only when the fake run
trains)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from actlib.ui import live_view


@dataclass
class Clock:
    now: float = 0.0
    cpu: float = 0.0
    """This thread's CPU time."""

    def monotonic(self) -> float:
        return self.now

    def thread_time(self) -> float:
        return self.cpu


@dataclass
class FakeRun:
    """Trains at a fixed CPU cost per step, on the simulated clocks; on a busy server
    (``stretch`` > 1) each step takes that many times longer in wall time."""

    clock: Clock
    seconds_per_step: float
    stretch: float = 1.0
    step: int = 0
    finished: bool = False
    pieces: list[int] = field(default_factory=list)

    def advance(self, steps: int) -> None:
        self.pieces.append(steps)
        self.step += steps
        self.clock.cpu += steps * self.seconds_per_step
        self.clock.now += steps * self.seconds_per_step * self.stretch


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(live_view.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(live_view.time, "thread_time", clock.thread_time)
    monkeypatch.setattr(live_view, "rerun_waiting", lambda: False)
    return clock


@pytest.mark.parametrize("share", [0.045, 0.01, 0.3])
@pytest.mark.parametrize("seconds_per_step", [1e-4, 3e-4, 2e-3])
def test_a_frame_trains_for_its_share_and_no_more(clock, share, seconds_per_step):
    run = FakeRun(clock, seconds_per_step)
    session = live_view.LiveSession(runs=[run], steps_per_piece=10)
    for _ in range(30):  # let the piece size settle at its rate
        start = clock.now
        assert live_view.train_piece(session, share, wait=1.0)
        spent = clock.now - start
        # The last piece is cut to the time left: never more than one step over.
        assert spent <= share + seconds_per_step
        assert run.pieces, "a frame trains at least one step"
    # Settled: a frame fills at least 90 % of its share (minus one step of rounding).
    assert spent >= 0.9 * share - seconds_per_step


@pytest.mark.parametrize("stretch", [3.0, 8.0])
def test_a_busy_server_trains_as_much_per_frame_taking_longer(clock, stretch):
    """Sessions training side by side each get part of the cores: a frame still trains
    its share of CPU time, so a run is not cut into ever more frames (each a full redraw)."""
    idle, busy = FakeRun(clock, 1e-3), FakeRun(clock, 1e-3, stretch=stretch)
    steps = {}
    for run in (idle, busy):
        session = live_view.LiveSession(runs=[run], steps_per_piece=10)
        for _ in range(20):  # let the piece size settle
            before, start = run.step, clock.now
            live_view.train_piece(session, 0.2, wait=1.0)
        steps[run.stretch], wall = run.step - before, clock.now - start
    assert steps[stretch] >= 0.9 * steps[1.0]
    assert wall >= 0.9 * 0.2 * stretch


def test_a_frame_still_comes_when_the_server_is_very_busy(clock):
    run = FakeRun(clock, 1e-3, stretch=100.0)  # 0.2 s of CPU would take 20 s
    session = live_view.LiveSession(runs=[run], steps_per_piece=1)
    start = clock.now
    live_view.train_piece(session, 0.2, wait=1.0)
    assert clock.now - start <= live_view.FRAME_WALL_CAP_SECONDS + 0.1
    assert run.step >= 1


def test_a_cut_piece_does_not_shrink_the_piece_size(clock):
    run = FakeRun(clock, 1e-4)
    session = live_view.LiveSession(runs=[run], steps_per_piece=400)  # 40 ms a piece
    live_view.train_piece(session, 0.01, wait=1.0)  # a quarter piece
    assert run.pieces == [100]
    assert session.steps_per_piece == 400


def test_a_frame_waits_while_the_browser_is_behind(clock, monkeypatch):
    """Messages waiting for a slow browser hold the next frame back until it has taken all
    but the limit (the clock moves only with the naps)."""
    limit = live_view.BROWSER_BACKLOG_LIMIT
    backlog = iter([limit + 80, limit + 40, limit + 1, limit, limit])
    monkeypatch.setattr(live_view, "browser_backlog", lambda: next(backlog))
    monkeypatch.setattr(live_view, "_requested", lambda: "CONTINUE")
    naps = []
    monkeypatch.setattr(live_view.time, "sleep", naps.append)
    assert live_view.wait_for_browser()
    assert len(naps) == 3, "a nap per check while the backlog was over the limit"
    monkeypatch.setattr(live_view, "browser_backlog", lambda: None)  # not readable here
    assert live_view.wait_for_browser()


@pytest.mark.parametrize("request_", ["RERUN", "STOP"])
def test_a_click_or_a_closed_tab_ends_the_wait_for_the_browser(clock, monkeypatch, request_):
    """Pause acts at once while the browser is behind, and a closed tab (Streamlit asks its
    script to stop) never leaves a thread waiting for a browser that is gone."""
    requests = iter(["CONTINUE", "CONTINUE", request_])
    monkeypatch.setattr(live_view, "browser_backlog", lambda: 10_000)
    monkeypatch.setattr(live_view, "_requested", lambda: next(requests))
    monkeypatch.setattr(live_view.time, "sleep", lambda seconds: None)
    assert not live_view.wait_for_browser()


def test_a_burst_ends_by_letting_the_browser_start_the_next(clock, monkeypatch):
    """A burst of frames is followed by the next only once the browser has drawn it (the
    resume component's event), never by an immediate rerun that would let frames pile up
    for a slow browser."""
    session = live_view.LiveSession(runs=[FakeRun(clock, 1e-3)], playing=True)
    frames, resumed = [], []
    monkeypatch.setattr(live_view, "in_fragment_rerun", lambda: True)
    monkeypatch.setattr(live_view, "browser_backlog", lambda: None)
    monkeypatch.setattr(live_view, "train_piece", lambda s, seconds, wait: (
        s.runs[0].advance(10) or True))
    monkeypatch.setattr(live_view, "wait_for_click", lambda until: (
        setattr(clock, "now", max(clock.now, until)) or True))
    monkeypatch.setattr(live_view, "resume_when_drawn", resumed.append)
    monkeypatch.setattr(live_view.st, "rerun", lambda **kw: pytest.fail(f"rerun {kw}"))
    live_view.play(session, "view", lambda: frames.append(clock.now), 0.1, 0.5)
    assert len(frames) >= live_view.BURST_SECONDS / 0.1, "frames for the whole burst"
    assert resumed == ["view"] and session.playing


@pytest.mark.parametrize("just_pressed", [False, True])
def test_a_burst_draws_before_it_trains_and_never_the_same_step_twice(
        clock, monkeypatch, just_pressed):
    """A burst's slots are laid out empty: it draws where the run stands before training
    (the picture went blank for a whole piece of training, seconds on a busy server),
    except just after Play, when a short piece first makes the press show a change. No
    step is drawn twice across bursts: the training after a burst's last frame is the
    next burst's first picture."""
    run = FakeRun(clock, 1e-3)
    session = live_view.LiveSession(runs=[run], playing=True, just_pressed=just_pressed)
    drawn: list[int] = []
    monkeypatch.setattr(live_view, "in_fragment_rerun", lambda: True)
    monkeypatch.setattr(live_view, "browser_backlog", lambda: None)
    monkeypatch.setattr(live_view, "wait_for_click", lambda until: (
        setattr(clock, "now", max(clock.now, until)) or True))
    monkeypatch.setattr(live_view, "resume_when_drawn", lambda key: None)
    monkeypatch.setattr(live_view, "trainer_slot", _FreeSlot)
    for _ in range(3):  # three bursts, as the browser asks for them
        live_view.play(session, "view", lambda: drawn.append(run.step), 0.1, 0.5)
    assert drawn[0] == 0 if not just_pressed else 0 < drawn[0] <= 20
    assert len(drawn) == len(set(drawn)), f"a step drawn twice: {drawn}"
    assert drawn == sorted(drawn)
    assert run.step > drawn[-1], "the last burst's training waits for the next burst"


class _FreeSlot:
    """A trainer slot that is always free."""

    def __init__(self, wait: float, seconds: float) -> None:
        pass

    def __enter__(self) -> bool:
        return True

    def __exit__(self, *exc) -> None:
        return None


@pytest.mark.parametrize(("request_", "ends"), [("CONTINUE", False), ("RERUN", True),
                                                ("STOP", True)])
def test_a_run_replaced_by_a_page_rerun_ends_at_once(monkeypatch, request_, ends):
    """A full-page rerun starts on a new thread and asks the old run to stop: the old one
    stops training at its next check instead of training its whole share alongside."""
    monkeypatch.setattr(live_view, "_requested", lambda: request_)
    assert live_view.rerun_waiting() is ends


@dataclass
class _Rerun:
    fragment_id_queue: list[str]


@dataclass
class _State:
    name: str


@dataclass
class _Requests:
    _state: _State
    _rerun_data: _Rerun


@dataclass
class _Context:
    script_requests: _Requests


@pytest.mark.parametrize(("state", "queue", "redraws"), [
    ("RERUN", [], True),  # a full-page rerun draws the area again
    ("RERUN", ["area"], True),  # a click in this area reruns it
    ("RERUN", ["other", "area"], True),
    ("RERUN", ["home-warm-up"], False),  # another (or a vanished) fragment only
    ("STOP", ["home-warm-up"], True),  # a new page run replaces this one
    ("CONTINUE", [], False),
])
def test_which_waiting_rerun_draws_the_area_again(monkeypatch, state, queue, redraws):
    """Read from Streamlit 1.67's request state, as the script runner keeps it."""
    from streamlit.runtime import scriptrunner

    context = _Context(_Requests(_State(state), _Rerun(queue)))
    monkeypatch.setattr(scriptrunner, "get_script_run_ctx", lambda: context)
    monkeypatch.setattr(live_view, "_current_fragment_id", lambda: "area")
    assert live_view.waiting_rerun_redraws_here() is redraws


@pytest.mark.parametrize("redraws", [True, False])
def test_a_burst_cut_short_by_another_fragments_rerun_plays_on(clock, monkeypatch, redraws):
    """A burst ends at once for any waiting rerun. When that rerun is another fragment's
    (an element of the page the student just left: Streamlit skips it), the burst asks
    for the next one itself; the run stood at step 0 with Pause on screen before. A click
    in the area itself reruns it, so no extra burst is asked for."""
    session = live_view.LiveSession(runs=[FakeRun(clock, 1e-3)], playing=True)
    resumed: list[str] = []
    monkeypatch.setattr(live_view, "in_fragment_rerun", lambda: True)
    monkeypatch.setattr(live_view, "browser_backlog", lambda: None)
    monkeypatch.setattr(live_view, "trainer_slot", _FreeSlot)
    monkeypatch.setattr(live_view, "rerun_waiting", lambda: True)
    monkeypatch.setattr(live_view, "waiting_rerun_redraws_here", lambda: redraws)
    monkeypatch.setattr(live_view, "resume_when_drawn", resumed.append)
    live_view.play(session, "view", lambda: None, 0.1, 0.5)
    assert resumed == ([] if redraws else ["view"])
    assert session.playing


def test_the_current_fragment_is_read_from_streamlit() -> None:
    """Streamlit 1.67 keeps the running fragment's id per thread: read inside a fragment
    it is that fragment's id, outside none."""
    from streamlit.testing.v1 import AppTest

    def app() -> None:
        import streamlit as st

        from actlib.ui import live_view

        st.write(f"outside {live_view._current_fragment_id()}")

        @st.fragment
        def area() -> None:
            st.write(f"inside {live_view._current_fragment_id()}")

        area()

    at = AppTest.from_function(app).run()
    outside, inside = (m.value for m in at.markdown)
    assert outside == "outside None"
    assert inside.startswith("inside ") and len(inside.split()[1]) == 32
