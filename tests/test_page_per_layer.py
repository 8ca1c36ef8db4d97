"""A different activation in each layer on the pages: a Playground link with a stack opens
that exact network, plays and names the stack; a hostile stack in a link is named and
replaced; the depth fits the stack and says so; a bake-off trains a stack beside plain
entries and its table row holds the run's own numbers. AppTest, and one real browser."""

from __future__ import annotations

import os
import re
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from actlib import bakeoff, playground
from actlib.runtime import configure_torch
from actlib.training import run_to_end
from actlib.training.live import LiveRun
from actlib.ui import live_playground, live_view
from tests.apptest_charts import assert_no_exception, metric_value, open_page
from tests.browser import assert_clean, wait_for_app

configure_torch()

PLAYGROUND, GUIDE = "pages/playground.py", "pages/guide.py"


@pytest.fixture
def one_burst(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest runs a script to its end: Play draws one short burst per run."""
    monkeypatch.setattr(live_view, "BURST_SECONDS", 0.4)


def _titles(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_a_stack_link_opens_that_network_names_it_and_plays(one_burst) -> None:
    at = open_page(PLAYGROUND, p_stack="relu, tanh, gelu", p_depth="3", p_steps="50",
                   p_width="4", p_seed="2")
    assert_no_exception(at)
    assert metric_value(at, "Step") == "50"
    run = at.session_state[live_playground.SESSION_KEY].run
    config = playground.live_config("circles", 0.1, 0.25, ("relu", "tanh", "gelu"), 3, 4, 2)
    assert run.config == replace(config, lr=0.03)
    fresh = LiveRun(replace(config, lr=0.03))
    fresh.reach(50)
    assert all(torch.equal(a, b) for a, b in zip(run.state.model.parameters(),
                                                  fresh.state.model.parameters(), strict=True))
    assert any("**ReLU → Tanh → GELU, step 50**" in t for t in _titles(at))
    assert any("(its activation: ReLU)" in t for t in _titles(at))
    assert at.selectbox(key="p_act").disabled
    assert at.query_params["p_stack"] in ("relu,tanh,gelu", ["relu,tanh,gelu"])
    caption = " ".join(c.value for c in at.caption)
    assert "layer 1 He (Kaiming) normal (ReLU), layer 2 Xavier (Glorot) uniform (Tanh)" in caption
    at.button(key="p_live_play").click().run()
    assert_no_exception(at)
    assert run.step > 50 and at.session_state[live_playground.SESSION_KEY].run is run


def test_depth_fits_the_stack_and_says_so() -> None:
    at = open_page(PLAYGROUND, p_stack="relu>tanh", p_depth="4", p_steps="0", p_width="4")
    assert_no_exception(at)
    run = at.session_state[live_playground.SESSION_KEY].run
    assert [run.config.models[0].layer_activation(i)[0] for i in range(4)] == [
        "relu", "tanh", "tanh", "tanh"]
    captions = [c.value for c in at.caption]
    assert ("The stack names 2 activations for 4 hidden layers: layers 3 to 4 repeat the "
            "last, Tanh.") in captions
    assert any("**ReLU → Tanh → Tanh → Tanh, step 0**" in t for t in _titles(at))
    at.slider(key="p_depth").set_value(1).run()  # cut to one layer: ReLU alone
    assert_no_exception(at)
    assert any("**ReLU, step 0**" in t for t in _titles(at))
    assert "Tanh is left out." in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("value", ["relu,swiglu", "relu,,tanh", "[x](http://e.vil)",
                                   ",".join(["relu"] * 7)])
def test_a_bad_stack_in_a_link_is_named_and_the_picker_trains(value: str) -> None:
    at = open_page(PLAYGROUND, p_stack=value, p_steps="0", p_width="4")
    assert_no_exception(at)
    note = at.warning[0].value
    assert "`p_stack=" in note and "](" not in note.replace("`p_stack=[x](http://e.vil)`", "")
    assert "p_stack" not in at.query_params
    assert any("**Tanh, step 0**" in t for t in _titles(at))


def test_a_bake_off_trains_a_stack_beside_plain_entries() -> None:
    at = open_page(GUIDE, view="Bake-off", pick="custom", act=["relu", "tanh"],
                   stack="relu, tanh", layers="2", steps="100", seeds="2")
    assert_no_exception(at)
    table = at.dataframe[0].value
    assert list(table["activation"]) and "ReLU → Tanh" in set(table["activation"])
    config = bakeoff.build_config(["relu", "tanh", bakeoff.StackEntry.of(("relu", "tanh"))],
                                  depth=2, steps=100, seeds=2)
    last = run_to_end(config)[-1]
    mine = [i for i, m in enumerate(config.models) if m.is_stack]
    row = table[table["activation"] == "ReLU → Tanh"].iloc[0]
    assert row["accuracy_mean"] == pytest.approx(100 * np.mean(last.test_accuracy[mine]),
                                                 abs=1e-9)
    assert at.query_params["stack"] in ("relu,tanh", ["relu,tanh"])


# --- a real browser ---------------------------------------------------------------------


_STEP = re.compile(r"^(.*), step ([\d,]+)$")
_TITLE = """() => {
    const el = [...document.querySelectorAll('[data-testid="stMarkdownContainer"] strong')]
        .find(e => /, step [\\d,]+$/.test(e.innerText));
    return el ? el.innerText : null;
}"""


def _title(page) -> tuple[str, int]:
    match = _STEP.match(page.evaluate(_TITLE) or "")
    return (match.group(1), int(match.group(2).replace(",", ""))) if match else ("", -1)


def _shot(page, tmp_path: Path, name: str) -> None:
    """A tall screenshot (Streamlit scrolls inside the page, so the viewport is the
    picture) into PER_LAYER_SHOTS if set (to look at it), else tmp."""
    page.mouse.move(5, 5)  # no tooltip over the controls
    page.set_viewport_size({"width": 1280, "height": 2600})
    page.wait_for_timeout(1_500)
    page.screenshot(path=str(Path(os.environ.get("PER_LAYER_SHOTS", tmp_path)) / name))
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.browser
def test_a_stack_plays_in_a_browser_and_a_bake_off_shows_it(app_server, browser_page,
                                                              tmp_path: Path) -> None:
    page, _ = browser_page
    page.goto(f"{app_server.url}/playground?p_stack=relu,tanh,gelu&p_depth=3&p_steps=0"
              "&p_width=4")
    wait_for_app(page)
    deadline = time.monotonic() + 30
    while _title(page)[1] < 0 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert _title(page) == ("ReLU → Tanh → GELU", 0)
    page.get_by_role("button", name="Play").click()
    deadline = time.monotonic() + 30
    while _title(page)[1] < 100 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert _title(page)[1] >= 100, "Play trains the stack on"
    page.keyboard.press("Space")
    page.get_by_role("button", name="Play").wait_for(timeout=5_000)
    wait_for_app(page)
    assert_clean(page)
    assert "p_stack=relu%2Ctanh%2Cgelu" in page.url or "p_stack=relu,tanh,gelu" in page.url
    _shot(page, tmp_path, "playground_stack.png")

    page.goto(f"{app_server.url}/guide?view=Bake-off&pick=custom&act=relu&act=tanh"
              "&stack=relu,tanh&layers=2&steps=100&seeds=2")
    wait_for_app(page, timeout=120_000)
    page.get_by_text("ReLU → Tanh").first.wait_for(timeout=60_000)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_clean(page)
    page.get_by_text("ReLU → Tanh", exact=True).first.wait_for(timeout=30_000)
    _shot(page, tmp_path, "bakeoff_stack.png")
