"""The "Why non-linearity" page: AppTest moves each demo's controls; a browser renders it."""

from __future__ import annotations

import re
import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_charts import drawn_charts, open_page
from tests.browser import REPO, assert_clean, wait_for_app

APP = str(REPO / "streamlit_app.py")
PAGE = "pages/nonlinearity.py"


def _open(**query) -> AppTest:
    return open_page(PAGE, **query)


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _titles(at: AppTest) -> list[str]:
    return [c.title for c in drawn_charts(at)]


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_collapse_folds_the_identity_network_to_float_precision() -> None:
    at = _open(c_depth="3")
    titles = _titles(at)
    assert any(t.startswith("Identity: test accuracy") for t in titles), titles
    assert any(t.startswith("ReLU: test accuracy") for t in titles), titles
    difference = float(_metric(at, "max |network(x) − (W′x + b′)|"))
    assert difference < 1e-12
    latex = " ".join(e.value for e in at.latex)
    assert re.search(r"W' = W_\{4\} \\, W_\{3\} \\, W_\{2\} \\, W_\{1\}", latex), latex
    assert r"(8 \times 8)^{2}" in latex
    # The deepest network the slider allows, another activation and data set, in one run.
    at.slider(key="c_depth").set_value(20)
    at.selectbox(key="c_act").set_value("tanh")
    at.selectbox(key="c_data").set_value("xor")
    at.run()
    _clean(at)
    assert any(t.startswith("Tanh: test accuracy") for t in _titles(at))
    assert float(_metric(at, "max |network(x) − (W′x + b′)|")) < 1e-12
    assert "W_{21} W_{20} \\cdots" in " ".join(e.value for e in at.latex)


def test_playground_buttons_move_the_trained_steps() -> None:
    at = _open(demo="Playground", p_steps="50", p_width="4")
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
    at = _open(demo="Playground", p_steps="250", p_width="5", p_data="xor")
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
    at = _open(demo="Playground", p_depth="6", p_width="16", p_lr="0.1", p_steps="500")
    stuck = [w.value for w in at.warning if w.value.startswith("Stuck at chance")]
    assert stuck, [w.value for w in at.warning]
    assert "of the hidden units are flat" in stuck[0] and "Try learning rate 0.01" in stuck[0]
    at.select_slider(key="p_lr").set_value(0.01).run()  # the remedy works: no message
    assert not [w for w in at.warning if w.value.startswith("Stuck")]


def test_playground_loss_chart_waits_for_training() -> None:
    """At step 0 there is no curve to draw: a note instead of an empty axis."""
    at = _open(demo="Playground", p_steps="0", p_width="4")
    assert "Loss (log scale)" not in _titles(at)
    assert "The loss curve starts with training" in " ".join(i.value for i in at.info)
    at.button(key="p_step").click().run()
    loss = next(c for c in drawn_charts(at) if c.title == "Loss (log scale)")
    assert loss.spec["encoding"]["x"]["scale"]["domain"] == [0, 25]
    assert loss.rows == 4  # train and test at steps 0 and 25


def test_playground_learning_rate_of_ten_explains_itself() -> None:
    at = _open(demo="Playground", p_lr="10", p_act="relu", p_steps="100", p_width="4")
    assert "A learning rate of 10 is too large here" in at.warning[0].value
    assert _metric(at, "Step") == "100"


def test_approximation_construction_and_training() -> None:
    at = _open(demo="Approximation", a_target="abs", a_units="2", a_act=["relu", "identity"])
    charts = drawn_charts(at)
    relu = next(c for c in charts if c.title == "ReLU")
    assert relu.spec["title"]["subtitle"] == "RMS error 0.0000"  # |x| from two ReLUs
    assert "Error of the best fit as units are added" in [c.title for c in charts]
    at.slider(key="a_units").set_value(64)
    at.slider(key="a_noise").set_value(0.2)
    at.radio(key="a_target").set_value("bumps")
    at.run()
    _clean(at)
    assert "its 64 unit terms" in _titles(at)
    at.radio(key="a_fit").set_value("train").run()  # draws the steps slider
    at.slider(key="a_steps").set_value(100)
    at.slider(key="a_units").set_value(4)
    at.run()
    _clean(at)
    assert _titles(at).count("its 4 unit terms") == 2
    at.slider(key="a_units").set_value(1).run()
    assert "at least 2 units" in at.info[0].value
    at.multiselect(key="a_act").set_value([]).run()
    assert "Pick at least one activation" in at.info[0].value


def test_softmax_reaches_its_limits() -> None:
    at = _open(demo="Softmax")
    assert "The probabilities sum to 1.000000." in [c.value for c in at.caption]
    at.text_input(key="logits").set_value("5, 1, 1").run()
    at.slider(key="softmax_temperature").set_value(0.05).run()
    assert _metric(at, "Largest probability") == "1.0000"
    at.slider(key="softmax_temperature").set_value(20.0).run()
    assert _metric(at, "Entropy").startswith("1.5")  # log2(3) = 1.585 at the uniform limit
    at.text_input(key="logits").set_value("5, banana").run()
    assert "not a number" in at.error[0].value
    _clean(at)


def test_step_neuron_does_not_learn_and_sigmoid_does() -> None:
    at = _open(demo="Step neuron")
    assert _metric(at, "Step") == "51%" and _metric(at, "Sigmoid") == "99%"
    assert any("gradient is 0 at every one of its 300 steps" in c.value for c in at.caption)
    at.toggle(key="s_rule").set_value(True)
    at.slider(key="s_step").set_value(0)
    at.select_slider(key="s_lr").set_value(10.0)
    at.slider(key="s_seed").set_value(5)
    at.selectbox(key="s_data").set_value("xor")
    at.run()
    _clean(at)
    assert [m.label for m in at.metric] == ["Step", "Sigmoid", "Step, rule"]


def test_bad_link_values_are_named() -> None:
    at = _open(c_depth="99", c_act="nonsense", demo="Nope")
    note = at.warning[0].value
    for fragment in ("`c_depth=99`", "`c_act=nonsense`", "`demo=Nope`"):
        assert fragment in note, note
    at = _open(demo="Playground", p_lr="7", p_width="1", p_steps="20")
    note = at.warning[0].value
    for fragment in ("`p_lr=7`", "`p_width=1`"):
        assert fragment in note, note
    assert _metric(at, "Step") == "20"


@pytest.mark.browser
def test_page_in_a_real_browser(app_server, browser_page, tmp_path) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/nonlinearity?c_depth=3")
    wait_for_app(page)
    page.get_by_text("max |network(x)").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_clean(page)
    assert page.get_by_role("heading", name="Why non-linearity").is_visible()
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 3
    page.screenshot(path=str(tmp_path / "collapse.png"), full_page=True)
    page.get_by_role("tab", name="Playground").click()
    page.get_by_text("What each unit of hidden layer").first.wait_for(timeout=60_000)
    page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_text("step 275").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_clean(page)
    assert "p_steps=275" in page.url
    page.screenshot(path=str(tmp_path / "playground.png"), full_page=True)
    page.get_by_role("tab", name="Approximation").click()
    page.get_by_text("Error of the best fit").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_clean(page)
    page.screenshot(path=str(tmp_path / "approximation.png"), full_page=True)


@pytest.mark.browser
def test_stop_in_a_real_browser_is_in_view_and_keeps_the_step(app_server, browser_page) -> None:
    """At 1280x800, Stop is visible while Play trains; after Stop the picture, the slider
    and the link show the step that was on screen (2,750, never the replay's step)."""
    page, _ = browser_page
    page.goto(f"{app_server.url}/nonlinearity?demo=Playground&p_steps=2750&p_depth=6"
              "&p_width=15&p_lr=0.01")
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
