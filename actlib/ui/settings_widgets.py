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
    Flag,
    FloatInterval,
    FloatList,
    FloatRange,
    IntRange,
    MultiChoice,
    PageSettings,
    Setting,
    read_url_value,
)

_NOTES_KEY = "_url_notes"


def _to_widget_value(setting: Setting, value: Any) -> Any:
    if isinstance(setting, FloatList):
        return setting.to_text(value)
    if isinstance(setting, MultiChoice):
        return list(value)
    if isinstance(setting, FloatInterval):
        return tuple(float(v) for v in value)
    return value


def _from_widget_value(setting: Setting, value: Any) -> Any:
    if isinstance(setting, FloatList):
        try:
            return setting.parse_text(str(value))
        except ValueError:
            return setting.default
    if isinstance(setting, MultiChoice):
        return tuple(value or ())
    if isinstance(setting, FloatInterval):
        return (float(value[0]), float(value[1]))
    return value


class SettingsPanel:
    """The live form of a :class:`PageSettings` on one page run.

    Create it at the top of the page, before anything is drawn: it reads the URL, seeds
    every widget that is not alive yet, and shows one note listing the URL values it had to
    replace. Then call :meth:`widget` where each control belongs.
    """

    def __init__(self, settings: PageSettings, page: str) -> None:
        self.settings = settings
        self.page = page
        problems: list[str] = []
        params = st.query_params
        for setting in settings:
            if setting.key in st.session_state:
                continue  # the widget is alive: the user's latest choice wins over the URL
            raw = params.get_all(setting.key) if setting.key in params else None
            reading = read_url_value(setting, raw)
            st.session_state[setting.key] = _to_widget_value(setting, reading.value)
            if reading.problem:
                problems.append(f"{reading.problem}; using {self._describe(setting, reading)}")
                self._write_url(setting, reading.value)
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

    @staticmethod
    def _describe(setting: Setting, reading: Any) -> str:
        value = reading.value
        if isinstance(setting, MultiChoice):
            return ", ".join(value) if value else "none"
        if isinstance(setting, Choice):
            return setting.label_of(value)
        return ", ".join(setting.serialize(value))

    def value(self, key: str) -> Any:
        """The current value of a setting (its widget's value, in the declaration's form)."""
        setting = self.settings[key]
        return _from_widget_value(setting, st.session_state.get(key, setting.default))

    def values(self) -> dict[str, Any]:
        return {s.key: self.value(s.key) for s in self.settings}

    def widget(self, key: str, container: Any = None, **kwargs: Any) -> Any:
        """Draw the widget for ``key`` in ``container`` (default: main area); return its value.

        Extra keyword arguments go to the Streamlit widget (``disabled``, ``help``, ...).
        """
        setting = self.settings[key]
        target = container if container is not None else st
        kwargs.setdefault("help", setting.help or None)
        if isinstance(setting, IntRange):
            target.slider(
                setting.label, setting.low, setting.high, step=setting.step, key=key, **kwargs
            )
        elif isinstance(setting, FloatRange):
            target.slider(
                setting.label,
                float(setting.low),
                float(setting.high),
                step=float(setting.step),
                format=setting.fmt,
                key=key,
                **kwargs,
            )
        elif isinstance(setting, FloatInterval):
            target.slider(
                setting.label,
                float(setting.low),
                float(setting.high),
                step=float(setting.step),
                key=key,
                **kwargs,
            )
        elif isinstance(setting, Flag):
            target.toggle(setting.label, key=key, **kwargs)
        elif isinstance(setting, FloatList):
            text = target.text_input(setting.label, key=key, **kwargs)
            try:
                setting.parse_text(text)
            except ValueError as err:
                target.error(f"{err}. Using {setting.to_text(setting.default)} instead.")
        elif isinstance(setting, MultiChoice):
            target.multiselect(
                setting.label,
                list(setting.options),
                format_func=setting.label_of,
                max_selections=setting.max_count,
                key=key,
                **kwargs,
            )
        elif isinstance(setting, Choice):
            self._choice_widget(target, setting, **kwargs)
        else:  # pragma: no cover - a new Setting type must be added here
            raise TypeError(f"no widget for {type(setting).__name__}")
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

    @staticmethod
    def _choice_widget(target: Any, setting: Choice, **kwargs: Any) -> None:
        options = list(setting.options)
        if setting.widget == "select_slider":
            target.select_slider(
                setting.label, options, format_func=setting.label_of, key=setting.key, **kwargs
            )
        elif setting.widget in ("radio", "segmented"):
            target.radio(
                setting.label,
                options,
                format_func=setting.label_of,
                horizontal=setting.widget == "segmented",
                key=setting.key,
                **kwargs,
            )
        else:
            target.selectbox(
                setting.label, options, format_func=setting.label_of, key=setting.key, **kwargs
            )

    def set_values(self, values: dict[str, Any]) -> None:
        """Set settings from code, e.g. a preset button's ``on_click`` callback.

        Each value is checked against its declaration (a ValueError names a bad one), put
        into the widget's state and into the URL, so the preset's state is a link at once.
        """
        for key, value in values.items():
            setting = self.settings[key]
            checked = setting.parse(setting.serialize(value))
            st.session_state[key] = _to_widget_value(setting, checked)
            self._write_url(setting, checked)

    @staticmethod
    def _write_url(setting: Setting, value: Any) -> None:
        """Put a non-default value into the URL as its stable form; remove a default one."""
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
