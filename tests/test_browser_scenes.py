"""Real browser: every scene opens its exact state, the Scenes menu opens a scene on its tab
and closes, a moved control ends the scene, and copy link gives the full address."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from actlib import lecture as lec
from actlib.scenes import SCENES, scene
from actlib.settings import Choice
from tests.browser import assert_clean, wait_for_app

pytestmark = pytest.mark.browser

CHARTS = ('[data-testid="stVegaLiteChart"], [data-testid="stImage"] img, '
          '[data-testid="stDataFrame"], [data-testid="stTable"]')
"""What a scene's result is drawn as: charts, the live views' frames, or a table (the
property sheet)."""


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _tab_key(item) -> str | None:
    return next((s.key for s in item.settings if isinstance(s, Choice) and s.widget == "tabs"),
                None)


def _expect_scene(page, item) -> None:
    """The page shows the scene: its banner, its values in the link the widgets wrote, its
    tab open, a drawn chart and no exception."""
    wait_for_app(page, timeout=120_000)
    assert_clean(page)
    banner = page.locator('[data-testid="stAlertContentSuccess"]')
    assert banner.count() == 1 and item.title in banner.inner_text(), item.id
    query = _query(page)
    settings = item.settings
    for key, raw in item.query().items():
        if raw == settings[key].serialize(settings[key].default):
            assert key not in query, f"{item.id}: default {key} left in the link"
        else:
            assert query.get(key) == raw, f"{item.id}: {key} is {query.get(key)}, not {raw}"
    assert query.get("scene") == [item.id]
    tab = _tab_key(item)
    if tab is not None:
        selected = page.locator('[data-testid="stTab"][aria-selected="true"]')
        assert selected.first.inner_text().strip() == item.values()[tab], item.id
    page.locator(CHARTS).first.wait_for(state="visible", timeout=60_000)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg, '
                 + '[data-testid="stVegaLiteChart"] canvas, [data-testid="stImage"] img, '
                 + '[data-testid="stDataFrame"], [data-testid="stTable"]')]
             .some(e => e.getBoundingClientRect().height > 50)""", timeout=60_000)
    labelled = page.locator('[data-testid="stVegaLiteChart"] svg .role-mark [aria-label]')
    assert labelled.count() == 0, "marks drawn with per-datum ARIA labels (slow to draw)"


@pytest.mark.parametrize("item", SCENES, ids=lambda s: s.id)
def test_every_scene_opens_its_exact_state(app_server, browser_page, item) -> None:
    page, _ = browser_page
    query = {**item.query(), "scene": [item.id]}
    page.goto(f"{app_server.url}/{item.page}?{urlencode(query, doseq=True)}")
    _expect_scene(page, item)


def _open_menu_scene(page, title: str) -> None:
    page.get_by_role("button", name="🎬 Scenes").click()
    page.get_by_role("button", name=title).first.wait_for(state="visible")
    page.get_by_role("button", name=title).first.click()


def test_menu_opens_a_scene_on_its_tab_closes_and_a_moved_control_ends_it(
    app_server, browser_page
) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/gradients?view=Activation+statistics")
    wait_for_app(page)
    clipping = scene("grad-clipping")
    _open_menu_scene(page, clipping.title)
    _expect_scene(page, clipping)
    assert page.get_by_role("button", name=scene("dr-die").title).count() == 0, "menu closed"
    # another scene of the same page replaces the values the user had
    vanishing = scene("grad-vanishing")
    _open_menu_scene(page, vanishing.title)
    _expect_scene(page, vanishing)
    page.get_by_text("Residual", exact=True).click()
    wait_for_app(page)
    assert page.locator('[data-testid="stAlertContentSuccess"]').count() == 0
    assert page.get_by_text(f"no longer the scene “{vanishing.title}”").count() == 1
    assert "scene" not in _query(page), "a link copied now must not claim the scene"
    page.get_by_role("button", name="Reopen the scene").click()
    _expect_scene(page, vanishing)


def test_scene_from_the_home_index_and_across_pages(app_server, browser_page) -> None:
    page, _ = browser_page
    page.goto(app_server.url)
    wait_for_app(page)
    item = scene("dr-leaky")
    page.get_by_role("button", name=item.title).first.click()
    _expect_scene(page, item)
    assert urlparse(page.url).path == "/dead_relu"


def test_copy_link_copies_and_shows_the_full_address(app_server, browser_page) -> None:
    page, _ = browser_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{app_server.url}/shapes?act=relu&act=elu&view=Properties")
    wait_for_app(page)
    page.get_by_role("button", name="Copy link to this view").click()
    status = page.get_by_text("✓ Link copied: ")
    status.wait_for(state="visible")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.url
    assert copied.startswith(app_server.url + "/shapes?") and "act=elu" in copied
    assert copied in status.inner_text()


def test_a_bad_scene_or_lecture_in_a_link_gets_a_note(app_server, browser_page) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/shapes?scene=dr-die&lecture=nope&hide=zzz")
    wait_for_app(page)
    assert_clean(page)
    note = page.locator('[data-testid="stAlert"]').filter(has_text="lecture values")
    text = note.inner_text()
    assert "scene=dr-die" in text and "lecture=nope" in text and "hide=zzz" in text
    assert not {"scene", "lecture"} & set(_query(page))


def test_default_lecture_length_matches_the_index(app_server, browser_page) -> None:
    page, _ = browser_page
    page.goto(app_server.url)
    wait_for_app(page)
    assert page.get_by_text(f"in {len(lec.DEFAULT_LECTURE)} scenes").count() == 1


def test_header_tools_wrapped_below_the_title_start_flush_with_it(app_server,
                                                                  browser_page) -> None:
    """At 1280 px the lecture tools wrap below a long title; they start where it starts
    (the invisible export watcher once sat first in their row, and its gap indented them)."""
    page, _ = browser_page
    page.goto(f"{app_server.url}/shapes")
    wait_for_app(page, timeout=120_000)
    tools = page.evaluate("""() => [...document.querySelectorAll(
        '.st-key-lecture_tools button')].map(b => b.getBoundingClientRect())
        .filter(r => r.width > 0).map(r => ({x: r.x, y: r.y}))""")
    title = page.locator("h1").first.bounding_box()
    assert tools, "the lecture tools are drawn"
    first = min(tools, key=lambda r: r["x"])
    assert first["y"] >= title["y"] + title["height"] / 2, (first, title)  # wrapped below
    assert abs(first["x"] - title["x"]) <= 1, (first, title)
