"""Real browser: hostile values in a link are shown as plain, short text, never as markup.

Anyone can craft a link to the app and send it to a class. A bad value is echoed in the
page's note so the lecturer sees what was replaced; that echo must not become a live link,
a remote image, formatting, colour, maths or a screen-filling wall of text.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from tests.browser import assert_clean, wait_for_app

pytestmark = pytest.mark.browser

HOSTILE = {
    "view": "[Click here to log in](https://example.com/login)",
    "data": "![img](https://example.com/pixel.png)",
    "init": "**bold** :red[alarm] $x^2$ <b>html</b> <img src=x onerror=alert(1)>",
    "norm": "x" * 5000,
    "foo<script>": "1",
}


def _note(page):
    return page.locator('[data-testid="stAlert"]').filter(has_text="were not valid")


def test_hostile_link_values_are_echoed_as_short_plain_text(app_server, browser_page) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/gradients?{urlencode(HOSTILE)}")
    wait_for_app(page)
    assert_clean(page)
    note = _note(page)
    assert note.count() == 1
    for selector in ("a", "img", "strong", "b", "em", ".katex", "script", "span[style]"):
        assert note.locator(selector).count() == 0, f"{selector} rendered from a link value"
    text = note.inner_text()
    assert "[Click here to log in](https://exa" in text, "shown as typed, in code"
    assert "**bold** :red[alarm]" in text
    assert "x" * 200 not in text, "a 5,000-character value is cut short"
    assert note.bounding_box()["height"] < 320, "the note stays a few lines tall"
    query = parse_qs(urlparse(page.url).query)
    assert not set(query) & set(HOSTILE), f"replaced and unknown keys left the URL: {query}"


def test_activation_names_in_any_case_and_a_typo_keeps_the_defaults(
    app_server, browser_page
) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/shapes?act=RELU&act=Tanh")
    wait_for_app(page)
    assert_clean(page)
    assert _note(page).count() == 0
    assert parse_qs(urlparse(page.url).query)["act"] == ["relu", "tanh"]
    page.goto(f"{app_server.url}/shapes?act=relu_typo")
    wait_for_app(page)
    assert_clean(page)
    assert _note(page).count() == 1
    assert page.get_by_text("Pick at least one activation").count() == 0
    assert "act" not in parse_qs(urlparse(page.url).query), "the page's defaults, not 'none'"
