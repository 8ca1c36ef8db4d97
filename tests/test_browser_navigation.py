"""Real browser: moving between pages with the sidebar, as a student does.

Pages share one session and several use the same short setting keys for different things
(``depth`` is a slider on one page and a choice on another). Each page must arrive with its
own state: no traceback, no value carried over from another page, no note about invalid
values, and a clean URL (a page at its defaults writes nothing into the link).
"""

from __future__ import annotations

import itertools
from urllib.parse import urlparse

import pytest

from actlib.ui.page_registry import all_pages
from tests.browser import assert_clean, wait_for_app

pytestmark = pytest.mark.browser

GUIDE = "guide"


def every_ordered_pair_walk(stems: list[str]) -> list[str]:
    """A walk through the pages that moves once along every ordered pair (a -> b, a != b).

    The complete directed graph has in-degree = out-degree everywhere, so an Eulerian
    circuit exists (Hierholzer): n(n-1) moves instead of 2 n(n-1) with a return each time.
    """
    unused = {a: [b for b in stems if b != a] for a in stems}
    stack, walk = [stems[0]], []
    while stack:
        here = stack[-1]
        if unused[here]:
            stack.append(unused[here].pop())
        else:
            walk.append(stack.pop())
    return walk[::-1]


def test_the_walk_covers_every_ordered_pair() -> None:
    stems = [p.stem for p in all_pages()]
    walk = every_ordered_pair_walk(stems)
    moves = set(itertools.pairwise(walk))
    assert moves == {(a, b) for a in stems for b in stems if a != b}
    assert len(walk) == len(stems) * (len(stems) - 1) + 1


def _open_by_sidebar(page, stem: str) -> None:
    title = next(p.title for p in all_pages() if p.stem == stem)
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.wait_for_url(lambda url: urlparse(url).path.strip("/") == ("" if stem == "home"
                                                                    else stem))
    wait_for_app(page)


def _assert_own_defaults(page, came_from: str) -> None:
    where = f"{urlparse(page.url).path} (from {came_from})"
    assert_clean(page)
    assert page.get_by_text("were not valid").count() == 0, where
    assert urlparse(page.url).query == "", f"{where}: settings in the link: {page.url}"


def test_sidebar_walk_through_every_ordered_pair_of_pages(app_server, browser_page) -> None:
    page, _ = browser_page
    walk = every_ordered_pair_walk([p.stem for p in all_pages()])
    page.goto(f"{app_server.url}/{'' if walk[0] == 'home' else walk[0]}")
    wait_for_app(page)
    for came_from, stem in itertools.pairwise(walk):
        _open_by_sidebar(page, stem)
        _assert_own_defaults(page, came_from)


def _guide_views() -> list[str]:
    from tests.test_pages_at_limits import page_settings

    return [str(v) for v in page_settings(GUIDE)["view"].options]


def test_from_every_tab_of_the_guide_to_every_other_page(app_server, browser_page) -> None:
    """The guide's tabs hold the widgets that clashed (the bake-off's depth and rate).
    Coming back by the sidebar, the guide shows the tab it was left on (its own state).

    Every tab is left for two other pages in turn, so that every tab and every page are
    crossed in the browser (the AppTest walk in test_navigation.py crosses the bake-off
    tab with every page); all tab x page pairs took two minutes of the suite for the same
    code path."""
    page, _ = browser_page
    others = [p.stem for p in all_pages() if p.stem != GUIDE]
    views = _guide_views()
    assert 2 * len(views) >= len(others), "not every page would be visited"
    page.goto(f"{app_server.url}/{GUIDE}")
    wait_for_app(page)
    for i, view in enumerate(views):
        page.get_by_role("tab", name=view).click()
        wait_for_app(page)
        assert_clean(page)
        for stem in (others[(2 * i) % len(others)], others[(2 * i + 1) % len(others)]):
            _open_by_sidebar(page, stem)
            _assert_own_defaults(page, f"{GUIDE}, {view}")
            _open_by_sidebar(page, GUIDE)
            assert_clean(page)
            selected = page.get_by_role("tab", selected=True).first.inner_text().strip()
            assert selected == view, f"back on the guide from {stem}: tab {selected!r}"


def test_a_page_keeps_its_own_last_state_across_a_visit_elsewhere(
    app_server, browser_page
) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/gradients?depth=7&act=relu")
    wait_for_app(page)
    _open_by_sidebar(page, "dead_relu")
    _assert_own_defaults(page, "gradients at depth 7")
    _open_by_sidebar(page, "gradients")
    query = urlparse(page.url).query
    assert "depth=7" in query and "act=relu" in query, page.url
    assert_clean(page)
