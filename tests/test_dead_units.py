"""The Dead ReLU monitor's logic: dead-unit counts against a brute-force count in plain
torch, the replay against the engine's snapshots, the headline scenario, and the frames."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from actlib import dead_units as du
from actlib.datasets import load
from actlib.nets import NetConfig, ensemble, reference_loss, reference_model
from actlib.runtime import configure_torch
from actlib.training import BatchSchedule, TrainConfig, make_optimizer, prepare, run_to_end

configure_torch()

# A small ReLU network that has dead units at initialisation and loses more while training
# at a high learning rate (checked below, not assumed); float64 so that the plain-torch
# twin follows the same weights to rounding.
SMALL = dict(dataset="moons", n_samples=160, noise=0.2, depth=3, width=8, lr=0.3,
             batch_size=32, steps=60, snapshot_every=10, probe_size=120, dtype="float64")


def _small(*keys: str, seed: int = 0, **changes) -> TrainConfig:
    return TrainConfig(**{**SMALL, "models": ensemble(keys, (seed,)), **changes})


def brute_force_dead(model: nn.Sequential, x: torch.Tensor) -> list[int]:
    """Dead units per hidden layer of a plain nn.Sequential, one sample and one unit at a
    time: a unit is dead when its activation's output is exactly 0 on every sample."""
    outputs: list[torch.Tensor] = []
    blocks = list(model)[:-1]
    hooks = [block[-1].register_forward_hook(lambda _m, _i, out: outputs.append(out.detach()))
             for block in blocks]
    per_sample = []
    model.eval()
    with torch.no_grad():
        for row in x:
            outputs.clear()
            model(row.unsqueeze(0))
            per_sample.append([o[0].tolist() for o in outputs])
    for hook in hooks:
        hook.remove()
    counts = []
    for layer in range(len(blocks)):
        width = len(per_sample[0][layer])
        counts.append(sum(
            all(sample[layer][unit] == 0.0 for sample in per_sample) for unit in range(width)))
    return counts


def plain_torch_dead_counts(config: TrainConfig, index: int) -> dict[int, list[int]]:
    """Member ``index`` trained alone, the plain way (nn.Sequential, torch.optim, the same
    minibatches), brute-force dead counts at each snapshot step."""
    data, _ = prepare(config)
    probe = data.x_train[: config.probe_size]
    model = reference_model(config.net_config(), index)
    optimizer = make_optimizer(model.parameters(), config, fused=False)
    schedule = BatchSchedule(data.n_train, config.batch_size, config.models[index].seed)
    wanted = set(config.snapshot_steps())
    counts = {0: brute_force_dead(model, probe)}
    for step in range(1, config.steps + 1):
        model.train()
        rows = schedule.next()
        loss = reference_loss(model(data.x_train[rows]), data.y_train[rows], config.task)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step in wanted:
            counts[step] = brute_force_dead(model, probe)
    return counts


@pytest.fixture(scope="module")
def small_run() -> tuple[TrainConfig, tuple]:
    config = _small("relu", "leaky_relu")
    return config, run_to_end(config)


# --- dead units against a brute-force count -----------------------------------------------


def test_dead_counts_match_a_brute_force_count_of_the_same_network_trained_in_plain_torch(
    small_run,
) -> None:
    config, snapshots = small_run
    expected = plain_torch_dead_counts(config, 0)
    engine = {s.step: np.rint(s.dead_share[0] * config.width).astype(int).tolist()
              for s in snapshots}
    assert engine == expected
    # The case covers units dead before training and units that die during it.
    assert sum(expected[0]) >= 3
    assert sum(expected[config.steps]) > sum(expected[0])
    assert any(b > a for a, b in zip(expected[0], expected[config.steps], strict=True))


def test_leaky_relu_never_has_a_dead_unit_by_brute_force_either(small_run) -> None:
    config, snapshots = small_run
    assert all(c == [0, 0, 0] for c in plain_torch_dead_counts(config, 1).values())
    assert all(s.dead_share[1].max() == 0 for s in snapshots)


def test_probes_of_the_engines_network_match_the_snapshots(small_run) -> None:
    config, snapshots = small_run
    for snap in snapshots:
        probe = du.probe_at(config, snap.step)
        assert probe.step == snap.step
        np.testing.assert_array_equal(probe.dead.mean(axis=2), snap.dead_share)


def test_live_probes_look_into_the_live_network_where_it_stands(small_run, monkeypatch) -> None:
    """A paused live run is measured as it is: equal to the snapshots and to a replay made
    independently, and never trained again (the replay is forbidden while it runs)."""
    from actlib.training.live import LiveRun

    config, snapshots = small_run
    replays = {s.step: du.probe_at(config, s.step) for s in snapshots[:3]}
    monkeypatch.setattr(du, "run_to", lambda *a: pytest.fail("a live probe replayed the run"))
    memo: dict = {}
    probes = du.LiveProbes(memo)
    run = LiveRun(config, record_snapshots=True)
    for snap in snapshots:
        run.reach(snap.step)
        probe = probes.at(run.state)
        assert probe.step == snap.step
        np.testing.assert_array_equal(probe.dead.mean(axis=2), snap.dead_share)
        if snap.step in replays:
            np.testing.assert_array_equal(probe.states, replays[snap.step].states)
    assert probes.at(run.state) is probe, "a redraw of a paused run measures nothing"
    assert len([k for k in memo if k[1] != "initial"]) == min(du.PROBES_KEPT, len(snapshots))


def test_unit_probe_agrees_with_itself_and_with_plain_torch(small_run) -> None:
    config, _ = small_run
    probe = du.probe_at(config, config.steps)
    assert probe.n_samples == config.probe_size
    assert len(probe.sample_rows) == config.probe_size  # all 120 rows are shown
    silent = probe.states == du.SILENT  # [M, L, W, S]
    # Every sample shown: a unit is dead exactly when it is silent on all of them, and its
    # firing rate is the share of samples where it is not silent.
    np.testing.assert_array_equal(probe.dead, silent.all(axis=3))
    np.testing.assert_allclose(probe.fire_rate, (~silent).mean(axis=3))
    nearly = (probe.fire_rate < 0.01) & ~probe.dead
    np.testing.assert_array_equal(probe.nearly_dead, nearly)
    # Leaky ReLU fires on every sample: on the positive side or leaking below zero.
    assert not silent[1].any()
    assert (probe.states[1] == du.FIRES_NEGATIVE).any()
    # Share of pre-activations <= 0 at init, from a plain model's first linear layer.
    data, _ = prepare(config)
    x = data.x_train[: config.probe_size]
    first_linear = reference_model(config.net_config(), 0)[0][0]
    with torch.no_grad():
        expected = float((first_linear(x) <= 0).double().mean())
    assert probe.below_zero[0, 0, 0] == pytest.approx(expected)
    shares = probe.hist_now.sum(axis=2)
    np.testing.assert_allclose(shares, 1.0)


def test_activity_and_histogram_frames_are_tidy(small_run) -> None:
    config, _ = small_run
    probe = du.probe_at(config, 20)
    frame = du.activity_frame(probe, 0, 2)
    assert len(frame) == config.width * len(probe.sample_rows)
    assert set(frame["state"]) <= set(du.STATE_LABELS.values())
    dead_units = set(frame.loc[frame["status"] == "dead", "unit"])
    assert dead_units == {u + 1 for u in np.flatnonzero(probe.dead[0, 1])}
    classes = frame.loc[frame["unit"] == 1, "class"].tolist()
    assert classes == sorted(classes)  # samples sorted by class
    hist = du.histogram_frame(probe, 0)
    assert set(hist["when"]) == {"at init", "step 20"}
    assert hist.groupby(["layer", "when"])["share"].sum().round(12).eq(1).all()
    status = du.layer_status_frame(probe)
    assert (status[["dead", "nearly_dead", "alive"]].sum(axis=1) == config.width).all()
    wide = du.status_table(probe)
    assert list(wide.index) == ["ReLU", "Leaky ReLU"]
    assert wide.loc["ReLU", ("dead", "layer 2")] == probe.dead[0, 1].sum()


# --- the headline scenario -----------------------------------------------------------------


def test_a_high_learning_rate_kills_relus_while_leaky_relus_under_the_same_run_keep_all() -> None:
    # The page's default run (Adam, learning rate 0.1, 3 x 32 units, moons), over 3 seeds.
    config = du.monitor_config(["relu", "leaky_relu"])
    config = replace(config, models=ensemble(["relu", "leaky_relu"], (0, 1, 2)))
    snapshots = run_to_end(config)
    relu_start = snapshots[0].dead_share[:3].mean(axis=1)
    relu_end = snapshots[-1].dead_share[:3].mean(axis=1)
    assert np.median(relu_end) >= 0.4  # a substantial share of ReLU units is dead
    assert (relu_end - relu_start).min() >= 0.15  # and most of them died while training
    assert all(s.dead_share[3:].max() == 0 for s in snapshots)  # never one Leaky ReLU
    summary = du.run_summary(snapshots)
    assert (summary.loc[summary["key"] == "leaky_relu", "dead_peak"] == 0).all()


def test_a_lower_learning_rate_keeps_most_relus_alive() -> None:
    high = du.monitor_config(["relu"], steps=200)
    low = du.cure_config(high, "lower_lr")
    dead_high = run_to_end(high)[-1].dead_share.mean()
    dead_low = run_to_end(low)[-1].dead_share.mean()
    assert dead_low < dead_high - 0.1


# --- frames from snapshots ---------------------------------------------------------------


def test_history_totals_and_csv_frames_agree_with_the_snapshots(small_run) -> None:
    config, snapshots = small_run
    history = du.dead_history_frame(snapshots)
    assert len(history) == len(snapshots) * 2 * config.depth
    last = history[history["step"] == config.steps]
    np.testing.assert_allclose(last["dead_share"], snapshots[-1].dead_share.reshape(-1))
    assert (history["step_end"] > history["step"]).all()
    totals = du.totals_frame(snapshots)
    per_layer_sum = history.groupby(["step", "key"], sort=False)["dead_units"].sum()
    np.testing.assert_array_equal(
        totals.set_index(["step", "key"])["dead_units"].loc[per_layer_sum.index],
        per_layer_sum)
    assert (totals["hidden_units"] == config.depth * config.width).all()

    csv = du.metrics_csv_frame(snapshots)
    assert len(csv) == len(snapshots) * 2 * config.depth
    for column in ("step", "activation", "layer", "dead_share", "dead_units", "train_loss",
                   "train_accuracy", "prelu_slope", "weight_grad_norm", "diverged"):
        assert column in csv.columns
    back = pd.read_csv(io.StringIO(csv.to_csv(index=False)))
    np.testing.assert_allclose(back["dead_units"], back["dead_share"] * config.width)
    row = back[(back["step"] == config.steps) & (back["key"] == "leaky_relu")].iloc[0]
    assert row["train_loss"] == pytest.approx(snapshots[-1].train_loss[1])


def test_summary_and_comparison(small_run) -> None:
    _config, snapshots = small_run
    summary = du.run_summary(snapshots)
    relu = summary.set_index("key").loc["relu"]
    assert relu["dead_at_init"] == np.rint(snapshots[0].dead_share[0] * 8).sum()
    assert relu["dead_now"] == np.rint(snapshots[-1].dead_share[0] * 8).sum()
    assert relu["dead_peak"] >= relu["dead_now"]
    table = du.compare_runs(snapshots, snapshots, "nothing")
    assert table["run"].tolist() == ["before", "before", "after: nothing", "after: nothing"]
    paired = du.paired_totals(snapshots, snapshots)
    assert set(paired["run"]) == {"before", "after"}


def test_the_slopes_of_prelu_start_at_their_initial_value() -> None:
    config = TrainConfig(
        **{**SMALL, "steps": 20, "models": ensemble([("prelu", {"slope": 0.2}), "relu"], (0,))})
    snapshots = run_to_end(config)
    slopes = du.slopes_history(snapshots)
    assert set(slopes["key"]) == {"prelu"}
    assert slopes.loc[slopes["step"] == 0, "prelu_slope"].tolist() == pytest.approx([0.2] * 3)
    assert (slopes.loc[slopes["step"] == 20, "prelu_slope"] != 0.2).any()
    assert du.slopes_history(run_to_end(_small("relu", steps=10))).empty


# --- remedies ----------------------------------------------------------------------------


def test_each_remedy_changes_exactly_its_setting() -> None:
    before = du.monitor_config(["relu"], bias=-0.5, init="xavier_uniform")
    lower = du.cure_config(before, "lower_lr")
    assert lower.lr == pytest.approx(0.01) and replace(lower, lr=before.lr) == before
    leaky = du.cure_config(before, "leaky", {"slope": 0.1})
    assert [m.key for m in leaky.models] == ["leaky_relu"]
    assert leaky.models[0].param_dict["slope"] == 0.1
    assert leaky.models[0].seed == before.models[0].seed
    assert du.cure_config(before, "batch_norm").norm == "batch"
    assert du.describe_change(before, du.cure_config(before, "batch_norm")) == (
        "normalisation None → Batch norm")
    he = du.cure_config(before, "he_init")
    assert (he.init, he.bias_init) == ("he", None)
    assert du.describe_change(before, lower) == "learning rate 0.1 → 0.01"
    assert du.describe_change(before, he) == (
        "init Xavier (Glorot) uniform → He (Kaiming) normal; initial bias -0.5 → drawn by the "
        "init")
    assert "ReLU → Leaky ReLU (slope=0.1)" in du.describe_change(before, leaky)
    assert du.cure_is_noop(du.cure_config(before, "batch_norm"), "batch_norm")
    assert not du.cure_is_noop(before, "batch_norm")
    with pytest.raises(ValueError, match="unknown cure"):
        du.cure_config(before, "magic")


def test_monitor_config_probes_the_whole_training_set_up_to_the_engines_limit() -> None:
    moons = du.monitor_config(["relu"])
    assert moons.probe_size == moons.n_train == 450
    digits = du.monitor_config(["relu"], dataset="digits")
    assert digits.n_train > du.MAX_PROBE_ROWS == digits.probe_size
    assert len(moons.snapshot_steps()) == du.SNAPSHOTS_PER_RUN + 1


# --- the census at initialisation --------------------------------------------------------


def test_census_matches_a_brute_force_count_of_each_fresh_network() -> None:
    frame = du.census_at_init(["relu"], depth=4, width=8, seeds=(0, 1))
    data = load("moons", du.samples_for("moons"), 0.2, 0, du.TEST_FRACTION)
    config = NetConfig(2, 1, ensemble(["relu"], (0, 1)), depth=4, width=8)
    counts = np.array([brute_force_dead(reference_model(config, i), data.x_train[:200])
                       for i in range(2)])
    # The brute force sees the first 200 samples, the census all of them: never fewer dead.
    census_counts = frame["dead_share"].to_numpy() * 8
    assert (census_counts <= counts.mean(axis=0) + 1e-9).all()
    full = np.array([brute_force_dead(reference_model(config, i), data.x_train)
                     for i in range(2)])
    np.testing.assert_allclose(census_counts, full.mean(axis=0))
    np.testing.assert_allclose(frame["dead_min"] * 8, full.min(axis=0))
    np.testing.assert_allclose(frame["dead_max"] * 8, full.max(axis=0))


def test_under_the_default_init_the_dead_share_grows_with_depth_but_not_for_leaky_relu() -> None:
    frame = du.census_at_init(["relu", "leaky_relu"], depth=10, width=32)
    relu = frame[frame["key"] == "relu"]["dead_share"].to_numpy()
    assert relu[:2].mean() < 0.15 < 0.35 < relu[-5:].mean()
    assert frame[frame["key"] == "leaky_relu"]["dead_share"].max() == 0
    normed = du.census_at_init(["relu"], depth=10, width=32, batch_norm=True)
    assert normed["dead_share"].max() == 0  # batch statistics recentre every unit
    schemes = du.census_by_scheme(depth=10, width=32)
    deep = schemes[schemes["layer"] > 5].groupby("init")["dead_share"].mean()
    assert deep["he"] < deep["default"] - 0.1


def test_gelu_outputs_exact_zeros_far_below_zero_in_float32_as_the_page_says() -> None:
    from actlib.activations import get

    x = torch.tensor([-5.7, -5.5], dtype=torch.float32)
    out = get("gelu").forward(x, **get("gelu").defaults())
    assert out[0] == 0 and out[1] != 0  # "below about -5.6"
    leaky = get("leaky_relu")
    assert (leaky.forward(torch.tensor([-1e-30, -50.0]), slope=0.001) != 0).all()


# --- small helpers -----------------------------------------------------------------------


def test_histogram_helpers() -> None:
    edges = du.symlog_edges(50.0, 40)
    assert edges[0] == pytest.approx(-50) and edges[-1] == pytest.approx(50)
    assert edges[20] == 0 and (np.diff(edges) > 0).all()
    np.testing.assert_allclose(edges, -edges[::-1])
    values = np.array([-100.0, -1.0, -0.01, 0.0, 0.5, 3.0, 1000.0])
    shares = du.histogram_shares(values, edges)
    assert shares.sum() == pytest.approx(1.0)
    assert shares[0] == pytest.approx(1 / 7) and shares[-1] == pytest.approx(1 / 7)
    counts, _ = np.histogram(np.clip(values, -50, 50), bins=edges)
    np.testing.assert_allclose(shares, counts / 7)
    assert np.isnan(du.histogram_shares(np.full(4, np.nan), edges)).all()


def test_map_rows_sorts_by_class_and_keeps_every_class() -> None:
    labels = torch.tensor([1, 0, 2, 1, 0, 2] * 100)
    rows = du.map_rows(labels, 60)
    assert len(rows) == 60
    shown = labels[torch.as_tensor(rows)].tolist()
    assert shown == sorted(shown) and set(shown) == {0, 1, 2}
    assert du.map_rows(labels[:10], 60).tolist() == np.argsort(
        labels[:10].numpy(), kind="stable").tolist()


def test_the_home_card_preview_is_computed() -> None:
    from actlib.previews import stored_columns

    columns = stored_columns("dead_relu")
    assert len(columns["key"]) == 16  # 2 activations x 8 layers
    assert max(s for k, s in zip(columns["key"], columns["dead_share"], strict=True)
               if k == "leaky_relu") == 0
