"""actlib.gradients against independent computations, and the page's qualitative facts.

The two gradient measures are recomputed with separate ``nn.Linear`` layers and retained
gradients; the slopes with autograd; the theory line with a loop; the qualitative facts of
the issue are medians over several seeds at depth 20, width 64.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from actlib import gradients as grad
from actlib.activations import get
from actlib.charts import gradients as charts
from actlib.nets import BatchedMLP
from actlib.runtime import configure_torch
from actlib.training import CapExceededError, run_to_end

configure_torch()  # one thread, as the app runs; idempotent

PLAIN_FUNCTIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "gelu": F.gelu,
    "swish": F.silu,
    "elu": F.elu,
}
SEEDS = (0, 1, 2, 3, 4)


def _plain_measures(experiment: grad.Experiment, index: int):
    """Signal norms, weight-gradient RMS, mean |f'| and RMS f' of model ``index``, from
    separate nn.Linear layers (float64) with retained gradients and autograd slopes."""
    net = experiment.net_config()
    weights = BatchedMLP(net).layer_parameters(index)  # the initial weights, [out, in]
    x, y = grad.probe_batch(experiment.dataset)
    x = x.double()
    function = PLAIN_FUNCTIONS[net.models[index].key]
    linears = []
    for weight, bias in weights:
        linear = nn.Linear(weight.shape[1], weight.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(weight.double())
            linear.bias.copy_(bias.double())
        linears.append(linear)
    norms = [nn.LayerNorm(net.width, eps=1e-5, dtype=torch.float64) if net.norm == "layer"
             else nn.Identity() for _ in range(net.depth)]
    h, pre, inputs = x, [], []
    for layer in range(net.depth):
        z = linears[layer](h)
        z.retain_grad()
        a = norms[layer](z)
        a_leaf = a.detach().requires_grad_(True)  # for the slopes, apart from the graph
        inputs.append(a_leaf)
        pre.append(z)
        f = function(a)
        h = h + f if net.residual and h.shape[1] == f.shape[1] else f
    logits = linears[-1](h)[:, 0]
    F.binary_cross_entropy_with_logits(logits, y.double()).backward()
    signal = [float(z.grad.norm()) for z in pre]
    rms = [float(lin.weight.grad.norm()) / math.sqrt(lin.weight.numel())
           for lin in linears[:-1]]
    mean_slope, rms_slope = [], []
    for a in inputs:
        (slope,) = torch.autograd.grad(function(a).sum(), a)
        mean_slope.append(float(slope.abs().mean()))
        rms_slope.append(float(slope.square().mean().sqrt()))
    return signal, rms, mean_slope, rms_slope


@pytest.mark.parametrize(
    "changes",
    [
        {"init": "xavier_uniform"},
        {"init": "he", "residual": True},
        {"init": "naive", "init_sigma": 0.5, "norm": "layer"},
        {"init": "default", "activations": ("swish", "elu")},
    ],
)
def test_both_measures_and_slopes_match_separate_linear_layers(changes) -> None:
    experiment = replace(grad.Experiment(depth=4, width=8), **changes)
    flow = grad.init_flow(experiment)
    for i, model in enumerate(flow.models):
        signal, rms, mean_slope, rms_slope = _plain_measures(experiment, i)
        np.testing.assert_allclose(flow.signal_norm[i], signal, rtol=1e-9, err_msg=model.key)
        np.testing.assert_allclose(flow.weight_grad_rms[i], rms, rtol=1e-9, err_msg=model.key)
        np.testing.assert_allclose(flow.mean_slope[i], mean_slope, rtol=1e-9)
        np.testing.assert_allclose(flow.rms_slope[i], rms_slope, rtol=1e-9)


def test_theory_line_is_the_product_of_slopes_back_from_the_last_layer() -> None:
    rng = np.random.default_rng(0)
    signal = rng.uniform(0.1, 2.0, size=(3, 6))
    slopes = rng.uniform(0.05, 1.0, size=(3, 6))
    line = grad.theory_line(signal, slopes)
    for m in range(3):
        for layer in range(6):
            product = 1.0
            for k in range(layer, 5):
                product *= slopes[m, k]
            assert line[m, layer] == pytest.approx(signal[m, 5] * product, rel=1e-12)
    constant = grad.theory_line(signal, np.full((3, 1), 0.25))
    np.testing.assert_allclose(constant[:, 0] / constant[:, -1], 0.25**5)


def test_ratios_and_factors() -> None:
    values = np.array([[1e-6, 1e-3, 1.0], [4.0, 2.0, 1.0], [1.0, 1.0, 0.0]])
    ratio = grad.first_last_ratio(values)
    np.testing.assert_allclose(ratio[:2], [1e-6, 4.0])
    assert np.isnan(ratio[2])
    np.testing.assert_allclose(grad.per_layer_factor(ratio[:2], 3), [1e-3, 2.0])
    assert grad.per_layer_factor(np.array([5.0]), 1)[0] == 1.0
    assert [grad.format_ratio(v) for v in (0.3802, 9.23, 6.1e-13, float("nan"), 0.0)] == [
        "0.38", "9.23", "6.1e-13", "not finite", "0"]


def test_catalogue_slopes_are_the_normal_rms_expectations() -> None:
    flow = grad.init_flow(grad.Experiment(depth=2, width=4))
    slopes = dict(zip([m.key for m in flow.models], flow.normal_rms_slope, strict=True))
    z = torch.randn(2_000_000, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    for key, function in PLAIN_FUNCTIONS.items():
        if key in slopes:
            zz = z.clone().requires_grad_(True)
            (d,) = torch.autograd.grad(function(zz).sum(), zz)
            assert slopes[key] == pytest.approx(float(d.square().mean().sqrt()), abs=2e-3), key
    # ReLU: f' is 1 with probability 1/2, so E[f'^2] = 1/2 exactly
    assert slopes["sigmoid"] < 0.25 and slopes["relu"] == pytest.approx(math.sqrt(0.5))


# --- the qualitative facts: medians over seeds, depth 20, width 64 ----------------------


def _median_ratios(key: str, **changes) -> pd.Series:
    rows = [grad.init_flow(grad.Experiment(activations=(key,), depth=20, width=64, seed=s,
                                           **changes)).ratios_frame().iloc[0]
            for s in SEEDS]
    return pd.DataFrame(rows).median(numeric_only=True)


def test_sigmoid_with_xavier_vanishes_below_one_in_a_million() -> None:
    ratios = _median_ratios("sigmoid", init="xavier_uniform")
    assert ratios["signal_ratio"] < 1e-6
    assert ratios["weight_ratio"] < 1e-6
    assert ratios["signal_per_layer"] < 0.25 + 0.05  # about the sigmoid's slope cap


def test_relu_with_he_stays_within_one_order_of_magnitude() -> None:
    ratios = _median_ratios("relu", init="he")
    assert 0.1 < ratios["signal_ratio"] < 10
    assert 0.1 < ratios["weight_ratio"] < 10
    # the mean-slope contrast says (0.5·√2)^19: the RMS slope's √½ · He's √2 = 1 is right
    assert ratios["signal_ratio"] > 1e2 * ratios["mean_ratio"]
    assert ratios["signal_ratio"] == pytest.approx(ratios["rms_ratio"], rel=0.6)


def test_gelu_with_xavier_measured_and_pinned() -> None:
    """GELU under Xavier: the pre-activations shrink towards 0 where GELU's slope is 1/2,
    so the signal falls by about 2 per layer, 0.5^19 ≈ 1.9e-6 over 20 layers (measured
    median 1.4e-6) while the weight-gradient RMS ratio stays near 3: its input activations
    shrink just as fast from the other end."""
    ratios = _median_ratios("gelu", init="xavier_uniform")
    assert 5e-7 < ratios["signal_ratio"] < 4e-6
    assert ratios["signal_ratio"] == pytest.approx(0.5**19, rel=0.6)
    assert ratios["signal_ratio"] == pytest.approx(ratios["mean_ratio"], rel=0.6)
    assert 1 < ratios["weight_ratio"] < 10


def test_relu_with_xavier_follows_the_rms_slope_not_the_mean_slope() -> None:
    ratios = _median_ratios("relu", init="xavier_uniform")
    assert ratios["signal_ratio"] == pytest.approx(ratios["rms_ratio"], rel=0.6)
    assert ratios["signal_ratio"] > 100 * ratios["mean_ratio"]


def test_layer_norm_alone_does_not_rescue_sigmoid_but_batch_norm_does() -> None:
    assert _median_ratios("sigmoid", norm="layer")["signal_ratio"] < 1e-4
    assert _median_ratios("sigmoid", norm="batch")["signal_ratio"] > 1


def test_theory_line_with_weights_multiplies_the_next_layers_weight_factor() -> None:
    rng = np.random.default_rng(1)
    signal = rng.uniform(0.1, 2.0, size=(2, 5))
    slopes = rng.uniform(0.2, 1.0, size=(2, 5))
    weights = rng.uniform(0.5, 3.0, size=(2, 5))
    line = grad.theory_line(signal, slopes, weights)
    for m in range(2):
        for layer in range(5):
            product = np.prod([slopes[m, k] * weights[m, k + 1] for k in range(layer, 4)])
            assert line[m, layer] == pytest.approx(signal[m, 4] * product, rel=1e-12)


def test_sample_theory_line_is_the_share_weighted_sum_of_per_sample_products() -> None:
    rng = np.random.default_rng(2)
    signal = rng.uniform(0.1, 2.0, size=(1, 4))
    slope_sq = rng.uniform(0.1, 1.0, size=(1, 3, 4))
    weights = rng.uniform(0.5, 2.0, size=(1, 4))
    share = np.array([[0.2, 0.3, 0.5]])
    line = grad.sample_theory_line(signal, slope_sq, weights, share)
    for layer in range(4):
        total = sum(share[0, b] * np.prod([slope_sq[0, b, k] * weights[0, k + 1] ** 2
                                           for k in range(layer, 3)]) for b in range(3))
        assert line[0, layer] == pytest.approx(signal[0, 3] * math.sqrt(total), rel=1e-12)


def test_weight_factor_is_sqrt_fan_in_times_the_weights_variance() -> None:
    """Xavier on square layers: 1; He: √2; naive N(0, σ²): σ√n (within sampling error)."""
    for init, sigma, expected in (("xavier_uniform", 1.0, 1.0), ("he", 1.0, math.sqrt(2)),
                                  ("naive", 0.5, 0.5 * math.sqrt(128))):
        experiment = grad.Experiment(activations=("relu",), depth=4, width=128, init=init,
                                     init_sigma=sigma)
        factors = grad.init_flow(experiment).weight_factor[0, 1:]
        np.testing.assert_allclose(factors, expected, rtol=0.03, err_msg=init)


CASES = [(key, init) for init in ("xavier_uniform", "he")
         for key in ("sigmoid", "tanh", "relu", "gelu")]


@pytest.mark.parametrize("width", [32, 128])
def test_default_theory_line_follows_the_measured_ratio(width: int) -> None:
    """The RMS theory at depth 20, Xavier and He, for the four default activations: within a
    factor of 2 of the measured first/last ratio for wide layers (width 128, seeds 0-2), and
    within the verdict's factor of 3 at the page's own width 32 (seed 0), where the weights
    and slopes are less independent than the theory assumes (sigmoid under He: ×0.41)."""
    seeds, tolerance = ((0, 1, 2), 2.0) if width == 128 else ((0,), grad.AGREEMENT_FACTOR)
    assert grad.DEFAULT_THEORY == "rms"
    for init in ("xavier_uniform", "he"):
        for seed in seeds:
            flow = grad.init_flow(grad.Experiment(depth=20, width=width, init=init, seed=seed))
            ratios = flow.ratios_frame().set_index("key")
            gap = ratios["signal_ratio"] / ratios[f"{grad.DEFAULT_THEORY}_ratio"]
            for key in ("sigmoid", "tanh", "relu", "gelu"):
                assert 1 / tolerance <= gap[key] <= tolerance, (key, init, seed, gap[key])


def test_mean_slope_contrast_is_hundreds_of_times_off_for_relu_at_the_defaults() -> None:
    """The issue's case: ReLU, Xavier, depth 20, width 32. The mean-slope line predicts
    (1/2)^19 ≈ 1.9e-6, the RMS line (√½)^19 ≈ 1.4e-3, and the measurement follows the
    latter."""
    ratios = grad.init_flow(grad.Experiment()).ratios_frame().set_index("key").loc["relu"]
    assert ratios["rms_ratio"] == pytest.approx(math.sqrt(0.5) ** 19, rel=0.3)
    assert ratios["mean_ratio"] == pytest.approx(0.5**19, rel=0.3)
    assert 1 / 2 < ratios["signal_ratio"] / ratios["rms_ratio"] < 2
    assert ratios["signal_ratio"] / ratios["mean_ratio"] > 300


EXPECTED_CAUSE = {
    ("sigmoid", "xavier_uniform"): "the slopes shrink it",
    ("tanh", "xavier_uniform"): "keep the size within an order of magnitude",
    ("relu", "xavier_uniform"): "the slopes shrink it (×0.707 per layer: ReLU zeroes half",
    ("gelu", "xavier_uniform"): "the slopes shrink it",
    ("sigmoid", "he"): "the slopes shrink it",
    ("tanh", "he"): "cancel, so the size is kept",
    ("relu", "he"): "cancel, so the size is kept",
    ("gelu", "he"): "the slopes shrink it",
}


@pytest.mark.parametrize(("key", "init"), CASES)
def test_verdict_names_the_cause_for_each_default_case(key: str, init: str) -> None:
    experiment = grad.Experiment(init=init)
    flow = grad.init_flow(experiment)
    verdict = grad.theory_verdict(flow, grad.DEFAULT_THEORY, experiment)
    name = get(key).name
    part = verdict.split(f"**{name}**: ")[1].split(" **")[0]
    assert part.startswith("theory and measurement agree"), part
    assert EXPECTED_CAUSE[(key, init)] in part, part
    if init == "he" and key in ("sigmoid", "gelu"):
        assert "against the weights' ×1.42" in part  # He's √2 does not rescue them
    assert "weights decide" not in verdict


def test_verdict_names_what_the_theory_leaves_out() -> None:
    relu = grad.Experiment(activations=("relu",))
    mean = grad.theory_verdict(grad.init_flow(relu), "mean", relu)
    assert mean.startswith("**ReLU**: they part (measured ×")
    assert "the mean slope is the wrong factor for a length" in mean and "√½" in mean
    naive = grad.Experiment(activations=("relu", "gelu"), init="naive", init_sigma=0.5)
    verdict = grad.theory_verdict(grad.init_flow(naive), "rms", naive)
    assert verdict.count("the weights grow it (×2.8") == 2  # σ√n = 0.5·√32 ≈ 2.83
    batch = grad.Experiment(activations=("sigmoid",), norm="batch")
    assert "the normalisation rescales" in grad.theory_verdict(grad.init_flow(batch), "rms",
                                                                batch)
    skip = grad.Experiment(activations=("sigmoid",), residual=True)
    assert "skip paths" in grad.theory_verdict(grad.init_flow(skip), "rms", skip)
    assert grad.theory_verdict(grad.init_flow(relu), "none", relu) == ""


def test_old_theory_links_still_have_a_line() -> None:
    """``theory=mean`` and ``theory=normal`` were valid URL values: they still are."""
    assert {"mean", "normal", "rms", "none"} <= set(grad.THEORY_LABELS)
    assert next(iter(grad.THEORY_LABELS)) == grad.DEFAULT_THEORY
    flow = grad.init_flow(grad.Experiment(depth=3, width=8))
    for kind in ("mean", "normal", "rms"):
        assert np.isfinite(flow.theory(kind)).all()


def test_overflow_is_reported_not_drawn() -> None:
    flow = grad.init_flow(grad.Experiment(activations=("relu", "tanh"), depth=50, width=128,
                                          init="naive", init_sigma=10.0))
    # float64 holds even this (80x per layer for ReLU): the page still draws it ...
    assert grad.overflow_messages(flow) == []
    assert flow.signal_norm[0, 0] > 1e50
    # ... and a gradient beyond float64 is named, not drawn
    signal = flow.signal_norm.copy()
    signal[0, :3] = np.inf
    broken = replace(flow, signal_norm=signal)
    messages = grad.overflow_messages(broken)
    assert len(messages) == 1 and messages[0].startswith(
        "ReLU: the gradient overflowed already at initialisation (from layer 3")
    chart = charts.flow_chart(broken.frame(), ["relu", "tanh"], "signal_norm", "t").to_dict()
    rows = [r for data in chart["datasets"].values() for r in data]
    assert len(rows) == 2 * 50 - 3
    assert all(math.isfinite(r["signal_norm"]) and r["signal_norm"] > 0 for r in rows)


# --- training: plateau and dark band, remedies, divergence ------------------------------


def _train(experiment: grad.Experiment):
    snapshots = run_to_end(experiment.train_config())
    history = grad.gradient_history_frame(snapshots)
    ratios = [grad.first_last_ratio(part["weight_grad_rms"].to_numpy()[None])[0]
              for _, part in history.groupby("step")]
    return snapshots, np.array(ratios)


def test_sigmoid_at_depth_20_plateaus_with_a_dark_band_and_the_remedies_lift_both() -> None:
    snapshots, ratios = _train(grad.Experiment(activations=("sigmoid",)))
    losses = np.array([s.train_loss[0] for s in snapshots])
    assert abs(losses[-1] - math.log(2)) < 0.01  # the chance level: nothing learned
    assert ratios.max() < 1e-5  # the first layer gets almost nothing, at every snapshot
    for remedy in (grad.Experiment(activations=("relu",), init="he"),
                   grad.Experiment(activations=("sigmoid",), residual=True),
                   grad.Experiment(activations=("sigmoid",), norm="batch")):
        snapshots, ratios = _train(remedy)
        assert snapshots[-1].train_loss[0] < 0.45, remedy
        assert ratios[-1] > 0.1, remedy


def _snapshots_before_divergence(snapshots) -> dict[str, int]:
    """Per model, how many snapshots (points of the loss chart, heatmap columns) show it
    before it diverged; -1 for a model that never diverged."""
    last = snapshots[-1]
    return {m.key: (-1 if d < 0 else sum(s.step < d for s in snapshots))
            for m, d in zip(last.info.models, last.diverged_step, strict=True)}


def test_exploding_scenarios_diverge_over_several_snapshots_and_remedies_keep_them_finite() -> None:
    """The point of an exploding scenario is a loss seen jumping before it is NaN: with the
    former σ = 0.5 (and learning rate 2) ReLU and GELU diverged at step 2, one dot."""
    for key in ("exploding_init", "exploding_lr"):
        exploding = grad.scenario(key).experiment()
        snapshots = run_to_end(exploding.train_config())
        shown = _snapshots_before_divergence(snapshots)
        assert shown["tanh"] == -1, key  # bounded: it jumps but stays finite
        assert shown["relu"] >= 3 and shown["gelu"] >= 3, (key, shown)
        assert [d.label for d in snapshots[-1].divergences()] == [
            "ReLU · seed 0", "GELU · seed 0"], key
        advice = grad.divergence_advice(exploding)
        assert "gradient clipping" in advice and "layer norm" in advice
    flow = grad.init_flow(grad.scenario("exploding_init").experiment())
    assert flow.ratios_frame().set_index("key").loc["relu", "signal_ratio"] > 10  # grows
    for key in ("clipping", "layer_norm", "lower_lr"):
        remedy = grad.scenario(key).experiment()
        assert run_to_end(remedy.train_config())[-1].divergences() == [], key


def test_every_training_scenario_opens_the_training_tab() -> None:
    training = {s.key for s in grad.SCENARIOS if s.shows_on == "training"}
    assert training == {"exploding_init", "clipping", "layer_norm", "exploding_lr", "lower_lr"}


def test_heatmap_rms_at_step_0_equals_the_measurement_at_init() -> None:
    experiment = grad.Experiment(activations=("tanh", "relu"), depth=5, width=16, steps=50)
    snapshots = run_to_end(experiment.train_config())
    history = grad.gradient_history_frame(snapshots)
    first = history.loc[history["step"] == 0]
    flow = grad.init_flow(experiment)
    np.testing.assert_allclose(first["weight_grad_rms"].to_numpy(),
                               flow.weight_grad_rms.reshape(-1), rtol=1e-4)
    assert sorted(history["step"].unique()) == [0, *range(2, 51, 2)]
    np.testing.assert_allclose(history["log10_rms"], np.log10(history["weight_grad_rms"]))
    lines = grad.training_summary(snapshots)
    assert lines[0].startswith("**Tanh**: loss ") and "after 50 steps" in lines[0]


def test_statistics_frame_holds_init_and_trained_values() -> None:
    experiment = grad.Experiment(activations=("sigmoid",), depth=3, width=8, steps=50)
    snapshots = run_to_end(experiment.train_config())
    flow = grad.init_flow(experiment)
    frame = grad.statistics_frame(flow.stats, snapshots[-1])
    assert set(frame["stage"]) == {"at init", "after 50 steps"}
    init_std = frame.query("stage == 'at init' and measure == 'std'")["value"].to_numpy()
    np.testing.assert_allclose(init_std, flow.stats.post_std[0])
    trained = frame.query("stage == 'after 50 steps' and measure == 'saturated'")["value"]
    np.testing.assert_allclose(trained.to_numpy(), snapshots[-1].saturation_share[0])
    assert len(grad.statistics_frame(flow.stats, None)) == 3 * 3


# --- the experiment, its settings and the scenarios -------------------------------------


def test_settings_round_trip_and_match_the_training_config() -> None:
    for item in grad.SCENARIOS:
        experiment = item.experiment()
        values = grad.experiment_settings(experiment)
        assert grad.experiment_from_settings(values) == experiment, item.key
        config = experiment.train_config()  # every scenario is within the caps
        assert config.net_config() == experiment.net_config()
    assert grad.scenario("clipping").experiment().clip_norm == 1.0
    with pytest.raises(KeyError, match="known: vanishing"):
        grad.scenario("nope")


def test_over_the_caps_raises_the_engine_error() -> None:
    too_long = grad.Experiment(activations=("sigmoid", "tanh", "relu", "gelu", "elu"),
                               depth=50, width=128, steps=1000)
    with pytest.raises(CapExceededError, match="estimated run time"):
        too_long.train_config()
    with pytest.raises(ValueError, match="at least one activation"):
        grad.Experiment(activations=())


def test_snapshot_interval_is_round() -> None:
    assert [grad.Experiment(steps=s).snapshot_every for s in (50, 300, 350, 1000)] == [
        2, 10, 15, 40]


def test_chance_loss() -> None:
    assert grad.chance_loss("binary", 2) == pytest.approx(math.log(2))
    assert grad.chance_loss("multiclass", 10) == pytest.approx(math.log(10))
    assert grad.chance_loss("regression", 0) is None


def test_charts_build_with_data_and_preview() -> None:
    flow = grad.init_flow(grad.Experiment(depth=3, width=8))
    keys = list(grad.DEFAULT_ACTIVATIONS)
    spec = charts.flow_chart(flow.frame("rms"), keys, "signal_norm", "t", theory=True).to_dict()
    assert any(layer.get("mark", {}).get("strokeDash") for layer in spec["layer"])
    stats = grad.statistics_frame(flow.stats, None)
    assert charts.stats_chart(stats, keys, "std", "Std").to_dict()["data"]
    assert charts.pre_activation_chart(flow.stats_frame(), keys).to_dict()
    assert charts._round_ticks(list(range(0, 301, 10)), 3) == [0, 100, 200, 300]
