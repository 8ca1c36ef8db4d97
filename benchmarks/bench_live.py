"""Live Playground, as a user feels it: a real server driven by headless Chromium.

    python benchmarks/bench_live.py            # feel + the four TFP tasks, 3 seeds each
    python benchmarks/bench_live.py --quick    # feel only

Measured in the browser (a MutationObserver on the "<activation>, step N" title):
* first change: Play pressed -> the first frame of a trained step on screen (ms);
* frames per second while playing (distinct steps shown per second, over 4 s);
* pause: Space pressed -> the last frame that still changed (ms);
* time to target: a cold link at step 0, Play pressed once, until the displayed test
  accuracy first reaches the target (s; median of 3 seeds), next to TensorFlow
  Playground's own figures measured on this machine (its defaults: 500 points, SGD 0.03,
  batch 10, noise 0; the issue's table). Our side uses the Playground's own defaults
  (Adam 0.03, every step on all 300 training points, the activation's recommended init,
  400 points, noise 0.1); TFP's "4, 2" layers become 2 layers of 4 here.

Run by hand on a quiet machine (never with the test suite): it is a benchmark, not a test.
It prints the load average before and after, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser import CHROMIUM_ARGS, AppServer, chromium_path, wait_for_app

TASKS = (
    # name, query, target accuracy, TFP seconds, TFP frames/s
    ("circle, 2 layers (4, 2), tanh", "p_data=circles&p_depth=2&p_width=4&p_act=tanh", 0.95,
     0.7, 53),
    ("xor, 2 layers (4, 2), tanh", "p_data=xor&p_depth=2&p_width=4&p_act=tanh", 0.95, 1.1, 56),
    ("two spirals, 8,8,8, tanh", "p_data=spirals&p_depth=3&p_width=8&p_act=tanh", 0.90, 28.0,
     24),
    ("two spirals, 8,8,8, ReLU", "p_data=spirals&p_depth=3&p_width=8&p_act=relu", 0.90, 9.9,
     23),
)
TIMEOUT_SECONDS = 60.0

_WATCH = """() => {
    window.__changes = [];
    const read = () => {
        const el = [...document.querySelectorAll('[data-testid="stMarkdownContainer"] strong')]
            .find(e => /, step [\\d,]+$/.test(e.innerText));
        return el ? el.innerText : null;
    };
    window.__last = read();
    new MutationObserver(() => {
        const t = read();
        if (t && t !== window.__last) {
            window.__last = t;
            window.__changes.push([performance.now(), t]);
        }
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""
_ACCURACY = """() => {
    const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
        .find(e => e.innerText.startsWith('Test accuracy'));
    if (!m) return null;
    const v = m.querySelector('[data-testid="stMetricValue"]');
    return v ? parseFloat(v.innerText) / 100 : null;
}"""


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.evaluate(_WATCH)


def feel(page, base: str) -> dict[str, float]:
    """First change, frames per second and pause latency on the default Playground."""
    _open(page, f"{base}/playground?p_steps=0")
    pressed = page.evaluate("performance.now()")
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(4500)
    changes = page.evaluate("window.__changes")
    first = changes[0][0] - pressed
    window = [c for c in changes if c[0] >= changes[0][0] + 500]  # after the first burst
    fps = (len(window) - 1) / ((window[-1][0] - window[0][0]) / 1000)
    paused = page.evaluate("performance.now()")
    page.keyboard.press("Space")
    page.wait_for_timeout(1500)
    after = [c[0] - paused for c in page.evaluate("window.__changes") if c[0] > paused]
    return {"first change ms": first, "frames/s": fps,
            "pause ms": max(after) if after else 0.0}


def time_to_target(page, base: str, query: str, target: float, seed: int) -> float | None:
    """Seconds from Play to the first frame showing test accuracy >= target."""
    _open(page, f"{base}/playground?p_steps=0&p_seed={seed}&{query}")
    start = time.monotonic()
    page.get_by_role("button", name="Play").click()
    while time.monotonic() - start < TIMEOUT_SECONDS:
        accuracy = page.evaluate(_ACCURACY)
        if accuracy is not None and accuracy >= target:
            elapsed = time.monotonic() - start
            page.keyboard.press("Space")
            return elapsed
        page.wait_for_timeout(20)
    page.keyboard.press("Space")
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="feel only, no TFP tasks")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average before: {os.getloadavg()[0]:.1f}")
    server = AppServer.start(Path(tempfile.mkdtemp()))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            runs = [feel(page, server.url) for _ in range(3)]
            print("Default Playground (circles, 2 x 6 tanh), 3 runs, medians:")
            for key in runs[0]:
                print(f"  {key:>16}: {statistics.median(r[key] for r in runs):7.1f}"
                      f"   (runs: {', '.join(f'{r[key]:.0f}' for r in runs)})")
            if not args.quick:
                print(f"\n| task | target | TFP | ours (median of {args.seeds} seeds) | ratio |")
                print("|---|---|---|---|---|")
                for name, query, target, tfp, _ in TASKS:
                    times = [time_to_target(page, server.url, query, target, seed)
                             for seed in range(args.seeds)]
                    reached = [t for t in times if t is not None]
                    ours = statistics.median(reached) if len(reached) == len(times) else None
                    shown = "not reached" if ours is None else f"{ours:.1f} s"
                    ratio = "" if ours is None else f"{ours / tfp:.2f}x TFP"
                    each = ", ".join("-" if t is None else f"{t:.1f}" for t in times)
                    print(f"| {name} | {target:.0%} | {tfp} s | {shown} ({each}) | {ratio} |")
            browser.close()
    finally:
        server.stop()
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
