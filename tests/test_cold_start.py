"""The home page runs without torch, and torch is loaded behind it (issue #15's cold start).

Each check runs in a fresh interpreter: the test process has long imported torch.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.browser import REPO, AppServer

HEAVY = ("torch", "sklearn", "scipy", "matplotlib", "altair", "pandas")
"""Modules the home page must not load (torch is about 1 s of CPU and 200 MB to import;
Altair and pandas about 0.9 s: its cards are SVG pictures, not charts)."""


def _run(code: str) -> dict:
    """Run ``code`` in a fresh interpreter at the repository root; it prints one JSON line."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, timeout=240, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


_IMPORTS = f"""
import ast, json, sys
from actlib.card_previews import CARDS
from actlib.ui.page_registry import HOME

entry = ast.parse(open("streamlit_app.py", encoding="utf-8").read())
statements = [(n.module, tuple(a.name for a in n.names)) for n in entry.body
              if isinstance(n, ast.ImportFrom)]
for module, names in [*statements, *HOME.imports()]:
    __import__(module, fromlist=names)
for card in CARDS.values():
    card.draw(False), card.draw(True), card.describe()
print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))
"""


def test_the_home_pages_modules_and_previews_load_no_torch() -> None:
    """Everything the entry point and the home page import, and every card's picture."""
    assert _run(_IMPORTS) == []


_HOME_RUN = f"""
import json, sys, time
from streamlit.testing.v1 import AppTest
from actlib import runtime

asked = []
runtime.warm_up_in_background = lambda statements: asked.append(
    (len(statements), time.monotonic()))
at = AppTest.from_file("streamlit_app.py", default_timeout=120).run()
ended = time.monotonic()
heavy = [m for m in {HEAVY!r} if m in sys.modules]
while not asked and time.monotonic() < ended + 10:
    time.sleep(0.01)
print(json.dumps({{"exception": [e.value for e in at.exception],
                   "charts": len(at.get("vega_lite_chart")), "pictures": len(at.get("image")),
                   "heavy": heavy, "imports": [n for n, _ in asked],
                   "after_end": [t - ended for _, t in asked]}}))
"""


def test_the_home_page_runs_through_the_entry_point_without_torch() -> None:
    """The real entry point draws the home page with every card's picture and no chart,
    loads none of the heavy modules, and asks for the background import of every page's
    modules once its run has ended (started inside it, the import held the page "running"
    1.7 s longer)."""
    from actlib.ui.page_registry import page_imports
    from actlib.ui.warm_up import SETTLE_SECONDS

    result = _run(_HOME_RUN)
    assert result["exception"] == []
    assert result["charts"] == 0
    assert result["pictures"] == 6
    assert result["heavy"] == []
    assert result["imports"] == [len(page_imports())]
    assert result["after_end"][0] >= SETTLE_SECONDS - 0.05


_WARM_UP = """
import json, sys, time
from streamlit.testing.v1 import AppTest
from actlib import runtime

at = AppTest.from_file("streamlit_app.py", default_timeout=120).run()
while runtime.warm_up_thread() is None:  # started once the page's run has ended
    time.sleep(0.05)
runtime.warm_up_thread().join(timeout=200)
import torch
from actlib.ui.page_registry import page_imports
missing = [module for module, _ in page_imports() if module not in sys.modules]
print(json.dumps({"threads": torch.get_num_threads(), "configured": runtime._configured,
                  "missing": missing, "engine": "actlib.training.engine" in sys.modules,
                  "frozen_all": runtime._modules_when_frozen == len(sys.modules)}))
"""


def test_the_warm_up_configures_torch_and_loads_every_pages_modules() -> None:
    """...and freezes what it loaded, so no live view's fragment rerun scans it."""
    result = _run(_WARM_UP)
    assert result["configured"] == result["threads"] == 1
    assert result["missing"] == []
    assert result["engine"]
    assert result["frozen_all"]


_TRAINING_PAGE = """
import json, sys
from streamlit.testing.v1 import AppTest
from actlib import runtime

at = AppTest.from_file("streamlit_app.py", default_timeout=120)
at.switch_page("pages/shapes.py").run()
import torch
print(json.dumps({"exception": [e.value for e in at.exception], "threads":
                  torch.get_num_threads(), "configured": runtime._configured,
                  "warm_up": runtime.warm_up_thread() is not None}))
"""


def test_a_page_that_needs_torch_configures_it_before_it_runs() -> None:
    """Opened first (a deep link), a topic page runs with torch configured by the entry
    point, and no warm-up starts behind it."""
    result = _run(_TRAINING_PAGE)
    assert result["exception"] == []
    assert result["configured"] == result["threads"] == 1
    assert result["warm_up"] is False


def test_the_browser_is_given_streamlits_chart_script() -> None:
    """The file the prefetch imports is Streamlit's chart element script, and it loads
    vega-embed (were it renamed in another Streamlit, the prefetch would do nothing)."""
    import streamlit

    from actlib.ui.warm_up import chart_script

    name = chart_script()
    assert name is not None and name.startswith("ArrowVegaLiteChart.")
    source = (Path(streamlit.__file__).parent / "static" / "static" / "js" / name).read_text()
    assert "embed." in source


def test_the_import_starts_once_per_process_after_the_run_that_asked(monkeypatch) -> None:
    """The import waits for the end of the script run that asked for it; a second home
    page run (another session) asks for nothing."""
    from actlib.ui import warm_up

    calls: list[tuple[tuple, float]] = []
    monkeypatch.setattr(warm_up.runtime, "warm_up_in_background",
                        lambda statements: calls.append((statements, time.monotonic())))
    monkeypatch.setattr(warm_up.runtime, "warm_up_thread", lambda: None)
    monkeypatch.setattr(warm_up, "_requested", threading.Event())
    run_ended: list[float] = []

    def script_run() -> None:
        warm_up.warm_up_after_this_run([("json", ())])
        time.sleep(0.3)  # the rest of the run
        run_ended.append(time.monotonic())

    for _ in range(2):
        run = threading.Thread(target=script_run)
        run.start()
        run.join()
    deadline = time.monotonic() + 10
    while not calls and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(warm_up.SETTLE_SECONDS + 0.1)
    assert warm_up._requested.is_set()
    assert [statements for statements, _ in calls] == [(("json", ()),)]
    assert calls[0][1] >= run_ended[0] + warm_up.SETTLE_SECONDS - 0.01


_PICTURES_DRAWN = """() => {
  const pictures = [...document.querySelectorAll('[data-testid="stImage"] img')];
  return pictures.length === 6 && pictures.every((p) => p.complete && p.naturalWidth > 0);
}"""
_CHART_SCRIPT_LOADED = """() => performance.getEntriesByType('resource')
  .some((entry) => entry.name.includes('/static/js/ArrowVegaLiteChart.'))"""


@pytest.mark.browser
def test_a_fresh_server_loads_torch_once_the_home_page_is_drawn(tmp_path, chromium) -> None:
    """On a real server, once the home page's pictures are drawn, the browser's signal
    reaches the server and torch is loaded behind the page, without any other page being
    opened (a signal lost on its way would leave the first topic page to import it); the
    browser loads Streamlit's chart script meanwhile (the cards drew no chart), in every
    session, not only the one that asked for the import."""
    server = AppServer.start(tmp_path)
    try:
        context = chromium.new_context(viewport={"width": 1280, "height": 800})
        for _ in range(2):
            page = context.new_page()
            page.goto(server.url)
            page.wait_for_function(_PICTURES_DRAWN, timeout=120_000)
            assert page.locator('[data-testid="stVegaLiteChart"]').count() == 0
            assert page.locator('[data-testid="stException"]').count() == 0
            page.wait_for_function(_CHART_SCRIPT_LOADED, timeout=30_000)
            deadline = time.monotonic() + 120
            while not _has_torch(server.process.pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _has_torch(server.process.pid), "torch was never loaded behind the home page"
            page.close()
        context.close()
    finally:
        server.stop()


@pytest.mark.browser
def test_a_card_clicked_as_soon_as_the_home_page_is_drawn_trains_its_run(
        tmp_path, chromium) -> None:
    """The student who clicks a card at once: the home page's "drawn" event may then reach
    the server during the new page's first run, as a rerun of a fragment that page does
    not have. The run it cut short must play on (it stood at step 0 with Pause shown, 2 in
    6 times, before the live areas asked for their next burst themselves)."""
    server = AppServer.start(tmp_path)
    try:
        context = chromium.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(server.url)
        page.wait_for_function(_PICTURES_DRAWN, timeout=120_000)
        page.locator('[data-testid="stMain"] [data-testid="stPageLink-NavLink"]',
                     has_text="Dead ReLU monitor").click()
        page.get_by_text(re.compile(r"Training: step [1-9][\d,]* of|Trained [\d,]+ steps")
                         ).first.wait_for(timeout=90_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        context.close()
    finally:
        server.stop()


def _has_torch(pid: int) -> bool:
    """Whether the process has mapped torch's native library (the import has begun)."""
    return "libtorch_cpu" in Path(f"/proc/{pid}/maps").read_text()
