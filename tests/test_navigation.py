"""AppTest: moving between pages in one session, as the sidebar does.

The real-browser walk (test_browser_navigation.py) is the user's view; this one runs the
same walk without a browser, so a regression shows in the fast part of the suite too. The
sidebar drops the link's query string when it changes page; the walk does the same.
"""

from __future__ import annotations

import itertools

from streamlit.testing.v1 import AppTest

from actlib.ui.page_registry import all_pages
from tests.browser import REPO
from tests.test_browser_navigation import every_ordered_pair_walk

APP = str(REPO / "streamlit_app.py")


def _go(at: AppTest, stem: str) -> None:
    at.query_params.clear()
    at.switch_page(f"pages/{stem}.py").run()


def _assert_own_defaults(at: AppTest, where: str) -> None:
    assert not at.exception, (where, [e.value for e in at.exception])
    assert not [w for w in at.warning if "were not valid" in w.value], where
    assert dict(at.query_params) == {}, (where, dict(at.query_params))


def test_every_ordered_pair_of_pages_in_one_session() -> None:
    walk = every_ordered_pair_walk([p.stem for p in all_pages()])
    at = AppTest.from_file(APP, default_timeout=240).run()
    _go(at, walk[0])
    for came_from, stem in itertools.pairwise(walk):
        _go(at, stem)
        _assert_own_defaults(at, f"{came_from} -> {stem}")


def test_from_the_bake_off_tab_to_the_pages_that_crashed() -> None:
    """Reported: bake-off -> Vanishing & exploding raised ValueError <Depth.SHALLOW>."""
    at = AppTest.from_file(APP, default_timeout=240).run()
    for stem in ("gradients", "dead_relu", "shapes", "nonlinearity"):
        _go(at, "guide")
        at.session_state["view"] = "Bake-off"
        at.run()
        assert not at.exception
        _go(at, stem)
        _assert_own_defaults(at, f"guide (Bake-off) -> {stem}")
