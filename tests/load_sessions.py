"""A lecture hall in one browser: many sessions on a real server at once, each on its own
link, used by tests/test_browser_load.py (6 sessions) and benchmarks/bench_load.py (12, 24).

Each session opens a page whose default view trains (the Playground is played for a few
seconds, then paused), with its own seed, so that a session showing another's numbers or
settings would be seen. The server's resident memory is sampled from /proc meanwhile.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from actlib.ui.live_runner import WAIT_MESSAGE
from tests.browser import ConsoleWatch, assert_clean, wait_for_app

LINKS = (
    "/playground?p_seed={seed}&p_depth=6&p_width=16",
    "/dead_relu?steps=200&seed={seed}",
    "/gradients?view=Training&steps=200&seed={seed}",
    "/guide?view=Bake-off&steps=200&seeds=1&layers=2",
    "/nonlinearity?demo=Approximation&a_fit=train&a_steps=300&a_units={units}",
    "/playground?p_seed={seed}&p_act=relu&p_depth=6&p_width=16",
)
"""One link per session, in turn; a session's seed (or width) is its own (seeds 1-9 fit
every page's range; beyond 9 sessions, links repeat, as when a class opens one link). The
Playgrounds are the largest network (6 x 16): a link opens trained to at most 5,000 steps,
and the default small network plays past that in 2 s on a quiet machine; this one stays
well below it, so its link, reopened, shows the same figures."""
PLAY_SECONDS = 2.0
PRESS_WAIT_MS = 60_000
SOMETHING_WRONG = "Something went wrong"


def link_of(index: int) -> str:
    template = LINKS[index % len(LINKS)]
    return template.format(seed=1 + index % 9, units=10 + index % 20)


@dataclass
class Session:
    """One browser session on one link: when it started and finished, what it showed."""

    link: str
    context: object
    page: object
    watch: ConsoleWatch
    started: float = 0.0
    finished: float = 0.0
    figures: list[str] = field(default_factory=list)
    saw_wait: bool = False
    lost_presses: int = 0
    """Whether a poll of :func:`finish` saw it waiting for a free trainer."""

    @property
    def playground(self) -> bool:
        return self.link.startswith("/playground")

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlparse(self.page.url).query)


def figures(page) -> list[str]:
    """The numbers a page shows in its metrics, as text."""
    return [" ".join(t.split()) for t in
            page.locator('[data-testid="stMetric"]').all_inner_texts()]


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


class RssSampler:
    """The peak RSS of a process, sampled every 0.2 s in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = rss_mb(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except (OSError, RuntimeError):
                return

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def open_sessions(chromium, base_url: str, count: int) -> list[Session]:
    """Open ``count`` sessions at once (no waiting between them)."""
    sessions = []
    for i in range(count):
        context = chromium.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        watch = ConsoleWatch()
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_page_error)
        session = Session(link_of(i), context, page, watch, started=time.monotonic())
        page.goto(base_url + session.link, wait_until="commit")
        sessions.append(session)
    return sessions


def _press(s: Session, press: str, then: str, timeout: float) -> None:
    """Press ``press`` until ``then`` shows (a press can be lost while a heavily loaded
    server redraws the button: counted in ``lost_presses``)."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        if s.page.get_by_role("button", name=re.compile(then)).count():
            return  # an earlier press took effect late
        s.page.get_by_role("button", name=re.compile(press)).first.click(timeout=timeout)
        try:
            s.page.get_by_role("button", name=re.compile(then)).first.wait_for(
                timeout=PRESS_WAIT_MS)
            return
        except PlaywrightTimeout:
            s.lost_presses += 1
            assert time.monotonic() < deadline, f"{press} never took effect on {s.link}"


def play(sessions: list[Session], timeout: float = 300_000) -> None:
    """Press Play on every Playground session once it has loaded, let them play, then
    Pause them."""
    players = [s for s in sessions if s.playground]
    for s in players:
        wait_for_app(s.page, timeout=timeout)
        _press(s, "Play", "Pause", timeout)
    time.sleep(PLAY_SECONDS)
    for s in players:
        _press(s, "Pause", "Play", timeout)


_SETTLED = """(wait) => {
    const waiting = document.body.innerText.includes(wait);
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
        || app.getAttribute('data-test-script-state') !== 'notRunning') return [false, waiting];
    const labels = [...document.querySelectorAll('button')].map(b => b.innerText);
    const training = /Training: step/.test(document.body.innerText);
    return [!training && !labels.some(t => t.includes('Pause')), waiting];
}"""
SETTLE_CHECKS = 4


def finish(sessions: list[Session], timeout: float = 300.0) -> None:
    """Poll every session in turn until each has settled (no script run, no training, not
    playing, over :data:`SETTLE_CHECKS` polls); note when each did and what it shows."""
    calm = dict.fromkeys(range(len(sessions)), 0)
    deadline = time.monotonic() + timeout
    while calm:
        assert time.monotonic() < deadline, f"{len(calm)} sessions did not finish"
        for i in list(calm):
            s = sessions[i]
            settled, waiting = s.page.evaluate(_SETTLED, WAIT_MESSAGE)
            s.saw_wait = s.saw_wait or waiting
            calm[i] = calm[i] + 1 if settled else 0
            if calm[i] == 1:
                s.finished = time.monotonic()
            if calm[i] >= SETTLE_CHECKS:
                del calm[i]
        time.sleep(0.1)
    for s in sessions:
        wait_for_app(s.page)
        assert_clean(s.page)
        assert s.page.get_by_text(SOMETHING_WRONG).count() == 0, s.link
        s.figures = figures(s.page)


def close(sessions: list[Session]) -> None:
    for s in sessions:
        s.context.close()
