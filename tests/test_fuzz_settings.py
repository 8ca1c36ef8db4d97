"""Property-based fuzz of the pure settings layer: every declared setting of every page,
fed valid and hostile URL values (``tests/fuzz_strategies.py`` says which is which).

Properties: reading a URL value never raises; a valid value is read as what it stands for;
a hostile one falls back to an allowed value with a problem that names the key and shows
the link's text only inside code spans; a value's URL form reads back to itself (the
round trip is stable); a whole page's query string reads back to the same values.
"""

from __future__ import annotations

import math
from urllib.parse import parse_qs

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actlib.page_settings import settings_of
from actlib.settings import (
    MultiChoice,
    PageSettings,
    Setting,
    read_url_value,
)
from actlib.ui.page_registry import TOPIC_PAGES
from tests.fuzz_strategies import (
    check_message_is_inert,
    hostile_text,
    invalid_value,
    is_valid,
    valid_value,
)

PAGES: dict[str, PageSettings] = {
    info.stem: s for info in TOPIC_PAGES if (s := settings_of(info.stem)) is not None
}
PER_PAGE = 50
"""Cases per page and property in the suite (benchmarks/bench_fuzz.py runs more)."""
CHEAP = settings(max_examples=PER_PAGE,
                 deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def a_setting(stem: str) -> st.SearchStrategy[Setting]:
    return st.sampled_from(PAGES[stem].settings)


def _same(a: object, b: object) -> bool:
    """Equality that reads floats as the URL does (a value and its short text form)."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _allowed(setting: Setting, value: object) -> bool:
    """Whether a value read from a link is one the declaration allows (by its URL form)."""
    return is_valid(setting, setting.serialize(value)) or (
        isinstance(setting, MultiChoice) and value == setting.default)


@pytest.mark.parametrize("stem", list(PAGES))
@CHEAP
@given(data=st.data())
def test_a_valid_value_is_read_as_what_it_stands_for(stem: str, data: st.DataObject) -> None:
    setting = data.draw(a_setting(stem))
    raw, expected = data.draw(valid_value(setting))
    assert is_valid(setting, raw), raw
    reading = read_url_value(setting, raw)
    assert reading.problem is None, (raw, reading.problem)
    assert _same(reading.value, expected), (raw, reading.value, expected)
    # Round trip: the URL form of the value reads back to the value, and again the same.
    text = setting.serialize(reading.value)
    again = read_url_value(setting, text)
    assert again.problem is None and _same(again.value, reading.value), (text, again)
    assert setting.serialize(again.value) == text
    # The widget's form converts back to the declaration's.
    assert _same(setting.from_widget(setting.to_widget(reading.value)), reading.value)


@pytest.mark.parametrize("stem", list(PAGES))
@CHEAP
@given(data=st.data())
def test_a_hostile_value_is_replaced_and_named_safely(stem: str, data: st.DataObject) -> None:
    setting = data.draw(a_setting(stem))
    raw = data.draw(invalid_value(setting))
    reading = read_url_value(setting, raw)
    assert reading.problem is not None, raw
    assert setting.key in reading.problem
    assert _allowed(setting, reading.value), (raw, reading.value)
    check_message_is_inert(reading.problem, raw, setting.allowed())
    assert len(reading.problem) < 2_000, "a note must stay short whatever the link holds"


@pytest.mark.parametrize("stem", list(PAGES))
@CHEAP
@given(data=st.data(), raw=st.lists(hostile_text(), max_size=5))
def test_any_text_reads_without_raising(stem: str, data: st.DataObject, raw: list[str]) -> None:
    setting = data.draw(a_setting(stem))
    reading = read_url_value(setting, raw)
    assert (reading.problem is None) == (not raw or is_valid(setting, raw)), (raw, reading)
    assert _allowed(setting, reading.value) or not raw, (raw, reading.value)
    if reading.problem:
        check_message_is_inert(reading.problem, raw, setting.allowed())


def _page_values(page: PageSettings) -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries(
        {}, optional={s.key: valid_value(s).map(lambda p: p[1]) for s in page})


@pytest.mark.parametrize("stem", list(PAGES))
@settings(max_examples=PER_PAGE, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_page_query_string_reads_back_to_its_values(stem: str, data: st.DataObject) -> None:
    page = PAGES[stem]
    values = {**page.defaults(), **data.draw(_page_values(page))}
    query = parse_qs(page.query_string(values), keep_blank_values=True)
    assert not page.unknown_keys(list(query))
    for setting in page:
        reading = read_url_value(setting, query.get(setting.key))
        assert reading.problem is None, (setting.key, query.get(setting.key), reading.problem)
        assert _same(reading.value, values[setting.key]), (setting.key, reading.value)


@pytest.mark.parametrize("stem", list(PAGES))
@settings(max_examples=20, deadline=None, derandomize=True, database=None)
@given(keys=st.lists(hostile_text(), max_size=6))
def test_unknown_keys_are_exactly_the_undeclared_ones(stem: str, keys: list[str]) -> None:
    page = PAGES[stem]
    declared = set(page.key_list()) | {"embed", "embed_options"}
    assert page.unknown_keys(keys) == [k for k in keys if k not in declared]


@pytest.mark.parametrize("stem", list(PAGES))
def test_thousands_of_repeated_values_give_a_short_note(stem: str) -> None:
    """Found by this fuzz: 5,000 bad ``act`` entries made a 644,000-character note."""
    for setting in PAGES[stem]:
        for raw in (["<b>x</b>"] * 5_000, [f"bad{i}" for i in range(5_000)]):
            reading = read_url_value(setting, raw)
            assert reading.problem is not None and len(reading.problem) < 2_000, setting.key
