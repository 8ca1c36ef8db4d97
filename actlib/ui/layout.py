"""Shared page furniture: the header every page starts with, and the activation legend."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from actlib.activations import get

_SHELL_RERUN_KEY = "_app_shell_rerun_done"


def _ensure_app_shell() -> None:
    """Make a cold deep link run through streamlit_app.py, not the page file alone.

    Streamlit 1.67 keeps a relic of its first multipage API: until some run in the process
    has called ``st.navigation``, a server with a ``pages/`` folder runs ``pages/<name>.py``
    directly for a link to ``/<name>``, so the page config, our navigation and sections are
    missing (seen here: the sidebar listed "streamlit app, home, shapes"). Leaving that mode
    and rerunning sends this very URL through the app's own navigation.
    """
    if PagesManager.uses_pages_directory and not st.session_state.get(_SHELL_RERUN_KEY):
        # Once per session: Streamlit's AppTest sets the flag back before every run, and a
        # second rerun there would swallow a button's click.
        st.session_state[_SHELL_RERUN_KEY] = True
        PagesManager.uses_pages_directory = False
        st.rerun()


_TIGHTER_TOP = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
</style>"""
"""Streamlit leaves about 6rem above the title; on a projector that pushes the first chart
below the fold."""


def page_header(title: str, subtitle: str) -> None:
    """Title and one-line subtitle, the same on every page. Call it first on every page."""
    _ensure_app_shell()
    st.html(_TIGHTER_TOP)
    st.title(title)
    st.markdown(
        f"<p style='font-size:1.15rem;margin-top:-0.6rem'>{escape(subtitle)}</p>",
        unsafe_allow_html=True,
    )


def activation_legend(keys: Sequence[str]) -> None:
    """A legend of coloured chips above a group of charts: never clipped, readable on a
    projector, and the same colours as every chart (the catalogue's)."""
    chips = "".join(
        f"<span style='display:inline-flex;align-items:center;margin:0 1.1rem 0.2rem 0'>"
        f"<span style='width:1.6rem;height:0.35rem;border-radius:2px;background:{get(k).color};"
        f"display:inline-block;margin-right:0.45rem'></span>{escape(get(k).name)}</span>"
        for k in keys
    )
    st.markdown(f"<div style='line-height:1.9'>{chips}</div>", unsafe_allow_html=True)
