"""Real-browser helpers: a Streamlit server on a free port and headless Debian Chromium.

The tests share one server per session (like Streamlit's own e2e suite). Every page load
waits for the app to connect and finish its script run, then fails on any exception
element, "Page not found" dialog or console error that is not known noise of this machine.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Known noise, matched exactly (see the design notes): on a deep link the frontend first
# probes <page>/_stcore/host-config and <page>/_stcore/health and gets 404s; anything
# fetched from an outside host fails because the machine has no internet.
_DEEP_LINK_PROBE = re.compile(r"^http://(localhost|127\.0\.0\.1):\d+/[\w-]+/_stcore/(host-config|health)$")
_LOCAL = re.compile(r"^http://(localhost|127\.0\.0\.1):\d+/")


def chromium_path() -> str | None:
    """Debian's Chromium (or the headless shell), or CHROMIUM_PATH if set."""
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        "/usr/bin/chromium",
        "/usr/bin/chromium-headless-shell",
        shutil.which("chromium"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    """A `streamlit run` of the app in a subprocess."""

    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    @classmethod
    def start(cls, log_dir: Path, timeout: float = 90.0) -> AppServer:
        port = free_port()
        log_path = log_dir / f"streamlit-{port}.log"
        log = log_path.open("w")
        process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
                "--server.port", str(port),
                "--server.headless", "true",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        server = cls(port, process, log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        return server
            except OSError:
                time.sleep(0.3)
        server.stop()
        raise RuntimeError(f"streamlit did not become healthy:\n{log_path.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class ConsoleWatch:
    """Collects console errors and failed requests, minus the known noise."""

    errors: list[str] = field(default_factory=list)

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if self.is_noise(url):
            return
        self.errors.append(f"console: {message.text} ({url})")

    def on_page_error(self, error) -> None:
        self.errors.append(f"page error: {error}")

    @staticmethod
    def is_noise(url: str) -> bool:
        if _DEEP_LINK_PROBE.match(url):
            return True
        return bool(url) and url.startswith("http") and not _LOCAL.match(url)


_NOT_RUNNING = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning';
}"""


def wait_for_app(page, timeout: float = 60_000, settle_checks: int = 4) -> None:
    """Wait until the app is connected and its script run has finished for good.

    A cold deep link runs the script twice (the app-shell rerun), and between the two runs
    the state reads notRunning for a moment: so the state must stay notRunning over
    ``settle_checks`` checks 250 ms apart.
    """
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=timeout
    )
    deadline = time.monotonic() + timeout / 1000
    calm = 0
    while calm < settle_checks:
        remaining_ms = max(1.0, (deadline - time.monotonic()) * 1000)
        page.wait_for_function(_NOT_RUNNING, timeout=remaining_ms)
        calm = 0
        while calm < settle_checks and page.evaluate(_NOT_RUNNING):
            calm += 1
            page.wait_for_timeout(250)
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not settle")


def assert_clean(page) -> None:
    """No exception element and no error dialog (such as 'Page not found') on the page."""
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    dialogs = page.get_by_text("Page not found")
    assert dialogs.count() == 0, "a 'Page not found' dialog is showing"
