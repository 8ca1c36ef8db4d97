"""Real browser: the default lecture plays end to end with Next/Previous and the keyboard,
a lecturer's own sequence works from its link, and the presenter view is readable at
1920 × 1080 (rendered font sizes measured, the result on the first screen)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from actlib import lecture as lec
from actlib.scenes import scene
from actlib.ui.presenter import BODY_PX
from tests.browser import assert_clean, wait_for_app

pytestmark = pytest.mark.browser

DEFAULT = [scene(i) for i in lec.DEFAULT_LECTURE]
CHART_LABEL_PX = 18


def _step(page, position: int, total: int, *, present: bool = False) -> None:
    """The page shows step ``position`` (1-based) of the lecture, on its own page."""
    page.wait_for_function(
        f"() => new URLSearchParams(location.search).get('at') === '{position}' && "
        f"document.querySelector('.st-key-lecture_bar')?.innerText.includes('{position} of')",
        timeout=120_000)
    wait_for_app(page, timeout=120_000)
    assert_clean(page)
    item = DEFAULT[position - 1] if total == len(DEFAULT) else None
    bar = page.locator(".st-key-lecture_bar")
    assert bar.count() == 1
    text = bar.inner_text()
    assert f"{position} of {total}" in text
    query = parse_qs(urlparse(page.url).query)
    assert query["at"] == [str(position)]
    assert ("present" in query) == present
    if item is not None:
        assert item.title in text and item.notice in text
        assert urlparse(page.url).path == f"/{item.page}"
        assert query["scene"] == [item.id]


def test_default_lecture_plays_end_to_end_with_buttons_and_keys(app_server, browser_page):
    page, _ = browser_page
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(app_server.url)
    wait_for_app(page)
    page.get_by_role("button", name="Play the default lecture").click()
    total = len(DEFAULT)
    _step(page, 1, total)
    assert page.get_by_role("button", name="Previous").first.is_disabled()
    keys = ["button", "PageDown", "ArrowRight"]
    for position in range(2, total + 1):
        how = keys[position % len(keys)]
        if how == "button":
            page.get_by_role("button", name="Next", exact=False).first.click()
        else:
            page.keyboard.press(how)
        _step(page, position, total)
    assert page.get_by_role("button", name="Next", exact=False).first.is_disabled()
    page.keyboard.press("PageUp")
    _step(page, total - 1, total)
    page.keyboard.press("ArrowLeft")
    _step(page, total - 2, total)
    page.get_by_role("button", name="Previous", exact=False).first.click()
    _step(page, total - 3, total)


def test_own_sequence_from_a_link_and_the_playground_keeps_its_arrow(
    app_server, browser_page
) -> None:
    page, _ = browser_page
    ids = "pg-xor-relu,dr-leaky,nope"
    first = scene("pg-xor-relu")
    query = {**first.query(), "scene": first.id, "lecture": ids, "at": "1"}
    page.goto(f"{app_server.url}/playground?{urlencode(query, doseq=True)}")
    wait_for_app(page, timeout=120_000)
    assert_clean(page)
    assert page.get_by_text("`nope` is not a scene").count() + page.get_by_text(
        "nope").count() >= 1
    assert "1 of 2" in page.locator(".st-key-lecture_bar").inner_text()
    page.keyboard.press("ArrowRight")  # the Playground's Step, not Next
    wait_for_app(page, timeout=120_000)
    assert urlparse(page.url).path == "/playground"
    page.keyboard.press("PageDown")
    wait_for_app(page, timeout=120_000)
    assert urlparse(page.url).path == "/dead_relu"
    assert "2 of 2" in page.locator(".st-key-lecture_bar").inner_text()
    assert parse_qs(urlparse(page.url).query)["lecture"] == ["pg-xor-relu,dr-leaky"]


_TEXT_SIZES = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const picks = main.querySelectorAll(
    '[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li, '
    + '[data-testid="stWidgetLabel"] p, [data-testid="stTab"] p, '
    + '[data-testid="stCaptionContainer"], [data-testid="stSliderThumbValue"], '
    + 'button p, [data-tag] span, input, textarea');
  const out = [];
  for (const e of picks) {
    const r = e.getBoundingClientRect();
    const text = (e.value || e.textContent || '').trim();
    if (r.width === 0 || r.height === 0 || !text) continue;
    if (e.closest('[data-testid="stTooltipContent"]')) continue;
    out.push([text.slice(0, 40), parseFloat(getComputedStyle(e).fontSize)]);
  }
  return out;
}"""

_CHART_SIZES = """() => {
  const out = [];
  const roles = ['role-axis-label', 'role-axis-title', 'role-legend-label',
                 'role-legend-title'];
  for (const g of document.querySelectorAll('[data-testid="stVegaLiteChart"] svg g')) {
    if (!roles.some(r => g.classList.contains(r))) continue;
    for (const t of g.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      out.push([t.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(t).fontSize)]);
    }
  }
  return out;
}"""

_GRID_WIDTHS = """() => [...document.querySelectorAll(
    '[data-testid="stVegaLiteChart"] .role-axis-grid line')]
  .map(l => parseFloat(getComputedStyle(l).strokeWidth))"""
"""Axis grid lines stay hairlines: the presenter view thickens data lines and rules, and a
log axis has nine grid lines a decade, which thickened read as a grey band."""

_FIRST_RESULT_TOP = """() => {
  const tops = [...document.querySelectorAll(
      '[data-testid="stVegaLiteChart"], [data-testid="stImage"] img, [data-testid="stDataFrame"], '
      + '[data-testid="stTable"], '
      + '[data-testid="stMetric"]')]
    .map(e => e.getBoundingClientRect()).filter(r => r.height > 50).map(r => r.top);
  return tops.length ? Math.min(...tops) : null;
}"""


@pytest.mark.parametrize("item", DEFAULT, ids=lambda s: s.id)
def test_presenter_view_is_readable_at_1920x1080(app_server, chromium, item) -> None:
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    try:
        position = lec.DEFAULT_LECTURE.index(item.id)
        query = lec.step_query(lec.Lecture(tuple(DEFAULT), position), present=True)
        page.goto(f"{app_server.url}/{item.page}?{urlencode(query, doseq=True)}")
        wait_for_app(page, timeout=120_000)
        assert_clean(page)
        page.wait_for_function(f"({_FIRST_RESULT_TOP})() !== null", timeout=60_000)
        page.wait_for_timeout(500)  # charts settle their layout
        texts = page.evaluate(_TEXT_SIZES)
        assert len(texts) > 5
        small = [t for t in texts if t[1] < BODY_PX - 0.01]
        assert not small, f"text under {BODY_PX} px: {small[:8]}"
        chart_texts = page.evaluate(_CHART_SIZES)
        small = [t for t in chart_texts if t[1] < CHART_LABEL_PX - 0.01]
        assert not small, f"chart labels under {CHART_LABEL_PX} px: {small[:8]}"
        grids = page.evaluate(_GRID_WIDTHS)
        assert grids and max(grids) <= 1.5, f"grid lines up to {max(grids or [0])} px"
        top = page.evaluate(_FIRST_RESULT_TOP)
        assert top is not None and top < 1080 - 150, f"first result starts at {top} px"
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.get_attribute("data-collapsed") == "true"
        for key in item.hide:
            assert page.locator(f".st-key-{key}").evaluate_all(
                "es => es.every(e => getComputedStyle(e).display === 'none')"), key
        page.screenshot(path=f"/tmp/presenter-{item.id}.png")
    finally:
        context.close()


def test_playground_reproduce_download_prints_the_losses_shown(app_server, browser_page,
                                                               tmp_path) -> None:
    """The downloaded script, run on its own, prints the train and test loss the page's
    metrics show for this very network (rate change included)."""
    import re
    import subprocess
    import sys

    page, _ = browser_page
    page.goto(f"{app_server.url}/playground?p_data=xor&p_act=relu&p_steps=300"
              "&p_lrs=0:0.03&p_lrs=150:0.1")
    wait_for_app(page, timeout=120_000)
    shown = {}
    for label in ("Train loss", "Test loss"):
        metric = page.locator('[data-testid="stMetric"]').filter(has_text=label)
        shown[label] = float(metric.locator('[data-testid="stMetricValue"]').inner_text())
    with page.expect_download() as download:
        page.get_by_role("button", name="Reproduce in PyTorch").click()
    path = tmp_path / "playground.py"
    download.value.save_as(path)
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    train, test = map(float, re.search(r"train loss (\S+), test loss (\S+)", out.stdout).groups())
    assert "300 steps" in out.stdout
    # float32 here: the script's nn.Linear and the engine's batched products round
    # differently, and 300 full-batch Adam steps carry that a few per cent apart
    # (tests/test_reproduce.py pins the exact agreement in float64).
    assert train == pytest.approx(shown["Train loss"], rel=0.05, abs=2e-3)
    assert test == pytest.approx(shown["Test loss"], rel=0.05, abs=2e-3)
