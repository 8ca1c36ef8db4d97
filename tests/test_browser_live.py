"""The live machinery in a real browser: a control moved while a run plays, and a lesson run
reset, stepped, played and paused on the same network."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser import assert_clean, wait_for_app

_STEP_TEXT = """() => {
  const label = [...document.querySelectorAll('[data-testid="stMetricLabel"]')]
    .find(e => e.innerText.trim() === 'Step');
  const value = label && label.closest('[data-testid="stMetric"]')
    .querySelector('[data-testid="stMetricValue"]');
  return value ? value.innerText : '';
}"""


def _metric_step(page) -> int:
    text = (page.evaluate(_STEP_TEXT) or "").replace(",", "")
    return int(text) if text.isdigit() else -1


def _wait_until(predicate, seconds: float, page) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        page.wait_for_timeout(50)
    return predicate()


@pytest.mark.browser
def test_a_learning_rate_moved_while_playing_applies_and_play_goes_on(app_server,
                                                                       browser_page) -> None:
    """Moving a control outside the live area reruns the page while the run plays: the
    run must go on (it once raised "scope='fragment' can only be specified ...")."""
    page, _ = browser_page
    page.goto(f"{app_server.url}/playground?p_steps=0&p_width=4")
    wait_for_app(page)
    page.get_by_role("button", name="Play").click()
    assert _wait_until(lambda: _metric_step(page) >= 50, 20, page), "Play trains on"
    rate = page.get_by_role("slider").nth(2)
    assert rate.get_attribute("aria-valuetext") == "0.03"
    rate.focus()
    page.keyboard.press("ArrowRight")  # 0.03 -> 0.1, while playing
    # The page's run with the new rate writes it to the link: only then has it reached the
    # server (Space pressed before that full-page run ends is dropped by Streamlit 1.67,
    # which discards a fragment's event while the page run that re-creates it is going on).
    assert _wait_until(lambda: "p_lr=0.1" in page.url, 30, page), \
        f"the moved rate never reached the page's run: {page.url}"
    moved_at = _metric_step(page)
    assert _wait_until(lambda: _metric_step(page) > moved_at + 100, 20, page), \
        "the run plays on after the page reran"
    # While the page run swaps the live area's elements, the DOM holds the old and the new
    # Pause button for a moment (one on screen): the area must settle to exactly one.
    pause = page.get_by_role("button", name="Pause")
    assert _wait_until(lambda: pause.count() == 1, 10, page), "one Pause button"
    assert pause.is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Space")
    page.get_by_role("button", name="Play").wait_for(timeout=15_000)
    wait_for_app(page)
    assert_clean(page)
    assert re.search(r"p_lrs=0%3A0.03&p_lrs=\d+%3A0.1", page.url), page.url


@pytest.mark.browser
def test_a_lesson_run_resets_steps_plays_and_pauses_on_the_same_network(app_server,
                                                                        browser_page) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/gradients?view=Training&steps=1000")
    page.get_by_text("Trained 1,000 steps.").first.wait_for(timeout=120_000)
    wait_for_app(page)
    assert_clean(page)
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Paused at step 0 of 1,000.").first.wait_for(timeout=20_000)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("ArrowRight")  # Step: to the next snapshot
    page.get_by_text(re.compile(r"Paused at step 40 of 1,000\.")).first.wait_for(timeout=20_000)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Space")  # Play, from step 40
    page.get_by_text(re.compile(r"Training: step [\d,]+ of 1,000\.")).first.wait_for(
        timeout=20_000)
    page.get_by_role("button", name="Pause").click()
    paused = page.get_by_text(re.compile(r"Paused at step [\d,]+ of 1,000\.")).first
    paused.wait_for(timeout=20_000)
    step = int(re.search(r"step ([\d,]+)", paused.inner_text()).group(1).replace(",", ""))
    assert 40 <= step < 1000
    page.wait_for_timeout(800)
    assert page.get_by_text(f"Paused at step {step:,} of 1,000.").first.is_visible(), \
        "nothing trains after Pause"
    page.get_by_role("button", name="Play").click()
    page.get_by_text("Trained 1,000 steps.").first.wait_for(timeout=120_000)
    wait_for_app(page)
    assert_clean(page)
    assert page.get_by_role("button", name="Play").is_disabled()


@pytest.mark.browser
def test_a_click_on_a_unit_map_shows_that_unit_large_while_it_plays(app_server,
                                                                   browser_page) -> None:
    page, _ = browser_page
    page.set_viewport_size({"width": 1400, "height": 1400})
    page.goto(f"{app_server.url}/playground?p_steps=200")
    page.get_by_text("What each unit of hidden layer 1 computes").first.wait_for(timeout=60_000)
    wait_for_app(page)
    maps = page.locator('[data-testid="stVegaLiteChart"]').last
    box = maps.bounding_box()
    # The six maps are 92 px wide with 6 px between them: the second starts at x = 98.
    page.mouse.click(box["x"] + 98 + 46, box["y"] + 60)
    page.get_by_text("Unit 2 of hidden layer 1, step 200").first.wait_for(timeout=20_000)
    page.get_by_role("button", name="Play").click()
    assert _wait_until(lambda: _metric_step(page) >= 400, 30, page)
    assert page.get_by_text(re.compile(r"Unit 2 of hidden layer 1, step [\d,]+")).count() >= 1
    page.get_by_role("button", name="Back to the network's output").click()
    page.get_by_text(re.compile(r"^Tanh, step [\d,]+ · colour")).first.wait_for(timeout=20_000)
    page.keyboard.press("Space")
    wait_for_app(page)
    assert_clean(page)


SLOW_BROWSER = 8
"""How many times slower the browser's renderer runs (Chrome DevTools' CPU throttling): as a
busy laptop, or a tab among a dozen on a loaded machine, it reads the Playground's stream
slower than the server draws it."""


@pytest.mark.browser
def test_a_slow_browser_is_paced_and_its_pause_takes_effect(app_server, browser_page) -> None:
    """The Playground plays in a browser slower than the stream: the server draws only what
    the browser takes, so Pause takes effect and the connection holds. Before (bursts rerun
    at once), frames piled up for it: Streamlit dropped the session at 500 waiting messages
    without closing the connection (Pause went nowhere) and the keep-alive ping timed out
    behind the backlog (the connection was made again, minutes later)."""
    page, _ = browser_page
    closed: list[str] = []
    page.on("websocket", lambda ws: ws.on("close", lambda *_: closed.append(ws.url)))
    page.goto(f"{app_server.url}/playground?p_steps=0&p_depth=6&p_width=16&p_seed=2")
    wait_for_app(page)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": SLOW_BROWSER})
    try:
        page.get_by_role("button", name="Play").click()
        page.get_by_role("button", name="Pause").wait_for(timeout=60_000)
        page.wait_for_timeout(20_000)  # it plays on in the slow browser
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("button", name="Play").wait_for(timeout=90_000)
    finally:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    wait_for_app(page)
    assert_clean(page)
    assert _metric_step(page) > 0, "it trained"
    assert not closed, "the connection was dropped and made again"
