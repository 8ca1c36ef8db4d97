"""The Playground page: Step, Play, Reset and Stop agree on the step shown; its notes; old
links to the Playground tab of "Why non-linearity" open it in the same state."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_charts import (
    assert_no_exception,
    chart_titles,
    drawn_charts,
    metric_value,
    open_page,
)
from tests.browser import assert_clean, wait_for_app

PAGE = "pages/playground.py"
_clean, _titles, _metric = assert_no_exception, chart_titles, metric_value


def _open(**query) -> AppTest:
    return open_page(PAGE, **query)


def test_playground_buttons_move_the_trained_steps() -> None:
    at = _open(p_steps="50", p_width="4")
    assert _metric(at, "Step") == "50"
    at.button(key="p_step").click().run()
    _clean(at)
    assert at.slider(key="p_steps").value == 75
    assert at.query_params["p_steps"] in ("75", ["75"])
    assert _metric(at, "Step") == "75"
    at.button(key="p_reset").click().run()
    _clean(at)
    assert _metric(at, "Step") == "0"
    at.button(key="p_play").click().run()
    assert _metric(at, "Step") == "250"
    charts = drawn_charts(at)
    assert "Tanh, step 250" in [c.title for c in charts]
    maps = [c for c in charts if "facet" in c.spec]
    assert maps and maps[0].rows == 4 * 25 * 25  # four units on a 25 x 25 grid
    # Every control moves without a traceback; a layer past the depth says so.
    at.selectbox(key="p_act").set_value("identity")
    at.selectbox(key="p_data").set_value("xor")
    at.slider(key="p_noise").set_value(0.3)
    at.slider(key="p_test").set_value(0.5)
    at.slider(key="p_depth").set_value(1)
    at.slider(key="p_layer").set_value(3)
    at.run()
    _clean(at)
    assert any("showing the last one" in c.value for c in at.caption)


def _interrupted_play(monkeypatch: pytest.MonkeyPatch, at: AppTest, interrupt_at: int) -> None:
    """Press Play and let the training thread be interrupted after the snapshot of step
    ``interrupt_at``, as a click on Stop interrupts it in a browser (AppTest runs a script
    to its end, so the interruption is an exception raised by the training loop)."""
    from actlib.ui import live_runner

    real_train = live_runner.train

    def interrupted(config, on_step=None):
        for snapshot in real_train(config, on_step=on_step):
            time.sleep(live_runner.REFRESH_SECONDS)  # every snapshot is drawn
            yield snapshot
            if snapshot.step >= interrupt_at:
                raise RuntimeError("interrupted")

    monkeypatch.setattr(live_runner, "train", interrupted)
    at.button(key="p_play").click().run()
    assert [e.value for e in at.exception] == ["interrupted"]
    monkeypatch.setattr(live_runner, "train", real_train)


def _shown_step(at: AppTest) -> int:
    """The step the Playground shows, asserting that picture, metric, slider and link
    agree on it."""
    title = next(t for t in _titles(at) if t.startswith("Tanh, step "))
    step = int(title.removeprefix("Tanh, step "))
    assert _metric(at, "Step") == f"{step:,}"
    assert at.slider(key="p_steps").value == step
    in_link = at.query_params.get("p_steps", "250")  # the default (250) is left out
    assert in_link in (str(step), [str(step)]), in_link
    return step


@pytest.mark.parametrize(("interrupt_at", "settled"), [(75, 250), (400, 400)])
def test_stop_settles_picture_slider_and_link_on_the_step_on_screen(
    monkeypatch: pytest.MonkeyPatch, interrupt_at: int, settled: int
) -> None:
    """Play from 250 replays from step 0 with the step-250 picture kept up. Stopped before
    the replay passes 250 (at 75), everything returns to 250, never back to 75; stopped
    after it (at 400, drawn live), everything stays at 400. Step and Play act again."""
    at = _open(p_steps="250", p_width="5", p_data="xor")
    _interrupted_play(monkeypatch, at, interrupt_at)
    at.button(key="nl_play:stop").click().run()
    _clean(at)
    assert _shown_step(at) == settled
    assert f"Stopped at step {settled}. Step and Play go on from here." in [
        i.value for i in at.info]
    assert not at.button(key="p_step").disabled and not at.button(key="p_play").disabled
    assert not [b for b in at.button if b.key == "nl_play:stop"]  # no training restarted
    at.button(key="p_step").click().run()
    _clean(at)
    assert _shown_step(at) == settled + 25


def test_stuck_playground_says_so_and_why() -> None:
    """The issue's 6 x 16 tanh network at a learning rate that saturates it stays at chance
    level: the page says it is stuck, why and what to try."""
    at = _open(p_depth="6", p_width="16", p_lr="0.1", p_steps="500")
    stuck = [w.value for w in at.warning if w.value.startswith("Stuck at chance")]
    assert stuck, [w.value for w in at.warning]
    assert "of the hidden units are flat" in stuck[0] and "Try learning rate 0.01" in stuck[0]
    at.select_slider(key="p_lr").set_value(0.01).run()  # the remedy works: no message
    assert not [w for w in at.warning if w.value.startswith("Stuck")]


def test_playground_loss_chart_waits_for_training() -> None:
    """At step 0 there is no curve to draw: a note instead of an empty axis."""
    at = _open(p_steps="0", p_width="4")
    assert "Loss (log scale)" not in _titles(at)
    assert "The loss curve starts with training" in " ".join(i.value for i in at.info)
    at.button(key="p_step").click().run()
    loss = next(c for c in drawn_charts(at) if c.title == "Loss (log scale)")
    assert loss.spec["encoding"]["x"]["scale"]["domain"] == [0, 25]
    assert loss.rows == 4  # train and test at steps 0 and 25


def test_playground_learning_rate_of_ten_explains_itself() -> None:
    at = _open(p_lr="10", p_act="relu", p_steps="100", p_width="4")
    assert "A learning rate of 10 is too large here" in at.warning[0].value
    assert _metric(at, "Step") == "100"


def test_an_old_playground_link_opens_the_playground_page_with_its_values() -> None:
    """Links from when the Playground was a tab: nonlinearity?demo=Playground&p_...="""
    at = open_page("pages/nonlinearity.py", demo="Playground", p_lr="0.1", p_steps="50",
                   p_width="4", c_depth="3")
    _clean(at)
    assert [h.value for h in at.title] == ["Playground"]
    assert at.select_slider(key="p_lr").value == 0.1
    assert at.slider(key="p_width").value == 4
    assert _metric(at, "Step") == "50"
    link = {k: v if isinstance(v, str) else v[0] for k, v in at.query_params.items()}
    assert link == {"p_lr": "0.1", "p_steps": "50", "p_width": "4"}
    assert not at.warning  # the other demos' values are left behind, not complained about


def test_bad_values_in_an_old_playground_link_are_named_on_the_playground() -> None:
    at = open_page("pages/nonlinearity.py", demo="Playground", p_lr="7", p_width="1",
                   p_steps="20")
    note = at.warning[0].value
    for fragment in ("`p_lr=7`", "`p_width=1`"):
        assert fragment in note, note
    assert _metric(at, "Step") == "20"


def test_every_learning_rate_the_tab_offered_is_still_a_rung() -> None:
    from actlib.page_settings.playground import SETTINGS

    tab_rates = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
    assert set(tab_rates) <= set(SETTINGS["p_lr"].options)


@pytest.mark.browser
def test_page_in_a_real_browser(app_server, browser_page) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/playground")
    wait_for_app(page)
    page.get_by_text("What each unit of hidden layer").first.wait_for(timeout=60_000)
    page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_text("step 275").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_clean(page)
    assert "p_steps=275" in page.url


@pytest.mark.browser
def test_an_old_link_lands_on_the_playground_in_a_real_browser(app_server, browser_page) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/nonlinearity?demo=Playground&p_lr=0.1&p_steps=100&p_width=4")
    wait_for_app(page, timeout=120_000)
    page.get_by_text("What each unit of hidden layer").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_clean(page)
    assert "/playground?" in page.url and "demo=" not in page.url
    for pair in ("p_lr=0.1", "p_steps=100", "p_width=4"):
        assert pair in page.url, page.url
    assert "Tanh, step 100" in " ".join(
        page.locator('[data-testid="stVegaLiteChart"]').all_inner_texts())



@pytest.mark.browser
def test_stop_in_a_real_browser_is_in_view_and_keeps_the_step(app_server, browser_page) -> None:
    """At 1280x800, Stop is visible while Play trains; after Stop the picture, the slider
    and the link show the step that was on screen (2,750, never the replay's step)."""
    page, _ = browser_page
    page.goto(f"{app_server.url}/playground?p_steps=2750&p_depth=6&p_width=15&p_lr=0.01")
    wait_for_app(page, timeout=120_000)
    page.get_by_text("What each unit of hidden layer").first.wait_for(timeout=60_000)
    wait_for_app(page)
    page.get_by_role("button", name="Play", exact=True).click()
    stop = page.get_by_role("button", name="Stop training")
    stop.wait_for(timeout=30_000)
    box = stop.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 800, box
    stop.click()
    wait_for_app(page)
    assert_clean(page)
    page.get_by_text("Stopped at step 2,750.").first.wait_for(timeout=10_000)
    assert "Tanh, step 2750" in " ".join(
        page.locator('[data-testid="stVegaLiteChart"]').all_inner_texts())
    assert "p_steps=2750" in page.url
    assert page.get_by_role("button", name="Play", exact=True).is_enabled()
