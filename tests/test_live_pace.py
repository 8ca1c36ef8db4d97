"""The live loop's pace: a frame trains for its share and no more, on a simulated clock
(never a timed test: the clock here advances only when the fake run trains)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from actlib.ui import live_view


@dataclass
class Clock:
    now: float = 0.0

    def monotonic(self) -> float:
        return self.now


@dataclass
class FakeRun:
    """Trains at a fixed cost per step, on the simulated clock."""

    clock: Clock
    seconds_per_step: float
    step: int = 0
    finished: bool = False
    pieces: list[int] = field(default_factory=list)

    def advance(self, steps: int) -> None:
        self.pieces.append(steps)
        self.step += steps
        self.clock.now += steps * self.seconds_per_step


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(live_view.time, "monotonic", clock.monotonic)
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


def test_a_cut_piece_does_not_shrink_the_piece_size(clock):
    run = FakeRun(clock, 1e-4)
    session = live_view.LiveSession(runs=[run], steps_per_piece=400)  # 40 ms a piece
    live_view.train_piece(session, 0.01, wait=1.0)  # a quarter piece
    assert run.pieces == [100]
    assert session.steps_per_piece == 400
