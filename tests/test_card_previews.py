"""The home page's card pictures: SVG drawn from the stored preview frames, without
Altair, pandas or torch (issue #15's cold start). The frames themselves are pinned against
torch in tests/test_previews.py; here, that each picture draws exactly those values."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from actlib import card_previews as cp
from actlib import chart_style
from actlib.activation_info import CATALOGUE_INFO, color_scale
from actlib.history import timeline_rows
from actlib.previews import DEAD_KEYS, GRADIENT_KEYS, SHAPES_KEYS, stored_columns
from actlib.ui.page_registry import HOME_PREVIEWS, TOPIC_PAGES

SVG = "{http://www.w3.org/2000/svg}"


def _marks(stem: str, dark: bool = False) -> ET.Element:
    return ET.fromstring(cp.CARDS[stem].draw(dark))


def _points(line: ET.Element) -> list[tuple[float, float]]:
    return [tuple(float(v) for v in p.split(",")) for p in line.get("points").split()]


def test_every_topic_page_has_a_card_picture() -> None:
    assert set(cp.CARDS) == {info.stem for info in TOPIC_PAGES}
    assert len(TOPIC_PAGES) == HOME_PREVIEWS


@pytest.mark.parametrize("stem", list(cp.CARDS))
@pytest.mark.parametrize("dark", [False, True])
def test_a_picture_is_valid_svg_of_the_cards_size(stem: str, dark: bool) -> None:
    root = _marks(stem, dark)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == f"0 0 {cp.WIDTH} {cp.HEIGHT}"
    drawn = root.findall(f".//{SVG}polyline") + root.findall(f".//{SVG}circle")
    assert drawn, f"the {stem} picture draws nothing"
    assert root.find(f"{SVG}g").get("clip-path") == "url(#plot)"
    if stem == "nonlinearity":
        return  # its hinges run past the fixed y range and are clipped, as on its page
    for line in root.findall(f".//{SVG}polyline"):
        for x, y in _points(line):
            assert 0 <= x <= cp.WIDTH and -1 <= y <= cp.HEIGHT + 1, (stem, x, y)


def test_nice_steps_are_d3s() -> None:
    """Vega's scales round with d3's tickIncrement: these are d3.tickStep's answers."""
    assert cp.nice_step(0, 10, 10) == 1
    assert cp.nice_step(0, 1, 10) == pytest.approx(0.1)
    assert cp.nice_step(-1.0929, 1.0843, 10) == pytest.approx(0.2)
    assert cp.nice_step(0, 100, 4) == 20  # 25 rounds down to 2 x 10
    assert cp.nice_step(0, 70, 10) == 5  # 7 rounds down to 5
    assert cp.nice_domain([-1.0929, 1.0843]) == (-1.2, 1.2)
    assert cp.nice_domain([0.1, 0.93], zero=True) == (0.0, 1.0)
    assert cp.nice_ticks(-1.6, 1.6) == [-1.0, 0.0, 1.0]


def _inverse(plot: cp.Plot, px: float, py: float) -> tuple[float, float]:
    x_lo, x_hi = plot.x
    y_lo, y_hi = plot.y
    x = x_lo + (px - plot.side) / (cp.WIDTH - 2 * plot.side) * (x_hi - x_lo)
    share = (plot.bottom - py) / (plot.bottom - cp.PAD)
    if plot.log_y:
        return x, 10 ** (math.log10(y_lo) + share * (math.log10(y_hi) - math.log10(y_lo)))
    return x, y_lo + share * (y_hi - y_lo)


def test_the_dead_relu_picture_draws_the_stored_shares() -> None:
    """Each line's points, mapped back through the plot, are the stored values (to the
    drawing's 0.1 px), in the catalogue's colours."""
    root = _marks("dead_relu")
    columns = stored_columns("dead_relu")
    series = cp.by_key(columns, DEAD_KEYS, "layer", "dead_share")
    plot = cp.Plot(x=(1, 8), y=(0.0, 1.0))
    lines = root.findall(f".//{SVG}polyline")
    colors = color_scale(list(DEAD_KEYS))[1]
    assert [line.get("stroke") for line in lines] == colors
    for key, line in zip(DEAD_KEYS, lines, strict=True):
        back = [_inverse(plot, *p) for p in _points(line)]
        assert [x for x, _ in back] == pytest.approx(series[key][0], abs=0.01)
        assert [y for _, y in back] == pytest.approx(series[key][1], abs=0.002)
    assert len(root.findall(f".//{SVG}circle")) == len(columns["layer"])


def test_the_gradient_picture_is_on_a_log_axis() -> None:
    root = _marks("gradients")
    columns = stored_columns("gradients")
    series = cp.by_key(columns, GRADIENT_KEYS, "layer", "signal_norm")
    values = columns["signal_norm"]
    plot = cp.Plot(x=(1, 12), y=(10.0 ** math.floor(math.log10(min(values))),
                                 10.0 ** math.ceil(math.log10(max(values)))), log_y=True)
    for key, line in zip(GRADIENT_KEYS, root.findall(f".//{SVG}polyline"), strict=True):
        back = [_inverse(plot, *p)[1] for p in _points(line)]
        assert back == pytest.approx(series[key][1], rel=0.02)


def test_the_other_pictures_draw_every_stored_row() -> None:
    nonlinearity = stored_columns("nonlinearity")
    lines = _marks("nonlinearity").findall(f".//{SVG}polyline")
    assert sum(len(_points(line)) for line in lines) == len(nonlinearity["x"])
    assert len(lines) == len(set(zip(nonlinearity["unit"], nonlinearity["kind"], strict=True)))
    shapes = stored_columns("shapes")
    lines = _marks("shapes").findall(f".//{SVG}polyline")
    assert [line.get("stroke") for line in lines] == color_scale(list(SHAPES_KEYS))[1]
    assert sum(len(_points(line)) for line in lines) == len(shapes["x"])
    playground = stored_columns("playground")
    dots = _marks("playground").findall(f".//{SVG}circle")
    assert len(dots) == len(playground["y"])
    fills = [dot.get("fill") for dot in dots]
    for label in (0, 1):
        assert fills.count(chart_style.CLASS_COLORS[label]) == playground["y"].count(label)


def test_the_timeline_has_a_dot_per_activation_at_its_year() -> None:
    root = _marks("guide")
    dots = root.findall(f".//{SVG}circle")
    rows = timeline_rows()
    assert len(dots) == len(rows) == len(CATALOGUE_INFO)
    titles = [dot.find(f"{SVG}title").text for dot in dots]
    assert titles == [f"{row['name']}, {row['year']}" for row in rows]
    assert [t.text for t in root.findall(f".//{SVG}text")] == ["1940", "1960", "1980", "2000",
                                                               "2020"]
    xs = [float(dot.get("cx")) for dot in dots]
    assert xs == sorted(xs), "oldest left"


def test_the_dark_pictures_take_the_dark_themes_colours() -> None:
    """The dark theme repaints too-dark colours (the step function's black dot) and draws
    the year labels and grid in its own inks."""
    variants = chart_style.dark_variants()
    light, dark = _marks("guide"), _marks("guide", dark=True)
    for a, b in zip(light.findall(f".//{SVG}circle"), dark.findall(f".//{SVG}circle"),
                    strict=True):
        assert b.get("fill") == variants.get(a.get("fill").lower(), a.get("fill"))
    assert {t.get("fill") for t in dark.findall(f".//{SVG}text")} == {chart_style.DARK_TEXT}
    assert any(a.get("fill") != b.get("fill") for a, b in zip(
        light.findall(f".//{SVG}circle"), dark.findall(f".//{SVG}circle"), strict=True))
    palette = {dot.get("fill") for dot in _marks("playground", dark=True).findall(
        f".//{SVG}circle")}
    assert palette <= set(chart_style.CLASS_COLORS_DARK)


def test_the_descriptions_say_what_the_data_shows() -> None:
    """Each picture's words for screen readers are computed from its data; these are the
    same facts found independently."""
    texts = {stem: card.describe() for stem, card in cp.CARDS.items()}
    dead = cp.by_key(stored_columns("dead_relu"), DEAD_KEYS, "layer", "dead_share")
    assert max(dead["leaky_relu"][1]) == 0 and "Leaky ReLU none" in texts["dead_relu"]
    assert f"ReLU {min(dead['relu'][1]):.0%} to {max(dead['relu'][1]):.0%}" in \
        texts["dead_relu"]
    flow = cp.by_key(stored_columns("gradients"), GRADIENT_KEYS, "layer", "signal_norm")
    assert flow["sigmoid"][1][0] * 1e5 < flow["sigmoid"][1][-1]  # vanishes toward layer 1
    assert re.search(r"sigmoid's is [\d,]{7} times smaller at layer 1", texts["gradients"])
    playground = stored_columns("playground")
    radius = {label: [math.hypot(a, b) for a, b, y in zip(
        playground["x1"], playground["x2"], playground["y"], strict=True) if y == label]
        for label in (0, 1)}
    assert min(radius[0]) > max(radius[1]) * 0.9  # class 0 is the outer ring
    assert "orange around" in texts["playground"]
    orange, blue = chart_style.CLASS_COLORS[:2]
    assert int(orange[1:3], 16) > int(orange[5:7], 16) and int(blue[5:7], 16) > int(
        blue[1:3], 16)
    years = [row["year"] for row in timeline_rows()]
    assert f"{min(years)} to {max(years)}" in texts["guide"]
    assert texts["nonlinearity"].startswith("8 thin ReLU hinges")
