"""How a layer folds space: the folded grid against a plain ``torch.nn`` forward pass, and
the geometry the view teaches (linear parts keep lines straight, activations bend them)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from actlib.fold import POINTS_PER_LINE, bend, fold, layer_inputs_outputs, plane_grid
from actlib.live_plots import fold_png
from actlib.nets import BatchedMLP, NetConfig, ensemble, reference_model

BOUNDS = ((-1.5, 1.5), (-1.2, 1.3))


def _model(key: str, depth: int = 3, width: int = 6) -> tuple[NetConfig, BatchedMLP]:
    config = NetConfig(in_dim=2, out_dim=1, depth=depth, width=width,
                       models=ensemble([key, "relu"], (5,)))
    return config, BatchedMLP(config)


def test_the_folded_grid_is_the_networks_own_forward_pass() -> None:
    config, model = _model("tanh")
    data = np.random.default_rng(0).uniform(-1, 1, (30, 2))
    folded = fold(model, 0, 2, (4, 2), BOUNDS, data)
    plain = reference_model(config, 0)
    rows = torch.tensor(np.vstack([*plane_grid(BOUNDS), data]), dtype=torch.float32)
    with torch.no_grad():
        before = plain[1][0](plain[0](rows))  # layer 2's linear part on layer 1's output
        after = plain[1](plain[0](rows))
    n_grid = len(folded.lines_before) * POINTS_PER_LINE
    got_before = np.vstack(folded.lines_before)
    np.testing.assert_allclose(got_before, before[:n_grid, [3, 1]].numpy(), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(np.vstack(folded.lines_after), after[:n_grid, [3, 1]].numpy(),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(folded.points_after, after[n_grid:, [3, 1]].numpy(),
                               rtol=1e-5, atol=1e-6)


def test_a_linear_part_keeps_lines_straight_and_activations_bend_them() -> None:
    _, tanh = _model("tanh", width=8)
    with torch.no_grad():  # larger weights, so tanh's bend shows on this small plane
        for p in tanh.parameters():
            p.mul_(3.0)
    first = fold(tanh, 0, 1, (1, 2), BOUNDS, np.zeros((0, 2)))
    assert max(bend(line) for line in first.lines_before) < 1e-6
    assert max(bend(line) for line in first.lines_after) > 0.02
    assert np.abs(np.vstack(first.lines_after)).max() <= 1.0
    _, identity = _model("identity", depth=4)
    deep = fold(identity, 0, 4, (3, 5), BOUNDS, np.zeros((0, 2)))
    assert max(bend(line) for line in deep.lines_after) < 1e-5, "identity layers stay straight"
    _, relu = _model("relu")
    folded = fold(relu, 1, 1, (1, 2), BOUNDS, np.zeros((0, 2)))
    after = np.vstack(folded.lines_after)
    assert after.min() >= 0.0 and (after == 0).any(), "ReLU folds lines flat onto 0"


def test_bad_choices_are_refused_and_a_picture_is_drawn() -> None:
    _, model = _model("tanh")
    with pytest.raises(ValueError, match="two different units"):
        fold(model, 0, 1, (2, 2), BOUNDS, np.zeros((0, 2)))
    with pytest.raises(ValueError, match="layer must lie between 1 and 3"):
        layer_inputs_outputs(model, 0, 4, np.zeros((1, 2)))
    folded = fold(model, 0, 1, (1, 2), BOUNDS, np.array([[0.1, 0.2], [0.3, -0.4]]))
    png = fold_png(folded.lines_after, folded.points_after, np.array([0, 1]), "unit 1",
                   "unit 2")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert bend(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])) == 0.0
    assert bend(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])) == pytest.approx(0.5)


def test_the_playground_shows_the_fold_and_names_a_dead_axis() -> None:
    from tests.apptest_charts import assert_no_exception, open_page

    # ReLU at rate 0.3: unit 6 of layer 1 is dead at step 600 (full batches, He init)
    at = open_page("pages/playground.py", p_steps="600", p_act="relu", p_lr="0.3", p_ux="6")
    assert_no_exception(at)
    assert any("How hidden layer 1 folds the plane" in m.value for m in at.markdown)
    assert any("Unit 6 outputs 0 on every point: a dead unit." in c.value for c in at.caption)
    at = open_page("pages/playground.py", p_steps="0", p_ux="9", p_uy="9", p_width="4")
    assert_no_exception(at)
    assert any("Units 9 and 9 cannot be the two axes of a layer of 4 units: showing units "
               "4 and 1." in c.value for c in at.caption)
