"""Shared fixtures: AppTest runs of pages, and a real server with headless Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from actlib.charts import schema_check
from tests.browser import CHROMIUM_ARGS, AppServer, ConsoleWatch, chromium_path

schema_check.check_charts(True)  # every chart a test draws is checked against Vega-Lite's schema

ON_CI = os.environ.get("CI", "").lower() == "true"
APPTEST_TIMEOUT = 60


def _require_browser() -> str:
    """The Chromium path; on CI a missing browser fails the run instead of skipping."""
    path = chromium_path()
    if path is None:
        message = "Chromium not found (apt-get install -y chromium)"
        if ON_CI:
            pytest.fail(message)
        pytest.skip(message)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if ON_CI:
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")
    return path


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    _require_browser()
    server = AppServer.start(tmp_path_factory.mktemp("server"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    path = _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium) -> Iterator[tuple[object, ConsoleWatch]]:
    """A fresh 1280x800 page whose console errors fail the test at teardown."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    watch = ConsoleWatch()
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    yield page, watch
    context.close()
    assert not watch.errors, "\n".join(watch.errors)
