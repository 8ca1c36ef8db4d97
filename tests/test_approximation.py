"""Universal approximation in 1-D: the construction's error falls with N, and every unit
term adds up to the fit (constructed or trained)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from actlib.activations import HIDDEN_LAYER_KEYS
from actlib.approximation import (
    FIT_SAMPLES,
    RIDGE,
    construct_fit,
    construction_units,
    contribution_frame,
    error_by_units,
    trained_fits,
    unit_map_frame,
    unit_outputs,
)
from actlib.collapse import train_model
from actlib.datasets import load, target_function
from actlib.nets import ensemble, reference_model
from actlib.training import TrainConfig, run_to_end


@pytest.mark.parametrize("target", ["sine", "bumps"])
@pytest.mark.parametrize("key", [*HIDDEN_LAYER_KEYS, "step"])
def test_fit_error_falls_as_units_grow(key: str, target: str) -> None:
    errors = [construct_fit(key, target, n).rms_error for n in (4, 16, 64)]
    assert errors[0] > errors[1] > errors[2], errors
    assert errors[2] < 0.06


def test_identity_never_beats_the_best_straight_line() -> None:
    data = load("sine", FIT_SAMPLES, 0.0, 0, dtype=torch.float64)
    x, y = data.x_train[:, 0].numpy(), data.y_train.numpy()
    slope, intercept = np.polyfit(x, y, 1)  # the least-squares line, independently
    grid = np.linspace(-2, 2, 401)
    line_error = np.sqrt(np.mean((slope * grid + intercept
                                  - target_function("sine")(torch.from_numpy(grid)).numpy()) ** 2))
    errors = error_by_units(["identity"], "sine").rms_error.to_numpy()
    np.testing.assert_allclose(errors, line_error, rtol=1e-3)


def test_two_relus_make_abs_exactly_and_two_steps_make_the_step() -> None:
    # |x| = -x + 2 relu(x): the construction's hinges at -2 and 0 span it.
    assert construct_fit("relu", "abs", 2).rms_error < 1e-5
    assert construct_fit("step", "step", 2).rms_error < 1e-5


def test_least_squares_matches_an_independent_ridge_solve() -> None:
    fit = construct_fit("relu", "sine", 12)
    data = load("sine", FIT_SAMPLES, 0.0, 0, dtype=torch.float64)
    x, y = data.x_train[:, 0].numpy(), data.y_train.numpy()
    slopes, biases = (t.numpy() for t in construction_units(12))
    design = np.hstack([np.ones((len(x), 1)), np.maximum(0.0, np.outer(x, slopes) + biases)])
    penalty = np.sqrt(RIDGE * len(y)) * np.eye(13)[1:]  # the bias is not penalised
    solution = np.linalg.lstsq(np.vstack([design, penalty]),
                               np.concatenate([y, np.zeros(12)]), rcond=None)[0]
    grid = fit.x
    expected = solution[0] + np.maximum(0.0, np.outer(grid, slopes) + biases) @ solution[1:]
    np.testing.assert_allclose(fit.fit, expected, atol=1e-8)


@pytest.mark.parametrize("key", ["relu", "tanh", "step", "identity"])
def test_unit_terms_add_up_to_the_fit(key: str) -> None:
    fit = construct_fit(key, "bumps", 7)
    assert fit.contributions.shape == (7, len(fit.x))
    np.testing.assert_allclose(fit.contributions.sum(0) + fit.output_bias, fit.fit, atol=1e-12)
    frame = contribution_frame(fit, every=1)
    assert len(frame) == 7 * len(fit.x) and frame["unit"].max() == 7


def test_units_out_of_range_are_refused() -> None:
    for bad in (0, 65):
        with pytest.raises(ValueError, match="units"):
            construction_units(bad)
    assert construct_fit("tanh", "sine", 1).units == 1


def test_trained_fits_are_the_trained_networks() -> None:
    config = TrainConfig(dataset="sine", n_samples=120, noise=0.0, depth=1, width=5,
                         models=ensemble(["relu", "tanh", "sigmoid"]), lr=0.05,
                         batch_size=None, steps=40, snapshot_every=20)
    last = run_to_end(config)[-1]
    trained = train_model(config)
    fits = trained_fits(trained.model, "sine", trained.data.x_train, trained.data.y_train)
    for index, fit in enumerate(fits):
        # Training RMS from the unit terms equals the engine's own MSE loss.
        np.testing.assert_allclose(fit.train_rms**2, last.train_loss[index], rtol=1e-4)
        # The sum of the terms is what a plain nn.Sequential with these weights computes.
        plain = reference_model(config.net_config(), index)
        linears = [m for m in plain.modules() if isinstance(m, torch.nn.Linear)]
        with torch.no_grad():
            for linear, (w, b) in zip(linears, trained.model.layer_parameters(index),
                                      strict=True):
                linear.weight.copy_(w)
                linear.bias.copy_(b)
            expected = plain(torch.from_numpy(fit.x).float().unsqueeze(1))[:, 0].numpy()
        np.testing.assert_allclose(fit.fit, expected, atol=1e-5)
        np.testing.assert_allclose(fit.contributions.sum(0) + fit.output_bias, fit.fit,
                                   atol=1e-9)


def test_unit_outputs_of_a_2d_network() -> None:
    config = TrainConfig(dataset="circles", n_samples=100, depth=2, width=3, steps=5,
                         snapshot_every=5, models=ensemble(["tanh"]))
    trained = train_model(config)
    frame = unit_map_frame(trained.model, 0, 2, trained.data.bounds, size=10)
    assert len(frame) == 3 * 100 and set(frame["unit"]) == {1, 2, 3}
    assert frame["value"].abs().max() <= 1.0  # tanh outputs
    with pytest.raises(ValueError, match="layer"):
        unit_outputs(trained.model, 0, 3, trained.data.x_train)


# --- the page's training run ---------------------------------------------------------------


def test_training_config_is_one_hidden_layer_per_activation() -> None:
    from actlib.approximation import TRAINING_RUN, training_config

    config = training_config("sine", 0.1, ["relu", "tanh"], 8, 1000)
    assert [m.key for m in config.models] == ["relu", "tanh"]
    assert config.depth == 1 and config.width == 8 and config.lr == TRAINING_RUN["lr"]
    assert config.snapshot_every == 50 and config.batch_size is None
    with pytest.raises(ValueError):
        training_config("sine", 0.0, ["relu"], 1, 100)  # below the engine's width


def test_in_range_keeps_the_targets_input_range() -> None:
    import pandas as pd

    from actlib.approximation import contribution_stride, in_range
    from actlib.datasets import REGRESSION_X_RANGE

    curve = pd.DataFrame({"x": [-2.5, -2.0, 0.0, 2.0, 2.1], "value": range(5)})
    assert in_range(curve)["x"].tolist() == [-2.0, 0.0, 2.0]
    assert REGRESSION_X_RANGE == (-2.0, 2.0)
    assert contribution_stride(16) == 2 and contribution_stride(17) == 4


def test_a_units_surface_is_its_map_laid_out_as_the_decision_surface() -> None:
    """The big plot of a clicked unit shows the same numbers as its small map and as the
    plain ``torch.nn`` twin of the network, with x1 along a row and x2 down the rows."""
    from actlib.approximation import unit_map_frame, unit_surface
    from actlib.nets import BatchedMLP, NetConfig

    config = NetConfig(in_dim=2, out_dim=1, depth=2, width=5, models=ensemble(["tanh"], (3,)))
    model = BatchedMLP(config)
    bounds = ((-1.5, 1.5), (-1.0, 2.0))
    surface = unit_surface(model, 0, 2, 4, bounds, 7)
    unit4 = (frame := unit_map_frame(model, 0, 2, bounds, 7))[frame["unit"] == 4]
    np.testing.assert_allclose(surface.reshape(-1), unit4["value"].to_numpy())
    x1, x2 = unit4["x1"].to_numpy().reshape(7, 7), unit4["x2"].to_numpy().reshape(7, 7)
    assert (np.diff(x1, axis=1) > 0).all() and (np.diff(x2, axis=0) > 0).all()
    plain = reference_model(config, 0)
    points = torch.tensor(np.c_[x1.reshape(-1), x2.reshape(-1)], dtype=torch.float32)
    with torch.no_grad():
        hidden2 = plain[1](plain[0](points))  # both hidden blocks, before the head
    np.testing.assert_allclose(surface.reshape(-1), hidden2[:, 3].numpy(), rtol=1e-5,
                               atol=1e-6)
    with pytest.raises(ValueError, match="unit must lie between 1 and 5"):
        unit_surface(model, 0, 2, 6, bounds, 7)
