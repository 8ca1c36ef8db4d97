"""Real browser: the home page, the navigation and a cold deep link to every page."""

from __future__ import annotations

import pytest

from actlib.ui.page_registry import TOPIC_PAGES, all_pages
from tests.browser import assert_clean, wait_for_app

pytestmark = pytest.mark.browser


def test_home_page_renders_with_navigation(app_server, browser_page) -> None:
    page, _ = browser_page
    page.goto(app_server.url)
    wait_for_app(page)
    assert_clean(page)
    assert page.get_by_role("heading", name="Activation Lab").is_visible()
    if len(all_pages()) == 1:
        return  # Streamlit shows no navigation for a single page
    nav = page.locator('[data-testid="stSidebarNav"]')
    for info in all_pages():
        assert nav.get_by_text(info.title, exact=True).count() == 1, info.title


@pytest.mark.parametrize("info", all_pages(), ids=lambda p: p.stem)
def test_cold_deep_link_renders_the_page(chromium, app_server, info) -> None:
    """A brand-new browser context opens the page's own URL (with query parameters)."""
    from tests.browser import ConsoleWatch

    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    watch = ConsoleWatch()
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    path = "" if info.stem == "home" else info.stem
    page.goto(f"{app_server.url}/{path}?unknown_param=1")
    wait_for_app(page)
    assert_clean(page)
    assert page.locator("h1").first.inner_text().strip(), "the page's title shows"
    context.close()
    assert not watch.errors, "\n".join(watch.errors)


def test_home_links_to_every_topic_page(app_server, browser_page) -> None:
    page, _ = browser_page
    page.goto(app_server.url)
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    for info in TOPIC_PAGES:
        assert main.get_by_text(info.title).count() >= 1, info.title


def test_first_request_to_a_fresh_server_is_a_deep_link(chromium, tmp_path) -> None:
    """The lecture case: the server has just started and the first visitor opens a prepared
    link to a topic page. It must run through the app's navigation (our sections and
    titles), not Streamlit's pages/ folder listing."""
    from tests.browser import AppServer

    server = AppServer.start(tmp_path)
    try:
        info = TOPIC_PAGES[0]
        context = chromium.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(f"{server.url}/{info.stem}")
        wait_for_app(page)
        assert_clean(page)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert info.title in nav and info.section in nav, nav
        assert "streamlit app" not in nav.lower()
        context.close()
    finally:
        server.stop()


def test_deep_links_opened_at_once_on_a_fresh_server_all_run_through_the_app(
        chromium, tmp_path) -> None:
    """A class opens prepared links the moment the server is up. Every session whose run
    starts before the first ``st.navigation`` in the process is run by Streamlit's pages/
    relic; the app must notice that in each of them (not only the first) and rerun it
    through its own navigation. Seen before: 5 of 12 such sessions kept Streamlit's page
    list and skipped the app's entry point."""
    from tests.browser import AppServer

    server = AppServer.start(tmp_path)
    contexts = [chromium.new_context(viewport={"width": 1280, "height": 800})
                for _ in TOPIC_PAGES]
    try:
        pages = [c.new_page() for c in contexts]
        for info, page in zip(TOPIC_PAGES, pages, strict=True):
            page.goto(f"{server.url}/{info.stem}", wait_until="commit")
        for info, page in zip(TOPIC_PAGES, pages, strict=True):
            wait_for_app(page, timeout=180_000)
            assert_clean(page)
            nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
            assert info.title in nav and "streamlit app" not in nav.lower(), (info.stem, nav)
            assert page.title() != info.stem.replace("_", " "), "the page config is missing"
    finally:
        for context in contexts:
            context.close()
        server.stop()
