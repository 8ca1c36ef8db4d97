"""The linear collapse: the folded (W', b') reproduces a trained deep identity network."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from actlib.collapse import (
    boundary_segment,
    collapse,
    collapse_report,
    compose,
    train_model,
)
from actlib.nets import ensemble, reference_model
from actlib.training import TrainConfig, run_to_end

F64 = torch.float64


def _config(depth: int = 6, dtype: str = "float64", steps: int = 60, **kwargs) -> TrainConfig:
    base = {"dataset": "moons", "n_samples": 200, "noise": 0.15, "width": 6, "lr": 0.02,
            "batch_size": 32, "snapshot_every": 20, "grid_size": 20,
            "models": ensemble(["identity", "relu"])}
    base.update(kwargs)
    return TrainConfig(depth=depth, steps=steps, dtype=dtype, **base)


def test_two_layers_fold_to_the_closed_form() -> None:
    g = torch.Generator().manual_seed(3)
    w1, b1 = torch.randn(5, 3, generator=g, dtype=F64), torch.randn(5, generator=g, dtype=F64)
    w2, b2 = torch.randn(2, 5, generator=g, dtype=F64), torch.randn(2, generator=g, dtype=F64)
    folded = compose([(w1, b1), (w2, b2)])
    np.testing.assert_allclose(folded.matrix, (w2 @ w1).numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(folded.bias, (w2 @ b1 + b2).numpy(), rtol=0, atol=1e-12)


def test_a_residual_layer_folds_to_identity_plus_weight() -> None:
    g = torch.Generator().manual_seed(4)
    layers = [(torch.randn(4, 2, generator=g, dtype=F64), torch.randn(4, generator=g, dtype=F64)),
              (torch.randn(4, 4, generator=g, dtype=F64), torch.randn(4, generator=g, dtype=F64)),
              (torch.randn(1, 4, generator=g, dtype=F64), torch.randn(1, generator=g, dtype=F64))]
    x = torch.randn(50, 2, generator=g, dtype=F64)
    h = x @ layers[0][0].T + layers[0][1]
    h = h + (h @ layers[1][0].T + layers[1][1])
    expected = h @ layers[2][0].T + layers[2][1]
    folded = compose(layers, (False, True, False))
    np.testing.assert_allclose(folded.apply(x.numpy()), expected.numpy(), atol=1e-12)


def test_rebuilt_network_is_the_one_the_engine_trained() -> None:
    config = _config()
    snapshots = run_to_end(config)
    trained = train_model(config)
    with torch.no_grad():
        out = trained.model(trained.data.x_train)
    losses = torch.nn.functional.binary_cross_entropy_with_logits(
        out[..., 0], trained.data.y_train.to(F64).expand(2, -1), reduction="none").mean(1)
    np.testing.assert_allclose(losses.numpy(), snapshots[-1].train_loss, rtol=1e-12)
    # Part-way: the network at step 20 is the one behind the snapshot at step 20.
    middle = train_model(config, 20)
    with torch.no_grad():
        out = middle.model(middle.data.x_test)
    losses = torch.nn.functional.binary_cross_entropy_with_logits(
        out[..., 0], middle.data.y_test.to(F64).expand(2, -1), reduction="none").mean(1)
    step_20 = next(s for s in snapshots if s.step == 20)
    np.testing.assert_allclose(losses.numpy(), step_20.test_loss, rtol=1e-12)


@pytest.mark.parametrize("depth", [1, 6, 20])
def test_folded_map_reproduces_the_deep_identity_network(depth: int) -> None:
    config = _config(depth=depth)
    trained = train_model(config)
    x = trained.eval_points()
    folded = collapse(trained.model, 0, x)
    assert folded.layer_shapes[0] == (6, 2) and folded.layer_shapes[-1] == (1, 6)
    assert len(folded.layer_shapes) == depth + 1
    assert folded.max_difference <= 50 * folded.epsilon * max(1.0, folded.max_output)
    # Independent check: the same trained weights in a plain nn.Sequential.
    plain = reference_model(config.net_config(), 0)
    linears = [m for m in plain.modules() if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for linear, (w, b) in zip(linears, trained.model.layer_parameters(0), strict=True):
            linear.weight.copy_(w)
            linear.bias.copy_(b)
        expected = plain(x).numpy()
    np.testing.assert_allclose(folded.affine.apply(x.numpy()), expected, rtol=0,
                               atol=1e-12 * max(1.0, float(np.abs(expected).max())))


def test_float32_network_matches_to_float32_rounding() -> None:
    trained = train_model(_config(depth=8, dtype="float32"))
    folded = collapse(trained.model, 0, trained.eval_points())
    assert folded.dtype == "float32"
    assert folded.max_difference < 1e-4 * max(1.0, folded.max_output)
    assert folded.max_difference > 0  # float32 does round: the point of showing the dtype


def test_a_non_linear_network_does_not_collapse() -> None:
    trained = train_model(_config(depth=3))
    with pytest.raises(ValueError, match="not linear"):
        collapse(trained.model, 1, trained.eval_points())


def test_identity_surface_is_the_sigmoid_of_the_folded_map() -> None:
    config = _config(depth=5)
    last = run_to_end(config)[-1]
    report = collapse_report(config)
    axes = last.info.surface_axes
    x2, x1 = np.meshgrid(axes[1], axes[0], indexing="ij")
    logits = report.collapse.affine.apply(np.stack([x1.ravel(), x2.ravel()], 1))[:, 0]
    expected = 1 / (1 + np.exp(-logits))
    np.testing.assert_allclose(last.surface[0].reshape(-1), expected, atol=1e-6)
    # The drawn segment lies on the line W'x + b' = 0, with its ends on the data's box.
    segment = report.segment
    assert segment is not None
    w, b = report.collapse.affine.matrix[0], report.collapse.affine.bias[0]
    bounds = train_model(config, 0).data.bounds
    for point in segment:
        assert abs(w @ np.array(point) + b) < 1e-9
        for value, (lo, hi) in zip(point, bounds, strict=True):
            assert lo - 1e-9 <= value <= hi + 1e-9
    assert segment == boundary_segment(w, b, bounds)


def test_report_without_an_identity_model_has_no_collapse() -> None:
    config = _config(depth=2, models=ensemble(["tanh"]), steps=5)
    assert collapse_report(config).collapse is None


def test_boundary_segment_clips_the_line_to_the_box() -> None:
    box = [(-1.0, 1.0), (-2.0, 2.0)]
    (a, b) = boundary_segment([1.0, -1.0], 0.0, box)  # x2 = x1
    assert sorted([a, b]) == [(-1.0, -1.0), (1.0, 1.0)]
    vertical = boundary_segment([1.0, 0.0], -0.5, box)  # x1 = 0.5
    assert sorted(vertical) == [(0.5, -2.0), (0.5, 2.0)]
    assert boundary_segment([1.0, 0.0], -5.0, box) is None  # x1 = 5: outside
    assert boundary_segment([0.0, 0.0], 1.0, box) is None  # no line at all
    corner = boundary_segment([2.0, 1.0], 0.0, [(-1.0, 1.0), (-2.0, 2.0)])  # corner to corner
    assert sorted(corner) == [(-1.0, 2.0), (1.0, -2.0)]


# --- the demo's run and formulas ---------------------------------------------------------


def test_matrix_chain_lists_the_factors_last_layer_first() -> None:
    from actlib.collapse import matrix_chain

    assert matrix_chain(1) == "W_{1}"
    assert matrix_chain(3) == r"W_{3} \, W_{2} \, W_{1}"
    assert matrix_chain(21) == r"W_{21} W_{20} \cdots W_{2} W_{1}"


def test_shape_chain_writes_repeated_shapes_as_a_power() -> None:
    from actlib.collapse import shape_chain

    shapes = [(8, 2), (8, 8), (8, 8), (1, 8)]  # (out, in), first layer first
    assert shape_chain(shapes) == r"(1 \times 8) \cdot (8 \times 8)^{2} \cdot (8 \times 2)"
    assert shape_chain([(1, 2)]) == r"(1 \times 2)"


def test_twin_config_pairs_the_identity_with_the_bent_network() -> None:
    from actlib.collapse import TWIN_RUN, beats_the_line, twin_config

    config = twin_config("moons", "tanh", 3)
    assert [m.key for m in config.models] == ["identity", "tanh"]
    assert config.depth == 3 and config.dtype == "float64" and config.steps == TWIN_RUN["steps"]
    with pytest.raises(ValueError):
        twin_config("moons", "tanh", 0)
    assert beats_the_line(0.80, 0.90) and not beats_the_line(0.80, 0.82)
