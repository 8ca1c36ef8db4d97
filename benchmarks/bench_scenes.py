"""Instant prepared demos: after warming a lecture (scripts/warm_lecture.py), how soon does a
scene's link show its final picture in a fresh session, and how long does Next take?

Run by hand (never in the suite): ``python benchmarks/bench_scenes.py``. It starts the real
server, warms the default lecture, then opens every scene of it in a fresh headless
Chromium session (targets: final picture ≤ 1.5 s after opening) and steps through the
lecture with Next (≤ 1 s between two warmed scenes). "Final picture": the script has
stopped, no run is training, and every chart has been drawn. Medians and the worst
case; the load average is printed since the host is shared.

The host's floor is measured in the same run and the same browser: reference Streamlit
pages with the app's own config (a title and a line of text; with one Altair chart; with
six; with six and 40 controls, about the Dead ReLU page's load), opened the same way. A scene
opens no faster than the reference page with as much on it: that is Streamlit's frontend
booting, loading each element's code and drawing, not this app.

Each link is opened twice: in a fresh browser profile (a student's first visit: the
frontend's scripts are downloaded and compiled first) and as a new tab of a browser that
has shown the app before (the lecturer's laptop, warmed before class: its HTTP cache
holds the frontend). Both are new Streamlit sessions. The target is judged on the second,
the lecture's case; the first is printed beside it.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from actlib.lecture import DEFAULT_LECTURE, Lecture, step_query  # noqa: E402
from actlib.scenes import scene  # noqa: E402
from scripts.warm_lecture import ARGS, CHROMIUM, scene_url, wait_settled, warm  # noqa: E402
from tests.browser import AppServer  # noqa: E402

OPEN_TARGET, NEXT_TARGET = 1.5, 1.0
REFERENCE_APP = """import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

st.title("Reference page")
st.write("A line of text.")
columns = st.columns(4)
for i in range(int(st.query_params.get("controls", 0))):
    column, kind = columns[i % 4], i % 8
    if kind == 0:
        column.slider(f"Slider {i}", 0, 10, 5)
    elif kind == 1:
        column.selectbox(f"Select {i}", ["a", "b", "c"])
    elif kind == 2:
        column.button(f"Button {i}")
    elif kind == 3:
        column.toggle(f"Toggle {i}")
    elif kind == 4:
        column.radio(f"Radio {i}", ["a", "b"], horizontal=True)
    elif kind == 5:
        column.multiselect(f"Multiselect {i}", ["a", "b", "c"], default=["a"])
    elif kind == 6:
        column.metric(f"Metric {i}", 5, 1)
    else:
        column.download_button(f"Download {i}", "x", file_name="x.txt")
x = np.arange(200)
for i in range(int(st.query_params.get("charts", 0))):
    data = pd.DataFrame({"x": x, "y": np.sin(x / 10 + i)})
    st.altair_chart(alt.Chart(data, title=f"Chart {i + 1}").mark_line().encode(x="x", y="y"))
"""
"""Streamlit's floor: pages with nothing of this app's; ``charts`` simple line charts and
``controls`` widgets of the kinds the pages use (sliders, selects, buttons, toggles,
radios, multiselects, metrics, downloads)."""
REFERENCES = {"no chart": "charts=0", "1 chart": "charts=1", "6 charts": "charts=6",
              "6 charts and 40 controls (about the Dead ReLU page's load)": "charts=6&controls=40"}


def open_time(browser, url: str, context=None) -> float:
    """Seconds from opening ``url`` in a new tab to its final picture: in ``context`` (a
    browser that has loaded the app before) or, without one, in a fresh profile."""
    own = context is None
    if own:
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    start = time.monotonic()
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    settled = wait_settled(page)
    page.close()
    if own:
        context.close()
    return settled - start


def reference_times(browser, reps: int = 5) -> dict[str, list[float]]:
    """Open times of the reference pages (:data:`REFERENCES` of :data:`REFERENCE_APP`), on
    a server of its own with this app's config, in a browser that has shown them before."""
    from benchmarks.bench_server import Server

    times: dict[str, list[float]] = {name: [] for name in REFERENCES}
    with tempfile.TemporaryDirectory() as folder:
        app = Path(folder)
        (app / "streamlit_app.py").write_text(REFERENCE_APP)
        shutil.copytree(REPO / ".streamlit", app / ".streamlit")
        server = Server(app)
        try:
            server.wait_healthy()
            context = browser.new_context(viewport={"width": 1920, "height": 1080})
            for query in REFERENCES.values():  # shown once before, as the app is
                open_time(browser, f"{server.url}/?{query}", context)
            for _ in range(reps):
                for name, query in REFERENCES.items():
                    times[name].append(open_time(browser, f"{server.url}/?{query}", context))
            context.close()
        finally:
            server.stop()
    return times


def next_times(browser, base: str) -> list[float]:
    scenes = tuple(scene(s) for s in DEFAULT_LECTURE)
    query = step_query(Lecture(scenes, 0), present=False)
    flat = [(k, v) for k, values in query.items() for v in values]
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(f"{base}/{scenes[0].page}?{urlencode(flat)}")
    wait_settled(page)
    times = []
    for _ in scenes[1:]:
        start = time.monotonic()
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.press("PageDown")  # what a presentation clicker sends for Next
        page.wait_for_timeout(150)  # let the click reach the server before judging calm
        times.append(wait_settled(page) - start)
    context.close()
    return times


def main() -> None:
    from playwright.sync_api import sync_playwright

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    logs = Path("/tmp/bench_scenes")
    logs.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        server = AppServer.start(logs)
        try:
            start = time.monotonic()
            warm(browser, server.url, DEFAULT_LECTURE)
            print(f"warmed {len(DEFAULT_LECTURE)} scenes in {time.monotonic() - start:.1f} s")
            fresh = {s: open_time(browser, scene_url(server.url, s)) for s in DEFAULT_LECTURE}
            laptop = browser.new_context(viewport={"width": 1920, "height": 1080})
            open_time(browser, server.url, laptop)  # the app shown once before class
            opens = {s: open_time(browser, scene_url(server.url, s), laptop)
                     for s in DEFAULT_LECTURE}
            laptop.close()
            for scene_id, seconds in opens.items():
                print(f"  open {scene_id}: {seconds:.2f} s in a browser that has shown the "
                      f"app ({fresh[scene_id]:.2f} s in a fresh profile)")
            nexts = next_times(browser, server.url)
        finally:
            server.stop()
        floor = reference_times(browser)  # after ours: the two servers never share the cores
        browser.close()
    print(f"open a warmed scene in a fresh profile: median "
          f"{statistics.median(fresh.values()):.2f} s, worst {max(fresh.values()):.2f} s")
    print("Streamlit's floor here, reference pages opened the same way (medians of 5): "
          + "; ".join(f"{name} {statistics.median(t):.2f} s" for name, t in floor.items()))
    for name, values, target in (("open a warmed scene", list(opens.values()), OPEN_TARGET),
                                 ("Next between warmed scenes", nexts, NEXT_TARGET)):
        worst = max(values)
        print(f"{name}: median {statistics.median(values):.2f} s, worst {worst:.2f} s "
              f"({'met' if worst <= target else 'NOT met'}: ≤ {target:g} s)")


if __name__ == "__main__":
    main()
