"""A place on the page that a view redraws again and again, and that never shows blank.

``st.empty()`` is Streamlit's usual placeholder, but it sends an empty element the moment
it is made: when a live area reruns (every burst of a playing run) and lays its
placeholders out again, the browser replaces each picture with nothing until the new one
arrives. Measured with two Playgrounds playing at once: the picture, the step line and
the unit maps vanished several times a second, for as long as a piece of training.

A :class:`Slot` is a container instead. Streamlit 1.67's browser keeps a container's
previous content (marked stale) when the container is laid out again, until something
is written into it; so the slot's first write replaces last run's element in place, and
later writes replace that one. Nothing is sent before there is something to show.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

_SELECTION_OFF = (None, "ignore")


class Slot:
    """One element at a time at a fixed place: call any of Streamlit's element methods on
    it (``markdown``, ``altair_chart``, ``warning``, ``empty`` ...) to show that element
    there instead of the last one, or ``container()`` for several at once."""

    def __init__(self, parent: Any = None) -> None:
        self._box = (parent if parent is not None else st).container()
        self._element: DeltaGenerator | None = None
        """A generator locked to the place inside the box, once something was written."""

    def _locked(self) -> DeltaGenerator:
        """The locked place, made with an empty element if nothing was written yet (only
        where the next delta follows at once and replaces it before it is sent)."""
        if self._element is None:
            self._element = self._box.empty()
        return self._element

    def container(self, **kwargs: Any) -> DeltaGenerator:
        """A container in the slot's place, for several elements drawn together; the
        browser keeps the last one's elements until the new ones replace them."""
        return self._locked().container(**kwargs)

    def __getattr__(self, name: str) -> Any:
        method = getattr(DeltaGenerator, name)  # AttributeError for what is not a method
        if not callable(method):
            raise AttributeError(name)

        def write(*args: Any, **kwargs: Any) -> Any:
            if kwargs.get("on_select") not in _SELECTION_OFF:
                # A selectable chart returns its selection, not a generator: lock first.
                return getattr(self._locked(), name)(*args, **kwargs)
            target = self._element if self._element is not None else self._box
            result = getattr(target, name)(*args, **kwargs)
            if self._element is None:
                if not isinstance(result, DeltaGenerator):
                    raise TypeError(f"Slot.{name} returned no element to redraw in place")
                self._element = result
            return result

        return write
