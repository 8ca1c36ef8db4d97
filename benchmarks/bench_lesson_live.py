"""What a user feels on the lesson runs (Dead ReLU monitor, Gradients training tab, bake-off,
collapse): click-to-first-change after Play, frames per second while playing, and how soon
Pause stops it, in a real browser against the real server.

Run by hand (never in the suite): ``python benchmarks/bench_lesson_live.py``. Each view is
opened, left to finish its first run, reset to step 0, then played: a MutationObserver in
the page timestamps every change of the run's status line ("Training: step N of M"), which
every frame redraws. Medians over the repeats; the machine's load average is printed with
the figures, since the host is shared.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser import CHROMIUM_ARGS, AppServer, chromium_path  # noqa: E402

VIEWS = {
    "Dead ReLU training run": "dead_relu?steps=2000",
    "Gradients training": "gradients?view=Training&steps=1000",
    "Bake-off (1,500 steps)": "guide?view=Bake-off&steps=1500",
    "Collapse": "nonlinearity?demo=Collapse",  # 400 steps: may end before Pause
}
ONLY = os.environ.get("ONLY")
REPEATS = int(os.environ.get("REPEATS", 3))
PLAY_SECONDS = 1.5
TARGETS = {"first change (ms)": 150.0, "pause (ms)": 200.0}

_OBSERVE = """() => {
  window.__changes = [];
  const seen = new Set();
  const note = () => {
    for (const el of document.querySelectorAll('[data-testid="stCaptionContainer"]')) {
      const t = el.innerText;
      if (/^(Training: step|Paused at step|Trained)/.test(t) && !seen.has(t)) {
        seen.add(t); window.__changes.push([performance.now(), t]);
      }
    }
  };
  new MutationObserver(note).observe(document.body, {subtree: true, childList: true,
                                                     characterData: true});
  return performance.now();
}"""


def measure(page, url: str) -> dict[str, float]:
    page.goto(url)
    page.get_by_text("Trained").first.wait_for(timeout=300_000)
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Paused at step 0").first.wait_for(timeout=30_000)
    page.wait_for_timeout(800)
    page.evaluate(_OBSERVE)
    clicked = page.evaluate("() => performance.now()")
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(PLAY_SECONDS * 1000)
    # A mouse click where the button is, as a user's: a locator's click would first wait
    # for the button to hold still, which a frame being redrawn delays.
    pause = page.get_by_role("button", name="Pause")
    if not pause.count():  # the run ended within the play time: nothing to pause
        return {"first change (ms)": float("nan"), "frames/s": float("nan"),
                "pause (ms)": float("nan")}
    box = pause.bounding_box()
    paused_at = page.evaluate("() => performance.now()")
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_text("Paused at step").first.wait_for(timeout=30_000)
    changes = page.evaluate("() => window.__changes")
    training = [t for t, text in changes if text.startswith("Training") and t < paused_at]
    paused = [t for t, text in changes if text.startswith("Paused") and t > paused_at]
    first = training[0] - clicked if training else float("nan")
    span = (training[-1] - training[0]) / 1000 if len(training) > 1 else float("nan")
    return {"first change (ms)": first,
            "frames/s": (len(training) - 1) / span if span and span == span else float("nan"),
            "pause (ms)": paused[0] - paused_at if paused else float("nan")}


def _median(values: list[float]) -> float:
    """The median of the repeats that measured something (a run that ended before Pause
    has no pause time)."""
    finite = [v for v in values if v == v]
    return statistics.median(finite) if finite else float("nan")


def _verdict(name: str, value: float) -> str:
    if value != value:
        return f"{name} n/a (every run ended before it could be measured)"
    text = f"{name} {value:.0f}"
    if name in TARGETS:
        text += f" ({'met' if value <= TARGETS[name] else 'NOT met'}: ≤ {TARGETS[name]:g})"
    return text


def main() -> None:
    from playwright.sync_api import sync_playwright

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    logs = Path("/tmp/bench_lesson_live")
    logs.mkdir(exist_ok=True)
    server = AppServer.start(logs)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            for name, path in VIEWS.items():
                if ONLY and ONLY not in name:
                    continue
                rows = []
                for _ in range(REPEATS):
                    page = browser.new_context(viewport={"width": 1400, "height": 1400}
                                               ).new_page()
                    rows.append(measure(page, f"{server.url}/{path}"))
                    page.context.close()
                summary = {k: _median([r[k] for r in rows]) for k in rows[0]}
                verdicts = ", ".join(_verdict(k, v) for k, v in summary.items())
                print(f"{name}: {verdicts}")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
