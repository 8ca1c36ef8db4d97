"""The home page runs without torch, and torch is loaded behind it (issue #15's cold start).

Each check runs in a fresh interpreter: the test process has long imported torch.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.browser import REPO

HEAVY = ("torch", "sklearn", "scipy", "matplotlib")
"""Modules the home page must not load (torch is about 1 s of CPU and 200 MB to import)."""


def _run(code: str) -> dict:
    """Run ``code`` in a fresh interpreter at the repository root; it prints one JSON line."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, timeout=240, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


_IMPORTS = f"""
import ast, json, sys
from actlib.ui.page_registry import HOME, TOPIC_PAGES

entry = ast.parse(open("streamlit_app.py", encoding="utf-8").read())
statements = [(n.module, tuple(a.name for a in n.names)) for n in entry.body
              if isinstance(n, ast.ImportFrom)]
for module, names in [*statements, *HOME.imports()]:
    __import__(module, fromlist=names)
for info in TOPIC_PAGES:
    info.preview_chart().to_dict()
print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))
"""


def test_the_home_pages_modules_and_previews_load_no_torch() -> None:
    """Everything the entry point and the home page import, and every card's chart."""
    assert _run(_IMPORTS) == []


_HOME_RUN = f"""
import json, sys
from streamlit.testing.v1 import AppTest
from actlib import runtime

started = []
runtime.warm_up_in_background = lambda imports: started.append(len(tuple(imports)))
at = AppTest.from_file("streamlit_app.py", default_timeout=120).run()
print(json.dumps({{"exception": [e.value for e in at.exception],
                   "charts": len(at.get("vega_lite_chart")),
                   "heavy": [m for m in {HEAVY!r} if m in sys.modules],
                   "warm_up": started}}))
"""


def test_the_home_page_runs_through_the_entry_point_without_torch() -> None:
    """The real entry point draws the home page with every card's chart, loads none of
    the heavy modules, and asks for the warm-up with every page's imports."""
    result = _run(_HOME_RUN)
    assert result["exception"] == []
    assert result["charts"] == 6
    assert result["heavy"] == []
    assert len(result["warm_up"]) == 1 and result["warm_up"][0] > 20


_WARM_UP = """
import json, sys
from streamlit.testing.v1 import AppTest
from actlib import runtime

at = AppTest.from_file("streamlit_app.py", default_timeout=120).run()
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
