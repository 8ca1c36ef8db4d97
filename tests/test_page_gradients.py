"""The Vanishing and exploding gradients page: AppTest moves each control; a real browser
renders it. Trainings here are small (a few layers, 50 steps) to keep the suite quick."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from actlib import gradients as grad
from tests.apptest_charts import drawn_charts, open_page
from tests.browser import REPO, assert_clean, wait_for_app

APP = str(REPO / "streamlit_app.py")
PAGE = "pages/gradients.py"
SCENARIO = "gradients:scenario"
SMALL = {"depth": "6", "width": "16", "steps": "50"}


def _open(**query) -> AppTest:
    return open_page(PAGE, **query)


def _text(at: AppTest) -> str:
    return " ".join(m.value for m in [*at.markdown, *at.caption])


def test_default_view_measures_the_gradients_at_init() -> None:
    at = _open()
    charts = drawn_charts(at)
    assert [c.title for c in charts] == [
        "Backpropagated signal ‖∂L/∂z‖ per layer (log)", "Weight-gradient RMS per layer (log)"]
    assert all(c.rows > 0 for c in charts)
    table = at.dataframe[0].value.set_index("activation")
    assert list(table.index) == ["Sigmoid (logistic)", "Tanh", "ReLU", "GELU"]
    expected = grad.init_flow(grad.Experiment()).ratios_frame().set_index("activation")
    for name in table.index:
        assert table.loc[name, "first/last signal"] == grad.format_ratio(
            expected.loc[name, "signal_ratio"])
    assert float(table.loc["Sigmoid (logistic)", "first/last signal"]) < 1e-6
    text = _text(at)
    assert "Why the two measures can disagree." in text
    assert "Theory against measurement** (within a factor of 3 counts as agreeing)" in text
    assert "**ReLU**: theory and measurement agree" in text
    assert "ReLU zeroes half the units" in text  # the RMS line is the default
    assert at.selectbox(key="theory").value == "rms"
    assert "Why He for ReLU and Xavier for tanh" in text


def test_old_theory_link_still_opens_the_mean_slope_contrast() -> None:
    at = _open(theory="mean")
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="theory").value == "mean"
    assert "the mean slope is the wrong factor for a length" in _text(at)


def test_moving_every_network_control_keeps_the_page_clean() -> None:
    at = _open()
    at.multiselect(key="act").set_value(["tanh", "swish", "elu"]).run()
    for kind in ("rms", "normal", "none"):
        at.selectbox(key="theory").set_value(kind).run()
    at.selectbox(key="init").set_value("naive").run()
    at.select_slider(key="sigma").set_value(3.0).run()
    at.selectbox(key="norm").set_value("layer").run()
    at.toggle(key="residual").set_value(True).run()
    at.slider(key="seed").set_value(7).run()
    at.selectbox(key="data").set_value("digits").run()
    at.slider(key="depth").set_value(50).run()  # the deepest and widest the sliders allow
    at.slider(key="width").set_value(128).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["depth"] == "50" and at.query_params["sigma"] == "3"
    assert at.query_params["act"] == ["tanh", "swish", "elu"]
    assert len(at.dataframe[0].value) == 3
    assert "theory (first/last)" not in at.dataframe[0].value.columns  # theory off
    assert [c.rows > 0 for c in drawn_charts(at)] == [True, True]


def test_training_draws_loss_and_heatmap_and_moves_its_controls() -> None:
    at = _open(view="Training", **SMALL)
    titles = [c.title for c in drawn_charts(at)]
    assert titles == ["Training loss (log scale)", "Weight-gradient RMS per layer while training",
                      "Sigmoid (logistic), layer 1: its inputs on f and f′ (step 50)"]
    assert all(c.rows > 0 for c in drawn_charts(at))
    assert "after 50 steps" in _text(at)
    # staged together, one training per run: the controls, then a longer run
    at.radio(key="opt").set_value("adam")
    at.select_slider(key="lr").set_value(0.001)
    at.toggle(key="clip").set_value(True).run()
    assert not at.slider(key="max_norm").disabled
    at.slider(key="max_norm").set_value(0.5)
    at.slider(key="steps").set_value(100).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "after 100 steps" in _text(at)
    assert at.query_params["max_norm"] == "0.5" and at.query_params["opt"] == "adam"


def test_exploding_run_names_the_model_and_step_and_clipping_fixes_it() -> None:
    at = _open(view="Training", act=["tanh", "relu"], init="naive", sigma="0.5", steps="50")
    warnings = " ".join(w.value for w in at.warning)
    assert "ReLU · seed 0 diverged at step 2: training loss became NaN." in warnings
    assert "turn on gradient clipping" in warnings
    at.toggle(key="clip").set_value(True).run()
    assert not at.warning and not at.error and not at.exception


def test_scenario_menu_sets_the_settings_opens_its_tab_and_shows_itself() -> None:
    at = _open()
    menu = at.selectbox(key=SCENARIO)
    assert menu.value == "vanishing"  # the defaults are the first scenario
    menu.set_value("exploding_init").run()
    assert at.multiselect(key="act").value == ["tanh", "relu", "gelu"]
    assert at.selectbox(key="init").value == "naive"
    assert at.select_slider(key="sigma").value == 0.3
    assert at.query_params["init"] == "naive" and at.query_params["sigma"] == "0.3"
    assert at.query_params["view"] == "Training"  # a training scenario opens Training
    assert next(c.title for c in drawn_charts(at)) == "Training loss (log scale)"
    assert at.selectbox(key=SCENARIO).value == "exploding_init"  # the active one shows
    at.selectbox(key=SCENARIO).set_value("clipping").run()
    assert at.query_params["clip"] == "true"
    assert "against 0.693 for a network that only guesses" in _text(at)
    at.slider(key="steps").set_value(100).run()  # a moved control: no scenario any more
    assert at.selectbox(key=SCENARIO).value == "custom"
    at.selectbox(key=SCENARIO).set_value("vanishing").run()
    assert at.multiselect(key="act").value == list(grad.DEFAULT_ACTIVATIONS)
    assert "init" not in at.query_params and "clip" not in at.query_params
    assert "view" not in at.query_params  # At initialisation, the default tab
    assert not at.exception


def test_learning_rate_scenarios_land_on_the_training_tab() -> None:
    at = _open()
    for key in ("exploding_lr", "lower_lr"):
        at.selectbox(key=SCENARIO).set_value(key).run()
        assert at.query_params["view"] == "Training", key
        assert at.selectbox(key=SCENARIO).value == key
    assert not at.exception


def test_statistics_view_compares_init_and_training() -> None:
    at = _open(view="Activation statistics", **SMALL)
    titles = [c.title for c in drawn_charts(at)]
    assert titles == ["Mean of the outputs", "Std of the outputs",
                      "Saturated share |f′| < 0.05", "Std of activation inputs, init"]
    assert all(c.rows > 0 for c in drawn_charts(at))
    assert "solid ── after 50 training steps" in _text(at)


def test_symptoms_view_lists_both_problems() -> None:
    at = _open(view="Symptoms and remedies")
    assert [s.value for s in at.subheader] == ["Vanishing gradients", "Exploding gradients"]
    assert "clip_grad_norm_" in at.code[0].value


def test_run_over_the_caps_explains_itself() -> None:
    at = _open(view="Training", depth="50", width="128", steps="1000",
               act=["sigmoid", "tanh", "relu", "gelu", "elu"])
    message = at.error[0].value
    assert "This run would take about" in message and "more than the 5 s" in message
    named = set(re.findall(r"\*\*(.+?)\*\*", message))
    labels = {w.label for w in [*at.slider, *at.multiselect, *at.select_slider]}
    assert named and named <= labels, (named, labels)  # only this page's own controls
    assert "batch" not in message and "arithmetic" not in message
    assert not at.exception


def test_bad_link_values_are_named_and_an_empty_selection_explains_itself() -> None:
    at = _open(act=["relu", "nonsense"], depth="-3", lr="abc", view="Nope")
    note = at.warning[0].value
    for fragment in ("`act=nonsense`", "`depth=-3`", "`lr=abc`", "`view=Nope`"):
        assert fragment in note, note
    assert at.multiselect(key="act").value == ["relu"]
    at.multiselect(key="act").set_value([]).run()
    assert "Pick at least one activation" in at.info[0].value
    assert not at.exception


@pytest.mark.browser
def test_page_in_a_real_browser(app_server, browser_page, tmp_path) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/gradients?view=Training&depth=6&width=16&steps=50")
    wait_for_app(page)
    assert_clean(page)
    assert page.get_by_role("heading", name="Vanishing and exploding gradients").is_visible()
    page.get_by_text("Weight-gradient RMS per layer while training").first.wait_for()
    page.get_by_text("Training loss (log scale)").first.wait_for()
    page.screenshot(path=str(tmp_path / "gradients-training.png"), full_page=True)
    page.get_by_role("tab", name="At initialisation").click()
    wait_for_app(page)
    assert_clean(page)
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    charts.first.wait_for()
    assert charts.count() == 2
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Scenario").click()
    page.get_by_role("option", name="Remedy: ReLU + He init").click()
    wait_for_app(page)
    assert_clean(page)
    assert "init=he" in page.url
    menu = page.locator('[data-testid="stSelectbox"]').filter(has_text="Scenario")
    shown = menu.get_by_role("combobox")
    assert "Remedy: ReLU + He init" in shown.input_value(), "the active scenario shows"
    assert shown.get_attribute("aria-expanded") == "false", "the menu closed after the click"
    page.screenshot(path=str(tmp_path / "gradients-init.png"), full_page=True)
