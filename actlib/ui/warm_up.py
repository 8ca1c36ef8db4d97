"""Load torch and every page's modules behind the home page, once the browser has drawn it.

The home page runs without torch (issue #15's cold start), and the first topic page a
student opens should not wait for torch either, so the home page asks for a background
import (:func:`actlib.runtime.warm_up_in_background`). Started as soon as the home page's
script ended, that import (about 1 s of CPU, most of it holding the interpreter lock)
delayed the home page itself: the browser still had to fetch Vega's script from this same
server and receive the charts, and got them only between the import's steps (measured,
`python benchmarks/bench_server.py --only cold`: home page rendered 5.86 s after
`streamlit run` with the import, 3.41 s without it). So the home page mounts one small
trusted element that tells the server when the page's charts have all been drawn (or
after :data:`LIMIT_MS`, should one never draw), and the import starts then, while the
student reads.

Trusted code only: the script is given a fixed token, no user data.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

import streamlit as st

from actlib.runtime import ImportStatement, warm_up_in_background, warm_up_thread

LIMIT_MS = 4000
"""Longest wait for the charts before the import starts anyway."""
JOIN_SECONDS = 10.0
"""Longest wait for the event's own script run to end before the import starts."""
SETTLE_SECONDS = 0.25
"""Then a moment for the server's event loop to send that run's end to the browser (a few
milliseconds of work, which the import, holding the interpreter lock through torch's
native set-up, held back by up to 1.9 s when it started at once)."""

STEADY_MS = 300
"""How long every chart must have stayed drawn, their number unchanged: the page draws
its charts one after another as Vega's script arrives."""

_JS = """
export default function ({ data, setTriggerValue }) {
  if (!data || !data.token) return;
  const started = performance.now();
  let count = -1, since = started;
  const check = () => {
    const now = performance.now();
    const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
    const drawn = charts.length >= data.charts
      && charts.every((chart) => chart.querySelector('.marks'));
    if (!drawn || charts.length !== count) {
      count = drawn ? charts.length : -1;
      since = now;
    }
    if ((drawn && now - since >= __STEADY_MS__) || now - started > __LIMIT_MS__) {
      setTriggerValue('drawn', data.token);
    } else {
      setTimeout(check, 50);
    }
  };
  setTimeout(check, 0);
}
""".replace("__LIMIT_MS__", str(LIMIT_MS)).replace("__STEADY_MS__", str(STEADY_MS))

_signal = st.components.v2.component("activation_lab_warm_up", js=_JS)


def _mount_signal(on_drawn: Callable[[], None], charts: int) -> None:
    """Mount the element whose one event (the page's ``charts`` charts drawn) calls
    ``on_drawn``."""
    _signal(data={"token": "drawn", "charts": charts}, key="activation_lab_warm_up",
            on_drawn_change=on_drawn)


def warm_up_once_drawn(imports: Iterable[ImportStatement], charts: int) -> None:
    """Start the background import of ``imports`` once this page's ``charts`` charts have
    been drawn in the browser; nothing once the import has started (in this process, by
    any session).

    The element lives in a fragment of its own, so its event reruns that fragment alone
    (a few milliseconds), not the page the student is looking at."""
    if _requested.is_set() or warm_up_thread() is not None:
        return
    _signal_area(tuple(imports), charts)


_requested = threading.Event()
"""Set once a browser has said its page was drawn: the import is on its way."""


@st.fragment
def _signal_area(statements: tuple[ImportStatement, ...], charts: int) -> None:
    if not _requested.is_set():  # the event's rerun, which asked for the import, unmounts it
        _mount_signal(lambda: _import_after_this_run(statements), charts)


def _import_after_this_run(statements: tuple[ImportStatement, ...]) -> None:
    """Start the import once the script run this is called in (the event's fragment run)
    has ended: started in the run, it held the interpreter lock while that run's end was
    being sent, and the page showed "running" for 1.7 s more (measured)."""
    _requested.set()
    this_run = threading.current_thread()

    def start() -> None:
        this_run.join(timeout=JOIN_SECONDS)
        time.sleep(SETTLE_SECONDS)
        warm_up_in_background(statements)

    threading.Thread(target=start, name="actlab-warm-up-start", daemon=True).start()
