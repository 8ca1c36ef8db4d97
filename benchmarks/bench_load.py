"""A lecture hall at full size, by hand: 1, 12 and 24 browser sessions on one real server.

    python benchmarks/bench_load.py                 # sizes 1, 12, 24
    python benchmarks/bench_load.py --sizes 1 6     # any sizes

Each size starts a fresh server (tests/browser.py) and opens that many sessions at once in
one headless Chromium, each on its own link (tests/load_sessions.py: the Playground played
for a few seconds, Dead ReLU, gradients training, the bake-off, the approximation trained,
round robin). Prints, per size: the completion time of each session from its first request
to a settled page (median and max), their ratio to the single session measured in the same
run, how many sessions were seen waiting for a free trainer (polled about every 0.1 s per
session from the Play presses on, so a lower bound), console errors, and the
server's peak resident memory (sampled from /proc every 0.2 s).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM_ARGS, AppServer, chromium_path
from tests.load_sessions import RssSampler, close, finish, open_sessions, play


def measure(chromium, size: int, log_dir: Path) -> dict[str, float]:
    server = AppServer.start(log_dir)
    try:
        with RssSampler(server.process.pid) as rss:
            idle = rss.peak
            sessions = open_sessions(chromium, server.url, size)
            try:
                play(sessions)
                finish(sessions, timeout=900)
                errors = sum(bool(s.watch.errors) for s in sessions)
                waited = sum(s.saw_wait for s in sessions)
                lost = sum(s.lost_presses for s in sessions)
            except Exception:
                shots = Path(tempfile.mkdtemp(prefix=f"bench-load-{size}-"))
                for i, s in enumerate(sessions):
                    s.page.screenshot(path=str(shots / f"{i:02d}.png"), full_page=True)
                print(f"{size} sessions failed; screenshots in {shots}, server log "
                      f"{server.log_path}", flush=True)
                raise
            finally:
                close(sessions)
        times = [s.seconds for s in sessions]
        return {"median": statistics.median(times), "max": max(times),
                "waited": waited, "lost": lost, "errors": errors, "rss": rss.peak, "idle": idle}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1, 12, 24])
    args = parser.parse_args()
    sizes = sorted(set(args.sizes) | {1})
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        results = {}
        for size in sizes:
            start = time.perf_counter()
            results[size] = measure(browser, size, Path(tmp))
            print(f"{size:3d} sessions done in {time.perf_counter() - start:.0f} s", flush=True)
        browser.close()
    base = results[1]["median"]
    print("\nsessions  median s  max s  median/single  max/single  saw the wait  "
          "console errors  lost presses  server RSS MB (idle -> peak)")
    for size, r in results.items():
        print(f"{size:8d}  {r['median']:8.1f}  {r['max']:5.1f}  {r['median'] / base:13.1f}  "
              f"{r['max'] / base:10.1f}  {r['waited']:12d}  {r['errors']:14d}  {r['lost']:12d}  "
              f"{r['idle']:.0f} -> {r['rss']:.0f}")


if __name__ == "__main__":
    main()
