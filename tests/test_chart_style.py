"""The shared chart style: one Altair theme for every chart builder, one class palette."""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

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
    assert definitions == ["charts/__init__.py"]


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


def test_the_loss_chart_is_never_an_empty_axis() -> None:
    history = pd.DataFrame({"step": [0], "activation": "Tanh", "key": "tanh",
                            "train_loss": [0.69], "test_loss": [0.7]})
    spec = nl_charts.loss_chart(history, ["tanh"], last_step=250).to_dict()
    assert spec["mark"]["point"]  # one snapshot: drawn as points
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 250]
    assert spec["encoding"]["x"]["axis"]["format"] == "~d"
