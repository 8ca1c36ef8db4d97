"""Lecture mode's furniture: the Scenes menu, the scene banner, the sequence bar and the
home page's lecture index. The page header draws all of it, so pages need no edits.

Keyboard: Next is PageDown and Previous PageUp everywhere (presentation clickers send
those); → and ← as well, except on the Playground, where → already steps the network
(its Step button's shortcut) and ← is left free to match.
"""

from __future__ import annotations

import streamlit as st

from actlib import lecture as lec
from actlib.scenes import Scene, by_page
from actlib.ui import lecture_nav as nav
from actlib.ui.page_registry import title_of

ARROWS_TAKEN = frozenset({"playground"})
"""Pages whose own buttons use → (and so the sequence does not bind the arrows there)."""

_HIDDEN_BUTTONS_CSS = """<style>
.st-key-lecture_next_arrow, .st-key-lecture_prev_arrow { display: none !important; }
</style>"""


def scenes_menu() -> None:
    """The **Scenes** popover: every scene, grouped by page; a click opens it there."""
    menu = st.popover("🎬 Scenes", key=nav.MENU_KEY, on_change="rerun")
    if not menu.open:
        return
    with menu:
        for stem, scenes in by_page().items():
            st.markdown(f"**{title_of(stem)}**")
            for item in scenes:
                st.button(item.title, key=f"scene_menu_{item.id}", help=item.notice,
                          on_click=nav.request_scene, args=(item.id,), type="tertiary")
        st.page_link(nav.page_path("lecture"), label="Build a lecture", icon="🧱")


def presenter_toggle(present: bool) -> None:
    label = "Leave presenter view" if present else "Presenter view"
    st.button(label, icon="📽️", key="presenter_toggle", on_click=nav.set_presenting,
              args=(not present,))


def dark_toggle(dark: bool) -> None:
    """The presenter view's dark theme on or off (``dark=1`` in the link)."""
    st.button("Light" if dark else "Dark", icon="☀️" if dark else "🌙", key="dark_toggle",
              on_click=nav.set_dark, args=(not dark,),
              help="The presenter view's dark theme, for a dark hall")


def scene_banner(state: nav.LectureState) -> None:
    """Which scene is open, or that a moved control has left it (outside a lecture; the
    sequence bar says the same inside one)."""
    if state.scene is not None:
        st.success(f"**Scene: {state.scene.title}.** {state.scene.notice}", icon="🎬")
    elif state.scene_left is not None:
        left = state.scene_left
        message, button = st.columns([5, 1], vertical_alignment="center")
        message.info(f"A control moved: this is no longer the scene “{left.title}”.",
                     icon="✋")
        button.button("Reopen the scene", key="scene_reopen", on_click=nav.request_scene,
                      args=(left.id,), width="stretch")


def sequence_bar(state: nav.LectureState) -> None:
    """Previous, "3 of 8" with the step's title and note, Next; with their shortcuts."""
    lecture = state.lecture
    assert lecture is not None
    arrows = state.page not in ARROWS_TAKEN
    st.html(_HIDDEN_BUTTONS_CSS)
    with st.container(border=True, key="lecture_bar"):
        left, middle, right = st.columns([1.1, 5, 1.1], vertical_alignment="center")
        left.button("Previous", icon="⬅️", key="lecture_prev", shortcut="PageUp",
                    disabled=not lecture.has_previous, on_click=nav.request_step,
                    args=(lecture.moved(-1),), width="stretch")
        right.button("Next", icon="➡️", key="lecture_next", shortcut="PageDown",
                     disabled=not lecture.has_next, on_click=nav.request_step,
                     args=(lecture.moved(1),), width="stretch", type="primary")
        if arrows:
            left.button("Previous (←)", key="lecture_prev_arrow", shortcut="Left",
                        disabled=not lecture.has_previous, on_click=nav.request_step,
                        args=(lecture.moved(-1),))
            right.button("Next (→)", key="lecture_next_arrow", shortcut="Right",
                         disabled=not lecture.has_next, on_click=nav.request_step,
                         args=(lecture.moved(1),))
        step = lecture.current
        here = step.page == state.page
        status = ""
        if not here:
            status = f" (opens on {title_of(step.page)})"
        elif state.scene is None:
            status = " (a control moved since it opened)"
        middle.markdown(f"**{lecture.progress}** · **{step.title}**{status}  \n{step.notice}")
        if not here or state.scene is None:
            middle.button("Open this step", key="lecture_reopen", on_click=nav.request_step,
                          args=(lecture,), type="tertiary")


def lecture_index() -> None:
    """The home page's index: the default lecture to play, then every scene by page."""
    default = lec.Lecture(tuple(lec.parse_ids(lec.DEFAULT_NAME)[0]))
    st.subheader("Lecture scenes")
    st.caption(f"The default lecture walks through the curriculum in {len(default.scenes)} "
               "scenes; Next and Previous (or PageDown and PageUp) move through it.")
    row = st.columns([1, 1, 2])
    row[0].button("Play the default lecture", icon="▶️", key="play_default_lecture",
                  on_click=nav.request_step, args=(default,), type="primary")
    row[1].page_link(nav.page_path("lecture"), label="Build your own", icon="🧱")
    columns = st.columns(3, gap="medium")
    for i, (stem, scenes) in enumerate(by_page().items()):
        with columns[i % 3].container(border=True):
            st.markdown(f"**{title_of(stem)}**")
            for item in scenes:
                _index_entry(item)


def _index_entry(item: Scene) -> None:
    st.button(item.title, key=f"scene_index_{item.id}", help=item.notice,
              on_click=nav.request_scene, args=(item.id,), type="tertiary")
