"""Every page's settings declaration, importable without running the page.

One module per page (``actlib.page_settings.<page stem>``) holds its ``SETTINGS`` (a
:class:`actlib.settings.PageSettings`) and the option lists the page draws from. The page
imports it; tests, the limits check and lecture scenes import it too, to validate a state
by import instead of by running (or ``exec``-ing) the page. Nothing here imports Streamlit.
"""

from __future__ import annotations

import importlib

from actlib.settings import PageSettings


def settings_of(stem: str) -> PageSettings | None:
    """The settings of page ``stem``, or None for a page without settings (home)."""
    try:
        module = importlib.import_module(f"{__name__}.{stem}")
    except ModuleNotFoundError as err:
        if err.name == f"{__name__}.{stem}":
            return None
        raise
    return module.SETTINGS
