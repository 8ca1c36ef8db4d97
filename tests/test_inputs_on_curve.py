"""Where the inputs fall: the histogram and the two shares against independent sources (a
plain ``torch.nn`` network with autograd at initialisation, the snapshots after training)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from actlib.inputs_on_curve import (
    MIN_HALF_WIDTH,
    curve_on_window,
    inputs_on_curve,
    shares_sentence,
)
from actlib.nets import ensemble, reference_model
from actlib.probes import SATURATION_THRESHOLD
from actlib.training import RunState, TrainConfig
from actlib.training.live import LiveRun

CONFIG = TrainConfig(dataset="moons", n_samples=300, depth=3, width=8, steps=200,
                     snapshot_every=50, lr=0.3, models=ensemble(["sigmoid", "relu"], (0,)))


def _plain_pre_activations(config: TrainConfig, member: int, x: torch.Tensor
                           ) -> list[torch.Tensor]:
    """Each hidden layer's inputs of the member's plain ``nn.Sequential`` twin."""
    plain = reference_model(config.net_config(), member)
    inputs, h = [], x
    with torch.no_grad():
        for block in list(plain)[: config.depth]:
            a = block[0](h)
            inputs.append(a)
            h = block[1:](a)
    return inputs


@pytest.mark.parametrize("member", [0, 1])
def test_at_initialisation_it_equals_a_plain_network_and_autograd(member: int) -> None:
    run = RunState(CONFIG)
    plain = _plain_pre_activations(CONFIG, member, run.probe_x)
    activation = reference_model(CONFIG.net_config(), member)[0][1]
    for layer in range(1, CONFIG.depth + 1):
        measured = inputs_on_curve(run, member, layer)
        a = plain[layer - 1].reshape(-1).double().requires_grad_()
        (slope,) = torch.autograd.grad(activation(a).sum(), a)
        assert measured.n_inputs == a.numel()
        assert measured.flat_share == pytest.approx(
            float((slope.abs() < SATURATION_THRESHOLD).double().mean()), abs=1e-12)
        assert measured.zero_slope_share == pytest.approx(float((slope == 0).double().mean()))
        values = np.clip(a.detach().numpy(), -measured.half_width, measured.half_width)
        counts, _ = np.histogram(values, bins=measured.edges)
        np.testing.assert_allclose(measured.share, counts / a.numel(), atol=1e-12)
        assert measured.share.sum() == pytest.approx(1.0)


def test_after_training_the_flat_share_is_the_snapshots_saturation_share() -> None:
    run = LiveRun(CONFIG, record_snapshots=True)
    run.advance(CONFIG.steps)
    last = run.snapshots[-1]
    for member in (0, 1):
        for layer in range(1, CONFIG.depth + 1):
            measured = inputs_on_curve(run.state, member, layer)
            assert measured.step == CONFIG.steps
            assert measured.flat_share == pytest.approx(
                last.saturation_share[member, layer - 1], abs=1e-12)


def test_relus_zero_slope_region_is_its_negative_inputs_and_the_window_holds_them() -> None:
    run = RunState(CONFIG)
    measured = inputs_on_curve(run, 1, 2)
    assert measured.half_width >= MIN_HALF_WIDTH
    below = measured.share[measured.edges[1:] <= 0].sum()
    assert measured.zero_slope_share == pytest.approx(below, abs=0.08)  # bin at 0 straddles
    curve = curve_on_window(measured)
    assert curve["x"].min() == -measured.half_width and curve["x"].max() == measured.half_width
    assert (curve.loc[curve["x"] < 0, "df"] == 0).all()
    assert "where f′ = 0 exactly" in shares_sentence(measured, "ReLU")
    with pytest.raises(ValueError, match="layer must lie between 1 and 3"):
        inputs_on_curve(run, 0, 4)


def test_both_training_views_show_where_the_inputs_fall() -> None:
    from tests.apptest_charts import assert_no_exception, open_page

    at = open_page("pages/gradients.py", view="Training", steps="50", depth="4",
                   in_act="relu", in_layer="3")
    assert_no_exception(at)
    assert any(c.value.startswith("ReLU, layer 3, step 50:") for c in at.caption)
    at = open_page("pages/gradients.py", view="Training", steps="50", depth="4",
                   in_layer="9")
    assert any("The network has 4 hidden layers: showing layer 4." in c.value
               for c in at.caption)
    at = open_page("pages/dead_relu.py", steps="50", width="8", act=["relu", "elu"],
                   inspect="elu", layer="2")
    assert_no_exception(at)
    assert any(c.value.startswith("ELU, layer 2, step 50:") for c in at.caption)
