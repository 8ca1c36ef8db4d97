"""The list of topic pages: one entry drives the navigation, the home page cards and tests.

A page is a file in ``pages/`` whose url_path stays the file's stem (a cold deep link to a
page whose url_path differs from its file name shows "Page not found" in Streamlit 1.67).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import altair as alt

from actlib import charts
from actlib.curves import curve_frame


@dataclass(frozen=True)
class PageInfo:
    """A topic page: where it lives, how navigation names it, what the home card says."""

    stem: str
    title: str
    icon: str
    section: str
    blurb: str
    preview: Callable[[], alt.Chart] | None = None

    @property
    def path(self) -> str:
        return f"pages/{self.stem}.py"


def _preview_shapes() -> alt.Chart:
    keys = ["sigmoid", "tanh", "relu", "gelu"]
    return charts.preview_curves(curve_frame(keys, -4, 4, points=81), keys, y="df")


HOME = PageInfo(
    stem="home",
    title="Home",
    icon="🏠",
    section="Start",
    blurb="What this lab teaches and where to find it.",
)

SECTIONS: tuple[str, ...] = ("Start", "Foundations", "Training problems", "Choosing")

SHAPES = PageInfo(
    stem="shapes",
    title="Shapes and saturation",
    icon="📈",
    section="Foundations",
    blurb="f and f′ side by side, where each function goes flat, and its computed properties.",
    preview=_preview_shapes,
)

TOPIC_PAGES: tuple[PageInfo, ...] = (SHAPES,)
"""Topic pages in curriculum order; the home page links to each."""


def all_pages() -> tuple[PageInfo, ...]:
    return (HOME, *TOPIC_PAGES)
