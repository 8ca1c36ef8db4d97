"""Lecture mode's state on one run: which scene is open, the sequence, the presenter flag.

The link is the source (``scene``, ``lecture``, ``at``, ``present``, ``hide``: see
:mod:`actlib.lecture_keys`); the session keeps the sequence and the presenter flag too, so
a click in the sidebar (which clears the link's parameters in Streamlit 1.67) keeps the
lecture going. Opening a scene is a request a button's callback leaves in the session;
the page header follows it first thing on the next run (:func:`follow_request`), with
``st.switch_page``, which carries the scene's query to its page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st

from actlib import lecture as lec
from actlib import lecture_keys as keys
from actlib.page_settings import settings_of
from actlib.scenes import Scene, find
from actlib.settings import code_span, read_url_value
from actlib.ui.settings_widgets import current_page, reseed_from_link

_GO = "_lecture:go"
_FRESH = "_lecture:fresh"
_LEFT = "_lecture:left"
_PRESENT = "_lecture:present"
_DARK = "_lecture:dark"
_SEQUENCE = "_lecture:sequence"
MENU_KEY = "scenes_menu"
"""The Scenes popover's key: its open state lives there, so opening a scene closes it."""


def page_stem() -> str:
    """The stem of the page this run shows (home for the default page's empty path)."""
    return current_page() or "home"


def page_path(stem: str) -> str:
    return f"pages/{stem}.py"


def request(page: str, query: dict[str, list[str]], scene_id: str | None) -> None:
    """Ask for ``page`` with ``query`` on the next run (a button's callback calls this)."""
    st.session_state[_GO] = (page, query, scene_id)
    st.session_state[MENU_KEY] = False


def request_scene(scene_id: str) -> None:
    """Open one scene (the Scenes menu, the home index); leaves any lecture."""
    item = find(scene_id)
    if item is None:
        return
    st.session_state.pop(_SEQUENCE, None)
    request(item.page, lec.scene_query(item, presenting(), dark_theme()), item.id)


def request_step(lecture: lec.Lecture, present: bool | None = None) -> None:
    """Open the lecture's current scene (Next, Previous, a lecture's start), in the
    presenter view when it is on (or as ``present`` says)."""
    if present is not None:
        st.session_state[_PRESENT] = present
    on = presenting() if present is None else present
    request(lecture.current.page, lec.step_query(lecture, on, dark_theme()),
            lecture.current.id)


def absolute_link(page: str, query: dict[str, list[str]]) -> str:
    """The full address of ``page`` with ``query`` on the server this session reached."""
    base = urlsplit(st.context.url or "")
    root = f"{base.scheme}://{base.netloc}" if base.netloc else ""
    path = "" if page == "home" else page
    return f"{root}/{path}?{urlencode(query, doseq=True)}"


def follow_request() -> None:
    """Switch to the page a callback asked for, seeded from the scene's link."""
    go = st.session_state.pop(_GO, None)
    if go is None:
        return
    page, query, scene_id = go
    reseed_from_link()
    st.session_state.pop(_LEFT, None)
    if scene_id:
        st.session_state[_FRESH] = scene_id
    if keys.LECTURE in query:
        st.session_state[_SEQUENCE] = {k: query[k] for k in (keys.LECTURE, keys.AT)}
    st.switch_page(page_path(page), query_params=query)


def _flag(key: str, session_key: str) -> bool:
    """An on/off flag: the link's value when it has a valid one, else the session's."""
    params = st.query_params
    if key in params:
        on = lec.parse_flag(params.get(key, ""))
        if on is not None:
            st.session_state[session_key] = on
    return bool(st.session_state.get(session_key, False))


def presenting() -> bool:
    """The presenter flag: the link's ``present`` when it has one, else the session's."""
    return _flag(keys.PRESENT, _PRESENT)


def dark_theme() -> bool:
    """The dark theme's flag (``dark``), kept like the presenter flag. It acts in the
    presenter view only, and is kept while that is off, so the presenter toggle brings
    the dark theme back."""
    return _flag(keys.DARK, _DARK)


def set_presenting(on: bool) -> None:
    """The header's toggle: the flag goes into the session and the link (the dark theme's
    with it: in the link only while presenting)."""
    st.session_state[_PRESENT] = on
    if on:
        st.query_params[keys.PRESENT] = "1"
        if dark_theme():
            st.query_params[keys.DARK] = "1"
    else:
        for key in (keys.PRESENT, keys.DARK):
            if key in st.query_params:
                del st.query_params[key]


def set_dark(on: bool) -> None:
    """The presenter view's dark/light toggle: into the session and the link."""
    st.session_state[_DARK] = on
    if on:
        st.query_params[keys.DARK] = "1"
    elif keys.DARK in st.query_params:
        del st.query_params[keys.DARK]


@dataclass
class LectureState:
    """What the header draws from: the page, the open scene and whether it still holds,
    the sequence, the presenter flag, the hidden controls and notes on bad values."""

    page: str
    present: bool
    dark: bool = False
    """The dark theme, on only in the presenter view."""
    hidden: list[str] = field(default_factory=list)
    scene: Scene | None = None
    scene_left: Scene | None = None
    lecture: lec.Lecture | None = None
    notes: list[str] = field(default_factory=list)


def current_values(page: str) -> dict[str, Any]:
    """The page's values at the start of this run: a control's state where it has one
    (a control just moved is already there), the link's value otherwise."""
    settings = settings_of(page)
    if settings is None:
        return {}
    params = st.query_params
    values: dict[str, Any] = {}
    for setting in settings:
        if setting.key in st.session_state:
            values[setting.key] = setting.from_widget(st.session_state[setting.key])
        else:
            raw = params.get_all(setting.key) if setting.key in params else None
            values[setting.key] = read_url_value(setting, raw).value
    return values


def read_state() -> LectureState:
    """Read the link and the session for this run, and put the lecture's keys back into
    the link when the sidebar dropped them."""
    page = page_stem()
    params = st.query_params
    notes = [note for key in (keys.PRESENT, keys.DARK) if key in params
             and (note := lec.flag_problem(key, params.get(key, ""))) is not None]
    state = LectureState(page=page, present=presenting(), notes=notes)
    state.dark = state.present and dark_theme()
    for key in (keys.PRESENT, keys.DARK):
        if key in params and lec.parse_flag(params.get(key, "")) is None:
            del params[key]  # named in the page's note; the session's value stands
    if state.present and keys.PRESENT not in params:
        params[keys.PRESENT] = "1"
    if state.dark and keys.DARK not in params:
        params[keys.DARK] = "1"
    _read_hidden(state)
    _read_lecture(state)
    _read_scene(state)
    return state


def _read_hidden(state: LectureState) -> None:
    settings = settings_of(state.page)
    known = set(settings.key_list()) if settings else set()
    for key in st.query_params.get_all(keys.HIDE):
        if key in known:
            state.hidden.append(key)
        else:
            state.notes.append(f"{code_span(keys.HIDE + '=' + key)} is not a control of "
                               "this page; ignored")


def _read_lecture(state: LectureState) -> None:
    params = st.query_params
    if keys.LECTURE in params:
        query = {k: params.get_all(k) for k in (keys.LECTURE, keys.AT) if k in params}
    else:
        query = st.session_state.get(_SEQUENCE) or {}
    lecture = lec.read(query)
    if lecture is None:
        if keys.LECTURE in params:
            state.notes.append(f"{code_span(keys.LECTURE + '=' + params.get(keys.LECTURE, ''))}"
                               " names no known scene; no lecture")
            del params[keys.LECTURE]
        st.session_state.pop(_SEQUENCE, None)
        return
    state.notes.extend(lecture.problems)
    state.lecture = lec.Lecture(lecture.scenes, lecture.position)
    st.session_state[_SEQUENCE] = {keys.LECTURE: [state.lecture.text()],
                                   keys.AT: [str(lecture.position + 1)]}
    params[keys.LECTURE] = state.lecture.text()
    params[keys.AT] = str(lecture.position + 1)


def _read_scene(state: LectureState) -> None:
    params = st.query_params
    fresh = st.session_state.pop(_FRESH, None)
    left = st.session_state.get(_LEFT)
    if left is not None:
        page, scene_id = left
        if page == state.page:
            state.scene_left = find(scene_id)
        else:
            st.session_state.pop(_LEFT, None)
    if keys.SCENE not in params:
        return
    scene_id = params.get(keys.SCENE, "")
    item = find(scene_id)
    if item is None or item.page != state.page:
        state.notes.append(f"{code_span(keys.SCENE + '=' + scene_id)} is not a scene of this "
                           "page; ignored")
        del params[keys.SCENE]
        return
    if fresh == item.id or item.matches(current_values(state.page)):
        state.scene = item
        state.scene_left = None
        st.session_state.pop(_LEFT, None)
        return
    del params[keys.SCENE]
    state.scene_left = item
    st.session_state[_LEFT] = (state.page, item.id)
