"""The app's chart style without Altair: colours, font sizes and the presenter switch.

Split from :mod:`actlib.charts` (which re-exports every name) so that what the home page
needs, the page header's presenter styles and the card pictures' colours, loads neither
Altair nor pandas: the home page is the first thing a cold server draws, and those two
imports took about 0.9 s of its CPU (issue #15's cold start).
"""

from __future__ import annotations

import threading

from actlib.activation_info import CATALOGUE_INFO, STACK_COLORS_DARK

TEXT_COLOR = "#262730"
"""Streamlit's body-text colour: axis and legend titles read as text, not as grey hints."""

CLASS_COLORS = ("#e8710a", "#1967d2", "#44aa99", "#762a83", "#5a5a5a")
"""Classes 0 to 4 of every 2-D data set, in every chart of the app: orange and blue first,
as in TensorFlow Playground, then teal, purple and grey. Chosen so that every pair stays
apart under simulated protanopia, deuteranopia and tritanopia (tests/test_palette.py), all
of middle lightness so that a surface can fade each one toward white as the network's
confidence falls. A two-class surface fades between the first two through white."""


PRESENTER_SIZES = {"label": 18, "title": 20, "chart_title": 22}
"""Font sizes (px) in the presenter view, read from the back of a hall on a projector."""
DESK_SIZES = {"label": 14, "title": 15, "chart_title": 16}
PRESENTER_STROKE = 4.0
"""Default line width (px) in the presenter view; builders that set their own keep it,
and the presenter CSS thickens drawn lines (:mod:`actlib.ui.presenter`)."""

DARK_BACKGROUND = "#0e1117"
"""The presenter view's dark theme: page and chart background (Streamlit's own dark)."""
DARK_SURFACE = "#1d212b"
"""Raised parts on the dark background: inputs, buttons, boxes."""
DARK_TEXT = "#f3f4f6"
"""Text and axis labels on the dark background (17:1 against it; projectors wash out)."""
DARK_GRID = "#3a404d"
DARK_DOMAIN = "#9aa0aa"
"""Axis lines and ticks on the dark background."""
DARK_MIDDLE = "#2a2e38"
"""Where a dark surface is unsure (P = 0.5): class colours fade toward the background."""

CLASS_COLORS_DARK = ("#e8710a", "#1967d2", "#44aa99", "#985fa2", "#ebebeb")
"""The class palette on the dark background: the same first three; purple and grey, too
dark there (under 3:1), become a lighter purple and a near-white, chosen so every pair
still stays apart under the three colour-blindness simulations (tests/test_palette.py)."""

NEUTRAL_INKS_DARK = {
    "#111111": "#eeeeee", "#262730": DARK_TEXT, "#333333": "#dddddd", "#555555": "#c4c4c4",
    "#5a5a5a": "#b0b0b0", "#777777": "#a8a8a8", "#999999": "#8c8c8c", "#9aa0a6": "#8a9098",
    "#9e9e9e": "#8e8e8e", "#b8b8b8": "#6c6c6c", "#bdbdbd": "#6f6f6f", "#d9d9d9": "#4a4f5a",
    "#e8e8e8": "#353a45", "#f2f2f2": "#262a33", "#fbeee0": "#3b2d1f", "#e3eefa": "#1f2d3d",
    "#eaf5ea": "#1f3322", "#fbf8f6": "#2a2e38",
}
"""The greys and pale fills the chart builders draw with (reference rules, value labels,
bands), each with its dark-theme variant: dark inks turn light, pale fills turn dark, so
nothing is a white box or an invisible line on the dark background. Applied by
:func:`dark_chart_css`, so the builders keep one colour each."""

_mode = threading.local()


def set_presenter(on: bool, dark: bool = False) -> None:
    """Switch the theme for charts built from now on in this thread: the presenter view's
    sizes, and its dark colours when ``dark`` is also on.

    Each Streamlit session runs its script in its own thread, and the page header calls
    this first on every run, so one session's presenter view never enlarges another's
    charts (Altair's enabled theme is process-wide; the theme function reads this flag
    every time a chart is serialised). A fragment's rerun may come on a new thread: the
    live areas set it again from the session (:func:`actlib.ui.presenter.restore`)."""
    _mode.presenter = bool(on)
    _mode.dark = bool(on and dark)


def presenter() -> bool:
    return bool(getattr(_mode, "presenter", False))


def dark() -> bool:
    """Whether charts built now in this thread take the dark theme."""
    return bool(getattr(_mode, "dark", False))


def class_palette(on_dark: bool | None = None) -> tuple[str, ...]:
    """The class colours for the light page or the dark theme (this thread's by default)."""
    return CLASS_COLORS_DARK if (dark() if on_dark is None else on_dark) else CLASS_COLORS


def dark_variants() -> dict[str, str]:
    """Every colour a chart may draw with that changes on the dark background (lower-case
    #rrggbb -> its dark variant): the catalogue's activations that have a ``dark_color``,
    the class palette's and the builders' neutral inks."""
    variants = {s.color.lower(): s.dark_color.lower() for s in CATALOGUE_INFO if s.dark_color}
    variants.update({a.lower(): b.lower() for a, b in zip(CLASS_COLORS, CLASS_COLORS_DARK,
                                                          strict=True) if a != b})
    variants.update({a.lower(): b.lower() for a, b in STACK_COLORS_DARK.items()})
    variants.update({a.lower(): b.lower() for a, b in NEUTRAL_INKS_DARK.items()})
    return variants


def dark_chart_css() -> str:
    """CSS rules that repaint :func:`dark_variants` inside the page's Altair charts (Vega
    writes colours as ``fill``/``stroke`` attributes, which CSS overrides): one rule set
    for every builder, instead of a second colour in each of them."""
    rules = []
    for light, dark_color in dark_variants().items():
        for prop in ("fill", "stroke"):
            rules.append(f'[data-testid="stVegaLiteChart"] [{prop}="{light}" i] '
                         f"{{ {prop}: {dark_color}; }}")
    return "\n".join(rules)


def theme_config(on_projector: bool, on_dark: bool = False) -> dict:
    """The theme's config for the desk (14 px labels, 15-16 px titles) or the presenter
    view (18 px labels, 20-22 px titles, thicker default lines), all in the text colour;
    ``on_dark`` gives the dark theme's background, text, grid and axis colours.
    Only sizes and colours are set: chart sizes stay the builders' own.

    Marks carry no ARIA labels: Vega-Lite otherwise writes a description ("x: 0.4; y: 1.2;
    class: 1") on every rect and point, and building them took about 40 % of a dense
    chart's drawing (a 40 x 40 decision surface: 1.15-1.41 s -> 0.68-0.71 s in headless
    Chromium, vega-embed alone, medians of 5). Axes, legends and the titles keep theirs."""
    size = PRESENTER_SIZES if on_projector else DESK_SIZES
    label, title = size["label"], size["title"]
    text = DARK_TEXT if on_dark else TEXT_COLOR
    axis = {"labelFontSize": label, "titleFontSize": title, "labelColor": text,
            "titleColor": text, "titleFontWeight": "normal"}
    colors = {"labelColor": text, "titleColor": text}
    config = {
        "mark": {"aria": False},
        "axis": axis,
        "legend": {"labelFontSize": label, "titleFontSize": title, **colors,
                   "symbolSize": 120, "labelLimit": 260},
        "header": {"labelFontSize": label, "titleFontSize": title, **colors},
        "title": {"fontSize": size["chart_title"], "subtitleFontSize": label,
                  "color": text, "subtitleColor": text},
    }
    if on_projector:
        config["line"] = {"strokeWidth": PRESENTER_STROKE}
        config["text"] = {"fontSize": label}
    if on_dark:
        config["background"] = DARK_BACKGROUND
        config["view"] = {"stroke": DARK_GRID}
        axis.update({"gridColor": DARK_GRID, "domainColor": DARK_DOMAIN,
                     "tickColor": DARK_DOMAIN})
        config["text"] = {**config.get("text", {}), "color": text}
    return config
