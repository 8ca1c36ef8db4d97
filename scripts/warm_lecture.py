"""Warm a server before class: open every scene of a lecture once, so that each training
behind it is done and kept by the server process (finished lesson runs, trained Playground
links and the cached pictures are all process-wide). A hall of students opening the same
links then sees each final picture at once.

    python scripts/warm_lecture.py --url https://your-app.streamlit.app --lecture default
    python scripts/warm_lecture.py --lecture nl-collapse,dr-die,dr-leaky

It drives headless Chromium (Debian's, as the tests do) through the scenes as a lecturer
would click them. Run it after every server start: a restart forgets the caches.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actlib.lecture import DEFAULT_LECTURE, DEFAULT_NAME
from actlib.scenes import scene

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !/Training: step/.test(document.body.innerText)
        && !document.querySelector('[data-testid="stSkeleton"]')
        && charts.every(chart => chart.querySelector('.marks'));
}"""
"""The page's script has stopped, no run trains, and every chart has been drawn: no
element still waits for its script (Streamlit shows a skeleton while Vega's script loads,
in a fresh browser profile for a second or more after the page's script ended) and Vega
has rendered each chart's SVG or canvas (class ``marks``)."""


def scene_url(base: str, scene_id: str) -> str:
    """The link that opens one scene (its page and parameters)."""
    item = scene(scene_id)
    query = [(k, v) for k, values in item.query().items() for v in values]
    query.append(("scene", item.id))
    return f"{base.rstrip('/')}/{item.page}?{urlencode(query)}"


def wait_settled(page, timeout_s: float = 180.0, calm_checks: int = 4) -> float:
    """Wait until the page's script has stopped and no run is training, for
    ``calm_checks`` checks 100 ms apart; returns when it first became calm (monotonic)."""
    deadline = time.monotonic() + timeout_s
    calm, since = 0, time.monotonic()
    while calm < calm_checks:
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not settle")
        if page.evaluate(SETTLED):
            if calm == 0:
                since = time.monotonic()
            calm += 1
        else:
            calm = 0
        page.wait_for_timeout(100)
    return since


def warm(browser, base: str, scene_ids: Sequence[str], log=print) -> None:
    """Open each scene in its own fresh session and wait until it has trained."""
    for scene_id in scene_ids:
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        start = time.monotonic()
        page.goto(scene_url(base, scene_id))
        page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
        wait_settled(page)
        log(f"  {scene_id}: ready after {time.monotonic() - start:.1f} s")
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8501")
    parser.add_argument("--lecture", default=DEFAULT_NAME,
                        help="'default' or scene ids separated by commas")
    args = parser.parse_args()
    ids = DEFAULT_LECTURE if args.lecture == DEFAULT_NAME else tuple(
        s.strip() for s in args.lecture.split(",") if s.strip())
    from playwright.sync_api import sync_playwright

    print(f"Warming {len(ids)} scenes on {args.url}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        warm(browser, args.url, ids)
        browser.close()


if __name__ == "__main__":
    main()
