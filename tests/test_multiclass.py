"""Many classes: the generated sets, the engine's softmax surface, its colours against a
plain torch softmax of the run's own logits, the probe at a point, and both pages on the
new data."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
import torch
from PIL import Image

from actlib import datasets, playground
from actlib.charts import CLASS_COLORS
from actlib.class_probe import _ratio, picker_frame, point_softmax, softmax_tab_query
from actlib.datasets import MULTICLASS_2D, grid_points, load
from actlib.live_plots import MIDDLE, SurfacePainter, class_colors, predicted_class_colors
from actlib.training.engine import RunState
from tests.apptest_charts import assert_no_exception, open_page


def _rgb(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


@pytest.mark.parametrize("name", MULTICLASS_2D)
def test_the_sets_are_balanced_seeded_and_stratified(name: str) -> None:
    meta = datasets.info(name)
    assert meta.task == "multiclass" and 3 <= meta.n_classes <= len(CLASS_COLORS)
    data = load(name, 403, 0.1, seed=4)
    y = torch.cat([data.y_train, data.y_test])
    counts = torch.bincount(y, minlength=meta.n_classes).tolist()
    assert sum(counts) == 403 and max(counts) - min(counts) <= 1
    test_counts = torch.bincount(data.y_test, minlength=meta.n_classes).tolist()
    assert max(test_counts) - min(test_counts) <= 1  # stratified
    again = load(name, 403, 0.1, seed=4)
    assert torch.equal(data.x_train, again.x_train) and torch.equal(data.y_test, again.y_test)
    assert not torch.equal(data.x_train, load(name, 403, 0.1, seed=5).x_train)


def test_blob_centres_sit_on_a_ring_one_per_class() -> None:
    data = load("blobs", 4000, 0.0, seed=0)
    for k in range(5):
        centre = data.x_train[data.y_train == k].double().mean(0)
        angle = 2 * math.pi * k / 5 + math.pi / 2
        assert torch.allclose(centre, torch.tensor([math.cos(angle), math.sin(angle)],
                                                   dtype=torch.float64), atol=0.05)


def test_spiral_arms_are_a_third_of_a_turn_apart() -> None:
    """Without noise a point's angle, less a full turn per unit of radius, names its arm."""
    data = load("spiral3", 600, 0.0, seed=1)
    x, y = data.x_train.double(), data.y_train
    t = (x.norm(dim=1) - 0.1) / 1.3
    phase = (torch.atan2(x[:, 1], x[:, 0]) - 2 * math.pi * t) % (2 * math.pi)
    arm = torch.round(phase / (2 * math.pi / 3)).long() % 3
    assert torch.equal(arm, y)


@pytest.fixture(scope="module")
def run() -> RunState:
    config = playground.live_config("spiral3", 0.1, 0.25, "tanh", 2, 6, seed=0)
    state = RunState(config)
    state.advance(60)
    return state


def _plain_softmax(state: RunState) -> torch.Tensor:
    """softmax of model 0's logits on the run's grid, with nothing of the engine's."""
    points, _ = grid_points(state.data.bounds, state.config.grid_size, torch.float32)
    state.model.eval()
    with torch.no_grad():
        logits = state.model(points)[0]
    state.model.train()
    size = state.config.grid_size
    return torch.softmax(logits.double(), dim=1).reshape(size, size, -1)


def test_the_surface_is_the_softmax_of_the_logits(run: RunState) -> None:
    surface = run.scores().surface
    assert surface.shape == (1, 60, 60, 3)
    assert np.allclose(surface[0], _plain_softmax(run).numpy(), atol=1e-6)


def test_surface_colours_are_argmax_and_top_probability(run: RunState) -> None:
    p = _plain_softmax(run)
    top, winner = p.max(dim=2)
    share = ((top - 1 / 3) / (2 / 3)).numpy()[..., None]
    palette = np.stack([_rgb(c) for c in CLASS_COLORS[:3]])
    expected = np.array(MIDDLE) + (palette[winner.numpy()] - np.array(MIDDLE)) * share
    painted = predicted_class_colors(run.scores().surface[0]).astype(np.float64)
    assert np.abs(painted - expected).max() <= 1.0  # rounding to bytes
    assert len(np.unique(winner.numpy())) >= 2, "a useful test needs several classes shown"


def test_two_classes_paint_as_the_two_class_surface() -> None:
    p = np.linspace(0, 1, 101)
    p = p[np.abs(p - 0.5) > 1e-9]
    assert np.array_equal(predicted_class_colors(np.stack([1 - p, p], -1)), class_colors(p))


def test_certain_cells_take_the_full_colour_and_uniform_ones_white() -> None:
    eye = np.eye(5)
    assert np.array_equal(predicted_class_colors(eye), np.stack([_rgb(c) for c in CLASS_COLORS]))
    assert tuple(predicted_class_colors(np.full(4, 0.25))) == MIDDLE


def test_the_painted_png_shows_each_class_and_its_legend() -> None:
    """A surface split into three certain bands paints each band in its class colour."""
    size = 30
    surface = np.zeros((size, size, 3))
    for k in range(3):
        surface[:, k * 10:(k + 1) * 10, k] = 1.0
    painter = SurfacePainter(((0, 3), (0, 1)), np.empty((0, 2)), np.empty(0), np.empty(0),
                             classes=3)
    image = np.asarray(Image.open(io.BytesIO(painter.png(surface, mark=(1.5, 0.5)))))
    assert image.shape[0] == 380 + SurfacePainter.LEGEND_HEIGHT
    x0, y0 = painter.corner
    width, height = painter.area
    for k in range(3):
        pixel = image[y0 + height // 4, x0 + int(width * (k + 0.5) / 3)]
        assert np.abs(pixel - _rgb(CLASS_COLORS[k])).max() <= 2
    legend_row = image[-14]
    for k in range(3):
        assert (np.abs(legend_row - _rgb(CLASS_COLORS[k])).max(1) <= 2).any()
    centre = image[y0 + height // 2, x0 + width // 2]
    assert centre.max() < 80, "the probe's cross is drawn at (1.5, 0.5)"


def test_the_probe_is_the_softmax_of_the_logits_at_the_point(run: RunState) -> None:
    x = run.data.x_test[0].double().tolist()
    probe = point_softmax(run.model, x)
    run.model.eval()
    with torch.no_grad():
        logits = run.model(run.data.x_test[:1])[0, 0].double()
    run.model.train()
    assert np.allclose(probe.logits, logits.numpy(), atol=1e-5)
    assert np.allclose(probe.probabilities, torch.softmax(logits, 0).numpy(), atol=1e-9)
    first, second = np.sort(probe.logits)[::-1][:2]
    ratio = float(np.sort(probe.probabilities)[-1] / np.sort(probe.probabilities)[-2])
    assert f"e^{first - second:.2f} ≈" in probe.sentence()
    assert math.isclose(ratio, math.exp(first - second), rel_tol=1e-9)
    frame = probe.frame()
    assert list(frame["label"]) == ["class 0", "class 1", "class 2"]


def test_ratios_read_as_numbers() -> None:
    assert [_ratio(v) for v in (3.4217, 245.3, 12_400.2, 3.1e9)] == [
        "3.42", "245", "12,400", "3.1e+09"]


def test_the_picker_agrees_with_the_surface(run: RunState) -> None:
    cells = picker_frame(run.model, run.data.bounds, cells=run.config.grid_size)
    p = _plain_softmax(run).reshape(-1, 3)
    assert np.array_equal(cells["predicted"].to_numpy(), p.argmax(1).numpy())
    assert cells["sure"].between(0, 1).all()


def test_the_softmax_tab_link_keeps_logits_in_its_range(run: RunState) -> None:
    probe = point_softmax(run.model, (0.0, 0.0))
    probe = type(probe)(probe.point, np.array([120.0, -0.126, 3.0]), probe.probabilities)
    assert softmax_tab_query(probe) == {"demo": ["Softmax"],
                                        "logits": ["50.00", "-0.13", "3.00"]}


def test_a_binary_network_has_no_probe(run: RunState) -> None:
    config = playground.live_config("moons", 0.1, 0.25, "tanh", 1, 4, seed=0)
    with pytest.raises(ValueError, match="three classes"):
        point_softmax(RunState(config).model, (0.0, 0.0))


def test_the_snapshot_frame_names_the_predicted_class(run: RunState) -> None:
    frame = run.snapshot().surface_frame()
    p = _plain_softmax(run).reshape(-1, 3).numpy()
    assert np.array_equal(frame["predicted"].to_numpy(), p.argmax(1))
    assert np.allclose(frame["value"].to_numpy(), p.max(1), atol=1e-6)


def test_the_playground_trains_and_probes_many_classes() -> None:
    at = open_page("pages/playground.py", p_data="spiral3", p_steps="50", p_width="4")
    assert_no_exception(at)
    texts = " ".join(m.value for m in at.markdown)
    assert "**Softmax at a point**" in texts and "3 logits" in texts
    assert any("the network answers class" in c.value for c in at.caption)
    session = at.session_state["playground:live"]
    assert session.run.config.task == "multiclass" and session.run.step == 50


def test_the_dead_relu_monitor_trains_on_blobs() -> None:
    at = open_page("pages/dead_relu.py", data="blobs", steps="50", depth="2", width="8",
                   act="relu")
    assert_no_exception(at)
    assert not at.error


def test_chance_level_with_three_classes_is_ln_3() -> None:
    """A three-class run at loss 1.0 is below ln 3 ≈ 1.099: it has learned something, where
    the two-class threshold (ln 2) would have called it stuck."""
    steps = list(range(0, 401, 25))
    assert not playground.at_chance(steps, [1.0] * len(steps), 0.34, classes=3)
    assert playground.at_chance(steps, [1.1] * len(steps), 0.34, classes=3)
    stuck = playground.StuckRun(step=400, loss=1.1, accuracy=0.34, flat_share=0.0,
                                initial_flat_share=0.0, first_gradient=1.0, lr=0.01, depth=2,
                                activation="tanh", classes=3)
    assert f"ln 3 ≈ {math.log(3):.3f} (always answering 33% per class)" in stuck.explanation()
