"""Real browser: the presenter view's dark theme at 1920 × 1080. Measures the computed text
colours of body text, a widget label and a chart's axis labels against the background they
are drawn on (contrast ≥ 7:1), and finds no white box left on the dark page."""

from __future__ import annotations

import pytest

from actlib.ui.presenter import BODY_PX
from tests.browser import assert_clean, wait_for_app
from tests.test_dark_theme import TEXT_CONTRAST

pytestmark = pytest.mark.browser

_COLOURS = """() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const opaque = (c) => c.length === 3 || (c.length === 4 && c[3] > 0.5);
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const svg = e.closest && e.closest('svg.marks');
      const own = rgb(getComputedStyle(svg && e !== svg ? svg : e).backgroundColor);
      if (opaque(own)) return own.slice(0, 3);
      if (svg) e = svg;
    }
    return [255, 255, 255];
  };
  const pick = (selector) => {
    const found = [...document.querySelectorAll(selector)].filter(
      (e) => e.getBoundingClientRect().width > 0 && e.textContent.trim());
    if (!found.length) return null;
    const e = found[0];
    const style = getComputedStyle(e);
    const ink = e instanceof SVGElement ? style.fill : style.color;
    return { text: e.textContent.trim().slice(0, 30), ink: rgb(ink).slice(0, 3),
             background: background(e) };
  };
  return {
    body: pick('[data-testid="stMain"] [data-testid="stMarkdownContainer"] p'),
    label: pick('[data-testid="stMain"] [data-testid="stWidgetLabel"] p'),
    axis: pick('[data-testid="stVegaLiteChart"] .role-axis-label text'),
  };
}"""

_WHITE_BOXES = """() => {
  const out = [];
  for (const e of document.querySelectorAll('[data-testid="stMain"] *')) {
    if (e.closest('svg, canvas, img, [data-testid="stDataFrame"], [data-testid="stImage"]'))
      continue;
    const c = (getComputedStyle(e).backgroundColor.match(/[\\d.]+/g) || []).map(Number);
    if (c.length < 3 || (c.length === 4 && c[3] < 0.5)) continue;
    const r = e.getBoundingClientRect();
    if (r.width * r.height < 400) continue;
    if (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] > 200)
      out.push([e.tagName, e.dataset.testid || '',
                (e.parentElement.closest('[data-testid]') || {dataset: {}}).dataset.testid,
                Math.round(r.width), Math.round(r.height)]);
  }
  return out;
}"""


_OPTION = """() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number).slice(0, 3);
  const item = document.querySelector(
    '[role="listbox"] [role="option"]:not([aria-selected="true"])');
  const text = [...item.querySelectorAll('*')].find(e => !e.children.length) || item;
  return { text: item.textContent.trim(), ink: rgb(getComputedStyle(text).color),
           background: rgb(getComputedStyle(item).backgroundColor),
           size: parseFloat(getComputedStyle(text).fontSize) };
}"""
"""An open dropdown's first unselected option: its ink, background and size (the list is
drawn outside the main area, in a portal)."""


def _luminance(rgb: list[float]) -> float:
    channels = [v / 255 for v in rgb]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: list[float], b: list[float]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("page_path", ["shapes", "dead_relu"])
def test_dark_presenter_view_text_contrast_at_1920x1080(app_server, chromium,
                                                        page_path) -> None:
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    try:
        page.goto(f"{app_server.url}/{page_path}?present=1&dark=1")
        wait_for_app(page, timeout=120_000)
        assert_clean(page)
        page.wait_for_selector('[data-testid="stVegaLiteChart"] .role-axis-label text',
                               timeout=60_000)
        page.wait_for_timeout(500)
        measured = page.evaluate(_COLOURS)
        for part in ("body", "label", "axis"):
            found = measured[part]
            assert found is not None, part
            ratio = _contrast(found["ink"], found["background"])
            assert ratio >= TEXT_CONTRAST, (part, found, round(ratio, 2))
            assert _luminance(found["background"]) < 0.05, (part, found)  # dark, not light
        boxes = page.evaluate(_WHITE_BOXES)
        assert not boxes, f"white boxes on the dark page: {boxes[:6]}"
        # Scrolled into view first: a click that has to scroll the page to reach the box
        # only focuses it (the combobox opens on a press that starts and ends on it).
        select = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"] input').first
        select.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        select.click()
        page.wait_for_selector('[role="listbox"] [role="option"]', timeout=10_000)
        option = page.evaluate(_OPTION)
        ratio = _contrast(option["ink"], option["background"])
        assert ratio >= TEXT_CONTRAST and _luminance(option["background"]) < 0.05, option
        assert option["size"] >= BODY_PX - 0.01, option
        page.keyboard.press("Escape")
        assert page.get_by_role("button", name="Light").count() == 1
        page.screenshot(path=f"/tmp/presenter-dark-{page_path}.png")
    finally:
        context.close()


def test_dark_toggle_and_next_carry_the_theme(app_server, browser_page) -> None:
    """The header's toggle sets ``dark=1``, Next keeps it, leaving the presenter view drops
    it from the link, and the presenter toggle brings it back."""
    from urllib.parse import parse_qs, urlparse

    page, _ = browser_page
    page.goto(f"{app_server.url}/nonlinearity?lecture=nl-collapse,dr-die&at=1&present=1")
    wait_for_app(page, timeout=120_000)
    page.get_by_role("button", name="Dark").click()
    page.wait_for_function("new URLSearchParams(location.search).get('dark') === '1'")
    wait_for_app(page, timeout=120_000)
    page.keyboard.press("PageDown")
    page.wait_for_function("location.pathname === '/dead_relu'", timeout=120_000)
    wait_for_app(page, timeout=120_000)
    query = parse_qs(urlparse(page.url).query)
    assert query.get("dark") == ["1"] and query.get("present") == ["1"]
    page.get_by_role("button", name="Leave presenter view").click()
    page.wait_for_function("!new URLSearchParams(location.search).has('present')")
    wait_for_app(page, timeout=120_000)
    assert "dark" not in parse_qs(urlparse(page.url).query)
    page.get_by_role("button", name="Presenter view").click()
    page.wait_for_function("new URLSearchParams(location.search).get('dark') === '1'")
