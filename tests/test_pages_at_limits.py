"""Every page opened by a link with every declared setting at its top or bottom limit, on
every tab: a chart or a clear message (a cap, an empty window), never a traceback.

A page's settings are imported from ``actlib.page_settings.<page stem>``, as a lecture
scene or any test can: no page is run or parsed to find them.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from actlib.page_settings import settings_of
from actlib.settings import Choice, PageSettings, Setting
from actlib.ui.page_registry import TOPIC_PAGES
from tests.browser import REPO

APP = str(REPO / "streamlit_app.py")


def page_settings(stem: str) -> PageSettings:
    settings = settings_of(stem)
    assert settings is not None, f"pages/{stem}.py has no actlib.page_settings.{stem}"
    return settings


def limit_value(setting: Setting, top: bool) -> list[str]:
    """The URL form of a setting at its top (or bottom) limit."""
    return setting.serialize(setting.limit(top))


def _cases() -> list[tuple[str, bool, str | None]]:
    cases = []
    for info in TOPIC_PAGES:
        settings = page_settings(info.stem)
        tabs = [s for s in settings if isinstance(s, Choice) and s.widget == "tabs"]
        views = list(tabs[0].options) if tabs else [None]
        cases += [(info.stem, top, view) for top in (True, False) for view in views]
    return cases


@pytest.mark.parametrize(("stem", "top", "view"), _cases())
def test_page_at_its_limits(stem: str, top: bool, view: str | None) -> None:
    settings = page_settings(stem)
    tab_keys = {s.key for s in settings if isinstance(s, Choice) and s.widget == "tabs"}
    at = AppTest.from_file(APP, default_timeout=240)
    for setting in settings:
        value = None if setting.key in tab_keys else limit_value(setting, top)
        if value:
            at.query_params[setting.key] = value if len(value) > 1 else value[0]
    if view is not None:
        at.query_params[next(iter(tab_keys))] = view
    at.run()
    at.switch_page(f"pages/{stem}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning or "were not valid" not in at.warning[0].value, at.warning[0].value
