"""Hypothesis strategies for hostile and valid links, shared by the fuzz tests and
``benchmarks/bench_fuzz.py``.

Why an oracle of its own: a fuzz test that asked ``actlib.settings`` whether a value is
valid would agree with any bug there. Each strategy here knows from how it built a raw URL
value whether that value is valid and, if so, what it stands for, using only Python's
``float`` and the declaration's public fields (low, high, options, lengths).

A raw value is what ``st.query_params.get_all(key)`` gives: a list of strings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from markdown_it import MarkdownIt

from actlib.settings import (
    ActivationStacks,
    Choice,
    Flag,
    FloatInterval,
    FloatList,
    FloatRange,
    IntRange,
    MultiChoice,
    PageSettings,
    Setting,
    StepValues,
)

PAYLOADS = (
    "<script>alert('fz')</script>",
    "<img src=x onerror=alert('fz')>",
    "\"><svg onload=alert('fz')>",
    "javascript:alert('fz')",
    "[log in](https://evil.example/fz)",
    "![img](https://evil.example/fz.png)",
    "**bold fz** _it_ :red[fz] $x^2$ <b>fz</b>",
    "`tick` ``two`` ```three``` fz",
    "https://evil.example/fz",
    "{{7*7}} ${7*7} %s %n fz",
    "' OR 1=1 -- fz",
    "../../etc/passwd fz",
    "\u202etxt.exe fz",
    "ℌ𝔢𝔩𝔩𝔬 fz 😀",
    "line one\nline two\r\n| table | fz |",
)
"""Text a link could carry to break out of a message: HTML, JS, Markdown, templates."""

NUMBER_TEXTS = (
    "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e999", "-1e999", "1e308", "-1e308",
    "1e-320", "0x10", "1_000", "９", "١", "+-1", "--1", "1e", ".", "-", "+", "0.1.2",
    "99999999999999999999999999", "-99999999999999999999", "2.5", "-0", "1,5", "1 000",
)
"""Number-like text: non-finite, huge, tiny, foreign digits, malformed."""

HUGE = 5_000


def hostile_text() -> st.SearchStrategy[str]:
    """Any text a link could hold: payloads, number-like text, unicode, empty, 5,000 chars."""
    return st.one_of(
        st.sampled_from(PAYLOADS),
        st.sampled_from(NUMBER_TEXTS),
        st.text(max_size=30),
        st.just(""),
        st.just(" "),
        st.builds(lambda s: (s * HUGE)[:HUGE], st.text(min_size=1, max_size=3)),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(min_value=-10**30, max_value=10**30).map(str),
    )


# --- the oracle: is a text a number Python reads, and which ---------------------------

def as_number(text: str) -> float | None:
    """``float(text.strip())`` when finite, else None (Python's reading, not the app's)."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _matches_option(text: str, option: Any) -> bool:
    if isinstance(option, str):
        return text.strip().casefold() == option.casefold()
    number = as_number(text)
    return number is not None and math.isclose(number, float(option), rel_tol=1e-9)


def is_valid(setting: Setting, raw: Sequence[str]) -> bool:
    """Whether the declaration allows ``raw``, decided from its public fields alone."""
    if isinstance(setting, IntRange | FloatRange):
        if len(raw) != 1:
            return False
        n = as_number(raw[0])
        if n is None or not setting.low <= n <= setting.high:
            return False
        return n.is_integer() if isinstance(setting, IntRange) else True
    if isinstance(setting, FloatInterval):
        nums = [as_number(t) for t in raw]
        return (len(raw) == 2 and None not in nums and nums[0] <= nums[1]
                and setting.low <= nums[0] and nums[1] <= setting.high)
    if isinstance(setting, Flag):
        return len(raw) == 1 and raw[0].strip().lower() in {
            "true", "1", "yes", "on", "false", "0", "no", "off"}
    if isinstance(setting, Choice):
        return len(raw) == 1 and any(_matches_option(raw[0], o) for o in setting.options)
    if isinstance(setting, MultiChoice):
        if not all(any(_matches_option(t, o) for o in setting.options) for t in raw):
            return False
        distinct = {t.strip().casefold() for t in raw}
        return len(distinct) >= setting.min_count and (
            setting.max_count is None or len(distinct) <= setting.max_count)
    if isinstance(setting, FloatList):
        nums = [as_number(t) for t in raw if t.strip()]
        return (None not in nums and setting.min_length <= len(nums) <= setting.max_length
                and all(setting.low <= n <= setting.high for n in nums))
    if isinstance(setting, StepValues):
        if len(raw) > setting.max_length:
            return False
        last = -1
        for text in raw:
            step_text, sep, value_text = text.strip().partition(":")
            step = as_number(step_text)
            if (not sep or step is None or not step.is_integer()
                    or not 0 <= step <= setting.max_step or step <= last
                    or not any(_matches_option(value_text, o) for o in setting.options)):
                return False
            last = step
        return True
    if isinstance(setting, ActivationStacks):
        stacks = [text for text in raw if text.strip()]
        return len(stacks) <= setting.max_stacks and all(
            _is_stack_text(setting, text) for text in stacks)
    return _own_verdict(setting, raw)


_LAYER_SEPARATORS = (",", "→", "->", ">")


def _is_stack_text(setting: ActivationStacks, text: str) -> bool:
    """One stack: 1 to max_layers names of options (key or label, any case), separated
    by a comma or an arrow."""
    parts = [text]
    for separator in _LAYER_SEPARATORS:
        parts = [piece for part in parts for piece in part.split(separator)]
    names = {o.casefold() for o in setting.options} | {
        setting.labels.get(o, o).casefold() for o in setting.options}
    return (1 <= len(parts) <= setting.max_layers
            and all(part.strip().casefold() in names for part in parts))


def _own_verdict(setting: Setting, raw: Sequence[str]) -> bool:
    """For a kind of setting without an oracle here (a typed formula, say): the
    declaration's own parse decides. Weaker (it agrees with a bug in that parse), but the
    other properties (no exception, a named and inert note) still hold it to account."""
    try:
        setting.parse(raw)
    except ValueError:
        return False
    return True


# --- valid values, with what they stand for -------------------------------------------

def _cased(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from([text, text.upper(), text.title(), f" {text} "])


def _option_text(option: Any) -> st.SearchStrategy[str]:
    if isinstance(option, str):
        return _cased(option)
    return st.sampled_from([repr(float(option)), format(float(option), "g"), str(option)])


def valid_value(setting: Setting) -> st.SearchStrategy[tuple[list[str], Any]]:
    """(raw, value): a valid URL value and the value it stands for."""
    if isinstance(setting, IntRange):
        return st.integers(setting.low, setting.high).flatmap(
            lambda n: st.sampled_from([str(n), f"{n}.0", f" {n} ", f"{n}e0"]).map(
                lambda t: ([t], n)))
    if isinstance(setting, FloatRange):
        return st.floats(setting.low, setting.high).map(lambda x: ([repr(x)], x))
    if isinstance(setting, FloatInterval):
        pair = st.lists(st.floats(setting.low, setting.high), min_size=2, max_size=2)
        return pair.map(sorted).map(lambda p: ([repr(p[0]), repr(p[1])], (p[0], p[1])))
    if isinstance(setting, Flag):
        return st.sampled_from([("true", True), ("1", True), ("YES", True), ("on", True),
                                ("false", False), ("0", False), ("No", False)]).map(
            lambda p: ([p[0]], p[1]))
    if isinstance(setting, Choice):
        return st.sampled_from(setting.options).flatmap(
            lambda o: _option_text(o).map(lambda t: ([t], o)))
    if isinstance(setting, MultiChoice):
        top = setting.max_count or len(setting.options)
        picks = st.lists(st.sampled_from(setting.options), min_size=max(1, setting.min_count),
                         max_size=top, unique=True)
        return picks.flatmap(lambda ps: st.tuples(*(_option_text(p) for p in ps)).map(
            lambda ts: (list(ts), tuple(ps))))
    if isinstance(setting, FloatList):
        nums = st.lists(st.floats(setting.low, setting.high), min_size=setting.min_length,
                        max_size=setting.max_length)
        return nums.map(lambda xs: ([repr(x) for x in xs], tuple(xs)))
    if isinstance(setting, StepValues):
        steps = st.lists(st.integers(0, setting.max_step), max_size=setting.max_length,
                         unique=True).map(sorted)
        return steps.flatmap(lambda ss: st.lists(
            st.sampled_from(setting.options), min_size=len(ss), max_size=len(ss)).map(
            lambda vs: ([f"{s}:{v!r}" for s, v in zip(ss, vs, strict=True)],
                        tuple((s, float(v)) for s, v in zip(ss, vs, strict=True)))))
    if isinstance(setting, ActivationStacks):
        one = st.lists(st.sampled_from(setting.options), min_size=1,
                       max_size=setting.max_layers)
        stacks = st.lists(one, max_size=setting.max_stacks)

        def spelled(stack: list[str]) -> st.SearchStrategy[str]:
            names = st.tuples(*(st.sampled_from([o, o.upper(), setting.labels.get(o, o)])
                                for o in stack))
            return st.tuples(names, st.sampled_from([",", " → ", "->", " > ", ", "])).map(
                lambda p: p[1].join(p[0]))

        return stacks.flatmap(lambda ss: st.tuples(*(spelled(s) for s in ss)).map(
            lambda texts: (list(texts), tuple(tuple(s) for s in ss))))
    return st.just((setting.serialize(setting.default), setting.default))


# --- invalid values ---------------------------------------------------------------------

def _out_of_range(setting: Setting) -> st.SearchStrategy[list[str]]:
    low, high = getattr(setting, "low", None), getattr(setting, "high", None)
    if low is None or high is None:
        return st.nothing()
    span = max(1.0, abs(high - low))
    outside = st.one_of(
        st.floats(high + span * 1e-6 + 1e-9, high + span * 1e6),
        st.floats(low - span * 1e6, low - span * 1e-6 - 1e-9),
        st.sampled_from([-1e300, 1e300, -(10**20), 10**20]),
    )
    return outside.map(lambda x: [repr(x)])


def invalid_value(setting: Setting) -> st.SearchStrategy[list[str]]:
    """A raw URL value the declaration does not allow (checked by :func:`is_valid`)."""
    single = hostile_text().map(lambda t: [t])
    repeated = st.lists(hostile_text(), min_size=2, max_size=4)
    candidates = [single, repeated, _out_of_range(setting)]
    if isinstance(setting, MultiChoice):
        mixed = st.tuples(valid_value(setting), hostile_text()).map(
            lambda p: [*p[0][0], p[1]])
        too_many = st.lists(st.sampled_from(setting.options), min_size=len(setting.options),
                            max_size=len(setting.options), unique=True)
        candidates += [mixed, too_many] if setting.max_count else [mixed]
    if isinstance(setting, IntRange):
        candidates.append(st.integers(setting.low, setting.high - 1).map(lambda n: [f"{n}.5"]))
    if isinstance(setting, FloatInterval):
        candidates.append(st.floats(setting.low + 1, setting.high).map(
            lambda x: [repr(x), repr(x - 1)]))
    if isinstance(setting, StepValues):
        candidates.append(st.just(["10:0.1", "5:0.1"]))
        candidates.append(st.just([f"{i}:{setting.options[0]!r}"
                                   for i in range(setting.max_length + 1)]))
    return st.one_of(*candidates).filter(lambda raw: not is_valid(setting, raw))


def unknown_key(settings: PageSettings) -> st.SearchStrategy[str]:
    """A query-parameter key the page does not declare (Streamlit's own keys excepted)."""
    declared = {*settings.key_list(), "embed", "embed_options"}
    return st.one_of(hostile_text(), st.sampled_from(["seed", "depth", "act", "view", "x"])
                     ).filter(lambda k: k not in declared)


# --- reading a message as a browser would -------------------------------------------------

_MD = MarkdownIt("commonmark")
_ALLOWED_INLINE = {"text", "code_inline", "softbreak", "hardbreak", "strong_open",
                   "strong_close", "em_open", "em_close"}


def distinctive(text: str) -> bool:
    """Text long and varied enough that finding it in a message is no coincidence."""
    flat = " ".join(text.split())
    return len(flat) >= 8 and len(set(flat)) >= 4


@dataclass(frozen=True)
class ReadMessage:
    """A Markdown message as CommonMark reads it: the text outside code spans, the code
    spans, and every inline token kind that is not plain text or emphasis."""

    plain: str
    code: tuple[str, ...]
    unsafe: tuple[str, ...]


def read_markdown(source: str) -> ReadMessage:
    plain: list[str] = []
    code: list[str] = []
    unsafe: list[str] = []
    for token in _MD.parse(source):
        if token.type == "html_block":
            unsafe.append(token.type)
        for child in token.children or ():
            if child.type == "code_inline":
                code.append(child.content)
            elif child.type == "text":
                plain.append(child.content)
            elif child.type not in _ALLOWED_INLINE:
                unsafe.append(child.type)
    return ReadMessage(" ".join(plain), tuple(code), tuple(unsafe))


_AUTOLINK = re.compile(r"(https?://|www\.)", re.IGNORECASE)


def check_message_is_inert(source: str, given: Sequence[str], known: str = "") -> None:
    """Assert that a message shows link text only as code: no link, image or HTML token,
    no autolinkable URL outside code spans (GitHub-flavoured Markdown turns those into
    links), and none of the ``given`` link texts outside code spans. ``known`` is the
    message's own vocabulary (the allowed values it lists): a given text found in it is
    no evidence of a leak."""
    read = read_markdown(source)
    assert not read.unsafe, (read.unsafe, source[:300])
    assert not _AUTOLINK.search(read.plain), source[:300]
    flat_plain = " ".join(read.plain.split())
    for text in given:
        flat = " ".join(text.split())
        if distinctive(flat) and flat not in known:
            assert flat[:20] not in flat_plain, (flat[:40], source[:300])
