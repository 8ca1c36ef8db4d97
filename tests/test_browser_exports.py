"""Real browser: every Altair chart carries an SVG download in its toolbar, including a chart
drawn after the page opened (another tab), and the file is a standalone SVG that holds the
chart's own axis titles; the Playground's live frames carry a PNG download."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from actlib.charts.gradients import LAYER_TITLE
from actlib.ui.chart_export import PNG_BUTTON_CLASS, SVG_BUTTON_CLASS
from tests.browser import assert_clean, wait_for_app

pytestmark = pytest.mark.browser

SVG_NS = "{http://www.w3.org/2000/svg}"
_CHARTS_WITHOUT_BUTTON = f"""() => [...document.querySelectorAll(
    '[data-testid="stVegaLiteChart"]')].filter(c => !c.parentElement.querySelector(
    '[data-testid="stElementToolbar"] .{SVG_BUTTON_CLASS}')).length"""


def _download_svg(page, chart, tmp_path, name: str) -> ET.Element:
    """Hover ``chart``, press its SVG button, and parse the file as XML."""
    chart.hover()
    button = chart.locator(f"xpath=..//button[contains(@class, '{SVG_BUTTON_CLASS}')]")
    assert button.count() == 1
    with page.expect_download() as download:
        button.click()
    path = tmp_path / name
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith(".svg")
    root = ET.parse(path).getroot()  # raises on anything that is not well-formed XML
    assert root.tag == f"{SVG_NS}svg"
    assert float(root.get("width")) > 50 and float(root.get("height")) > 50
    return root


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()).strip() for t in root.iter(f"{SVG_NS}text")]


def test_svg_downloads_on_two_pages_and_on_a_chart_drawn_later(app_server, browser_page,
                                                                tmp_path) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/gradients")
    wait_for_app(page, timeout=120_000)
    assert_clean(page)
    page.wait_for_function(f"({_CHARTS_WITHOUT_BUTTON})() === 0 && document.querySelectorAll("
                           "'[data-testid=\"stVegaLiteChart\"] svg.marks').length >= 2",
                           timeout=30_000)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    root = _download_svg(page, chart, tmp_path, "gradients.svg")
    texts = _texts(root)
    assert LAYER_TITLE in texts, texts[:20]
    # Fonts and colours are inlined, and the background is drawn, for a file viewer.
    title = next(t for t in root.iter(f"{SVG_NS}text") if "".join(t.itertext()) == LAYER_TITLE)
    assert "font-size" in title.get("style", "") and "fill" in title.get("style", "")
    assert next(iter(root)).tag == f"{SVG_NS}rect"

    page.goto(f"{app_server.url}/shapes")
    wait_for_app(page, timeout=120_000)
    before = page.locator('[data-testid="stVegaLiteChart"]').count()
    page.get_by_role("tab", name="Softmax").click()
    wait_for_app(page, timeout=120_000)
    assert_clean(page)
    bars = page.locator('[data-testid="stVegaLiteChart"]').filter(
        has=page.locator(".role-axis-title", has_text="probability")).first
    bars.wait_for(timeout=30_000)
    page.wait_for_function(f"({_CHARTS_WITHOUT_BUTTON})() === 0", timeout=10_000)
    assert before > 0
    root = _download_svg(page, bars, tmp_path, "softmax.svg")
    assert "probability" in _texts(root)


def test_playground_frames_download_as_png(app_server, browser_page, tmp_path) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/playground")
    wait_for_app(page, timeout=120_000)
    frame = page.locator('[data-testid="stMarkdownContainer"] img[src^="data:image/png"]').first
    frame.wait_for(timeout=30_000)
    host = frame.locator("xpath=ancestor::*[@data-testid='stElementContainer'][1]")
    host.hover()
    button = host.locator(f".{PNG_BUTTON_CLASS}")
    assert "no SVG" in button.get_attribute("title")
    with page.expect_download() as download:
        button.click()
    path = tmp_path / "frame.png"
    download.value.save_as(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert download.value.suggested_filename.startswith("playground-")
