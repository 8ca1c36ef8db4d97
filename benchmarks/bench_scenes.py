"""Instant prepared demos: after warming a lecture (scripts/warm_lecture.py), how soon does a
scene's link show its final picture in a fresh session, and how long does Next take?

Run by hand (never in the suite): ``python benchmarks/bench_scenes.py``. It starts the real
server, warms the default lecture, then opens every scene of it in a fresh headless
Chromium session (targets: final picture ≤ 1.5 s after opening) and steps through the
lecture with Next (≤ 1 s between two warmed scenes). "Final picture": the script has
stopped, no run is training, and every chart has been drawn. Medians and the worst
case; the load average is printed since the host is shared.

Each link is opened twice: in a fresh browser profile (a student's first visit: the
frontend's scripts are downloaded and compiled first) and as a new tab of a browser that
has shown the app before (the lecturer's laptop, warmed before class: its HTTP cache
holds the frontend). Both are new Streamlit sessions. The target is judged on the second,
the lecture's case; the first is printed beside it.
"""

from __future__ import annotations

import os
import statistics
import sys
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
    server = AppServer.start(logs)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
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
            browser.close()
    finally:
        server.stop()
    print(f"open a warmed scene in a fresh profile: median "
          f"{statistics.median(fresh.values()):.2f} s, worst {max(fresh.values()):.2f} s")
    for name, values, target in (("open a warmed scene", list(opens.values()), OPEN_TARGET),
                                 ("Next between warmed scenes", nexts, NEXT_TARGET)):
        worst = max(values)
        print(f"{name}: median {statistics.median(values):.2f} s, worst {worst:.2f} s "
              f"({'met' if worst <= target else 'NOT met'}: ≤ {target:g} s)")


if __name__ == "__main__":
    main()
