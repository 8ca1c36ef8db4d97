"""The batched MLP against the same networks built one at a time from plain torch.nn."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from actlib.activations import ELEMENTWISE_KEYS
from actlib.nets import (
    BatchedMLP,
    ModelSpec,
    NetConfig,
    ensemble,
    reference_loss,
    reference_model,
    task_accuracy,
    task_loss,
)
from actlib.runtime import configure_torch

configure_torch()  # one thread, as the app runs (actlib.runtime); idempotent

F64 = torch.float64
ALL_HIDDEN_KEYS = (*ELEMENTWISE_KEYS, "softmax")
ARCHITECTURES = [(norm, residual) for norm in ("none", "batch", "layer")
                 for residual in (False, True)]


def _linears(model: nn.Module) -> list[nn.Linear]:
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def _config(**overrides) -> NetConfig:
    settings = {"in_dim": 3, "out_dim": 2, "models": ensemble(ALL_HIDDEN_KEYS, (0, 1)),
                "depth": 3, "width": 6, "dtype": "float64"}
    settings.update(overrides)
    return NetConfig(**settings)


def _inputs(rows: int = 12, dim: int = 3, seed: int = 0) -> torch.Tensor:
    return torch.randn(rows, dim, generator=torch.Generator().manual_seed(seed), dtype=F64)


# --- members ---------------------------------------------------------------------------


def test_model_spec_resolves_params_so_equal_networks_are_equal() -> None:
    implicit = ModelSpec("leaky_relu", seed=2)
    explicit = ModelSpec("leaky_relu", {"slope": 0.01}, seed=2)
    assert implicit == explicit and hash(implicit) == hash(explicit)
    assert implicit.params == (("slope", 0.01),)
    assert ModelSpec("leaky_relu", {"slope": 0.2}).activation_label == "Leaky ReLU (slope=0.2)"
    assert ModelSpec("relu", seed=3).label == "ReLU · seed 3"


@pytest.mark.parametrize("key", ["glu", "swiglu", "geglu"])
def test_gated_activations_are_refused_with_the_reason(key: str) -> None:
    with pytest.raises(ValueError, match="halves the width"):
        ModelSpec(key)


def test_bad_params_and_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="no parameter"):
        ModelSpec("relu", {"slope": 0.1})
    with pytest.raises(ValueError, match="between"):
        ModelSpec("elu", {"alpha": 100.0})
    with pytest.raises(KeyError, match="unknown activation"):
        ModelSpec("swoosh")


def test_ensemble_is_activation_major() -> None:
    members = ensemble(["relu", ("elu", {"alpha": 0.5})], seeds=(0, 7))
    assert [(m.key, m.seed) for m in members] == [("relu", 0), ("relu", 7), ("elu", 0), ("elu", 7)]
    assert members[2].param_dict == {"alpha": 0.5}


def test_architecture_limits_are_enforced() -> None:
    with pytest.raises(ValueError, match="depth"):
        _config(depth=51)
    with pytest.raises(ValueError, match="width"):
        _config(width=1)
    with pytest.raises(ValueError, match="width"):
        _config(width=257)
    with pytest.raises(ValueError, match="unknown init"):
        _config(init="magic")
    _config(depth=50, width=256, models=(ModelSpec("relu"),))


# --- initialisation ------------------------------------------------------------------------


def test_default_init_is_exactly_nn_linear_under_the_same_seed() -> None:
    config = _config(models=(ModelSpec("relu", seed=11),), dtype="float32")
    with torch.random.fork_rng():
        torch.manual_seed(11)
        plain = [nn.Linear(3, 6), nn.Linear(6, 6), nn.Linear(6, 6), nn.Linear(6, 2)]
    batched = BatchedMLP(config).layer_parameters(0)
    for linear, (weight, bias) in zip(plain, batched, strict=True):
        assert torch.equal(linear.weight.detach(), weight)
        assert torch.equal(linear.bias.detach(), bias)


def _first_hidden_weights(init: str, width: int = 256, **kw) -> tuple[torch.Tensor, torch.Tensor]:
    config = NetConfig(width, 1, (ModelSpec("relu", seed=5),), depth=2, width=width, init=init,
                       dtype="float64", **kw)
    weight, bias = BatchedMLP(config).layer_parameters(0)[1]  # a width x width layer
    return weight, bias


@pytest.mark.parametrize(
    ("init", "expected_std"),
    [
        ("xavier_uniform", math.sqrt(2 / 512)),
        ("xavier_normal", math.sqrt(2 / 512)),
        ("he", math.sqrt(2 / 256)),
        ("lecun", math.sqrt(1 / 256)),
        ("orthogonal", math.sqrt(1 / 256)),
    ],
)
def test_named_schemes_have_their_textbook_spread(init: str, expected_std: float) -> None:
    weight, bias = _first_hidden_weights(init)
    assert abs(weight.std().item() / expected_std - 1) < 0.02
    assert torch.equal(bias, torch.zeros_like(bias))


def test_xavier_uniform_respects_its_bound_and_orthogonal_is_orthogonal() -> None:
    weight, _ = _first_hidden_weights("xavier_uniform")
    bound = math.sqrt(6 / 512)
    assert weight.abs().max() <= bound and weight.abs().max() > 0.99 * bound
    weight, _ = _first_hidden_weights("orthogonal")
    torch.testing.assert_close(weight @ weight.T, torch.eye(256, dtype=F64), atol=1e-10, rtol=0)


def test_naive_init_uses_the_chosen_sigma() -> None:
    weight, _ = _first_hidden_weights("naive", init_sigma=2.5)
    assert abs(weight.std().item() / 2.5 - 1) < 0.02


def test_bias_init_moves_hidden_biases_only_and_never_the_weights() -> None:
    for init in ("default", "he"):
        plain = BatchedMLP(_config(init=init)).layer_parameters(1)
        shifted_net = BatchedMLP(_config(init=init, bias_init=-1.5))
        shifted = shifted_net.layer_parameters(1)
        for (w0, _), (w1, b1) in zip(plain[:-1], shifted[:-1], strict=True):
            assert torch.equal(w0, w1)
            assert torch.equal(b1, torch.full_like(b1, -1.5))
        assert torch.equal(plain[-1][0], shifted[-1][0])
        assert torch.equal(plain[-1][1], shifted[-1][1])  # the head keeps its scheme's bias


def test_each_model_is_initialised_from_its_own_seed_alone() -> None:
    alone = BatchedMLP(_config(models=(ModelSpec("tanh", seed=4),)))
    crowd = BatchedMLP(_config(models=ensemble(["relu", "tanh", "elu"], seeds=(1, 4))))
    for (wa, ba), (wc, bc) in zip(alone.layer_parameters(0), crowd.layer_parameters(3),
                                  strict=True):
        assert torch.equal(wa, wc) and torch.equal(ba, bc)


# --- equivalence with plain torch.nn -----------------------------------------------------


@pytest.mark.parametrize(("norm", "residual"), ARCHITECTURES)
def test_same_initial_weights_as_the_reference(norm: str, residual: bool) -> None:
    config = _config(norm=norm, residual=residual, init="he")
    batched = BatchedMLP(config)
    for i in range(len(config.models)):
        reference = reference_model(config, i)
        for linear, (weight, bias) in zip(_linears(reference), batched.layer_parameters(i),
                                          strict=True):
            assert torch.equal(linear.weight.detach(), weight)
            assert torch.equal(linear.bias.detach(), bias)


def _reference_outputs(config: NetConfig, x: torch.Tensor, train: bool) -> list[torch.Tensor]:
    outputs = []
    for i in range(len(config.models)):
        reference = reference_model(config, i)
        reference.train(train)
        outputs.append(reference(x))
    return outputs


@pytest.mark.parametrize(("norm", "residual"), ARCHITECTURES)
@pytest.mark.parametrize("train", [True, False])
def test_forward_matches_the_reference_for_every_hidden_activation(
    norm: str, residual: bool, train: bool
) -> None:

    config = _config(norm=norm, residual=residual, in_dim=6)  # residual on every layer
    batched = BatchedMLP(config).train(train)
    x = _inputs(dim=6)
    out = batched(x)
    assert out.shape == (len(config.models), 12, 2)
    for i, expected in enumerate(_reference_outputs(config, x, train)):
        torch.testing.assert_close(out[i], expected, atol=1e-12, rtol=1e-12,
                                   msg=lambda m, i=i: f"{config.models[i].label}: {m}")


@pytest.mark.parametrize(("norm", "residual"), ARCHITECTURES)
def test_gradients_match_the_reference(norm: str, residual: bool) -> None:
    config = _config(norm=norm, residual=residual)
    batched = BatchedMLP(config)
    x, y = _inputs(), torch.arange(12) % 2
    task_loss(batched(x), y, "multiclass").sum().backward()
    for i in range(len(config.models)):
        reference = reference_model(config, i)
        reference_loss(reference(x), y, "multiclass").backward()
        for layer, linear in enumerate(_linears(reference)):
            torch.testing.assert_close(batched.weights[layer].grad[i], linear.weight.grad.T,
                                       atol=1e-12, rtol=1e-10)
            torch.testing.assert_close(batched.biases[layer].grad[i, 0], linear.bias.grad,
                                       atol=1e-12, rtol=1e-10)


def test_prelu_slope_is_per_model_and_per_layer_with_the_reference_gradient() -> None:
    models = (ModelSpec("prelu", {"slope": 0.1}, 0), ModelSpec("relu", seed=0),
              ModelSpec("prelu", {"slope": 0.3}, 2))
    config = _config(models=models)
    batched = BatchedMLP(config)
    slopes = batched.prelu_slopes()
    assert slopes.shape == (3, 3)
    assert torch.isnan(slopes[1]).all()
    assert slopes[0].tolist() == pytest.approx([0.1] * 3) and slopes[2, 0] == pytest.approx(0.3)
    x, y = _inputs(), torch.arange(12) % 2
    task_loss(batched(x), y, "multiclass").sum().backward()
    for i in (0, 2):
        reference = reference_model(config, i)
        reference_loss(reference(x), y, "multiclass").backward()
        prelus = [m for m in reference.modules() if isinstance(m, nn.PReLU)]
        assert len(prelus) == 3
        expected = torch.stack([p.weight.grad[0] for p in prelus])
        torch.testing.assert_close(batched.prelu_slope.grad[i], expected, atol=1e-12, rtol=1e-10)
    assert torch.equal(batched.prelu_slope.grad[1], torch.zeros(3, dtype=F64))


def test_batch_norm_running_statistics_follow_the_reference() -> None:
    config = _config(norm="batch", models=ensemble(["relu", "tanh"], (0,)))
    batched = BatchedMLP(config).train()
    references = [reference_model(config, i).train() for i in range(2)]
    for step in range(3):
        x = _inputs(seed=step)
        batched(x)
        for reference in references:
            reference(x)
    for i, reference in enumerate(references):
        norms = [m for m in reference.modules() if isinstance(m, nn.BatchNorm1d)]
        for layer, norm in enumerate(norms):
            torch.testing.assert_close(getattr(batched, f"running_mean_{layer}")[i],
                                       norm.running_mean)
            torch.testing.assert_close(getattr(batched, f"running_var_{layer}")[i],
                                       norm.running_var)


def test_probing_without_updating_leaves_running_statistics_alone() -> None:
    batched = BatchedMLP(_config(norm="batch"))
    before = batched.running_var_0.clone()
    batched(_inputs(), update_stats=False)
    assert torch.equal(batched.running_var_0, before)
    batched(_inputs())
    assert not torch.equal(batched.running_var_0, before)


def test_shared_and_per_model_inputs_agree() -> None:
    config = _config()
    batched = BatchedMLP(config)
    x = _inputs()
    shared = batched(x)
    stacked = batched(x.expand(len(config.models), -1, -1).contiguous())
    torch.testing.assert_close(shared, stacked, atol=1e-13, rtol=0)


def test_residual_skips_only_layers_of_equal_width() -> None:
    assert _config(residual=True).residual_layers == (False, True, True)
    assert _config(residual=True, in_dim=6).residual_layers == (True, True, True)
    assert _config(residual=False).residual_layers == (False, False, False)


# --- losses --------------------------------------------------------------------------------


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_task_loss_is_the_reference_loss_per_model(task: str) -> None:
    generator = torch.Generator().manual_seed(3)
    out_dim = 4 if task == "multiclass" else 1
    output = torch.randn(5, 16, out_dim, generator=generator, dtype=F64)
    if task == "regression":
        target = torch.randn(16, generator=generator, dtype=F64)
    else:
        target = torch.randint(0, out_dim if task == "multiclass" else 2, (16,),
                               generator=generator)
    losses = task_loss(output, target, task)
    expected = torch.stack([reference_loss(output[i], target, task) for i in range(5)])
    torch.testing.assert_close(losses, expected)
    per_model_targets = target.expand(5, -1)
    torch.testing.assert_close(task_loss(output, per_model_targets, task), expected)


def test_accuracy_counts_correct_predictions() -> None:
    logits = torch.tensor([[[2.0], [-1.0], [0.5], [-3.0]]], dtype=F64)
    assert task_accuracy(logits, torch.tensor([1, 0, 0, 0]), "binary").item() == 0.75
    scores = torch.tensor([[[0.1, 0.9], [0.8, 0.2]]], dtype=F64)
    assert task_accuracy(scores, torch.tensor([1, 1]), "multiclass").item() == 0.5
    assert torch.isnan(task_accuracy(logits, torch.zeros(4), "regression")).all()


def test_one_architecture_is_shared_by_the_net_the_run_and_the_gradients_experiment() -> None:
    from actlib.gradients import Experiment
    from actlib.nets import Architecture
    from actlib.training import TrainConfig

    shape = Architecture(depth=4, width=8, init="he", bias_init=0.1, norm="layer",
                         residual=True)
    run = TrainConfig(**vars(shape), steps=10)
    experiment = Experiment(**vars(shape), activations=("relu",))
    assert run.architecture() == experiment.architecture() == shape
    assert run.net_config().architecture() == experiment.net_config().architecture() == shape
    assert experiment.train_config().architecture() == shape
    with pytest.raises(ValueError, match="depth"):
        NetConfig(2, 1, depth=0)
