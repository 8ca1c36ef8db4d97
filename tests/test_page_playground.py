"""The Playground page: a live run that continues (Play, Pause, Step, Reset on the same
network), links that open the exact network, rates changed while playing, its notes, and
old links to the Playground tab of "Why non-linearity"."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pytest
import torch
from streamlit.testing.v1 import AppTest

from actlib import playground
from actlib.runtime import configure_torch
from actlib.training.live import LiveRun
from actlib.ui import live_playground, live_view
from actlib.ui.live_view import LiveSession
from tests.apptest_charts import assert_no_exception, metric_value, open_page
from tests.browser import assert_clean, wait_for_app

configure_torch()  # one thread, as the app runs: full-batch runs differ by thread count

PAGE = "pages/playground.py"
_clean, _metric = assert_no_exception, metric_value


def _open(**query) -> AppTest:
    return open_page(PAGE, **query)


def _session(at: AppTest) -> LiveSession:
    return at.session_state[live_playground.SESSION_KEY]


def _link(at: AppTest, key: str) -> str | list[str] | None:
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _same_weights(a: LiveRun, b: LiveRun) -> bool:
    return all(torch.equal(x, y) for x, y in
               zip(a.state.model.parameters(), b.state.model.parameters(), strict=True))


@pytest.fixture
def one_burst(monkeypatch: pytest.MonkeyPatch) -> None:
    """A short burst per run: AppTest fires no component event, so Play draws one burst
    per run (in a browser the next starts once the browser has drawn it, until Pause)."""
    monkeypatch.setattr(live_view, "BURST_SECONDS", 0.4)


def test_a_link_opens_that_exact_network() -> None:
    at = _open(p_steps="50", p_width="4", p_seed="3")
    _clean(at)
    assert _metric(at, "Step") == "50"
    run = _session(at).run
    config = playground.live_config("circles", 0.1, 0.25, "tanh", 2, 4, seed=3)
    fresh = LiveRun(replace(config, lr=0.03))  # the page's default rate
    fresh.reach(50)
    assert _same_weights(run, fresh)
    assert any("**Tanh, step 50**" in m.value for m in at.markdown)


def test_step_and_reset_move_the_same_network_and_the_link() -> None:
    at = _open(p_steps="50", p_width="4")
    run = _session(at).run
    at.button(key="p_live_step").click().run()
    _clean(at)
    assert _metric(at, "Step") == "75" and _link(at, "p_steps") == "75"
    assert _session(at).run is run, "Step trained on; nothing was replayed"
    at.button(key="p_live_reset").click().run()
    _clean(at)
    assert _metric(at, "Step") == "0" and _link(at, "p_steps") == "0"


def test_play_trains_on_and_pause_keeps_the_network(one_burst) -> None:
    at = _open(p_steps="0", p_width="4")
    run = _session(at).run
    at.button(key="p_live_play").click().run()
    _clean(at)
    first = run.step
    # AppTest runs the whole page: a full-page run plays one frame and hands over to the
    # browser, where the fragment plays on (the real-browser tests below).
    assert _session(at).playing and first > 0 and _session(at).frames >= 1
    assert _link(at, "p_steps") == str(first)
    at.button(key="p_live_play").click().run()  # Pause
    _clean(at)
    assert not _session(at).playing and run.step == first
    assert at.button(key="p_live_play").label == "Play"
    at.button(key="p_live_play").click().run()  # Play again: on from there, not from 0
    assert _session(at).run is run and run.step > first
    straight = LiveRun(run.config)
    straight.reach(run.step)
    assert _same_weights(run, straight), "paused and continued = trained straight through"


def test_a_new_rate_applies_to_the_running_network_and_the_link_replays_it() -> None:
    at = _open(p_steps="100", p_width="4")
    run = _session(at).run
    at.select_slider(key="p_lr").set_value(0.1).run()
    _clean(at)
    assert _session(at).run is run and run.step == 100
    assert run.lr_changes == [(100, 0.1)]
    assert at.query_params["p_lrs"] == ["0:0.03", "100:0.1"]
    at.button(key="p_live_step").click().run()
    again = _open(p_steps="125", p_width="4", p_lr="0.1", p_lrs=["0:0.03", "100:0.1"])
    assert _same_weights(_session(again).run, run)


def test_new_data_starts_again_from_step_0_and_says_so() -> None:
    at = _open(p_steps="100", p_width="4")
    at.selectbox(key="p_data").set_value("xor").run()
    _clean(at)
    assert _metric(at, "Step") == "0"
    assert "starts again from step 0" in " ".join(i.value for i in at.info)
    at.slider(key="p_seed").set_value(5).run()
    assert _metric(at, "Step") == "0"


def test_a_link_past_what_one_click_may_train_stops_at_the_cap_and_says_so() -> None:
    at = _open(p_steps="100000", p_width="4")
    _clean(at)
    config = playground.live_config("circles", 0.1, 0.25, "tanh", 2, 4)
    cap = playground.link_step_cap(config)
    assert _metric(at, "Step") == f"{cap:,}"
    assert "press Play to go on" in " ".join(i.value for i in at.info)


def test_a_link_trains_on_a_trainer_slot_and_says_where_it_waits(monkeypatch) -> None:
    """A link's first training (up to a few seconds) takes a trainer slot like every other
    training: while two other sessions hold both, the link waits, saying where it stands,
    and trains once one is free (the same network: its step count is the link's)."""
    import threading

    from actlib.ui.live_runner import WAIT_MESSAGE, trainers

    shown: list[str] = []
    real_message = live_view.wait_message
    monkeypatch.setattr(live_view, "wait_message",
                        lambda status: shown.append(real_message(status)) or shown[-1])
    held, release = threading.Barrier(3), threading.Event()

    def hold(owner: str) -> None:  # another session's training, until released
        assert trainers.acquire(owner, timeout=60)
        held.wait()
        release.wait(300)
        trainers.release(owner)

    holders = [threading.Thread(target=hold, args=(f"other-{i}",)) for i in range(2)]
    for holder in holders:
        holder.start()
    held.wait()
    opened: dict[str, AppTest] = {}
    opener = threading.Thread(target=lambda: opened.update(
        at=_open(p_seed="12", p_steps="300", p_width="3")))
    opener.start()
    try:
        deadline = time.monotonic() + 240
        while not shown and opener.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        release.set()
        opener.join(300)
        for holder in holders:
            holder.join()
    assert shown, "the link trained while both trainers were held"
    assert shown[0].startswith(WAIT_MESSAGE) and "you are next" in shown[0], shown[0]
    at = opened["at"]
    _clean(at)
    assert _metric(at, "Step") == "300" and _session(at).step == 300
    assert not any(WAIT_MESSAGE in i.value for i in at.info), "the message went once it trained"


def test_stuck_playground_says_so_and_why() -> None:
    """The 6 x 16 tanh network at a rate that saturates it stays at chance level: the page
    says it is stuck, why and what to try. (With full batches and Xavier init it trains at
    0.1 and saturates at 0.5.)"""
    at = _open(p_depth="6", p_width="16", p_lr="0.5", p_steps="500")
    stuck = [w.value for w in at.warning if w.value.startswith("Stuck at chance")]
    assert stuck, [w.value for w in at.warning]
    assert "of the hidden units are flat" in stuck[0] and "Try learning rate 0.01" in stuck[0]


def test_playground_learning_rate_of_ten_explains_itself() -> None:
    at = _open(p_lr="10", p_act="relu", p_steps="100", p_width="4")
    assert "A learning rate of 10 is too large here" in " ".join(w.value for w in at.warning)
    assert _metric(at, "Step") == "100"


def test_every_control_moves_cleanly_and_a_layer_past_the_depth_says_so() -> None:
    at = _open(p_steps="25", p_width="4")
    at.selectbox(key="p_act").set_value("identity")
    at.slider(key="p_noise").set_value(0.3)
    at.slider(key="p_test").set_value(0.5)
    at.slider(key="p_depth").set_value(1)
    at.slider(key="p_layer").set_value(3)
    at.run()
    _clean(at)
    assert any("showing the last one" in c.value for c in at.caption)


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


# --- a real browser ---------------------------------------------------------------------------

_STEP_TEXT = """() => {
    const el = [...document.querySelectorAll('[data-testid="stMarkdownContainer"] strong')]
        .find(e => /, step [\\d,]+$/.test(e.innerText));
    return el ? el.innerText : null;
}"""


def _shown_step(page) -> int:
    text = page.evaluate(_STEP_TEXT) or ""
    match = re.search(r"step ([\d,]+)$", text)
    return int(match.group(1).replace(",", "")) if match else -1


@pytest.mark.browser
def test_play_and_pause_in_a_real_browser(app_server, browser_page) -> None:
    """Play trains on live; Space pauses within a frame or two; the link follows the run;
    Play again goes on from there."""
    page, _ = browser_page
    page.goto(f"{app_server.url}/playground?p_steps=0&p_width=4")
    wait_for_app(page)
    page.get_by_role("button", name="Play").click()
    deadline = time.monotonic() + 20
    while _shown_step(page) < 100 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert _shown_step(page) >= 100, "Play trains on"
    assert page.get_by_role("button", name="Pause").is_visible()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Play").wait_for(timeout=5_000)
    paused = _shown_step(page)
    page.wait_for_timeout(1_000)
    assert _shown_step(page) == paused, "nothing moves after Pause"
    wait_for_app(page)
    assert_clean(page)
    assert f"p_steps={paused}" in page.url
    page.get_by_role("button", name="Play").click()
    deadline = time.monotonic() + 20
    while _shown_step(page) <= paused and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert _shown_step(page) > paused
    page.keyboard.press("Space")
    page.get_by_role("button", name="Play").wait_for(timeout=5_000)


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
    assert _shown_step(page) == 100


@pytest.mark.browser
def test_two_sessions_play_at_once_independently(chromium, app_server) -> None:
    """Two students play at the same time: each trains and shows its own network; closing
    one tab leaves the other playing (trainer slots are held a frame at a time)."""
    contexts = [chromium.new_context(viewport={"width": 1280, "height": 800}) for _ in "ab"]
    try:
        pages = [c.new_page() for c in contexts]
        for page, data in zip(pages, ("circles", "xor"), strict=True):
            page.goto(f"{app_server.url}/playground?p_steps=0&p_width=4&p_data={data}")
            wait_for_app(page)
        for page in pages:
            page.get_by_role("button", name="Play").click()
        # Watch for at least 6 s (several bursts each), at most 30 s for 200 steps each.
        watch, deadline, seen = time.monotonic() + 6, time.monotonic() + 30, []
        while (not seen or min(seen[-1]) < 200 or time.monotonic() < watch) and \
                time.monotonic() < deadline:
            seen.append([_shown_step(p) for p in pages])
            pages[0].wait_for_timeout(50)
        assert min(seen[-1]) >= 200, "both sessions train"
        # Every burst lays the live area out again: the picture and its step line stay on
        # screen throughout (placeholders made empty showed nothing while a piece trained).
        blank = [steps for steps in seen if -1 in steps]
        assert not blank, f"the picture went blank {len(blank)} times of {len(seen)}"
        contexts[0].close()
        going = _shown_step(pages[1])
        deadline = time.monotonic() + 10
        while _shown_step(pages[1]) <= going + 100 and time.monotonic() < deadline:
            pages[1].wait_for_timeout(100)
        assert _shown_step(pages[1]) > going + 100, "the other session plays on alone"
        pages[1].keyboard.press("Space")
        pages[1].get_by_role("button", name="Play").wait_for(timeout=5_000)
        wait_for_app(pages[1])
        assert_clean(pages[1])
        assert "p_data=xor" in pages[1].url
    finally:
        for context in contexts[1:]:
            context.close()
