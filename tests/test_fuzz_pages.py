"""Property-based fuzz of every page opened by a hostile link, in AppTest.

Each case opens one page with a random mix of declared keys (hostile values, or the
default or bottom limit in their URL form), keys the page does not know and repeated
keys. Properties: no exception element; the page still draws its title; every replaced
value and every unknown key is named in the page's note, which shows link text only inside
code spans; no link text reaches an element drawn as HTML; the URL left behind holds only
declared keys with valid values.

Why valid values are only the default or the bottom limit here: any other value starts a
new training on three pages (seconds each); random valid values are fuzzed in the pure
layer (tests/test_fuzz_settings.py) and through AppTest by benchmarks/bench_fuzz.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from actlib.page_settings import settings_of
from actlib.settings import PageSettings, Setting, read_url_value
from actlib.ui.page_registry import TOPIC_PAGES
from tests.browser import REPO
from tests.fuzz_strategies import (
    check_message_is_inert,
    distinctive,
    hostile_text,
    invalid_value,
    unknown_key,
)

APP = str(REPO / "streamlit_app.py")
NOTE = "were not valid"
CASES_PER_PAGE = 8
"""AppTest cases per page in the suite (0.2-2 s each); no shrinking phase, since every
shrink step is another page run: a failure prints the link as drawn."""
PAGES: dict[str, PageSettings] = {
    info.stem: s for info in TOPIC_PAGES if (s := settings_of(info.stem)) is not None
}


@dataclass(frozen=True)
class Link:
    """A query string to open a page with, and which of its keys must be named."""

    query: dict[str, list[str]]
    bad: frozenset[str]


def _cheap_valid(setting: Setting) -> st.SearchStrategy[list[str]]:
    return st.sampled_from([setting.default, setting.limit(False)]).map(setting.serialize)


@st.composite
def links(draw: st.DrawFn, page: PageSettings) -> Link:
    query: dict[str, list[str]] = {}
    bad: set[str] = set()
    for key in draw(st.lists(st.sampled_from(page.key_list()), max_size=4, unique=True)):
        setting = page[key]
        if draw(st.booleans()):
            query[key] = draw(invalid_value(setting))
            bad.add(key)
        else:
            raw = draw(_cheap_valid(setting))
            if raw:
                query[key] = raw
    for key in draw(st.lists(unknown_key(page), max_size=2, unique=True)):
        query[key] = draw(st.lists(hostile_text(), min_size=1, max_size=2))
        bad.add(key)
    return Link(query, frozenset(bad))


def open_page(stem: str, query: dict[str, list[str]]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    for key, raw in query.items():
        at.query_params[key] = raw if len(raw) > 1 else raw[0]
    return at.switch_page(f"pages/{stem}.py").run()


def _html_bodies(at: AppTest) -> list[str]:
    """The text of every element the browser draws as HTML."""
    bodies = [m.value for m in at.markdown if m.allow_html]
    bodies += [m.value for m in at.caption if getattr(m, "allow_html", False)]
    bodies += [getattr(h, "value", "") or "" for h in at.get("html")]
    return bodies


def check_link(stem: str, link: Link) -> None:
    page = PAGES[stem]
    at = open_page(stem, link.query)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "the page drew nothing"
    notes = [w.value for w in at.warning if NOTE in w.value]
    unknown = [k for k in link.query if k not in page.key_list()]
    given = [*unknown, *(t for raw in link.query.values() for t in raw)]
    if link.bad:
        assert len(notes) == 1, (link.bad, notes)
        for key in link.bad:
            shown = " ".join(key.split())[:20]
            assert shown in notes[0], (key[:40], notes[0][:500])
        check_message_is_inert(notes[0], given, " ".join(s.allowed() for s in page))
    else:
        assert not notes, notes
    for body in _html_bodies(at):
        for text in given:
            flat = " ".join(text.split())
            assert not distinctive(flat) or flat[:20] not in body, (text[:40], body[:200])
    for key, raw in at.query_params.items():
        assert key in page.key_list(), f"{key[:40]!r} left in the URL"
        reading = read_url_value(page[key], [raw] if isinstance(raw, str) else list(raw))
        assert reading.problem is None, (key, reading.problem)


@pytest.mark.parametrize("stem", list(PAGES))
@settings(max_examples=CASES_PER_PAGE, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_a_page_opened_by_a_hostile_link(stem: str, data: st.DataObject) -> None:
    check_link(stem, data.draw(links(PAGES[stem])))


def test_a_link_with_hundreds_of_unknown_keys_gets_a_short_note() -> None:
    query = {f"<b>k{i}</b>": ["x"] for i in range(300)}
    at = open_page("shapes", query)
    note = next(w.value for w in at.warning if NOTE in w.value)
    assert "292 more keys" in note and note.count("\n- ") == 9, note[:300]
    assert dict(at.query_params) == {}
