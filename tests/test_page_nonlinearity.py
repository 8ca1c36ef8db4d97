"""The "Why non-linearity" page: AppTest moves each demo's controls; a browser renders it.
(The Playground, once a tab here, has its own page: tests/test_page_playground.py.)"""

from __future__ import annotations

import re

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
    page.get_by_role("tab", name="Approximation").click()
    page.get_by_text("Error of the best fit").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_clean(page)
    page.screenshot(path=str(tmp_path / "approximation.png"), full_page=True)
