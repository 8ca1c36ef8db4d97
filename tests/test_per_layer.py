"""A different activation in each hidden layer (issue #17): the batched engine against a
network built layer by layer from plain ``torch.nn`` modules written out here (not the
engine's own ``reference_model``), in float64 to 1e-9: forward, loss, gradients and
training steps; a stack trained in an ensemble equals it trained alone; the per-layer
measures use each layer's own f and f'."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from actlib.activations import (
    ELEMENTWISE_KEYS,
    color_scale,
    custom_key,
    display_name,
    entry_color,
    get,
    is_stack_key,
)
from actlib.inputs_on_curve import inputs_on_curve
from actlib.nets import (
    BatchedMLP,
    ModelSpec,
    NetConfig,
    ensemble,
    fit_note,
    fit_stack,
    recommended_inits,
    stacked,
    task_loss,
)
from actlib.probes import SATURATION_THRESHOLD
from actlib.runtime import configure_torch
from actlib.training import RunState, TrainConfig, estimate_cost, run_to_end

configure_torch()

F64 = torch.float64
FORMULA = "x * sigmoid(1.702 * x)"
MIXED = stacked([("prelu", {"slope": 0.15}), ("elu", {"alpha": 0.5}), custom_key(FORMULA),
                 "tanh"], seed=3)
"""PReLU (learned slope), ELU with a non-default alpha, a typed formula, tanh."""


class Formula(nn.Module):
    """The typed formula x·σ(1.702x), written in torch by hand."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


def _prelu(slope: float) -> nn.PReLU:
    module = nn.PReLU(init=slope).to(F64)
    with torch.no_grad():
        module.weight.fill_(slope)
    return module


def _twin(batched: BatchedMLP, index: int, activations: list[nn.Module]) -> nn.Sequential:
    """Model ``index`` as nn.Linear -> activation per layer, weights copied from the
    engine's initial ones (the init draws are tested on their own below)."""
    dims = batched.config.dims
    blocks: list[nn.Module] = []
    for i, activation in enumerate(activations):
        blocks += [nn.Linear(dims[i], dims[i + 1], dtype=F64), activation]
    blocks.append(nn.Linear(dims[-2], dims[-1], dtype=F64))
    twin = nn.Sequential(*blocks)
    linears = [m for m in twin if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for linear, (w, b) in zip(linears, batched.layer_parameters(index), strict=True):
            linear.weight.copy_(w)
            linear.bias.copy_(b)
    return twin


def _mixed_twin_modules() -> list[nn.Module]:
    return [_prelu(0.15), nn.ELU(alpha=0.5), Formula(), nn.Tanh()]


def _net(models, depth=4, width=5) -> NetConfig:
    return NetConfig(3, 2, tuple(models), "float64", depth=depth, width=width)


def _xy(rows: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(7)
    return torch.randn(rows, 3, generator=g, dtype=F64), torch.arange(rows) % 2


# --- members ---------------------------------------------------------------------------


def test_a_stack_is_a_member_and_a_uniform_stack_is_the_plain_member() -> None:
    assert ModelSpec("relu→relu→relu") == ModelSpec("relu")
    assert stacked(["tanh", "tanh"], seed=2) == ModelSpec("tanh", seed=2)
    member = ModelSpec("relu→tanh→gelu")
    assert member.is_stack and member.key == "relu→tanh→gelu" and is_stack_key(member.key)
    assert member.activation_label == "ReLU → Tanh → GELU" == display_name(member.key)
    assert [member.layer_activation(i)[0] for i in range(3)] == ["relu", "tanh", "gelu"]
    assert MIXED.layer_params(1) == {"alpha": 0.5}
    assert MIXED.activation_label.startswith("PReLU (slope=0.15) → ELU (alpha=0.5) → ")
    with pytest.raises(ValueError, match="one activation per layer"):
        _ = member.spec
    with pytest.raises(ValueError, match="gated"):
        ModelSpec("relu→swiglu")
    with pytest.raises(ValueError, match="is a stack"):
        ModelSpec("relu→leaky_relu", {"slope": 0.1})
    with pytest.raises(ValueError, match="names 3 activations for 2 hidden layers"):
        _net([member], depth=2)
    # its own colour, never an activation's; two stacks in one chart never share one
    catalogue = {get(k).color for k in ELEMENTWISE_KEYS}
    assert entry_color(member.key) not in catalogue
    stacks = [f"relu→{k}" for k in ELEMENTWISE_KEYS if k != "relu"][:6]
    names, colors = color_scale(["relu", *stacks])
    assert names[1] == "ReLU → Identity (linear)" and len(set(colors)) == 7


def test_fitting_a_stack_to_the_depth_extends_with_the_last_or_cuts() -> None:
    assert fit_stack(("relu", "tanh"), 4) == ("relu", "tanh", "tanh", "tanh")
    assert fit_stack(("relu", "tanh", "gelu"), 2) == ("relu", "tanh")
    assert fit_stack(("relu",), 3) == ("relu", "relu", "relu")
    assert fit_note(["ReLU", "Tanh"], 2) is None and fit_note(["ReLU"], 5) is None
    assert fit_note(["ReLU", "Tanh"], 3) == ("The stack names 2 activations for 3 hidden "
                                            "layers: layer 3 repeats the last, Tanh.")
    assert "GELU is left out" in fit_note(["ReLU", "Tanh", "GELU"], 2)


# --- equivalence with plain torch.nn, layer by layer ------------------------------------


def test_forward_loss_and_gradients_equal_a_plain_layer_by_layer_network() -> None:
    # the stack sits between plain members and another stack, so every layer splits
    # into several groups, each with its own activation
    models = (ModelSpec("relu", seed=1), MIXED, ModelSpec("gelu→relu→tanh→sigmoid", seed=0),
              ModelSpec("prelu", {"slope": 0.4}, 2))
    config = _net(models)
    batched = BatchedMLP(config)
    x, y = _xy()
    losses = task_loss(batched(x), y, "multiclass")
    losses.sum().backward()
    twins = {
        0: [nn.ReLU() for _ in range(4)],
        1: _mixed_twin_modules(),
        2: [nn.GELU(), nn.ReLU(), nn.Tanh(), nn.Sigmoid()],
        3: [_prelu(0.4) for _ in range(4)],
    }
    for index, modules in twins.items():
        twin = _twin(batched, index, modules)
        loss = F.cross_entropy(twin(x), y)
        loss.backward()
        assert abs(float(losses[index].detach()) - float(loss.detach())) < 1e-9
        linears = [m for m in twin if isinstance(m, nn.Linear)]
        for layer, linear in enumerate(linears):
            torch.testing.assert_close(batched.weights[layer].grad[index], linear.weight.grad.T,
                                       atol=1e-9, rtol=0)
            torch.testing.assert_close(batched.biases[layer].grad[index, 0], linear.bias.grad,
                                       atol=1e-9, rtol=0)
        prelus = [m for m in twin if isinstance(m, nn.PReLU)]
        learned = [i for i in range(4) if models[index].layer_spec(i).learnable]
        assert len(prelus) == len(learned)
        for layer, prelu in zip(learned, prelus, strict=True):
            mine, theirs = batched.prelu_slope.grad[index, layer], prelu.weight.grad[0]
            assert abs(float(mine) - float(theirs)) < 1e-9
    # slopes exist only where a layer is PReLU
    slopes = batched.prelu_slopes()
    assert not math.isnan(slopes[1, 0]) and torch.isnan(slopes[1, 1:]).all()
    assert torch.isnan(slopes[0]).all() and not torch.isnan(slopes[3]).any()


def test_training_steps_equal_plain_torch_adam_on_the_twin() -> None:
    config = TrainConfig(dataset="moons", n_samples=120, noise=0.2, depth=4, width=5,
                         models=(ModelSpec("relu", seed=0), MIXED), optimizer="adam", lr=0.02,
                         batch_size=None, steps=12, snapshot_every=12, dtype="float64")
    run = RunState(config)
    twin = _twin(run.model, 1, _mixed_twin_modules())
    optimizer = torch.optim.Adam(twin.parameters(), lr=0.02)
    x, y = run.data.x_train, run.data.y_train
    for _ in range(12):
        loss = F.binary_cross_entropy_with_logits(twin(x)[:, 0], y.to(F64))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    run.advance(12)
    run.model.eval()
    with torch.no_grad():
        mine = run.model(x)[1]
        theirs = twin(x)
    torch.testing.assert_close(mine, theirs, atol=1e-9, rtol=0)
    prelu = next(m for m in twin if isinstance(m, nn.PReLU))
    assert abs(float(run.model.prelu_slope[1, 0].detach()) - float(prelu.weight.detach())) < 1e-9
    assert float(run.model.prelu_slope[1, 0].detach()) != 0.15  # it learned


def test_a_stack_trained_in_an_ensemble_equals_it_trained_alone() -> None:
    common = {"dataset": "circles", "n_samples": 200, "depth": 4, "width": 6, "steps": 40,
              "snapshot_every": 20, "batch_size": 32, "dtype": "float64", "lr": 0.01}
    crowd = TrainConfig(models=(*ensemble(["relu", "tanh"], (0, 3)), MIXED,
                                ModelSpec("tanh→relu→relu→gelu", seed=3)), **common)
    alone = TrainConfig(models=(MIXED,), **common)
    last_crowd, last_alone = run_to_end(crowd)[-1], run_to_end(alone)[-1]
    index = crowd.models.index(MIXED)
    for name in ("train_loss", "test_loss", "saturation_share", "dead_share",
                 "weight_grad_norm", "prelu_slope"):
        np.testing.assert_allclose(getattr(last_crowd, name)[index], getattr(last_alone, name)[0],
                                   rtol=1e-10, atol=1e-12, err_msg=name)
    assert estimate_cost(crowd).total > estimate_cost(replace(crowd, models=crowd.models[:4])).total


# --- each layer's own f and f' ---------------------------------------------------------


def test_per_layer_measures_use_each_layers_own_derivative() -> None:
    config = TrainConfig(dataset="moons", n_samples=200, depth=3, width=8, steps=1,
                         snapshot_every=1, models=(ModelSpec("relu→tanh→sigmoid"),),
                         dtype="float64", probe_size=64, bias_init=-1.0)  # dead ReLUs
    run = RunState(config)
    snapshot = run.snapshot()
    trace_a = []
    run.model.eval()
    with torch.no_grad():
        h = run.probe_x
        for layer, fn in enumerate((torch.relu, torch.tanh, torch.sigmoid)):
            w, b = run.model.weights[layer][0], run.model.biases[layer][0]
            a = h @ w + b
            trace_a.append(a)
            h = fn(a)
    slopes = [(trace_a[0] > 0).to(F64), 1 - torch.tanh(trace_a[1]) ** 2,
              torch.sigmoid(trace_a[2]) * (1 - torch.sigmoid(trace_a[2]))]
    for layer, slope in enumerate(slopes):
        expected = float((slope.abs() < SATURATION_THRESHOLD).to(F64).mean())
        assert snapshot.saturation_share[0, layer] == pytest.approx(expected, abs=1e-12)
        measured = inputs_on_curve(run, 0, layer + 1)
        assert measured.key == config.models[0].layer_activation(layer)[0]
        assert measured.flat_share == pytest.approx(expected, abs=1e-12)
    # ReLU's layer has units silent on every sample; tanh's and sigmoid's never do (with
    # ReLU's f' in their place they would: their inputs sit below 0 as well)
    silent = float((trace_a[0] <= 0).all(dim=0).to(F64).mean())
    assert 0 < silent == pytest.approx(snapshot.dead_share[0, 0], abs=1e-12)
    assert (trace_a[1] <= 0).all(dim=0).any(), "some tanh units get only negative inputs"
    assert snapshot.dead_share[0, 1] == 0 and snapshot.dead_share[0, 2] == 0


def test_recommended_init_per_layer_draws_each_layers_scheme() -> None:
    member = ModelSpec("relu→tanh")
    init, layer_inits = recommended_inits(member, 2)
    assert layer_inits == (get("relu").recommended_init, get("tanh").recommended_init,
                           get("tanh").recommended_init)
    assert recommended_inits(ModelSpec("gelu→relu"), 2)[1] == ()  # both He: one scheme
    config = NetConfig(2, 1, (member,), "float64", depth=2, width=64, init=init,
                       layer_inits=layer_inits)
    batched = BatchedMLP(config)
    g = torch.Generator().manual_seed(0)
    expected = []
    for fan_in, fan_out, scheme in ((2, 64, "he"), (64, 64, "xavier_uniform"),
                                    (64, 1, "xavier_uniform")):
        w = torch.empty(fan_out, fan_in, dtype=F64)
        if scheme == "he":
            nn.init.kaiming_normal_(w, nonlinearity="relu", generator=g)
        else:
            nn.init.xavier_uniform_(w, generator=g)
        expected.append(w)
    assert layer_inits[:2] == ("he", "xavier_uniform")
    for (w, b), want in zip(batched.layer_parameters(0), expected, strict=True):
        assert torch.equal(w, want) and torch.equal(b, torch.zeros_like(b))
    with pytest.raises(ValueError, match="layer_inits needs 3"):
        NetConfig(2, 1, (member,), depth=2, layer_inits=("he", "he"))
