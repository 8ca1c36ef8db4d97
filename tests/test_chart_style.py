"""The shared chart style: one Altair theme for every chart builder, one class palette."""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest

from actlib import charts
from actlib.charts import CLASS_COLORS, THEME
from actlib.charts import guide as guide_charts
from actlib.charts import nonlinearity as nl_charts

ACTLIB = Path(__file__).resolve().parents[1] / "actlib"


def _surface() -> tuple[pd.DataFrame, pd.DataFrame]:
    axis = np.linspace(-1, 1, 5)
    x1, x2 = np.meshgrid(axis, axis)
    surface = pd.DataFrame({"x1": x1.ravel(), "x2": x2.ravel(), "value": (x1.ravel() + 1) / 2,
                            "key": "relu"})
    points = pd.DataFrame({"x1": [-0.5, 0.5], "x2": [0.0, 0.1], "y": [0, 1],
                           "split": ["train", "test"]})
    return surface, points


def test_every_chart_gets_the_readable_theme() -> None:
    assert alt.theme.active == THEME
    frame = pd.DataFrame({"x": [0.0, 1.0], "f": [0.0, 1.0], "activation": "ReLU",
                          "key": "relu"})
    config = charts.curve_chart(frame, "f", "f(x)", ["relu"]).to_dict()["config"]
    assert config["axis"]["labelFontSize"] >= 14
    assert 15 <= config["axis"]["titleFontSize"] <= 16
    assert config["axis"]["titleColor"] == config["axis"]["labelColor"] == charts.TEXT_COLOR
    assert config["legend"]["labelFontSize"] >= 14 and config["title"]["fontSize"] >= 15


def _class_scales(spec: dict) -> list[dict]:
    """Every scale in a spec whose domain is the two classes."""
    found = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("domain") == [0, 1] and "range" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def test_the_class_palette_has_one_definition() -> None:
    definitions = [
        str(path.relative_to(ACTLIB)) for path in ACTLIB.rglob("*.py")
        if re.search(r"^CLASS_COLORS\s*=", path.read_text(), re.MULTILINE)
    ]
    assert definitions == ["chart_style.py"]  # re-exported by actlib.charts


def test_playground_and_bake_off_surfaces_use_it_with_a_legend() -> None:
    surface, points = _surface()
    for chart in (nl_charts.surface_chart(surface, points, "t"),
                  guide_charts.surface_panel(surface, points, "t")):
        spec = chart.to_dict()
        scales = _class_scales(spec)
        assert scales and all(s["range"] == list(CLASS_COLORS) for s in scales), scales
        legends = [layer["encoding"][channel].get("legend") for layer in spec["layer"]
                   for channel in ("color", "fill") if channel in layer.get("encoding", {})
                   and layer["encoding"][channel].get("field") == "y"]
        assert legends and all(legend and "class" in legend["labelExpr"] for legend in legends)


def test_the_approximation_target_is_in_the_legend() -> None:
    x = np.linspace(-2, 2, 9)
    target = pd.DataFrame({"x": x, "value": np.sin(x)})
    spec = nl_charts.fit_chart(target.assign(value=target.value * 0.9), target, "relu",
                               "ReLU").to_dict()
    lines = next(layer for layer in spec["layer"] if "color" in layer["encoding"])
    color = lines["encoding"]["color"]
    assert color["scale"]["domain"] == ["target", "fit"] and color["legend"] is not None
    assert lines["encoding"]["strokeDash"]["scale"]["range"][0] == [6, 4]  # dashed target


def _history(steps, **losses) -> pd.DataFrame:
    """Rows as :func:`actlib.training.history_frame` makes them, for one or more models."""
    rows = []
    for key, (train, test) in losses.items():
        for step, a, b in zip(steps, train, test, strict=True):
            rows.append({"step": step, "model": f"{key} seed 0", "activation": key.title(),
                         "key": key, "seed": 0, "train_loss": a, "test_loss": b})
    return pd.DataFrame(rows)


def test_the_loss_chart_is_never_an_empty_axis() -> None:
    history = _history([0], tanh=([0.69], [0.7]))
    spec = charts.loss_chart(history, ["tanh"], last_step=250).to_dict()
    assert spec["mark"]["point"]  # one snapshot: drawn as points
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 250]
    assert spec["encoding"]["x"]["axis"]["format"] == "~d"


def _rows(spec: dict) -> list[dict]:
    return [row for rows in spec["datasets"].values() for row in rows]


def test_the_loss_chart_draws_every_finite_loss_in_its_activation_colour() -> None:
    history = _history([0, 10, 20], relu=([0.7, 0.3, 0.0], [0.7, 0.4, 0.5]),
                       tanh=([0.7, float("nan"), float("nan")], [0.7, float("inf"), float("nan")]))
    spec = charts.loss_chart(history, ["relu", "tanh"]).to_dict()
    rows = _rows(spec)
    assert len(rows) == 6 + 2  # relu's six, tanh's step-0 pair: a diverged curve stops
    assert min(r["loss"] for r in rows) == charts.LOSS_FLOOR  # a zero loss sits on the floor
    assert {r["activation"] for r in rows} == {"ReLU", "Tanh"}  # the catalogue's names
    color = spec["encoding"]["color"]["scale"]
    assert color["domain"] == ["ReLU", "Tanh"] and len(color["range"]) == 2
    dash = spec["encoding"]["strokeDash"]
    assert dash["scale"]["domain"] == ["train", "test"] and dash["legend"] is not None
    assert spec["encoding"]["y"]["scale"]["type"] == "log"


def test_the_training_loss_chart_with_a_chance_level() -> None:
    history = _history([0, 10], relu=([0.7, 0.3], [0.7, 0.4]))
    spec = charts.loss_chart(history, ["relu"], "Training loss (log scale)", ("train",),
                             chance=0.693).to_dict()
    assert spec["title"] == "Training loss (log scale)"
    lines = spec["layer"][-1]
    assert lines["encoding"]["strokeDash"]["legend"] is None  # one split: no split legend
    assert {r["split"] for r in _rows(spec) if "split" in r} == {"train"}
    assert any(layer.get("mark", {}).get("type") == "rule" for layer in spec["layer"])


def test_one_loss_chart_and_one_surface_tile_builder() -> None:
    """The per-page copies are gone: one loss frame and chart, one tile builder."""
    found: dict[str, list[str]] = {}
    for path in ACTLIB.rglob("*.py"):
        text = path.read_text()
        for name in ("loss_chart", "loss_frame", "_tiles", "_cells", "surface_tiles"):
            if re.search(rf"^def {name}\(", text, re.MULTILINE):
                found.setdefault(name, []).append(str(path.relative_to(ACTLIB)))
    assert found == {"loss_chart": ["charts/__init__.py"], "loss_frame": ["charts/__init__.py"],
                     "surface_tiles": ["charts/__init__.py"]}
    tiled = [str(p.relative_to(ACTLIB)) for p in ACTLIB.rglob("*.py")
             if '"x1a:Q"' in p.read_text()]
    assert tiled == ["charts/__init__.py"]


def test_the_surface_heatmap_tiles_the_plane_in_the_class_palette() -> None:
    surface, _ = _surface()
    spec = charts.surface_heatmap(surface, 100).to_dict()
    assert spec["encoding"]["color"]["scale"]["range"] == [CLASS_COLORS[0], "#f4f4f4",
                                                           CLASS_COLORS[1]]
    rows = _rows(spec)
    assert len(rows) == 25
    first = rows[0]
    half = (1 - -1) / 4 / 2  # grid step 0.5
    assert first["x1b"] - first["x1a"] == pytest.approx(2 * charts.TILE_OVERLAP * half)
    assert spec["encoding"]["x"]["scale"]["domain"] == [-1.0, 1.0]
    assert spec["mark"]["opacity"] == 1  # overlapping translucent tiles would show seams
    faded = charts.surface_heatmap(surface, 100, fade=0.15).to_dict()
    assert faded["encoding"]["color"]["scale"]["range"][1] != "#f4f4f4"
