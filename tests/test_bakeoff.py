"""The bake-off logic (actlib.bakeoff) and the guide page's chart builders.

The summary table and the bands are checked against numbers computed directly from the
snapshots' numpy arrays, not from the history frame the module reads.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from actlib import bakeoff
from actlib.activations import BAKE_OFF_KEYS, CATALOGUE, HIDDEN_LAYER_KEYS, get
from actlib.charts import guide as charts
from actlib.compute_cost import COLUMNS
from actlib.guide import Answers, Architecture, Constraint, Depth, Placement, advise
from actlib.history import timeline, usage_table
from actlib.runtime import configure_torch
from actlib.snippets import OutputTask
from actlib.training import CapExceededError, history_frame, run_to_end

configure_torch()  # one thread, as the app runs (actlib.runtime); idempotent

KEYS = ("sigmoid", "relu", "gelu")
TARGET = 0.3


@pytest.fixture(scope="module")
def run():
    config = bakeoff.build_config(KEYS, steps=150, seeds=3)
    snapshots = run_to_end(config)
    return config, snapshots, history_frame(snapshots)


@pytest.fixture(scope="module")
def diverging_run():
    config = bakeoff.build_config(("relu", "tanh"), optimizer="sgd", lr=10.0, steps=60,
                                  seeds=2)
    snapshots = run_to_end(config)
    return config, snapshots, history_frame(snapshots)


# --- from advice to a run -----------------------------------------------------------------


def _all_answers():
    constraint_sets = [frozenset(c) for r in range(len(Constraint) + 1)
                       for c in itertools.combinations(Constraint, r)]
    for placement, arch, task, depth, constraints in itertools.product(
        Placement, Architecture, OutputTask, Depth, constraint_sets
    ):
        yield Answers(placement, arch, task, depth, constraints)


def test_every_answer_gives_at_least_two_trainable_candidates_in_advice_order() -> None:
    for answers in _all_answers():
        advice = advise(answers)
        candidates = bakeoff.advice_candidates(advice)
        keys = [k for k, _ in candidates]
        assert len(keys) >= 2, answers
        assert all(k in HIDDEN_LAYER_KEYS for k in keys), (answers, keys)
        if answers.placement == Placement.HIDDEN:
            ranked = [get(r.key).gate or r.key for r in advice.ranked]  # gates stand in
            assert keys == list(dict.fromkeys(k for k in ranked if k in HIDDEN_LAYER_KEYS))
        bakeoff.build_config(candidates, steps=50)  # every default bake-off is trainable


def test_output_advice_falls_back_to_the_hidden_layer_candidates() -> None:
    output = Answers(Placement.OUTPUT, Architecture.GAN_DISCRIMINATOR, OutputTask.BINARY)
    hidden = Answers(Placement.HIDDEN, Architecture.GAN_DISCRIMINATOR)
    assert advise(output).best.key == "sigmoid"
    assert bakeoff.advice_candidates(advise(output)) == bakeoff.advice_candidates(
        advise(hidden))
    # The discriminator's Leaky ReLU keeps the advice's 0.2 slope; a gated unit is trained as
    # its gate's activation (SwiGLU as SiLU).
    assert bakeoff.advice_candidates(advise(hidden))[0] == ("leaky_relu", (("slope", 0.2),))
    transformer = advise(Answers(architecture=Architecture.TRANSFORMER))
    assert "swiglu" in [r.key for r in transformer.ranked]
    assert [k for k, _ in bakeoff.advice_candidates(transformer)] == ["gelu", "swish", "relu"]


def test_config_holds_every_activation_times_every_seed() -> None:
    config = bakeoff.build_config([("leaky_relu", (("slope", 0.2),)), "tanh"], "circles",
                                  depth=2, width=16, optimizer="sgd", lr=0.1, steps=400,
                                  seeds=2, init="he")
    assert [(m.key, m.seed) for m in config.models] == [
        ("leaky_relu", 0), ("leaky_relu", 1), ("tanh", 0), ("tanh", 1)]
    assert config.models[0].param_dict == {"slope": 0.2}
    assert (config.dataset, config.depth, config.width, config.init) == ("circles", 2, 16, "he")
    assert (config.optimizer, config.lr, config.steps) == ("sgd", 0.1, 400)
    assert config.snapshot_every == 20 and len(config.snapshot_steps()) == 21
    assert bakeoff.first_seed_members(config) == [0, 2]


def test_nine_by_three_on_moons_is_within_the_caps() -> None:
    config = bakeoff.build_config(BAKE_OFF_KEYS, "moons", seeds=3)
    assert config.n_models == 27


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"activations": ()}, "at least one activation"),
        ({"dataset": "sine"}, "classification sets"),
        ({"seeds": 6}, "seeds must lie between 1 and 5"),
        ({"seeds": 0}, "seeds must lie between 1 and 5"),
        ({"activations": ("identity",)}, "not a hidden-layer activation"),
        ({"activations": ("softmax",)}, "not a hidden-layer activation"),
    ],
)
def test_bad_choices_are_named(kwargs: dict, message: str) -> None:
    arguments = {"activations": ("relu",), **kwargs}
    with pytest.raises(ValueError, match=message):
        bakeoff.build_config(**arguments)


def test_too_big_a_bake_off_hits_a_cap_with_a_message() -> None:
    with pytest.raises(CapExceededError, match="models is 45, over its cap of 36"):
        bakeoff.build_config(BAKE_OFF_KEYS, seeds=5)
    with pytest.raises(CapExceededError, match="estimated run time"):
        bakeoff.build_config(BAKE_OFF_KEYS, depth=10, width=128, steps=2000, seeds=3)


def test_learning_rates_far_above_the_usual_range_get_a_note() -> None:
    assert bakeoff.learning_rate_note("adam", 0.01) is None
    assert bakeoff.learning_rate_note("sgd", 1.0) is None
    note = bakeoff.learning_rate_note("adam", 10.0)
    assert note is not None and "learning rate of 10 is above" in note and "0.03" in note
    assert bakeoff.learning_rate_note("momentum", 3.0) is not None


# --- the table against the snapshots ------------------------------------------------------


def _direct_summary(config, snapshots, target: float) -> dict[str, dict]:
    """The table computed straight from the snapshot arrays, model by model."""
    final = snapshots[-1]
    out = {}
    for key in dict.fromkeys(m.key for m in config.models):
        idx = [i for i, m in enumerate(config.models) if m.key == key]
        healthy = [i for i in idx if final.diverged_step[i] < 0]
        acc = [float(final.test_accuracy[i]) for i in healthy]
        steps = []
        for i in idx:
            hits = [s.step for s in snapshots if s.train_loss[i] <= target]
            steps.append(hits[0] if hits else math.inf)
        median = float(np.median(steps))
        out[key] = {
            "accuracy_mean": float(np.mean(acc)) if acc else math.nan,
            "accuracy_std": float(np.std(acc, ddof=1)) if len(acc) > 1 else math.nan,
            "test_loss_mean": float(np.mean([final.test_loss[i] for i in healthy]))
            if healthy else math.nan,
            "train_loss_mean": float(np.mean([final.train_loss[i] for i in healthy]))
            if healthy else math.nan,
            "steps_to_target": median if math.isfinite(median) else math.nan,
            "reached": sum(math.isfinite(s) for s in steps),
            "diverged": len(idx) - len(healthy),
        }
    return out


@pytest.mark.parametrize("fixture", ["run", "diverging_run"])
def test_summary_matches_a_direct_computation_from_the_snapshots(fixture, request) -> None:
    config, snapshots, history = request.getfixturevalue(fixture)
    target = TARGET if fixture == "run" else 0.6
    table = bakeoff.summary_table(history, target).set_index("key")
    direct = _direct_summary(config, snapshots, target)
    assert set(table.index) == set(direct)
    for key, expected in direct.items():
        row = table.loc[key]
        assert row["seeds"] == sum(m.key == key for m in config.models)
        assert row["activation"] == get(key).name
        for column, value in expected.items():
            np.testing.assert_allclose(row[column], value, rtol=1e-9, equal_nan=True,
                                       err_msg=f"{key} {column}")
    ranked = table["accuracy_mean"].to_numpy()
    assert list(table["rank"]) == list(range(1, len(table) + 1))
    healthy = ranked[~np.isnan(ranked)]
    assert np.all(np.diff(healthy) <= 0), "best accuracy first"


def test_a_high_target_is_reached_at_once_and_an_impossible_one_never(run) -> None:
    _, _, history = run
    first = bakeoff.steps_to_target(history, 10.0)
    assert (first == 0).all()
    never = bakeoff.summary_table(history, 1e-9)
    assert never["steps_to_target"].isna().all() and (never["reached"] == 0).all()


def test_bands_are_mean_and_std_over_seeds_at_every_snapshot(run) -> None:
    config, snapshots, history = run
    band = bakeoff.band_frame(history, "test_accuracy")
    assert len(band) == len(KEYS) * len(snapshots)
    for snapshot in (snapshots[0], snapshots[3], snapshots[-1]):
        for key in KEYS:
            idx = [i for i, m in enumerate(config.models) if m.key == key]
            values = snapshot.test_accuracy[idx]
            row = band[(band["key"] == key) & (band["step"] == snapshot.step)].iloc[0]
            assert row["activation"] == get(key).name
            assert row["n"] == 3
            assert row["mean"] == pytest.approx(values.mean(), rel=1e-9)
            assert row["std"] == pytest.approx(values.std(ddof=1), rel=1e-9, abs=1e-12)
            assert row["lo"] == pytest.approx(row["mean"] - row["std"])
            assert row["hi"] == pytest.approx(row["mean"] + row["std"])


def test_diverged_runs_are_counted_named_and_left_out(diverging_run) -> None:
    config, snapshots, history = diverging_run
    divergences = snapshots[-1].divergences()
    assert divergences, "lr 10 with plain SGD should blow up"
    table = bakeoff.summary_table(history, 0.6).set_index("key")
    assert table["diverged"].sum() == len(divergences)
    notes = " ".join(bakeoff.divergence_notes(history))
    for d in divergences:
        assert f"seed {config.models[d.model].seed} at step {d.step} ({d.reason})" in notes
    band = bakeoff.band_frame(history, "train_loss")
    assert np.isfinite(band["mean"]).all(), "diverged seeds must not turn a band into NaN"


# --- the verdict --------------------------------------------------------------------------


def _table(rows: list[tuple[str, float, float, int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [{"key": k, "activation": get(k).name, "seeds": n, "accuracy_mean": m,
          "accuracy_std": s, "test_loss_mean": 0.1, "diverged": d} for k, m, s, n, d in rows]
    )
    return frame


def test_a_clear_winner_beats_the_spread() -> None:
    verdict = bakeoff.verdict(_table([("relu", 0.95, 0.01, 3, 0), ("sigmoid", 0.80, 0.02, 3, 0)]))
    assert verdict.clear and verdict.winner == "relu"
    assert verdict.text.startswith("ReLU (95.0 % ± 1.0) wins")
    assert "Sigmoid (logistic) (80.0 % ± 2.0)" in verdict.text


def test_differences_within_the_seed_spread_are_called_a_tie() -> None:
    verdict = bakeoff.verdict(_table([
        ("gelu", 0.95, 0.010, 3, 0), ("relu", 0.94, 0.005, 3, 0), ("tanh", 0.935, 0.02, 3, 0),
        ("sigmoid", 0.90, 0.01, 3, 0)]))
    assert not verdict.clear and verdict.winner == "gelu"
    assert verdict.within_spread == ("relu", "tanh")  # gaps 0.010 <= 0.010, 0.015 <= 0.02
    assert "ReLU (94.0 % ± 0.5) and Tanh (93.5 % ± 2.0) lie within one seed" in verdict.text
    assert "Sigmoid" not in verdict.text


def test_one_seed_all_diverged_and_a_lone_activation_say_so() -> None:
    one = bakeoff.verdict(_table([("relu", 0.95, math.nan, 1, 0), ("elu", 0.9, math.nan, 1, 0)]))
    assert one.winner == "relu" and "With one seed there is no spread" in one.text
    none = bakeoff.verdict(_table([("relu", math.nan, math.nan, 3, 3)]))
    assert none.winner is None and "no winner" in none.text
    lone = bakeoff.verdict(_table([("relu", 0.9, 0.01, 3, 0), ("elu", math.nan, math.nan, 3, 3)]))
    assert lone.winner == "relu" and "without diverging" in lone.text


def test_verdict_of_a_real_run_names_the_table_leader(run) -> None:
    _, _, history = run
    table = bakeoff.summary_table(history, TARGET)
    verdict = bakeoff.verdict(table)
    assert verdict.winner == table.iloc[0]["key"]
    assert set(verdict.within_spread) <= set(table["key"][1:])


# --- charts -------------------------------------------------------------------------------


def _rows(chart) -> int:
    return sum(len(v) for v in chart.to_dict().get("datasets", {}).values())


def test_bake_off_charts_carry_their_frames(run) -> None:
    config, snapshots, history = run
    band = bakeoff.band_frame(history, "train_loss")
    assert _rows(charts.band_chart(band, list(KEYS), "Training loss", "loss")) == len(band)
    members = bakeoff.first_seed_members(config)
    surfaces = snapshots[-1].surface_frame(members)
    points = pd.DataFrame({"x1": [0.0, 1.0], "x2": [0.0, 0.5], "y": [0, 1]})
    chart = charts.surfaces_chart(surfaces, points, {k: get(k).name for k in KEYS})
    spec = chart.to_dict()
    assert len(spec["concat"]) == len(KEYS)
    assert len(surfaces) == len(KEYS) * bakeoff.GRID_SIZE**2


def test_cost_chart_has_both_directions_and_the_history_charts_every_row() -> None:
    keys = ["relu", "gelu"]
    summary = pd.DataFrame(
        [{"key": k, "name": get(k).name, "direction": d, "ns_per_element": 1.0,
          "ratio_to_relu": r, "repetitions": 7, "n_elements": 1000, "threads": 1}
         for k, r in zip(keys, (1.0, 2.5), strict=True)
         for d in ("forward", "forward+backward")],
        columns=list(COLUMNS),
    )
    spec = charts.cost_chart(summary).to_dict()
    assert [p["title"] for p in spec["hconcat"]] == ["forward", "forward + backward"]
    assert _rows(charts.timeline_chart(timeline())) >= len(CATALOGUE)
    usage = charts.usage_frame(usage_table())
    assert list(usage.columns) == ["architecture", "where", "activation", "PyTorch",
                                   "examples", "introduced", "source"]


def test_a_gated_unit_is_represented_by_its_gate_activation_once() -> None:
    """LLaMA-like advice ranks SwiGLU, GEGLU, GELU: the bake-off trains SiLU (SwiGLU's
    gate) and GELU (GEGLU's gate and the plain GELU, once)."""
    from actlib.guide import Answers, Architecture

    advice = advise(Answers(architecture=Architecture.LLM))
    assert [r.key for r in advice.ranked][:3] == ["swiglu", "geglu", "gelu"]
    assert [k for k, _ in bakeoff.advice_candidates(advice)][:2] == ["swish", "gelu"]


def test_display_table_shows_percentages_and_seed_counts() -> None:
    summary = pd.DataFrame({"rank": [1], "key": ["relu"], "activation": ["ReLU"], "seeds": [3],
                            "accuracy_mean": [0.875], "accuracy_std": [0.01],
                            "test_loss_mean": [0.3], "train_loss_mean": [0.2],
                            "steps_to_target": [100.0], "reached": [2], "diverged": [1]})
    shown = bakeoff.display_table(summary)
    assert "key" not in shown and "seeds" not in shown
    row = shown.iloc[0]
    assert row["accuracy_mean"] == pytest.approx(87.5) and row["accuracy_std"] == pytest.approx(1)
    assert (row["reached"], row["diverged"]) == ("2 of 3", "1 of 3")
