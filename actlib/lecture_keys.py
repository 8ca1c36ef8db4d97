"""The query parameters of lecture mode, which belong to no page's settings.

Kept in a module that imports nothing, so :mod:`actlib.settings` can treat them as reserved
(a page never drops them as unknown keys) without importing the scenes, which import every
page's settings.
"""

from __future__ import annotations

SCENE = "scene"
"""The id of the scene a link opens (``scene=grad-vanishing``)."""
LECTURE = "lecture"
"""A lecture sequence: ``default`` or scene ids joined by commas."""
AT = "at"
"""The position in the lecture, counted from 1 ("3 of 8")."""
PRESENT = "present"
"""Presenter view on (``present=1``)."""
DARK = "dark"
"""The presenter view's dark theme on (``dark=1``; it acts in the presenter view only)."""
HIDE = "hide"
"""A setting whose control is tucked away, repeated per setting (``hide=seed&hide=lr``)."""

LECTURE_KEYS: frozenset[str] = frozenset({SCENE, LECTURE, AT, PRESENT, DARK, HIDE})
