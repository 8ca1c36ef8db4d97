"""The server's settings as Streamlit itself reads them from ``.streamlit/config.toml``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

READ_OPTIONS = """
import json
from streamlit import config
config.get_config_options(force_reparse=True)
print(json.dumps({name: config.get_option(name) for name in
                  ("server.fileWatcherType", "server.runOnSave", "server.headless")}))
"""


def test_the_server_watches_no_files():
    """Streamlit's file watcher walks every imported module after each page run and each
    live frame (torch's thousands, on the event loop): 25-40 % of the server's CPU with a
    class's sessions at once (``benchmarks/bench_server.py --only concurrency``). Read in
    a fresh interpreter started in the repository, as ``streamlit run`` reads it, so a
    misspelt key or section fails here too."""
    result = subprocess.run([sys.executable, "-c", READ_OPTIONS], cwd=REPO,
                            capture_output=True, text=True, timeout=120, check=True)
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options == {"server.fileWatcherType": "none", "server.runOnSave": False,
                       "server.headless": True}
