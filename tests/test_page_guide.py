"""The Choosing-an-activation page: AppTest moves the controls and runs short bake-offs
(checked against a direct run of the engine); a real browser runs the 9 x 3 moons bake-off
and the compute-cost measurement."""

from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from actlib import bakeoff
from actlib.activations import BAKE_OFF_KEYS, ELEMENTWISE_KEYS
from actlib.guide import Answers, Architecture, Placement, advise
from actlib.history import USAGE, timeline
from actlib.training import history_frame, run_to_end
from tests.apptest_charts import drawn_charts, open_page
from tests.browser import REPO, assert_clean, wait_for_app

APP = str(REPO / "streamlit_app.py")
PAGE = "pages/guide.py"
SMALL = {"steps": "50", "seeds": "2"}


def _open(**query) -> AppTest:
    return open_page(PAGE, **query)


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _heading(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("### Use "))


def _table(at: AppTest):
    return at.dataframe[0].value.set_index("activation")


# --- advice -------------------------------------------------------------------------------


def test_default_advice_is_reasoned_and_trains_nothing() -> None:
    at = _open()
    advice = advise(Answers())
    assert _heading(at) == "### Use ReLU"
    codes = [c.value.strip() for c in at.code]
    assert codes[0] == "nn.ReLU()"
    assert advice.snippet.strip() in codes
    text = " ".join(m.value for m in at.markdown)
    assert advice.best.reasons[0] in text and "He/Kaiming" in text
    assert "**Leaky ReLU**" in text and "**GELU**" in text  # the alternatives
    charts = drawn_charts(at)
    assert len(charts) == 1
    keys = set(next(iter(charts[0].datasets.values())).column("key").to_pylist())
    assert keys == {"relu", "leaky_relu", "gelu"}
    assert "guide:last_run" not in at.session_state  # the bake-off tab is closed: no run
    assert not at.dataframe


def test_every_question_moves_the_advice() -> None:
    at = _open()
    assert not [s for s in at.selectbox if s.key == "task"], "task is asked for outputs only"
    for architecture in Architecture:
        at.selectbox(key="architecture").set_value(architecture.value).run()
        _clean(at)
        expected = advise(Answers(architecture=architecture)).best.name
        assert _heading(at) == f"### Use {expected}", architecture
    at.radio(key="placement").set_value("output").run()
    for task, loss in [("multiclass", "nn.CrossEntropyLoss takes raw logits"),
                       ("binary", "nn.BCEWithLogitsLoss takes raw logits"),
                       ("multilabel", "not softmax")]:
        at.selectbox(key="task").set_value(task).run()
        _clean(at)
        assert loss in at.warning[0].value, task
        assert _heading(at) == "### Use " + advise(
            Answers(Placement.OUTPUT, Architecture.DIFFUSION, task)).best.name
    at.radio(key="placement").set_value("hidden")
    at.selectbox(key="architecture").set_value("mlp").run()
    at.radio(key="depth").set_value("deep").run()
    at.multiselect(key="constraints").set_value(["edge", "fine_tuning"]).run()
    _clean(at)
    expected = advise(Answers(depth="deep", constraints=frozenset({"edge", "fine_tuning"})))
    assert _heading(at) == f"### Use {expected.best.name}"
    assert at.query_params["constraints"] == ["edge", "fine_tuning"]
    assert expected.snippet.strip() in [c.value.strip() for c in at.code]


def _measure_button(at: AppTest):
    """The compute-cost tab's button (the page header has buttons of its own)."""
    return next(b for b in at.button if b.label.startswith("Measure"))


def test_the_button_opens_the_bake_off_with_the_advice_and_its_parameters() -> None:
    at = _open(architecture="gan_discriminator", **SMALL)
    next(b for b in at.button if b.label.startswith("Test ")).click().run()
    _clean(at)
    assert at.query_params["view"] == "Bake-off"
    picked = at.multiselect(key="act")
    assert picked.value == ["leaky_relu", "prelu", "elu"] and picked.disabled
    assert set(_table(at).index) == {"Leaky ReLU (slope=0.2)", "PReLU", "ELU"}


# --- the bake-off -------------------------------------------------------------------------


def _expected(keys, target, **kwargs):
    config = bakeoff.build_config(keys, **kwargs)
    history = history_frame(run_to_end(config))
    return bakeoff.summary_table(history, target).set_index("activation")


def _assert_table(at: AppTest, expected) -> None:
    shown = _table(at)
    assert list(shown.index) == list(expected.index)
    np.testing.assert_allclose(shown["accuracy_mean"], 100 * expected["accuracy_mean"],
                               rtol=1e-9)
    np.testing.assert_allclose(shown["accuracy_std"], 100 * expected["accuracy_std"],
                               rtol=1e-9, equal_nan=True)
    for column in ("test_loss_mean", "train_loss_mean", "steps_to_target"):
        np.testing.assert_allclose(shown[column], expected[column], rtol=1e-9,
                                   equal_nan=True, err_msg=column)
    assert list(shown["reached"]) == [f"{r} of {n}" for r, n in
                                      zip(expected["reached"], expected["seeds"], strict=True)]


def test_a_short_bake_off_matches_a_direct_run_of_the_engine() -> None:
    at = _open(view="Bake-off", pick="custom", act=["tanh", "relu"], data="circles",
               target="0.5", **SMALL)
    _assert_table(at, _expected(("tanh", "relu"), 0.5, dataset="circles", steps=50, seeds=2))
    titles = [c.title for c in drawn_charts(at)]
    assert titles[:2] == ["Training loss", "Test accuracy"]
    loss = drawn_charts(at)[0]
    assert loss.rows == 2 * 26  # two activations, snapshots at 0, 2, 4, ..., 50
    surfaces = [c for c in drawn_charts(at) if "concat" in c.spec]
    assert len(surfaces) == 1 and len(surfaces[0].spec["concat"]) == 2
    assert any(c.value.startswith("4 networks, 50 steps") for c in at.caption)
    verdict = (at.success or at.info)[0].value
    assert _table(at).index[0] in verdict

    at.slider(key="target").set_value(0.2).run()
    _clean(at)
    _assert_table(at, _expected(("tanh", "relu"), 0.2, dataset="circles", steps=50, seeds=2))


def test_moving_every_bake_off_control_keeps_the_page_clean() -> None:
    at = _open(view="Bake-off", **SMALL)
    assert at.multiselect(key="act").value == ["relu", "leaky_relu", "gelu"]
    moves = [
        ("selectbox", "data", "xor"), ("selectbox", "init", "he"),
        ("selectbox", "opt", "momentum"), ("select_slider", "lr", 0.1),
        ("slider", "layers", 2), ("select_slider", "width", 16), ("slider", "steps", 100),
    ]
    for kind, key, value in moves:
        getattr(at, kind)(key=key).set_value(value).run()
        _clean(at)
        assert at.dataframe, f"no table after moving {key}"
    assert at.query_params["opt"] == "momentum" and at.query_params["width"] == "16"
    at.slider(key="seeds").set_value(1).run()
    _clean(at)
    assert "With one seed there is no spread" in (at.success or at.info)[0].value
    at.radio(key="pick").set_value("nine").run()
    _clean(at)
    assert at.multiselect(key="act").value == list(BAKE_OFF_KEYS)
    assert len(_table(at)) == 9
    at.radio(key="pick").set_value("custom").run()
    at.multiselect(key="act").set_value([]).run()
    _clean(at)
    assert "Pick at least one activation" in at.info[0].value


def test_divergence_caps_and_digits_explain_themselves() -> None:
    at = _open(view="Bake-off", opt="sgd", lr="10", steps="50", seeds="2")
    assert "learning rate of 10 is above" in at.warning[0].value
    note = next(w.value for w in at.warning if "diverged" in w.value)
    assert re.search(r"seed \d at step \d+ \(training loss became (NaN|[+-]Inf)\)", note)
    at.radio(key="pick").set_value("nine").run()
    at.slider(key="seeds").set_value(5).run()
    _clean(at)
    assert "45 networks to train, more than the 36 allowed" in at.error[0].value
    at.slider(key="seeds").set_value(3).run()
    at.slider(key="layers").set_value(10)
    at.select_slider(key="width").set_value(128).run()
    at.slider(key="steps").set_value(2000).run()
    _clean(at)
    assert "This run would take about" in at.error[0].value

    at = _open(view="Bake-off", data="digits", pick="custom", act=["relu", "tanh"],
               steps="50", seeds="1")
    assert len(_table(at)) == 2
    assert not [c for c in drawn_charts(at) if "concat" in c.spec], "digits have no surface"


def test_bad_link_values_are_named() -> None:
    at = _open(view="History", seeds="9", lr="abc", pick="foo", act=["relu", "bogus"],
               data="sine", architecture="lstm")
    note = at.warning[0].value
    for fragment in ("`seeds=9`", "`lr=abc`", "`pick=foo`", "`act=bogus`", "`data=sine`",
                     "`architecture=lstm`"):
        assert fragment in note, note


# --- compute cost and history -------------------------------------------------------------


def test_compute_cost_is_measured_on_a_button_press() -> None:
    at = _open(view="Compute cost")
    assert not drawn_charts(at) or _measure_button(at).label == "Measure again"
    _measure_button(at).click().run()
    _clean(at)
    chart = drawn_charts(at)[0]
    table = next(iter(chart.datasets.values())).to_pandas()
    assert len(chart.spec["hconcat"]) == 2
    assert set(table["key"]) == set(ELEMENTWISE_KEYS)
    relu = table[table["key"] == "relu"]
    assert (relu["ratio_to_relu"] == 1.0).all()
    assert (table["ns_per_element"] > 0).all()
    caption = next(c.value for c in at.caption if c.value.startswith("Measured"))
    assert re.search(r"on \d+ threads?: 1,000,000 float32 elements, 7 repetitions", caption)
    assert _measure_button(at).label == "Measure again"


def test_history_draws_every_catalogue_entry_and_the_usage_table() -> None:
    at = _open(view="History")
    chart = drawn_charts(at)[0]
    names = set()
    for data in chart.datasets.values():
        if "name" in data.column_names:
            names |= set(data.column("name").to_pylist())
    assert names == set(timeline()["name"])
    assert len(at.table[0].value) == len(USAGE)


# --- a real browser -----------------------------------------------------------------------


@pytest.mark.browser
def test_page_in_a_real_browser(app_server, browser_page, tmp_path) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/guide?view=Bake-off&pick=nine")
    wait_for_app(page, timeout=120_000)
    assert_clean(page)
    assert page.get_by_role("heading", name="Choosing an activation").is_visible()
    page.get_by_text(re.compile(r"27 networks, 500 steps(\.|, reused)")).wait_for()
    assert page.get_by_text("Trained 500 steps").first.is_visible()
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 3
    assert page.locator('[data-testid="stDataFrame"]').count() == 1
    page.screenshot(path=str(tmp_path / "guide-bakeoff.png"), full_page=True)

    page.get_by_role("tab", name="Compute cost").click()
    wait_for_app(page)
    page.get_by_role("button", name=re.compile("Measure")).click()
    wait_for_app(page, timeout=120_000)
    assert_clean(page)
    page.get_by_text(re.compile(r"^Measured .* thread")).wait_for()
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 1

    page.get_by_role("tab", name="Advice").click()
    wait_for_app(page)
    assert_clean(page)
    assert page.get_by_role("heading", name="Use ReLU").is_visible()
    page.screenshot(path=str(tmp_path / "guide-advice.png"))
