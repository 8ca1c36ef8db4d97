"""The Shapes and saturation page: AppTest moves each control; a real browser renders it."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_charts import drawn_charts, open_page
from tests.browser import REPO, assert_clean, wait_for_app

APP = str(REPO / "streamlit_app.py")
PAGE = "pages/shapes.py"


def _open(**query) -> AppTest:
    return open_page(PAGE, **query)


def test_default_view_draws_f_and_derivative_with_data() -> None:
    at = _open()
    charts = drawn_charts(at)
    assert len(charts) == 3  # f, f' and the saturation strip
    titles = [c.title for c in charts]
    assert "f(x)" in titles and "f′(x)" in titles
    assert all(c.rows > 0 for c in charts), "a chart without data"
    f_chart = charts[titles.index("f(x)")]
    assert set(next(iter(f_chart.datasets.values())).column("key").to_pylist()) == {
        "sigmoid", "tanh", "relu", "gelu"
    }
    assert at.multiselect(key="act").value == ["sigmoid", "tanh", "relu", "gelu"]
    text = " ".join(m.value for m in at.markdown)
    assert "Sigmoid (logistic): x < -2.887 and x > 2.887" in text


def test_moving_every_control_keeps_the_page_clean() -> None:
    at = _open()
    at.multiselect(key="act").set_value(
        ["elu", "swish", "step", "identity", "leaky_relu", "prelu", "gelu"]).run()
    at.slider(key="x").set_value((-50.0, 50.0)).run()
    at.slider(key="eps").set_value(0.5).run()
    at.toggle(key="d2").set_value(True).run()
    for key, value in [
        ("leaky_relu_slope", 0.5), ("prelu_slope", 0.0), ("elu_alpha", 3.0), ("swish_beta", 10.0),
    ]:
        at.slider(key=key).set_value(value).run()
    at.radio(key="gelu_form").set_value("tanh").run()
    at.selectbox(key="detail").set_value("softmax").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["elu_alpha"] == "3"
    assert "f″(x)" in [c.title for c in drawn_charts(at)]
    text = " ".join(m.value for m in at.markdown)
    assert "Step (Heaviside): everywhere in this window" in text
    assert any("step function's derivative is 0" in c.value for c in at.caption)


PARAM_WIDGETS = {"leaky_relu_slope", "prelu_slope", "elu_alpha", "gelu_form", "swish_beta"}


def _param_widgets(at: AppTest) -> set[str]:
    return {w.key for w in [*at.slider, *at.radio, *at.selectbox]} & PARAM_WIDGETS


def test_parameters_show_only_the_selected_activations_and_keep_the_others_links() -> None:
    at = _open(elu_alpha="2", swish_beta="3")
    assert _param_widgets(at) == {"gelu_form"}  # sigmoid, tanh, relu have none
    assert at.query_params["elu_alpha"] == "2"  # not drawn, still in the link
    at.multiselect(key="act").set_value(["relu", "elu", "swish"]).run()
    assert _param_widgets(at) == {"elu_alpha", "swish_beta"}
    assert at.slider(key="elu_alpha").value == 2.0 and at.slider(key="swish_beta").value == 3.0
    at.multiselect(key="act").set_value(["relu"]).run()
    assert _param_widgets(at) == set()
    assert any("has a parameter" in c.value for c in at.caption)
    assert at.query_params["elu_alpha"] == "2"
    at.multiselect(key="act").set_value(["elu"]).run()
    assert at.slider(key="elu_alpha").value == 2.0  # back from the link
    assert not at.exception, [e.value for e in at.exception]


def test_saturation_strip_has_a_title_and_an_axis_title() -> None:
    at = _open()
    strip = next(c for c in drawn_charts(at) if c.title.startswith("Saturated stretches"))
    assert strip.rows > 0 and "x where |f′(x)| < 0.05" in str(strip.spec)


def test_saturation_strip_gives_each_activation_its_own_named_row() -> None:
    """ELU's and Sigmoid's bars once shared one unnamed row: a numeric chart height with a
    nominal y collapsed to a single line in Streamlit. A row per name, by step height."""
    at = _open(act=["elu", "sigmoid", "relu"])
    strip = next(c for c in drawn_charts(at) if c.title.startswith("Saturated stretches"))
    y = strip.spec["encoding"]["y"]
    assert y["field"] == "activation" and y["axis"].get("labels", True)
    assert y["scale"]["domain"] == ["ELU", "Sigmoid (logistic)", "ReLU"]
    assert "step" in strip.spec["height"]


@pytest.mark.parametrize("view", ["Properties", "Through a layer", "Softmax", "Gated units"])
def test_each_view_renders(view: str) -> None:
    at = _open(view=view, act=["relu", "gelu"])
    if view == "Properties":
        sheet = at.table[0].value
        assert list(sheet.columns) == ["ReLU", "GELU"]
        assert sheet.loc["Exact zeros, x~N(0,1)", "ReLU"] == "50.0%"
        assert sheet.loc["Max slope (where)", "GELU"] == "1.1289 (x = 1.414)"
    elif view == "Through a layer":
        at.slider(key="scale").set_value(10.0).run()
        assert at.dataframe[0].value.set_index("activation").loc["ReLU", "exact zeros"] == 0.5
    elif view == "Softmax":
        at.text_input(key="logits").set_value("5, 1, 1").run()
        at.slider(key="softmax_temperature").set_value(0.05).run()
        assert at.metric[1].value == "1.0000"
        at.text_input(key="logits").set_value("5, banana").run()
        assert "not a number" in at.error[0].value
    else:
        at.radio(key="gate").set_value("geglu").run()
        assert [c.title for c in drawn_charts(at)] == ["GEGLU"]
    assert not at.exception, [e.value for e in at.exception]


def test_empty_selection_and_zero_width_window_explain_themselves() -> None:
    at = _open()
    at.multiselect(key="act").set_value([]).run()
    assert "Pick at least one activation" in at.info[0].value
    at.multiselect(key="act").set_value(["relu"]).run()
    at.slider(key="x").set_value((2.0, 2.0)).run()
    assert "has no width" in at.warning[0].value
    assert not at.exception


def test_bad_link_values_are_named() -> None:
    at = _open(act=["relu", "nonsense"], x=["-80", "3"], eps="abc", view="Nope")
    note = at.warning[0].value
    for fragment in ("`act=nonsense`", "`x=-80,3`", "`eps=abc`", "`view=Nope`"):
        assert fragment in note, note
    assert at.multiselect(key="act").value == ["relu"]


@pytest.mark.browser
def test_page_in_a_real_browser(app_server, browser_page, tmp_path) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/shapes?act=sigmoid&act=relu&act=gelu&x=-8&x=8")
    wait_for_app(page)
    assert_clean(page)
    assert page.get_by_role("heading", name="Shapes and saturation").is_visible()
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    charts.first.wait_for()
    assert charts.count() >= 3
    assert page.locator("canvas, svg").count() > 0
    page.get_by_role("tab", name="Properties").click()
    wait_for_app(page)
    assert_clean(page)
    page.locator('[data-testid="stTable"]').first.wait_for()
    page.screenshot(path=str(tmp_path / "shapes.png"))
