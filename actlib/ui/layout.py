"""Shared page furniture: the header every page starts with, and the activation legend."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from html import escape

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from actlib import chart_style as charts  # not actlib.charts: the home page loads no Altair
from actlib.activation_info import color_scale
from actlib.ui import chart_export, presenter, scenes_menu
from actlib.ui import lecture_nav as nav
from actlib.ui.copy_link import copy_link_button

_SHELL_RERUN_KEY = "_app_shell_rerun_done"
_entry = threading.local()


@contextlib.contextmanager
def through_app_entry() -> Iterator[None]:
    """Mark the page run inside as going through streamlit_app.py's navigation (the entry
    point wraps ``navigation.run()`` in it). A page script runs in the thread of its script
    run, so a page that finds no mark was run by something else: Streamlit's relic below."""
    _entry.active = True
    try:
        yield
    finally:
        _entry.active = False


def _ensure_app_shell() -> None:
    """Make a cold deep link run through streamlit_app.py, not the page file alone.

    Streamlit 1.67 keeps a relic of its first multipage API: a run that starts while no run
    in the process has yet called ``st.navigation`` (a process-wide flag) runs
    ``pages/<name>.py`` directly for a link to ``/<name>``, so the page config, the torch
    set-up, our navigation and sections and the page's fault guard are missing (seen here:
    the sidebar listed "streamlit app, home, shapes"). Leaving that mode and rerunning sends
    this very URL through the app's own navigation.

    Whether this run is such a one is read from :func:`through_app_entry`'s mark, not from
    Streamlit's flag: when a class opens links on a cold server at once, every session
    that started before the first ``st.navigation`` runs its page directly, but by the time
    it gets here another session has already cleared the flag (measured: 5 of 12 sessions
    stayed in that mode, and the load benchmark's Playgrounds went blank).
    """
    if getattr(_entry, "active", False) or st.session_state.get(_SHELL_RERUN_KEY):
        return
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
    """Title and one-line subtitle, the same on every page. Call it first on every page.

    It also draws lecture mode's furniture, so no page needs to: the Scenes menu, copy link
    to this view and the presenter toggle beside the title, the presenter view's styles,
    the sequence bar of a lecture and the banner of the open scene. A scene opened by a
    click is followed here, before anything is drawn.
    """
    _ensure_app_shell()
    nav.follow_request()
    state = nav.read_state()
    presenter.apply(state.present, state.hidden, state.dark)
    st.html(_TIGHTER_TOP)
    # One flexible row: the title takes what the three tools leave (half the width made
    # "Vanishing and exploding gradients" wrap at 1400 px); on a narrow screen the tools
    # wrap below it.
    with st.container(horizontal=True, vertical_alignment="center", key="page_heading"):
        st.title(title, width="stretch")
        with st.container(horizontal=True, horizontal_alignment="right", width="content",
                          vertical_alignment="center", wrap=False, key="lecture_tools"):
            scenes_menu.scenes_menu()
            copy_link_button()
            scenes_menu.presenter_toggle(state.present)
            if state.present:
                scenes_menu.dark_toggle(state.dark)
            # Draws nothing (it adds export buttons to every chart), yet takes a gap in the
            # row: last, so that gap is not the tools' left margin when they wrap below.
            chart_export.mount()
    # In a keyed container: the presenter view hides it (the scene's note says what to see).
    st.container(key="page_subtitle").markdown(
        f"<p style='font-size:1.15rem;margin-top:-0.6rem'>{escape(subtitle)}</p>",
        unsafe_allow_html=True,
    )
    if state.notes:
        st.warning("Some lecture values in this link were not valid:\n\n"
                   + "\n".join(f"- {note}" for note in state.notes), icon="⚠️")
    if state.lecture is not None:
        scenes_menu.sequence_bar(state)
    else:
        scenes_menu.scene_banner(state)


def activation_legend(keys: Sequence[str]) -> None:
    """A legend of coloured chips above a group of charts: never clipped, readable on a
    projector, and the same colours as every chart (the one colour scale's: the
    catalogue's, a stack's own, or their dark variants on the dark theme)."""
    variants = charts.dark_variants() if charts.dark() else {}
    names, colors = color_scale(list(keys))
    chips = "".join(
        f"<span style='display:inline-flex;align-items:center;margin:0 1.1rem 0.2rem 0'>"
        f"<span style='width:1.6rem;height:0.35rem;border-radius:2px;"
        f"background:{variants.get(color.lower(), color)};"
        f"display:inline-block;margin-right:0.45rem'></span>{escape(name)}</span>"
        for name, color in zip(names, colors, strict=True)
    )
    st.markdown(f"<div style='line-height:1.9'>{chips}</div>", unsafe_allow_html=True)
