"""AppTest: the app and every registered page run without an exception."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from actlib.card_previews import CARDS
from actlib.ui.page_registry import TOPIC_PAGES, all_pages
from tests.browser import REPO
from tests.conftest import APPTEST_TIMEOUT

APP = str(REPO / "streamlit_app.py")


def test_app_opens_on_the_home_page() -> None:
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Activation Lab"


@pytest.mark.parametrize("info", all_pages(), ids=lambda p: p.stem)
def test_every_page_runs_cleanly(info) -> None:
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT).run()
    at.switch_page(info.path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every page starts with its title"


def test_registry_matches_the_pages_folder() -> None:
    """Every page file is registered and every registered page has a file of that stem."""
    files = {p.stem for p in (REPO / "pages").glob("*.py")}
    assert files == {p.stem for p in all_pages()}
    assert len({p.stem for p in TOPIC_PAGES}) == len(TOPIC_PAGES)


def test_home_page_shows_a_card_per_topic_page() -> None:
    """A picture on each card (SVG, not a chart: the home page loads no Vega), with its
    description for screen readers."""
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT).run()
    assert not at.exception
    assert not at.get("vega_lite_chart")
    pictures = at.get("image")
    assert len(pictures) == len(TOPIC_PAGES)
    alts = [image.proto.imgs[0].alt for image in pictures]
    assert sorted(alts) == sorted(CARDS[info.stem].describe() for info in TOPIC_PAGES)
    assert all(image.proto.imgs[0].url.startswith("data:image/svg+xml;base64,")
               for image in pictures)


def test_the_playground_follows_why_non_linearity_in_foundations() -> None:
    foundations = [p.stem for p in TOPIC_PAGES if p.section == "Foundations"]
    assert foundations[:2] == ["nonlinearity", "playground"]
    playground = next(p for p in TOPIC_PAGES if p.stem == "playground")
    assert playground.path == "pages/playground.py" and "playground" in CARDS
