"""What the Playground has on screen, kept across reruns, so that Play and Stop never make
the picture jump back.

A new step count replays the deterministic run from step 0. Until the replay passes the
step on screen, the page keeps the old picture up (:func:`replay_floor`); and Stop settles
the picture, the step slider and the link on the step on screen (:func:`settle_after_stop`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from actlib.playground import MAX_STEPS, at_steps, same_network
from actlib.training import Snapshot, TrainConfig
from actlib.ui.live_runner import LiveRun, keep_run, last_run, stop_requested

RUN_KEY = "nl_play"
"""The live runner's key (its Stop button is ``nl_play:stop``), kept from the tab days."""
_ON_SCREEN = "_nl_play_on_screen"

Screen = tuple[TrainConfig, tuple[Snapshot, ...]]


def on_screen() -> Screen | None:
    """The config and snapshots behind the charts as they are on screen now."""
    return st.session_state.get(_ON_SCREEN)


def remember(config: TrainConfig, shown: Sequence[Snapshot]) -> None:
    st.session_state[_ON_SCREEN] = (config, tuple(shown))


def replay_floor(config: TrainConfig, steps: int) -> int:
    """The step below which a replay of ``config`` draws nothing: the step on screen (if
    it shows the same network), at most the step asked for."""
    screen = on_screen()
    if screen is None or not same_network(screen[0], config):
        return 0
    return min(screen[1][-1].step, steps)


def settle_after_stop(set_steps: Callable[[int], None]) -> str | None:
    """In the rerun caused by Stop, before the controls are drawn: keep the picture that is
    on screen and move the step slider (and the link) to its step, so picture, slider, link
    and note agree and Step and Play act from there. Returns the note to show.

    Play replays the run from step 0 while the charts keep the previous picture until the
    replay passes it; so the screen shows the later of the replay's last drawn step and the
    step shown before Play. Settling on the replay's step instead would jump back.
    """
    if not stop_requested(RUN_KEY):
        return None
    live, screen = last_run(RUN_KEY), on_screen()
    if live is None or live.status != "running" or screen is None:
        return None
    config, snapshots = screen
    if not same_network(config, live.config):
        return None
    step = snapshots[-1].step
    keep_run(RUN_KEY, LiveRun(at_steps(config, step), snapshots, "stopped"))
    set_steps(step)
    if step < MAX_STEPS:
        return f"Stopped at step {step:,}. Step and Play go on from here."
    return f"Stopped at step {step:,}."
