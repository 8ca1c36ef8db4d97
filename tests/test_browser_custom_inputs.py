"""Real browser: a typed formula on the Shapes page, and points clicked onto the Playground's
plane and an uploaded CSV that the Playground then trains on."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser import assert_clean, wait_for_app

pytestmark = pytest.mark.browser

PLOT_OFFSET = (60, 44)
"""Where the drawing plane's plot area starts inside its chart element (px), measured on
the chart of :func:`actlib.charts.user_data.drawing_plane`; the plot is 340 x 300."""
PLOT_SIZE = (340, 300)


def test_a_formula_typed_on_shapes_is_drawn_and_linked(app_server, browser_page) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/shapes?act=relu&act=formula")
    wait_for_app(page)
    assert_clean(page)
    field = page.get_by_label("Your formula f(x)", exact=True)
    field.fill("x * tanh(softplus(x)")  # a parenthesis missing
    field.press("Enter")
    wait_for_app(page)
    error = page.locator('[data-testid="stAlert"]').filter(has_text="Syntax error")
    assert error.count() == 1 and "column" in error.inner_text()
    field.fill("x * tanh(softplus(x))")
    field.press("Enter")
    wait_for_app(page)
    assert_clean(page)
    assert page.locator('[data-testid="stAlert"]').filter(has_text="Syntax error").count() == 0
    query = parse_qs(urlparse(page.url).query)
    assert query["fx"] == ["x * tanh(softplus(x))"] and query["act"] == ["relu", "formula"]
    # the saturation summary names it, as it names every chosen activation
    assert page.get_by_text("f(x) = x * tanh(softplus(x)): x <").count() == 1


def _click_plane(page, fx: float, fy: float) -> None:
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.mouse.click(box["x"] + PLOT_OFFSET[0] + fx * PLOT_SIZE[0],
                     box["y"] + PLOT_OFFSET[1] + fy * PLOT_SIZE[1])
    wait_for_app(page)


def test_points_clicked_on_the_playground_train(app_server, browser_page) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/playground?p_data=own")
    wait_for_app(page)
    assert_clean(page)
    assert page.get_by_text("a link cannot carry it").count() == 1
    for i in range(5):
        _click_plane(page, 0.1 + 0.05 * i, 0.15 + 0.15 * i)
    page.get_by_text("Click adds class 1").click()
    wait_for_app(page)
    for i in range(5):
        _click_plane(page, 0.7 + 0.05 * i, 0.15 + 0.15 * i)
    assert page.get_by_text("10 points: 5 of class 0, 5 of class 1").count() == 1
    assert page.get_by_text("Your data: 10 rows").count() == 1
    surface = page.locator('img[alt="decision surface"]')
    surface.first.wait_for(timeout=60_000)
    assert_clean(page)


def test_an_uploaded_csv_trains_and_a_bad_one_is_named(app_server, browser_page,
                                                       tmp_path: Path) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/playground?p_data=own")
    wait_for_app(page)
    page.get_by_text("Upload a CSV").click()
    wait_for_app(page)
    bad = tmp_path / "bad.csv"
    bad.write_text("x1;x2;label\n1;2;a\n")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    wait_for_app(page)
    assert page.get_by_text("separated by semicolons").count() == 1
    good = tmp_path / "good.csv"
    rows = [f"{i % 7 - 3},{i % 5 - 2},{'a' if i % 7 < 3 else 'b'}" for i in range(40)]
    good.write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(good))
    wait_for_app(page)
    assert page.get_by_text("Your data: 40 rows, 30 to train and 10 to test").count() == 1
    page.locator('img[alt="decision surface"]').first.wait_for(timeout=60_000)
    assert_clean(page)
