"""A session as the server sees it, without a browser: a websocket client that asks for a
page the way Streamlit's frontend does and reads everything the server sends.

For benchmarks of the server alone (:mod:`bench_server`'s concurrency part): on this
2-core machine a headless Chromium per session, plus Playwright's driver, took more of the
two cores than the server did (the machine was fully busy while the server used half a
core), whereas a class's browsers run on the students' own laptops. This client costs
almost nothing: it decodes no element, it only reads each message's kind and looks for a
text in the page's bytes.

Streamlit 1.67's protocol: a websocket on ``/_stcore/stream`` with the subprotocol
``streamlit``; the client sends a ``BackMsg`` with ``rerun_script`` (the page's URL path
and query string), and the server answers with ``ForwardMsg``\\ s, the last one of a run
being ``script_finished``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED_OK = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
PAGE_RUN_ENDS = (FINISHED_OK, ForwardMsg.ScriptFinishedStatus.Value("FINISHED_WITH_COMPILE_ERROR"))
"""How a page run ends; a run cut short for a rerun that follows at once, or a fragment's
run, is not the end."""


@dataclass
class PageRun:
    """What one page run sent: its duration from the request, its bytes and messages,
    and whether it ended well."""

    seconds: float
    messages: int
    nbytes: int
    finished_ok: bool
    found: bool
    """Whether the awaited text was among the bytes sent."""


def _rerun_message(page: str, query: str) -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page
    msg.rerun_script.page_script_hash = ""
    return msg.SerializeToString()


async def open_page(base_url: str, page: str, query: str = "", expect: bytes = b"",
                    timeout: float = 600.0) -> PageRun:
    """Connect a new session, ask for ``page`` with ``query`` and read until its run has
    finished; ``expect``: a text the run must have sent (e.g. a status line)."""
    url = base_url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
    start = time.monotonic()
    messages = nbytes = 0
    found = not expect
    tail = b""
    # No keep-alive pings: a browser sends none, and a busy server answering late must not
    # end the session (it did, with twelve sessions on the old code).
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None,
                                  compression=None, ping_interval=None) as ws:
        await ws.send(_rerun_message(page, query))
        async with asyncio.timeout(timeout):
            while True:
                data = await ws.recv()
                messages += 1
                nbytes += len(data)
                if not found:
                    found = expect in tail + data
                    tail = data[-len(expect):]
                msg = ForwardMsg()
                msg.ParseFromString(data)
                if msg.WhichOneof("type") == "script_finished" and (
                        msg.script_finished in PAGE_RUN_ENDS):
                    return PageRun(time.monotonic() - start, messages, nbytes,
                                   msg.script_finished == FINISHED_OK, found)
