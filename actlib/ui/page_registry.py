"""The list of topic pages: one entry drives the navigation, the home page cards and tests.

A page is a file in ``pages/`` whose url_path stays the file's stem (a cold deep link to a
page whose url_path differs from its file name shows "Page not found" in Streamlit 1.67).
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

from actlib.card_previews import CARDS
from actlib.runtime import ImportStatement

APP_ROOT = Path(__file__).resolve().parents[2]
"""The folder of streamlit_app.py, which page paths are relative to."""


@dataclass(frozen=True)
class PageInfo:
    """A topic page: where it lives, how navigation names it, what the home card says.

    The home card's picture is :data:`actlib.card_previews.CARDS`'s, by stem.
    ``needs_torch`` is False for a page that never trains nor imports torch (the home
    page): the entry point then runs it without loading torch.
    """

    stem: str
    title: str
    icon: str
    section: str
    blurb: str
    needs_torch: bool = True

    @property
    def path(self) -> str:
        return f"pages/{self.stem}.py"

    def imports(self) -> tuple[ImportStatement, ...]:
        """The page file's top-level import statements as ``(module, names)``, read from
        its source without running it (``from a import b, c`` is ``("a", ("b", "c"))``,
        ``import a`` is ``("a", ())``)."""
        tree = ast.parse((APP_ROOT / self.path).read_text(encoding="utf-8"))
        statements: list[ImportStatement] = []
        for node in tree.body:
            if isinstance(node, ast.Import):
                statements += [(alias.name, ()) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                statements.append((node.module, tuple(a.name for a in node.names)))
        return tuple(statements)


HOME = PageInfo(
    stem="home",
    title="Home",
    icon="🏠",
    section="Start",
    blurb="What this lab teaches and where to find it.",
    needs_torch=False,
)

SECTIONS: tuple[str, ...] = ("Start", "Foundations", "Training problems", "Choosing")

TOPIC_PAGES: tuple[PageInfo, ...] = (
    PageInfo(
        stem="nonlinearity",
        title="Why non-linearity",
        icon="🧩",
        section="Foundations",
        blurb="Stack linear layers and get one matrix; add a bend and fit curves. With "
        "softmax and the step neuron.",
    ),
    PageInfo(
        stem="playground",
        title="Playground",
        icon="🕹️",
        section="Foundations",
        blurb="Train a small network on 2-D data step by step and watch its boundary and "
        "units bend.",
    ),
    PageInfo(
        stem="shapes",
        title="Shapes and saturation",
        icon="📈",
        section="Foundations",
        blurb="f and f′ side by side, where each function goes flat, and its computed "
        "properties.",
    ),
    PageInfo(
        stem="gradients",
        title="Vanishing & exploding",
        icon="📉",
        section="Training problems",
        blurb="Real backpropagation through deep networks: where the signal dies or blows "
        "up, and what each remedy does.",
    ),
    PageInfo(
        stem="dead_relu",
        title="Dead ReLU monitor",
        icon="💀",
        section="Training problems",
        blurb="Watch ReLU units die while a network trains, and revive them.",
    ),
    PageInfo(
        stem="guide",
        title="Choosing an activation",
        icon="🧭",
        section="Choosing",
        blurb="Advice with reasons, a live bake-off, measured compute cost and a short "
        "history.",
    ),
)

"""Topic pages in curriculum order; the home page links to each."""

HOME_PREVIEWS = sum(info.stem in CARDS for info in TOPIC_PAGES)
"""The pictures the home page draws, one on each card that has one."""


LECTURE_BUILDER = PageInfo(
    stem="lecture",
    title="Lecture builder",
    icon="🧱",
    section="Start",
    blurb="Put scenes in order and get the link of your own lecture.",
)
"""A tool page, not a topic: it composes lecture sequences from the scenes."""


def all_pages() -> tuple[PageInfo, ...]:
    return (HOME, LECTURE_BUILDER, *TOPIC_PAGES)


def page_of(url_path: str) -> PageInfo:
    """The page Streamlit's navigation resolved: its url_path is the file's stem, and
    ``""`` for the default page, home."""
    return next(p for p in all_pages() if p.stem == (url_path or HOME.stem))


@functools.cache
def page_imports() -> tuple[ImportStatement, ...]:
    """Every page's import statements, each once, pages in navigation order: what the
    entry point imports in the background once the home page has run (read once per
    process: every home page run asks)."""
    return tuple(dict.fromkeys(s for page in all_pages() for s in page.imports()))


def title_of(stem: str) -> str:
    """The navigation title of page ``stem``."""
    return next(p.title for p in all_pages() if p.stem == stem)
