"""The Dead ReLU monitor page: AppTest trains short runs and moves every control; a real
browser watches a run in progress and finished."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_charts import drawn_charts, open_page
from tests.browser import REPO, assert_clean, wait_for_app
from tests.conftest import APPTEST_TIMEOUT

APP = str(REPO / "streamlit_app.py")
PAGE = "pages/dead_relu.py"
SHORT = "50"  # training steps in these tests: the page's numbers, a fraction of the time


def _open(**query) -> AppTest:
    query.setdefault("steps", SHORT)
    return open_page(PAGE, timeout=APPTEST_TIMEOUT * 2, **query)


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _titles(at: AppTest) -> list[str]:
    return [c.title for c in drawn_charts(at)]


def _metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_the_default_run_shows_relus_dying_and_every_chart_with_data() -> None:
    at = _open(steps="100")
    metrics = _metrics(at)
    assert list(metrics) == ["ReLU", "Leaky ReLU", "ELU", "GELU"]
    assert int(metrics["ReLU"][0]) >= 20 and int(metrics["ReLU"][1]) >= 10
    assert metrics["Leaky ReLU"][0] == "0"
    titles = _titles(at)
    for title in ("Dead units per layer over training", "Dead units in total (of 96)",
                  "Training loss (log scale)", "ReLU, layer 3, step 100: who fires on what",
                  "ReLU: pre-activations at init and step 100"):
        assert title in titles, titles
    assert all(c.rows > 0 for c in drawn_charts(at))
    definition = next(m for m in at.markdown if "**Dead unit:**" in m.value)
    assert "A unit is dead when" in definition.help
    assert "whole training set (450 samples)" in definition.help
    assert "Leaky ReLU cannot die" in " ".join(c.value for c in at.caption)
    table = at.dataframe[0].value
    assert table.loc["Leaky ReLU"].sum() == 0 and table.loc["ReLU"].sum() > 0
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Reproduce in PyTorch", "Metrics (CSV)"], labels


def test_moving_the_training_controls_retrains_and_keeps_the_link() -> None:
    at = _open()
    at.select_slider(key="lr").set_value(0.01)
    at.selectbox(key="opt").set_value("momentum")
    at.select_slider(key="bias").set_value(-0.5)
    at.selectbox(key="init").set_value("he")
    at.toggle(key="bn").set_value(True)
    at.slider(key="width").set_value(16)
    at.slider(key="seed").set_value(3)
    at.multiselect(key="act").set_value(["relu", "prelu"]).run()
    _clean(at)
    for key, value in [("lr", "0.01"), ("opt", "momentum"), ("bias", "-0.5"), ("init", "he"),
                       ("bn", "true"), ("width", "16"), ("seed", "3")]:
        assert at.query_params[key] == value, key
    assert list(_metrics(at)) == ["ReLU", "PReLU"]
    assert "PReLU: the learned negative slope a per layer" in _titles(at)
    assert "Dead units in total (of 48)" in _titles(at)
    at.slider(key="depth").set_value(2).run()  # the activity map's layer 3 no longer exists
    _clean(at)
    assert any("showing layer 2" in c.value for c in at.caption)
    at.selectbox(key="data").set_value("circles").run()
    _clean(at)
    assert "450 samples" in " ".join(m.help or "" for m in at.markdown)


def test_the_inspection_controls_redraw_without_retraining() -> None:
    at = _open()
    at.radio(key="chart").set_value("heatmap").run()
    _clean(at)
    at.selectbox(key="inspect").set_value("elu").run()
    at.slider(key="layer").set_value(1).run()
    _clean(at)
    assert "ELU, layer 1, step 50: who fires on what" in _titles(at)
    assert any("finished run with these settings" in c.value for c in at.caption)
    at.selectbox(key="inspect").set_value("tanh").run()  # not among the activations
    assert any("Tanh is not training" in c.value for c in at.caption)
    assert "ReLU, layer 1, step 50: who fires on what" in _titles(at)
    at.multiselect(key="act").set_value([]).run()
    assert "Pick at least one activation" in at.info[0].value
    _clean(at)
    # Another session opening the same link is shown the finished run, no training, and
    # looks inside it through a cached replay.
    other = _open(chart="heatmap", layer="1")
    assert any("finished run with these settings" in c.value for c in other.caption)
    assert "ReLU, layer 1, step 50: who fires on what" in _titles(other)


def test_census_view_counts_dead_units_before_training() -> None:
    at = _open(view="Census at init")
    assert _titles(at) == ["Dead at initialisation, before any training",
                           "ReLU at initialisation, by init scheme"]
    text = " ".join(m.value for m in at.markdown)
    assert "- Leaky ReLU: 0% dead in layer 1, 0% in layer 10" in text
    at.slider(key="cdepth").set_value(30).run()
    _clean(at)
    assert "0% in layer 30" in " ".join(m.value for m in at.markdown)
    census = next(c for c in drawn_charts(at) if c.title.startswith("Dead at init"))
    assert census.rows == 4 * 30


@pytest.mark.parametrize("cure", ["lower_lr", "leaky", "batch_norm", "he_init"])
def test_each_remedy_runs_beside_the_same_run_without_it(cure: str) -> None:
    at = _open(view="Before / after", cure=cure)
    titles = _titles(at)
    assert titles == ["Dead units per layer", "Dead units per layer",
                      "Dead units in total, before (dashed) and after (solid)"]
    table = at.dataframe[0].value
    assert table["run"].iloc[0] == "before" and table["run"].iloc[1].startswith("after: ")
    if cure == "leaky":
        assert table["dead_now"].iloc[1] == 0
    if cure == "lower_lr":
        assert "learning rate 0.1 → 0.01" in table["run"].iloc[1]


def test_a_remedy_already_applied_says_so() -> None:
    at = _open(view="Before / after", cure="batch_norm", bn="true")
    assert "already apply this remedy" in at.info[0].value


def test_prelu_view_plots_the_learned_slope() -> None:
    at = _open(view="PReLU slope", prelu_slope="0.1")
    assert "PReLU: the learned negative slope a per layer" in _titles(at)
    assert "Learned slope a at the last step: layer 1:" in " ".join(m.value for m in at.markdown)


def test_too_large_a_run_and_a_diverging_run_explain_themselves() -> None:
    at = _open(depth="8", width="64", steps="2000",
               act=["relu", "elu", "gelu", "swish", "mish", "selu"])
    message = at.error[0].value
    assert "This run would take about" in message and "To fit, choose" in message
    named = set(re.findall(r"\*\*(.+?)\*\*", message))
    labels = {w.label for w in [*at.slider, *at.multiselect, *at.select_slider]}
    assert named and named <= labels, (named, labels)  # only this page's own controls
    assert "batch" not in message and "arithmetic" not in message
    at = _open(lr="10", opt="sgd")
    assert "diverged at step" in at.warning[0].value
    assert "diverged" in [m.value for m in at.metric]


def test_bad_link_values_are_named() -> None:
    at = _open(lr="0.07", depth="99", act=["relu", "nonsense"], view="Nope", bias="-7")
    note = at.warning[0].value
    for fragment in ("`lr=0.07`", "`depth=99`", "`act=nonsense`", "`view=Nope`", "`bias=-7`"):
        assert fragment in note, note
    assert list(_metrics(at)) == ["ReLU"]


@pytest.mark.browser
def test_page_in_a_real_browser(app_server, browser_page, tmp_path) -> None:
    page, _ = browser_page
    page.set_viewport_size({"width": 1280, "height": 2200})  # the whole run in one picture
    page.goto(f"{app_server.url}/dead_relu?steps=2000&act=relu&act=leaky_relu&width=16")
    page.get_by_text("Training: step").first.wait_for(timeout=90_000)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=60_000)
    page.screenshot(path=str(tmp_path / "dead_relu_running.png"))
    page.get_by_text("Trained 2,000 steps.").first.wait_for(timeout=180_000)
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Paused at step 0 of 2,000.").first.wait_for(timeout=30_000)
    for step in (50, 100):  # Step: to the next snapshot, looked into at that very step
        page.get_by_role("button", name=re.compile(r"^Step\b")).click()
        page.get_by_text(f"Paused at step {step} of 2,000.").first.wait_for(timeout=30_000)
        page.get_by_text(f"step {step}: who fires on what").first.wait_for(timeout=30_000)
    wait_for_app(page)
    assert_clean(page)
    page.screenshot(path=str(tmp_path / "dead_relu_paused.png"))
    page.get_by_role("button", name="Play").click()  # on from step 100, not from 0
    page.get_by_text(re.compile(r"Training: step [\d,]+ of 2,000\.")).first.wait_for(
        timeout=30_000)
    page.get_by_text("Trained 2,000 steps.").first.wait_for(timeout=180_000)
    wait_for_app(page, timeout=120_000)
    assert_clean(page)
    assert page.get_by_role("heading", name="Dead ReLU monitor").is_visible()
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 5
    page.screenshot(path=str(tmp_path / "dead_relu_finished.png"))
    assert page.get_by_role("button", name="Metrics (CSV)").count() == 1
    assert page.get_by_role("button", name="Reproduce in PyTorch").count() == 1
    page.screenshot(path=str(tmp_path / "dead_relu_finished.png"))
    page.get_by_role("tab", name="Census at init").click()
    wait_for_app(page)
    assert_clean(page)
    page.get_by_text("Dead at initialisation").first.wait_for()


def test_a_loss_that_explodes_without_nan_is_named_not_reported_as_0_dead() -> None:
    """Measured: Adam at 0.3, 8 x 64: Leaky ReLU's loss passes 10^6 at step 2 and stays
    finite, with 0 dead units; the card and the warning must say it diverged."""
    at = _open(act=["leaky_relu"], lr="0.3", depth="8", width="64", steps="100")
    _clean(at)
    value, delta = _metrics(at)["Leaky ReLU"]
    assert value == "exploded" and delta.startswith("loss ") and "at step" in delta
    warning = " ".join(w.value for w in at.warning)
    assert "Leaky ReLU's training loss exploded past 1,000" in warning
    assert "diverged without turning NaN" in warning


def test_the_definition_is_one_line_with_the_rest_behind_help() -> None:
    at = _open()
    line = next(m for m in at.markdown if "**Dead unit:**" in m.value)
    assert "nearly dead" not in line.value  # the full definition is in its help
    assert "nearly dead" in line.help
