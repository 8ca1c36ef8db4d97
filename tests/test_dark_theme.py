"""The presenter view's dark theme: its colours carry on a projector (contrast measured by
the WCAG 2 formula), activation and class colours stay apart on it, the link's ``dark``
key is validated and carried, and it switches the chart theme for its session only."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from actlib import charts, live_plots
from actlib import lecture as lec
from actlib import lecture_keys as keys
from actlib.activation_info import STACK_COLORS, STACK_COLORS_DARK
from actlib.activations import CATALOGUE
from actlib.scenes import scene
from tests.apptest_charts import APP, drawn_charts, open_page
from tests.conftest import APPTEST_TIMEOUT
from tests.test_palette import SIMULATIONS, _lab, _linear

TEXT_CONTRAST = 7.0
"""WCAG AAA for text: what a washed-out projector still shows."""
GRAPHIC_CONTRAST = 3.0
"""WCAG 2.1's minimum for lines and marks against their background."""


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    def luminance(color: str) -> float:
        return float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(color))
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def dark_color(spec) -> str:
    return spec.dark_color or spec.color


def test_contrast_formula_against_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_text_and_axes_carry_on_the_dark_background() -> None:
    assert contrast(charts.DARK_TEXT, charts.DARK_BACKGROUND) >= TEXT_CONTRAST
    assert contrast(charts.DARK_TEXT, charts.DARK_SURFACE) >= TEXT_CONTRAST
    assert contrast(charts.DARK_DOMAIN, charts.DARK_BACKGROUND) >= GRAPHIC_CONTRAST


@pytest.mark.parametrize("spec", CATALOGUE, ids=lambda s: s.key)
def test_every_activation_colour_shows_on_dark(spec) -> None:
    assert contrast(dark_color(spec), charts.DARK_BACKGROUND) >= GRAPHIC_CONTRAST
    if spec.dark_color:  # a variant exists only where the colour itself is too dark there
        assert contrast(spec.color, charts.DARK_BACKGROUND) < GRAPHIC_CONTRAST


@pytest.mark.parametrize("color", STACK_COLORS)
def test_every_stack_colour_shows_on_dark(color) -> None:
    """A stack's colour, or its dark variant, carries as a line on the dark background; a
    variant exists only where the colour itself does not, stays apart from every other
    colour drawn on dark, and the charts repaint it."""
    shown = STACK_COLORS_DARK.get(color, color)
    assert contrast(shown, charts.DARK_BACKGROUND) >= GRAPHIC_CONTRAST
    if color in STACK_COLORS_DARK:
        assert contrast(color, charts.DARK_BACKGROUND) < GRAPHIC_CONTRAST
        others = [dark_color(s) for s in CATALOGUE] + [c for c in STACK_COLORS if c != color]
        nearest = min(float(np.linalg.norm(_lab(_linear(shown)) - _lab(_linear(o))))
                      for o in others)
        assert nearest >= _closest([s.color for s in CATALOGUE])
        assert charts.dark_variants()[color.lower()] == shown.lower()


def _closest(colors: list[str]) -> float:
    labs = [_lab(_linear(c)) for c in colors]
    return min(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(labs, 2))


def test_dark_variants_keep_activations_as_far_apart_as_the_light_ones() -> None:
    """Every changed colour is at least as far (CIELAB) from every other activation's as
    the closest pair of the light catalogue is."""
    light_closest = _closest([s.color for s in CATALOGUE])
    for spec in (s for s in CATALOGUE if s.dark_color):
        others = [dark_color(o) for o in CATALOGUE if o is not spec]
        nearest = min(float(np.linalg.norm(_lab(_linear(spec.dark_color)) - _lab(_linear(o))))
                      for o in others)
        assert nearest >= light_closest, (spec.key, nearest, light_closest)


def test_dark_class_palette_shows_and_stays_apart_for_colour_blind_students() -> None:
    palette = charts.CLASS_COLORS_DARK
    assert len(palette) == len(charts.CLASS_COLORS)
    for color in palette:
        assert contrast(color, charts.DARK_BACKGROUND) >= GRAPHIC_CONTRAST, color
        assert contrast(color, charts.DARK_MIDDLE) >= GRAPHIC_CONTRAST - 0.6, color
    for vision, matrix in SIMULATIONS.items():
        labs = [_lab(np.clip(np.array(matrix) @ _linear(c), 0, 1)) for c in palette]
        closest = min(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(labs, 2))
        assert closest >= 20.0, f"{vision}: two dark classes only {closest:.1f} apart"


def test_dark_variants_are_one_step_and_repaint_in_the_charts_only() -> None:
    variants = charts.dark_variants()
    assert not set(variants.values()) & set(variants), "a variant is repainted again"
    for ink in ("#333333", "#555555", "#111111"):  # reference rules and value labels
        assert contrast(variants[ink], charts.DARK_BACKGROUND) >= TEXT_CONTRAST - 2.5
    css = charts.dark_chart_css()
    assert all(line.startswith('[data-testid="stVegaLiteChart"] ') for line in css.splitlines())
    assert '[stroke="#000000" i] { stroke: #e6e6e6; }' in css


def test_theme_config_light_and_dark() -> None:
    light = charts.theme_config(True)
    assert "background" not in light and light["axis"]["labelColor"] == charts.TEXT_COLOR
    dark = charts.theme_config(True, on_dark=True)
    assert dark["background"] == charts.DARK_BACKGROUND
    for part in ("axis", "legend", "header"):
        assert dark[part]["labelColor"] == charts.DARK_TEXT
    assert dark["axis"]["gridColor"] == charts.DARK_GRID


def test_set_presenter_keeps_dark_to_the_presenter_view() -> None:
    try:
        charts.set_presenter(False, dark=True)
        assert not charts.dark()
        charts.set_presenter(True, dark=True)
        assert charts.dark() and charts.class_palette() == charts.CLASS_COLORS_DARK
    finally:
        charts.set_presenter(False)


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_live_frames_paint_the_dark_palette() -> None:
    steps = np.arange(0, 100, 10)
    losses = np.linspace(1.0, 0.1, len(steps))
    try:
        charts.set_presenter(True, dark=True)
        dark = _pixels(live_plots.loss_png(steps, losses, losses * 1.2, 100))
    finally:
        charts.set_presenter(False)
    light = _pixels(live_plots.loss_png(steps, losses, losses * 1.2, 100))
    background = tuple(int(charts.DARK_BACKGROUND[i:i + 2], 16) for i in (1, 3, 5))
    assert tuple(dark[1, 1]) == background and tuple(light[1, 1]) == (255, 255, 255)
    text = np.array(live_plots.DARK.text)
    assert (np.abs(dark.reshape(-1, 3).astype(int) - text).sum(axis=1) < 30).sum() > 50


def test_flag_values_and_their_notes() -> None:
    for word, on in (("1", True), ("ON", True), (" yes", True), ("0", False), ("off", False)):
        assert lec.parse_flag(word) is on
        assert lec.flag_problem(keys.DARK, word) is None
    for hostile in ("2", "<script>", "**x**", ""):
        assert lec.parse_flag(hostile) is None
        note = lec.flag_problem(keys.DARK, hostile)
        assert note is not None and note.startswith("`") and "ignored" in note


def test_queries_carry_the_dark_theme_in_the_presenter_view_only() -> None:
    item = scene("dr-die")
    assert lec.scene_query(item, present=True, dark=True)[keys.DARK] == ["1"]
    assert keys.DARK not in lec.scene_query(item, present=True, dark=False)
    assert keys.DARK not in lec.scene_query(item, present=False, dark=True)
    lecture = lec.read({keys.LECTURE: ["default"], keys.AT: ["2"]})
    assert lecture is not None
    assert lec.step_query(lecture.moved(1), present=True, dark=True)[keys.DARK] == ["1"]


def _backgrounds(at) -> set:
    return {chart.spec.get("config", {}).get("background") for chart in drawn_charts(at)}


def test_dark_key_switches_the_chart_theme_for_its_session_only() -> None:
    dark = open_page("pages/shapes.py", present="1", dark="1")
    assert _backgrounds(dark) == {charts.DARK_BACKGROUND}
    labels = {c.spec["config"]["axis"]["labelColor"] for c in drawn_charts(dark)}
    assert labels == {charts.DARK_TEXT}
    # Another session at the same time: presenter view without the dark theme, and the desk.
    for query in ({"present": "1"}, {}):
        other = open_page("pages/shapes.py", **query)
        assert _backgrounds(other) == {None}
        assert {c.spec["config"]["axis"]["labelColor"] for c in drawn_charts(other)} == {
            charts.TEXT_COLOR}
    # The first session keeps its dark theme on its next run.
    dark.run()
    assert _backgrounds(dark) == {charts.DARK_BACKGROUND}


def test_hostile_dark_value_gets_the_standard_note_and_no_theme() -> None:
    """A link straight to the home page (its cards' pictures follow the theme)."""
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT)
    at.query_params["present"] = "1"
    at.query_params["dark"] = "<b>x</b>"
    at.run()
    assert not at.exception
    notes = " ".join(w.value for w in at.warning)
    assert "`dark=<b>x</b>` is not 1 or 0; ignored" in notes
    assert _card_pictures(at) == _card_pictures_drawn(dark=False)
    assert "dark" not in at.query_params


def _card_pictures(at) -> set[str]:
    return {image.proto.imgs[0].url for image in at.get("image")}


def _card_pictures_drawn(dark: bool) -> set[str]:
    import base64

    from actlib.card_previews import CARDS

    return {"data:image/svg+xml;base64," + base64.b64encode(card.draw(dark).encode()).decode()
            for card in CARDS.values()}


def test_the_home_pages_pictures_take_the_dark_theme() -> None:
    at = open_page("pages/home.py", present="1", dark="1")
    assert _card_pictures(at) == _card_pictures_drawn(dark=True)
    assert _card_pictures_drawn(dark=True) != _card_pictures_drawn(dark=False)
