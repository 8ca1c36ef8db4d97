"""The probes against independent plain-torch computations and brute-force counts."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from actlib.activations import BAKE_OFF_KEYS
from actlib.nets import BatchedMLP, ensemble, reference_loss, reference_model
from actlib.probes import (
    DEAD_UNIT_DEFINITION,
    NEARLY_DEAD_FRACTION,
    SATURATION_DEFINITION,
    activation_stats,
    gradient_flow,
    measure_layers,
    unit_census,
)
from actlib.runtime import configure_torch
from actlib.training import TrainConfig, prepare

configure_torch()  # one thread, as the app runs (actlib.runtime); idempotent


MIXED = ["relu", "leaky_relu", "prelu", "elu", "sigmoid", "tanh", "gelu", "step", "softplus",
         "softmax"]


def _setup(**overrides):
    settings = {"dataset": "moons", "n_samples": 300, "depth": 3, "width": 8, "init": "he",
                "dtype": "float64", "models": ensemble(MIXED, (0, 1)), "steps": 1}
    settings.update(overrides)
    config = TrainConfig(**settings)
    data, model = prepare(config)
    return config, data, model


class _Recorder:
    """Forward hooks on a plain model: every hidden nn.Linear's output (gradient retained)
    and every activation module's input and output."""

    def __init__(self, model: nn.Sequential, retain: bool = False) -> None:
        self.linear_out: list[torch.Tensor] = []
        self.act_in: list[torch.Tensor] = []
        self.act_out: list[torch.Tensor] = []
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)][:-1]
        self.linears = linears
        for linear in linears:
            linear.register_forward_hook(self._on_linear if retain else self._keep_linear)
        for block in model[:-1]:
            body = block.body if hasattr(block, "body") else block
            body[-1].register_forward_hook(self._on_activation)

    def _on_linear(self, module, inputs, output) -> None:
        output.retain_grad()
        self.linear_out.append(output)

    def _keep_linear(self, module, inputs, output) -> None:
        self.linear_out.append(output)

    def _on_activation(self, module, inputs, output) -> None:
        self.act_in.append(inputs[0].detach())
        self.act_out.append(output.detach())


# --- gradient flow ----------------------------------------------------------------------


@pytest.mark.parametrize(("norm", "residual"), [("none", False), ("batch", False),
                                                ("layer", True), ("none", True)])
def test_gradient_flow_matches_separate_linear_layers_with_retained_gradients(norm, residual):
    config, data, model = _setup(norm=norm, residual=residual)
    x, y = data.x_train[:64], data.y_train[:64]
    flow = gradient_flow(model, x, y, "binary")
    for i in range(config.n_models):
        plain = reference_model(config.net_config(), i).train()
        recorder = _Recorder(plain, retain=True)
        reference_loss(plain(x), y, "binary").backward()
        signal = [float(z.grad.norm()) for z in recorder.linear_out]
        rms = [float(lin.weight.grad.norm()) / math.sqrt(lin.weight.numel())
               for lin in recorder.linears]
        label = config.models[i].label
        np.testing.assert_allclose(flow.signal_norm[i], signal, rtol=1e-9, atol=1e-300,
                                   err_msg=label)
        np.testing.assert_allclose(flow.weight_grad_rms[i], rms, rtol=1e-9, atol=1e-300,
                                   err_msg=label)


def test_gradient_flow_leaves_the_model_untouched() -> None:
    _, data, model = _setup(norm="batch")
    before = model.running_mean_0.clone()
    gradient_flow(model, data.x_train[:64], data.y_train[:64], "binary")
    assert torch.equal(model.running_mean_0, before)
    assert all(p.grad is None for p in model.parameters())


def _signal_ratios(key: str, init: str) -> float:
    """Median over three seeds of first/last layer backpropagated signal, depth 20, width 64."""
    _, data, model = _setup(models=ensemble([key], (0, 1, 2)), depth=20, width=64, init=init,
                            n_samples=400, dtype="float32")
    flow = gradient_flow(model, data.x_train[:256], data.y_train[:256], "binary")
    return float(np.median(flow.signal_ratio()))


def test_sigmoid_with_xavier_init_vanishes_over_twenty_layers() -> None:
    assert _signal_ratios("sigmoid", "xavier_uniform") < 1e-6


def test_relu_with_he_init_keeps_the_signal_within_an_order_of_magnitude() -> None:
    assert 0.1 < _signal_ratios("relu", "he") < 10


def test_he_init_keeps_relu_signal_far_better_than_pytorch_default() -> None:
    assert _signal_ratios("relu", "he") > 1e4 * _signal_ratios("relu", "default")


def test_gradient_flow_frame_is_tidy() -> None:
    config, data, model = _setup()
    frame = gradient_flow(model, data.x_train[:32], data.y_train[:32], "binary").frame()
    assert len(frame) == config.n_models * config.depth
    assert {"model", "activation", "key", "seed", "layer", "signal_norm",
            "weight_grad_rms"} <= set(frame.columns)
    assert frame["layer"].min() == 1 and frame["layer"].max() == config.depth


# --- dead units -------------------------------------------------------------------------


def _brute_force_census(config, x) -> tuple[np.ndarray, np.ndarray]:
    """Dead and nearly-dead flags ``[M, L, W]`` by looping over every unit and sample."""
    m, depth, width = config.n_models, config.depth, config.width
    dead = np.zeros((m, depth, width), dtype=bool)
    nearly = np.zeros((m, depth, width), dtype=bool)
    for i, member in enumerate(config.models):
        plain = reference_model(config.net_config(), i).eval()
        recorder = _Recorder(plain)
        with torch.no_grad():
            plain(x)
        spec = member.spec
        for layer in range(depth):
            a, f = recorder.act_in[layer], recorder.act_out[layer]
            if spec.kind == "vector":  # softmax: the diagonal of the Jacobian
                d = torch.diagonal(spec.grad(a, member.param_dict), dim1=-2, dim2=-1)
            else:
                d = spec.grad(a, member.param_dict)
            for unit in range(width):
                outputs = [float(f[s, unit]) for s in range(len(x))]
                slopes = [float(d[s, unit]) for s in range(len(x))]
                fires = sum(o != 0 and g != 0 for o, g in zip(outputs, slopes, strict=True))
                dead[i, layer, unit] = all(o == 0 for o in outputs) or all(g == 0 for g in slopes)
                nearly[i, layer, unit] = (not dead[i, layer, unit]
                                          and fires < NEARLY_DEAD_FRACTION * len(x))
    return dead, nearly


def test_dead_unit_census_matches_a_brute_force_count() -> None:
    config, data, model = _setup(bias_init=-0.3)
    x = data.x_train
    census = unit_census(model, x)
    dead, nearly = _brute_force_census(config, x)
    assert np.array_equal(census.dead, dead)
    assert np.array_equal((census.fire_rate < NEARLY_DEAD_FRACTION) & ~census.dead, nearly)
    np.testing.assert_allclose(census.dead_share, dead.mean(axis=2))
    np.testing.assert_allclose(census.nearly_dead_share, nearly.mean(axis=2))
    # the case is informative: dead, nearly dead and living units all occur
    relu = [i for i, m in enumerate(config.models) if m.key == "relu"]
    assert dead[relu].any() and nearly.any() and not dead[relu].all()
    step = [i for i, m in enumerate(config.models) if m.key == "step"]
    assert dead[step].all()  # the step function never passes a gradient
    smooth = [i for i, m in enumerate(config.models) if m.key in ("gelu", "softplus", "tanh")]
    assert not dead[smooth].any()


def test_a_negative_bias_kills_relus() -> None:
    _, data, model = _setup(models=ensemble(["relu"], (0, 1, 2)), init="he", bias_init=-2.0)
    _, _, healthy = _setup(models=ensemble(["relu"], (0, 1, 2)), init="he")
    assert unit_census(model, data.x_train).dead_share.mean() > 0.8
    assert unit_census(healthy, data.x_train).dead_share.mean() < 0.2


# --- activation statistics --------------------------------------------------------------


def test_activation_stats_match_the_plain_network() -> None:
    config, data, model = _setup(norm="layer")
    x = data.x_train[:100]
    stats = activation_stats(model, x, threshold=0.05)
    for i in range(config.n_models):
        plain = reference_model(config.net_config(), i).train()
        recorder = _Recorder(plain)
        with torch.no_grad():
            plain(x)
        member = config.models[i]
        for layer in range(config.depth):
            a, f = recorder.act_in[layer], recorder.act_out[layer]
            assert stats.pre_mean[i, layer] == pytest.approx(float(a.mean()), abs=1e-12)
            assert stats.pre_std[i, layer] == pytest.approx(float(a.std()), rel=1e-9)
            assert stats.post_mean[i, layer] == pytest.approx(float(f.mean()), abs=1e-12)
            assert stats.post_std[i, layer] == pytest.approx(float(f.std()), rel=1e-9, abs=1e-15)
            grad = member.spec.grad(a, member.param_dict)
            if member.spec.kind == "vector":
                grad = torch.diagonal(grad, dim1=-2, dim2=-1)
            saturated = float((grad.abs() < 0.05).double().mean())
            assert stats.saturation_share[i, layer] == pytest.approx(saturated)


def test_saturation_grows_with_a_large_naive_init_for_tanh() -> None:
    _, data, small = _setup(models=ensemble(["tanh"], (0,)), init="naive", width=64,
                            init_sigma=0.1)
    _, _, large = _setup(models=ensemble(["tanh"], (0,)), init="naive", width=64,
                         init_sigma=3.0)
    assert activation_stats(small, data.x_train).saturation_share.max() < 0.01
    assert activation_stats(large, data.x_train).saturation_share[0, 1:].min() > 0.9


def test_training_measurements_agree_with_the_probes() -> None:
    config, data, model = _setup(norm="batch")
    model.eval()
    x, y = data.x_train[:128], data.y_train[:128]
    measured = measure_layers(model, x, y, "binary", threshold=0.05, batch_stats=False)
    census = unit_census(model, x, batch_stats=False)
    stats = activation_stats(model, x, threshold=0.05, batch_stats=False)
    np.testing.assert_array_equal(measured.dead_share, census.dead_share)
    np.testing.assert_allclose(measured.saturation_share, stats.saturation_share)
    np.testing.assert_allclose(measured.activation_mean, stats.post_mean)
    np.testing.assert_allclose(measured.activation_std, stats.post_std)
    assert measured.weight_grad_norm.shape == (config.n_models, config.depth + 1)
    assert all(p.grad is None for p in model.parameters())


# --- definitions --------------------------------------------------------------------------


def test_definitions_are_stated_for_the_ui() -> None:
    assert "probe batch" in DEAD_UNIT_DEFINITION and "zero" in DEAD_UNIT_DEFINITION
    assert "1%" in DEAD_UNIT_DEFINITION
    assert "|f'(z)|" in SATURATION_DEFINITION


def test_probes_measure_all_nine_default_activations_at_once() -> None:
    _, data, model = _setup(models=ensemble(BAKE_OFF_KEYS, (0,)), depth=5, width=16)
    assert isinstance(model, BatchedMLP)
    flow = gradient_flow(model, data.x_train[:64], data.y_train[:64], "binary")
    assert flow.signal_norm.shape == (9, 5) and np.isfinite(flow.signal_norm).all()
    assert (flow.signal_norm > 0).all()
