"""Lesson runs that continue: snapshots recorded as the live run passes them equal the
engine's straight run, finished runs are shared, and Reset / Step / Play move the same run
(AppTest; the real-browser side is in each page's browser test)."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from actlib.nets import ensemble
from actlib.training import TrainConfig, train
from actlib.training.live import LiveRun, TrainedRuns

CONFIG = TrainConfig(n_samples=200, depth=2, width=8, steps=60, snapshot_every=5,
                     models=ensemble(["relu", "tanh"], (0,)))


def _same_snapshots(a, b) -> None:
    assert [s.step for s in a] == [s.step for s in b]
    for x, y in zip(a, b, strict=True):
        for field in ("train_loss", "test_loss", "dead_share", "weight_grad_norm",
                      "activation_std"):
            np.testing.assert_allclose(getattr(x, field), getattr(y, field), rtol=1e-6,
                                       atol=1e-9, equal_nan=True)


def test_snapshots_recorded_in_uneven_pieces_equal_the_straight_run() -> None:
    run = LiveRun(CONFIG, record_snapshots=True)
    for piece in (3, 1, 7, 2, 30, 100):
        run.advance(piece)
    assert run.finished and run.step == CONFIG.steps == run.end
    _same_snapshots(run.snapshots, list(train(CONFIG)))


def test_a_paused_run_shows_a_snapshot_where_it_stands_without_recording_it() -> None:
    run = LiveRun(CONFIG, record_snapshots=True)
    run.advance(12)
    shown = run.snapshots_now()
    assert [s.step for s in shown] == [0, 5, 10, 12]
    assert [s.step for s in run.snapshots] == [0, 5, 10]
    assert run.snapshots_now()[-1] is shown[-1], "measured once per step"
    straight = LiveRun(CONFIG, record_snapshots=True)
    straight.reach(12)
    np.testing.assert_allclose(shown[-1].train_loss, straight.state.snapshot().train_loss)


def test_finished_runs_are_kept_and_handed_out_as_copies() -> None:
    runs = TrainedRuns(capacity=2)
    assert runs.peek(CONFIG, CONFIG.steps, record_snapshots=True) is None
    run = LiveRun(CONFIG, record_snapshots=True)
    run.advance(CONFIG.steps)
    runs.put(run)
    copy = runs.peek(CONFIG, CONFIG.steps, record_snapshots=True)
    assert copy is not None and copy is not run and copy.step == CONFIG.steps
    _same_snapshots(copy.snapshots, run.snapshots)
    assert runs.peek(CONFIG, CONFIG.steps) is None, "an open-ended run is another key"


def _lesson_script() -> None:
    import streamlit as st

    from actlib.nets import ensemble
    from actlib.training import TrainConfig
    from actlib.ui.live_runs import live_runs

    config = TrainConfig(n_samples=200, depth=2, width=st.session_state.get("width", 8),
                         steps=60, snapshot_every=5, models=ensemble(["relu", "tanh"], (0,)))
    draws = st.session_state.setdefault("draws", [])

    def view():
        slot = st.empty()

        def draw(runs) -> None:
            draws.append(runs[0][-1].step)
            slot.write(f"drawn at {runs[0][-1].step}")
        return draw

    session = live_runs("demo", [config], view, frame_seconds=0.05)
    st.write(f"playing={session.playing} step={session.step} cached={session.from_cache}")


@pytest.fixture
def lesson_app():
    from actlib.ui import live_runs

    live_runs.finished_runs.clear()  # type: ignore[attr-defined]
    yield AppTest.from_function(_lesson_script, default_timeout=120)
    live_runs.finished_runs.clear()  # type: ignore[attr-defined]


def _status(app: AppTest) -> str:
    return next(m.value for m in app.markdown if m.value.startswith("playing="))


def test_a_lesson_run_plays_as_the_page_opens_and_is_shared_once_finished(lesson_app) -> None:
    lesson_app.run()
    assert not lesson_app.exception
    assert _status(lesson_app) == "playing=False step=60 cached=False"
    draws = lesson_app.session_state["draws"]
    assert draws[0] == 0 and draws[-1] == 60 and draws == sorted(draws)
    assert any("Trained 60 steps." in c.value for c in lesson_app.caption)
    other = AppTest.from_function(_lesson_script, default_timeout=120)
    other.run()
    assert _status(other) == "playing=False step=60 cached=True"
    assert any("shown from a finished run" in c.value for c in other.caption)


def test_reset_step_and_play_move_the_same_run_and_end_as_the_straight_run(lesson_app) -> None:
    lesson_app.run()
    lesson_app.button(key="demo:reset").click().run()
    assert _status(lesson_app) == "playing=False step=0 cached=False"
    session = lesson_app.session_state["live_runs:demo"]
    run = session.run
    lesson_app.button(key="demo:step").click().run()
    assert _status(lesson_app) == "playing=False step=5 cached=False"
    assert session.run is run, "Step trained on; nothing was replayed"
    assert any("Paused at step 5 of 60." in c.value for c in lesson_app.caption)
    lesson_app.button(key="demo:play").click().run()
    assert not lesson_app.exception
    assert session.run is run and run.step == 60
    _same_snapshots(run.snapshots, list(train(CONFIG)))


def test_new_settings_start_a_new_run_and_say_so(lesson_app) -> None:
    lesson_app.run()
    old = lesson_app.session_state["live_runs:demo"]
    lesson_app.session_state["width"] = 6  # what moving a control does
    lesson_app.run()
    new = lesson_app.session_state["live_runs:demo"]
    assert new is not old and new.run.config.width == 6 and new.step == 60
    assert any("New settings: a new run from step 0." in c.value for c in lesson_app.caption)


def test_a_frame_redraws_the_charts_only_when_the_runs_have_moved() -> None:
    from actlib.ui.live_runs import ChartsWhenMoved
    from actlib.ui.live_view import LiveSession

    config = TrainConfig(dataset="moons", n_samples=200, models=ensemble(("relu",), (0,)),
                         depth=1, width=4, steps=20, snapshot_every=5)
    run = LiveRun(config, record_snapshots=True)
    drawn: list[int] = []
    charts = ChartsWhenMoved(lambda runs: drawn.append(runs[0][-1].step))
    session = LiveSession([run], playing=True)
    assert charts.draw(session)  # the first frame always draws
    assert not charts.draw(session)  # waiting for a trainer: nothing moved
    run.advance(5)
    assert charts.draw(session) and not charts.draw(session)
    assert drawn == [0, 5]


class _CountingRun:
    """A lesson run of ``end`` steps that trains two steps a frame (no torch)."""

    def __init__(self, end: int) -> None:
        self.config = TrainConfig(dataset="moons", n_samples=200, steps=end,
                                  models=ensemble(("relu",), (0,)), depth=1, width=4)
        self.step, self.end = 0, end

    @property
    def finished(self) -> bool:
        return self.step >= self.end


@pytest.mark.parametrize(("turn_seconds", "turns"), [(8.0, 1), (0.0, 5)])
def test_a_lesson_run_keeps_its_trainer_from_frame_to_frame(monkeypatch, turn_seconds, turns):
    """Sessions opening lesson pages at once are served in turn, each run to its end (or
    for a turn's length), not all frame by frame."""
    from actlib.ui import live_runner, live_runs
    from actlib.ui.live_view import LiveSession
    from actlib.ui.trainer_queue import TrainerQueue

    queue = TrainerQueue(1)
    taken: list[float] = []
    acquire = queue.acquire
    monkeypatch.setattr(queue, "acquire", lambda owner, timeout, seconds=0.0: (
        taken.append(seconds) or acquire(owner, timeout, seconds)))
    monkeypatch.setattr(live_runner, "trainers", queue)
    monkeypatch.setattr(live_runs, "LESSON_TURN_SECONDS", turn_seconds)
    monkeypatch.setattr(live_runs, "wait_for_browser", lambda: True)
    monkeypatch.setattr(live_runs, "rerun_waiting", lambda: False)
    held: list[int] = []

    def train_share(session, seconds: float) -> bool:
        held.append(queue.busy)
        session.runs[0].step += 2
        return True

    monkeypatch.setattr(live_runs, "train_share", train_share)
    run = _CountingRun(10)
    session = LiveSession([run], playing=True)
    frames: list[int] = []
    live_runs._play_in_page_run(session, lambda: frames.append(run.step), 0.4)
    assert frames == [0, 2, 4, 6, 8, 10] and held == [1] * 5
    assert len(taken) == turns and queue.busy == 0 and not session.playing
    assert 0 < taken[0] <= live_runs.LESSON_TURN_SECONDS or turn_seconds == 0.0


@pytest.mark.parametrize(("waiting", "stretch"), [(0, 1.0), (2, 3.0), (9, 4.0)])
def test_a_lesson_frame_trains_longer_while_others_wait(monkeypatch, waiting, stretch):
    from actlib.ui import live_runner, live_runs
    from actlib.ui.trainer_queue import TrainerQueue

    queue = TrainerQueue(1, grace_seconds=60.0)
    monkeypatch.setattr(live_runner, "trainers", queue)
    monkeypatch.setattr(live_runner, "_owner", lambda: "me")
    assert queue.acquire("me", 0.0)
    for i in range(waiting):
        assert not queue.acquire(f"other {i}", 0.0)  # each keeps its place meanwhile
    share = live_runs.frame_share(0.4)
    assert share == pytest.approx(0.4 * live_runs.TRAIN_SHARE * stretch)
