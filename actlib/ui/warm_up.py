"""Load torch, every page's modules and Vega behind the home page, while the student reads.

The home page runs without torch, Altair or pandas (issue #15's cold start): its cards are
SVG pictures (:mod:`actlib.card_previews`). The first topic page a student opens should
not wait for those either, so the home page's run ends by starting two loads:

* **On the server**, a background import of torch and every page's modules
  (:func:`actlib.runtime.warm_up_in_background`), once the home page's run has ended and
  its last messages have gone out (:func:`warm_up_after_this_run`). An import started
  inside the run (about 1 s of CPU, most of it holding the interpreter lock) held the page
  "running" 1.7 s longer. It used to wait, too, for the browser to say the page's charts
  were drawn, because the browser then still fetched Vega's script and the charts from
  this server; the pictures arrive with the page, so there is nothing left to wait for.
  That browser event also did harm: sent by a student who had already clicked a card, it
  reached the new page's first run as a rerun of a fragment the new page does not have,
  which Streamlit queues, cuts the page's live run short for, then skips (the Dead ReLU
  run stood at step 0 with Pause on screen, 2 in 6 times).
* **In the browser**, Streamlit's chart script (Vega, the largest script the app uses),
  fetched and run once the pictures are drawn (:func:`prefetch_charts_once_drawn`), so the
  first chart of the first topic page does not wait for it. A small trusted element does
  it; it sends nothing back.

Trusted code only: the element is given the page's picture count and a file name of
Streamlit's own, no user data.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import streamlit as st

from actlib import runtime
from actlib.runtime import ImportStatement

LIMIT_MS = 4000
"""Longest wait for the pictures before the chart script is fetched anyway."""
JOIN_SECONDS = 10.0
"""Longest wait for the home page's run to end before the import starts."""
SETTLE_SECONDS = 0.25
"""Then a moment for the server's event loop to send that run's end to the browser (a few
milliseconds of work, which the import, holding the interpreter lock through torch's
native set-up, held back by up to 1.9 s when it started at once)."""

_JS = """
export default function ({ data }) {
  if (!data || !data.chart_script) return;
  const started = performance.now();
  const check = () => {
    const pictures = [...document.querySelectorAll('[data-testid="stImage"] img')];
    const drawn = pictures.length >= data.pictures
      && pictures.every((img) => img.complete && img.naturalWidth > 0);
    if (!drawn && performance.now() - started < __LIMIT_MS__) {
      setTimeout(check, 50);
      return;
    }
    // Streamlit's chart element script, beside the page's own: the same URL its first
    // chart imports, so that chart finds the module loaded.
    const index = document.querySelector('script[type="module"][src*="/static/js/index."]');
    if (index) import(new URL(data.chart_script, index.src).href).catch(() => {});
  };
  setTimeout(check, 0);
}
""".replace("__LIMIT_MS__", str(LIMIT_MS))


@functools.cache  # Streamlit's files do not change while it runs
def chart_script() -> str | None:
    """The file name of Streamlit's chart element script (``ArrowVegaLiteChart.<hash>.js``,
    which loads Vega), beside the page's own script; None if this Streamlit has none."""
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    found = sorted(folder.glob("ArrowVegaLiteChart.*.js"))
    return found[0].name if found else None


_prefetch = st.components.v2.component("activation_lab_prefetch", js=_JS)


def prefetch_charts_once_drawn(pictures: int) -> None:
    """Have the browser load Streamlit's chart script once this page's ``pictures``
    pictures are drawn (or after :data:`LIMIT_MS`)."""
    _prefetch(data={"pictures": pictures, "chart_script": chart_script()},
              key="activation_lab_prefetch")


def warm_up_after_this_run(imports: Iterable[ImportStatement]) -> None:
    """Start the background import of ``imports`` once the script run this is called in
    has ended, unless some session has started it already (once per process)."""
    if _requested.is_set() or runtime.warm_up_thread() is not None:
        return
    _requested.set()
    statements = tuple(imports)
    this_run = threading.current_thread()

    def start() -> None:
        this_run.join(timeout=JOIN_SECONDS)
        time.sleep(SETTLE_SECONDS)
        runtime.warm_up_in_background(statements)

    threading.Thread(target=start, name="actlab-warm-up-start", daemon=True).start()


_requested = threading.Event()
"""Set once a home page run has asked for the import: it is on its way."""
