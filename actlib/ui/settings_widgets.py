"""Widgets drawn from a page's settings declaration, kept in sync with the URL.

Why not Streamlit's own ``bind="query-params"``: it writes a selectbox's *display label*
into the URL (so ``Leaky ReLU`` instead of the stable key ``leaky_relu``) and silently drops
a bad value. Here the declaration in :mod:`actlib.settings` validates the URL before any
widget is drawn, seeds the widget through ``st.session_state``, shows a note naming every
parameter it had to replace, and writes each value back to the URL as a stable key.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from actlib.settings import (
    Choice,
    PageSettings,
    Setting,
    code_span,
    read_url_value,
)

_NOTES_KEY = "_url_notes"
_ACTIVE_PAGE_KEY = "_settings_active_page"
_LAST_PAGE_KEY = "_settings_last_page_run"
_MEMORY_KEY = "_settings_memory"
MAX_NAMED_KEYS = 8
"""How many unknown keys of a link the note names; the rest are counted, so that a link
with hundreds of keys still gets a note of a few lines."""


def note_page_run(page: str) -> None:
    """Tell the panels which page this run shows; the app calls it before every page run.

    A page without settings (home) draws no panel, so the panels cannot see a visit there
    on their own (guide -> home -> guide would look like a rerun of the guide, while its
    widgets were cleared on the way). On a page change the marker of the last panel is
    forgotten, so the next panel knows it has just arrived.
    """
    if st.session_state.get(_LAST_PAGE_KEY) != page:
        st.session_state.pop(_ACTIVE_PAGE_KEY, None)
        st.session_state[_LAST_PAGE_KEY] = page


def current_page() -> str:
    """The url_path of the page this run shows, as :func:`note_page_run` recorded it."""
    return str(st.session_state.get(_LAST_PAGE_KEY, ""))


def reseed_from_link() -> None:
    """Make the next panel seed every widget from the link, as on arriving at a page.

    Opening a lecture scene on the page already shown must apply the scene's link, where a
    plain rerun keeps the user's latest choices over the URL.
    """
    st.session_state.pop(_ACTIVE_PAGE_KEY, None)


class SettingsPanel:
    """The live form of a :class:`PageSettings` on one page run.

    Create it at the top of the page, before anything is drawn: it reads the URL, seeds
    every widget that is not alive yet, and shows one note listing the URL values it had to
    replace. Then call :meth:`widget` where each control belongs.

    Pages share one ``st.session_state`` per browser tab, and several pages use the same
    short keys for different things (``depth`` is a slider here, a choice there). So on
    the first run after arriving from another page, the panel forgets whatever its keys
    hold and seeds them from the link, or, when the link names none of them (a sidebar
    click), from this page's own last state in the session (its defaults the first time).
    """

    def __init__(self, settings: PageSettings, page: str) -> None:
        self.settings = settings
        self.page = page
        arrived = st.session_state.get(_ACTIVE_PAGE_KEY) != page
        st.session_state[_ACTIVE_PAGE_KEY] = page
        params = st.query_params
        remembered: dict[str, list[str]] = {}
        if arrived:
            for setting in settings:
                if setting.key in st.session_state:
                    del st.session_state[setting.key]  # another page's value, or stale
            if not any(s.key in params for s in settings):
                remembered = dict(self._memory())
        problems = self._drop_unknown_keys(params)
        for setting in settings:
            if setting.key in st.session_state:
                continue  # the widget is alive: the user's latest choice wins over the URL
            if setting.key in params:
                raw = params.get_all(setting.key)
            else:
                raw = remembered.get(setting.key)
            reading = read_url_value(setting, raw)
            st.session_state[setting.key] = setting.to_widget(reading.value)
            self._write_url(setting, reading.value)
            if reading.problem:
                problems.append(f"{reading.problem}; using {setting.describe(reading.value)}")
        notes_key = f"{_NOTES_KEY}:{page}"
        if problems:
            st.session_state[notes_key] = problems
        self.notes = list(st.session_state.get(notes_key, []))
        if self.notes:
            st.warning(
                "Some values in this link were not valid and were replaced:\n\n"
                + "\n".join(f"- {note}" for note in self.notes),
                icon="⚠️",
            )
            st.session_state[notes_key] = []  # shown once; the next rerun is clean

    def _memory(self) -> dict[str, list[str]]:
        """This page's last values in the session, in their URL form (key -> raw)."""
        memories: dict[str, dict[str, list[str]]] = st.session_state.setdefault(
            _MEMORY_KEY, {}
        )
        return memories.setdefault(self.page, {})

    def _drop_unknown_keys(self, params: Any) -> list[str]:
        """Name every query parameter this page does not declare, and drop it from the URL
        so that the link shows only what the page reads."""
        problems = []
        unknown = self.settings.unknown_keys(list(params.keys()))
        for key in unknown:
            if len(problems) < MAX_NAMED_KEYS:
                problems.append(f"{code_span(key)} is not a setting of this page; ignored")
            del params[key]
        if len(unknown) > MAX_NAMED_KEYS:
            problems.append(f"{len(unknown) - MAX_NAMED_KEYS:,} more keys this page does not "
                            "know; ignored")
        return problems

    def value(self, key: str) -> Any:
        """The current value of a setting (its widget's value, in the declaration's form,
        resolved against the page's other settings: see ``Setting.resolve``)."""
        setting = self.settings[key]
        value = (setting.from_widget(st.session_state[key]) if key in st.session_state
                 else setting.default)
        return setting.resolve(value, self.value)

    def values(self) -> dict[str, Any]:
        return {s.key: self.value(s.key) for s in self.settings}

    def widget(self, key: str, container: Any = None, **kwargs: Any) -> Any:
        """Draw the widget for ``key`` in ``container`` (default: main area); return its value.

        Extra keyword arguments go to the Streamlit widget (``disabled``, ``help``, ...).
        """
        setting = self.settings[key]
        kwargs.setdefault("help", setting.help or None)
        setting.draw(container if container is not None else st, key, **kwargs)
        value = self.value(key)
        self._write_url(setting, value)
        return value

    def tabs(self, key: str) -> dict[str, Any]:
        """Tabs for a Choice declared with widget="tabs"; only the open one is built.

        The options are the tab labels. Returns {label: container or None}: None for a
        closed tab, so the page skips its work. The open tab is in the URL like any setting.
        """
        setting = self.settings[key]
        if not isinstance(setting, Choice) or setting.widget != "tabs":
            raise TypeError(f"{key} is not a tabs setting")
        labels = [str(o) for o in setting.options]
        containers = st.tabs(labels, key=key, on_change="rerun")
        chosen = st.session_state.get(key)
        if chosen not in labels:
            chosen = setting.default
        self._write_url(setting, chosen)
        return {
            label: (tab if label == chosen else None)
            for label, tab in zip(labels, containers, strict=True)
        }

    def set_values(self, values: dict[str, Any]) -> None:
        """Set settings from code, e.g. a preset button's ``on_click`` callback.

        Each value is checked against its declaration (a ValueError names a bad one), put
        into the widget's state and into the URL, so the preset's state is a link at once.
        """
        for key, value in values.items():
            setting = self.settings[key]
            checked = setting.parse(setting.serialize(value))
            st.session_state[key] = setting.to_widget(checked)
            self._write_url(setting, checked)

    def _write_url(self, setting: Setting, value: Any) -> None:
        """Put a non-default value into the URL as its stable form; remove a default one.

        The same form is this page's memory in the session, for the next visit.
        """
        self._memory()[setting.key] = setting.serialize(value)
        params = st.query_params
        if value == setting.default:
            if setting.key in params:
                del params[setting.key]
            return
        wanted = setting.serialize(value)
        if not wanted:  # an empty selection is not a state worth a link: drop the key
            if setting.key in params:
                del params[setting.key]
            return
        current = params.get_all(setting.key) if setting.key in params else []
        if current != wanted:
            params[setting.key] = wanted if len(wanted) > 1 else wanted[0]
