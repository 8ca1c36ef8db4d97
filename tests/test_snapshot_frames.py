"""A run's history frames are built in one piece (:func:`stack_columns`) for speed: each
must equal the frames of its snapshots taken one at a time and concatenated, dtypes and
NaN rows included, on runs with a PReLU member and with a model that diverged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import actlib.dead_units as dead
from actlib.gradients import gradient_history_frame
from actlib.training import history_frame, run_to_end
from actlib.training.snapshots import layer_history_frame, stack_columns


@pytest.fixture(scope="module")
def runs():
    return {
        "prelu": run_to_end(dead.monitor_config(["relu", "leaky_relu", "prelu", "elu"],
                                                steps=60)),
        "diverged": run_to_end(dead.monitor_config(["relu", "tanh", "prelu"], steps=40,
                                                   lr=10.0, optimizer="sgd")),
    }


def _one_at_a_time(frame_of, snapshots) -> pd.DataFrame:
    """The snapshots' frames concatenated, leaving out empty ones (a diverged PReLU model
    has no slope rows after its divergence)."""
    frames = [frame_of(s) for s in snapshots]
    return pd.concat([f for f in frames if not f.empty], ignore_index=True)


@pytest.mark.parametrize("name", ["prelu", "diverged"])
def test_histories_equal_their_snapshots_frames_concatenated(runs, name):
    snapshots = runs[name]
    if name == "diverged":
        assert (snapshots[-1].diverged_step >= 0).any()  # NaN rows are part of the case
    pd.testing.assert_frame_equal(history_frame(snapshots),
                                  _one_at_a_time(lambda s: s.models_frame(), snapshots))
    pd.testing.assert_frame_equal(layer_history_frame(snapshots),
                                  _one_at_a_time(lambda s: s.layers_frame(), snapshots))
    pd.testing.assert_frame_equal(dead.totals_frame(snapshots),
                                  _one_at_a_time(lambda s: dead.totals_frame([s]), snapshots))
    pd.testing.assert_frame_equal(dead.slopes_history(snapshots),
                                  _one_at_a_time(lambda s: dead.slopes_history([s]), snapshots))
    pd.testing.assert_frame_equal(
        gradient_history_frame(snapshots),
        _one_at_a_time(lambda s: gradient_history_frame([s]), snapshots))
    history = dead.dead_history_frame(snapshots)
    alone = _one_at_a_time(lambda s: dead.dead_history_frame([s]), snapshots)
    pd.testing.assert_frame_equal(history.drop(columns="step_end"),
                                  alone.drop(columns="step_end"))
    steps = [s.step for s in snapshots]
    ends = dict(zip(steps, [*steps[1:], steps[-1] + snapshots[0].info.config.snapshot_every],
                    strict=True))
    assert (history["step_end"] == history["step"].map(ends)).all()


def test_a_run_without_prelu_has_an_empty_slope_history(runs):
    assert dead.slopes_history([]).empty
    relu_only = run_to_end(dead.monitor_config(["relu"], steps=20))
    frame = dead.slopes_history(relu_only)
    assert frame.empty and list(frame.columns) == ["step", "key", "activation", "layer",
                                                   "prelu_slope"]


def test_stack_columns_reads_scalars_and_strings_as_pandas_does():
    parts = [{"step": 1, "name": ["a", "b"], "x": np.array([0.5, np.nan], dtype=np.float32),
              "flag": np.array([True, False]), "label": "first"},
             {"step": 2, "name": ["c"], "x": np.array([1.5], dtype=np.float32),
              "flag": np.array([True]), "label": "second"}]
    expected = pd.concat([pd.DataFrame(p) for p in parts], ignore_index=True)
    pd.testing.assert_frame_equal(stack_columns(parts), expected)
