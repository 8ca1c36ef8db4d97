"""Start the app, open every page in headless Chromium and save a PNG of each.

    python scripts/screenshots.py                   # all pages, 1280x800, docs/screenshots/
    python scripts/screenshots.py shapes --width 1920 --height 1080 --zoom 1.5 --out /tmp/shots
    python scripts/screenshots.py "shapes?act=relu&act=elu"   # a page with query params

It reuses the browser-test helpers (tests/browser.py), so a screenshot is taken exactly when
a browser test would consider the page rendered.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actlib.ui.page_registry import all_pages
from tests.browser import CHROMIUM_ARGS, AppServer, chromium_path, wait_for_app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="page stems, optionally with ?query")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument(
        "--zoom", type=float, default=1.0,
        help="browser zoom, as a projector with large fonts (1.5: a 1920x1080 image of a "
        "1280x720 layout)",
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    targets = args.pages or [p.stem for p in all_pages()]
    args.out.mkdir(parents=True, exist_ok=True)
    browser_path = chromium_path()
    if browser_path is None:
        print("Chromium not found: apt-get install -y chromium", file=sys.stderr)
        return 1
    server = AppServer.start(Path(tempfile.mkdtemp()))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
            for target in targets:
                stem, _, query = target.partition("?")
                path = "" if stem == "home" else stem
                page = browser.new_page(
                    viewport={
                        "width": round(args.width / args.zoom),
                        "height": round(args.height / args.zoom),
                    },
                    device_scale_factor=args.zoom,
                )
                page.goto(f"{server.url}/{path}" + (f"?{query}" if query else ""))
                wait_for_app(page, timeout=120_000)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(2500)  # lazy widgets (data grid, code highlighter)
                name = stem if not query else f"{stem}-{abs(hash(query)) % 10_000}"
                out = args.out / f"{name}.png"
                page.screenshot(path=str(out))
                print(out)
                page.close()
            browser.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
