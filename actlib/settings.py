"""Declarative page settings: one declaration drives the widget, the URL and validation.

A page lists its settings once (key, label, default, allowed values). From that list
:mod:`actlib.ui.settings_widgets` draws the widgets, seeds them from the URL's query
parameters and writes their values back, so every state of a page is a link a lecturer can
prepare. This module holds the pure part: parsing and validating raw URL values, and
serialising values back. It never imports Streamlit, so it is unit-tested on its own.

A raw URL value is what ``st.query_params.get_all(key)`` returns: a list of strings (a
repeated key gives several).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from actlib.lecture_keys import LECTURE_KEYS

Number = int | float
ChoiceValue = str | int | float


class SettingError(ValueError):
    """A URL value that the declaration does not allow; the message says what is allowed."""


RESERVED_KEYS: frozenset[str] = frozenset({"embed", "embed_options", *LECTURE_KEYS})
"""Query parameters that belong to Streamlit itself (``?embed=true``) or to lecture mode
(:mod:`actlib.lecture_keys`), never a page's."""

MAX_SHOWN_CHARS = 40
"""How much of a link value a note repeats: enough to recognise it, never a screenful."""

MAX_NAMED_ENTRIES = 3
"""How many bad entries of one repeated key a note names; the rest are counted (a link can
repeat a key thousands of times, and the note must stay a few lines)."""


def code_span(text: str) -> str:
    """``text`` as a Markdown code span, cut to :data:`MAX_SHOWN_CHARS`.

    Every message here is shown as Markdown, and link values are anyone's text: inside a
    code span a value such as ``[log in](https://…)``, ``**bold**``, ``:red[x]`` or ``$x$``
    is shown as the characters it is, never as a link, an image, formatting or maths. The
    fence is one backtick longer than any run of backticks in the value, so a value cannot
    close it early (CommonMark's rule for code spans).
    """
    flat = " ".join(str(text).split())
    if len(flat) > MAX_SHOWN_CHARS:
        flat = flat[:MAX_SHOWN_CHARS] + "…"
    if not flat:
        return "(empty)"
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _given(key: str, text: str) -> str:
    """How a message names what the link said: ``key=value`` as a safe code span."""
    return code_span(f"{key}={text}")


def _format_number(value: Number) -> str:
    """Short, exact-enough text for a URL: 0.01 not 0.010000000000000002, 5 not 5.0."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".10g")


def _single(raw: Sequence[str], key: str) -> str:
    if len(raw) != 1:
        raise SettingError(f"{key} takes one value, got {len(raw)}")
    return raw[0].strip()


def _parse_float(text: str, key: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SettingError(f"{_given(key, text)} is not a number") from None
    if not math.isfinite(value):
        raise SettingError(f"{_given(key, text)} is not a finite number")
    return value


@dataclass(frozen=True)
class Setting:
    """Base of every declaration: a URL key, a label for the widget, a help text."""

    key: str
    label: str
    help: str = ""

    @property
    def default(self) -> Any:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def parse(self, raw: Sequence[str]) -> Any:
        """The value a raw URL value stands for; SettingError when it is not allowed."""
        raise NotImplementedError

    def serialize(self, value: Any) -> list[str]:
        """The URL form of a value (a list: one entry per repeated key)."""
        raise NotImplementedError

    def allowed(self) -> str:
        """A short description of the allowed values, for messages."""
        raise NotImplementedError

    def describe(self, value: Any) -> str:
        """A value in a sentence (the note says what a bad link value was replaced by)."""
        return ", ".join(self.serialize(value))

    def limit(self, top: bool) -> Any:
        """The value at the top (or bottom) of what is allowed: tests open every page with
        every setting at its limits."""
        raise NotImplementedError

    # The widget side. ``target`` is Streamlit's module or a container of it: this module
    # only calls methods on what it is given, so it stays free of Streamlit, and a new
    # kind of setting is one class here, with its parsing, its widget and its conversions.

    def to_widget(self, value: Any) -> Any:
        """A value in the form its widget holds in ``st.session_state``."""
        return value

    def from_widget(self, state: Any) -> Any:
        """The widget's state back in the declaration's form."""
        return state

    def draw(self, target: Any, key: str, **kwargs: Any) -> None:
        """Draw this setting's widget in ``target`` under the session-state ``key``."""
        raise NotImplementedError

    def resolve(self, value: Any, lookup: Callable[[str], Any]) -> Any:
        """The value a page computes with, given the page's other settings (``lookup``
        returns one by key). Most settings are what they hold; an activation picker turns
        its formula option into the typed formula's catalogue key."""
        return value


@dataclass(frozen=True)
class IntRange(Setting):
    """A whole number between low and high (a slider)."""

    default: int = 0
    low: int = 0
    high: int = 1
    step: int = 1

    def __post_init__(self) -> None:
        if not self.low <= self.default <= self.high:
            raise ValueError(f"default of {self.key} outside its range")

    def parse(self, raw: Sequence[str]) -> int:
        text = _single(raw, self.key)
        number = _parse_float(text, self.key)
        if not number.is_integer():
            raise SettingError(f"{_given(self.key, text)} is not a whole number")
        value = int(number)
        if not self.low <= value <= self.high:
            raise SettingError(f"{_given(self.key, text)} is outside {self.allowed()}")
        return value

    def serialize(self, value: int) -> list[str]:
        return [str(int(value))]

    def allowed(self) -> str:
        return f"{self.low} to {self.high}"

    def limit(self, top: bool) -> int:
        return self.high if top else self.low

    def draw(self, target: Any, key: str, **kwargs: Any) -> None:
        target.slider(self.label, self.low, self.high, step=self.step, key=key, **kwargs)


@dataclass(frozen=True)
class FloatRange(Setting):
    """A number between low and high (a slider); ``fmt`` is the slider's display format."""

    default: float = 0.0
    low: float = 0.0
    high: float = 1.0
    step: float = 0.01
    fmt: str = "%.2f"

    def __post_init__(self) -> None:
        if not self.low <= self.default <= self.high:
            raise ValueError(f"default of {self.key} outside its range")

    def parse(self, raw: Sequence[str]) -> float:
        text = _single(raw, self.key)
        value = _parse_float(text, self.key)
        if not self.low <= value <= self.high:
            raise SettingError(f"{_given(self.key, text)} is outside {self.allowed()}")
        return value

    def serialize(self, value: float) -> list[str]:
        return [_format_number(float(value))]

    def allowed(self) -> str:
        return f"{_format_number(self.low)} to {_format_number(self.high)}"

    def limit(self, top: bool) -> float:
        return self.high if top else self.low

    def draw(self, target: Any, key: str, **kwargs: Any) -> None:
        target.slider(self.label, float(self.low), float(self.high), step=float(self.step),
                      format=self.fmt, key=key, **kwargs)


@dataclass(frozen=True)
class FloatInterval(Setting):
    """An interval (lo, hi) inside [low, high], such as the x window of a plot.

    In the URL it is the key repeated: ``?x=-6&x=6``. A zero-width interval is allowed
    here (a range slider can produce one); the page decides what to say about it.
    """

    default: tuple[float, float] = (0.0, 1.0)
    low: float = 0.0
    high: float = 1.0
    step: float = 0.5

    def parse(self, raw: Sequence[str]) -> tuple[float, float]:
        if len(raw) != 2:
            raise SettingError(f"{self.key} takes two values (low and high), got {len(raw)}")
        lo, hi = (_parse_float(t.strip(), self.key) for t in raw)
        if lo > hi:
            raise SettingError(f"{self.key}: the low end {lo:g} is above the high end {hi:g}")
        if lo < self.low or hi > self.high:
            raise SettingError(f"{_given(self.key, f'{lo:g},{hi:g}')} is outside {self.allowed()}")
        return (lo, hi)

    def serialize(self, value: tuple[float, float]) -> list[str]:
        return [_format_number(float(v)) for v in value]

    def allowed(self) -> str:
        return f"{_format_number(self.low)} to {_format_number(self.high)}"

    def limit(self, top: bool) -> tuple[float, float]:
        """The widest window at the top; a zero-width one at the bottom."""
        return (self.low, self.high) if top else (0.0, 0.0)

    def to_widget(self, value: Any) -> tuple[float, float]:
        return (float(value[0]), float(value[1]))

    def from_widget(self, state: Any) -> tuple[float, float]:
        return (float(state[0]), float(state[1]))

    def draw(self, target: Any, key: str, **kwargs: Any) -> None:
        target.slider(self.label, float(self.low), float(self.high), step=float(self.step),
                      key=key, **kwargs)


@dataclass(frozen=True)
class Flag(Setting):
    """On or off (a toggle). The URL says ``true`` or ``false`` (also 1/0, yes/no)."""

    default: bool = False

    def parse(self, raw: Sequence[str]) -> bool:
        text = _single(raw, self.key).lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise SettingError(f"{_given(self.key, text)} is not true or false")

    def serialize(self, value: bool) -> list[str]:
        return ["true" if value else "false"]

    def allowed(self) -> str:
        return "true or false"

    def limit(self, top: bool) -> bool:
        return top

    def draw(self, target: Any, key: str, **kwargs: Any) -> None:
        target.toggle(self.label, key=key, **kwargs)


def _match_option(text: str, options: Sequence[ChoiceValue]) -> ChoiceValue | None:
    """The option a URL text names: by its text form in any letter case (``act=RELU``
    is ``relu``; people type links by hand), or numerically for numbers."""
    folded = text.casefold()
    for option in options:
        if isinstance(option, str):
            if folded == option.casefold():
                return option
        else:
            try:
                if math.isclose(float(text), float(option), rel_tol=1e-9, abs_tol=0.0):
                    return option
            except ValueError:
                continue
    return None


def _option_text(option: ChoiceValue) -> str:
    return option if isinstance(option, str) else _format_number(option)


@dataclass(frozen=True)
class Choice(Setting):
    """One of a fixed list of options. ``labels`` maps an option to its display text.

    ``widget`` picks the control: a selectbox, radio buttons, a segmented control or a
    select slider (for ordered numeric options such as learning rates on a log scale).
    """

    options: tuple[ChoiceValue, ...] = ()
    default: ChoiceValue = ""
    labels: Mapping[ChoiceValue, str] = field(default_factory=dict)
    widget: Literal["selectbox", "radio", "segmented", "select_slider", "tabs"] = "selectbox"

    def __post_init__(self) -> None:
        if self.default not in self.options:
            raise ValueError(f"default of {self.key} is not one of its options")

    def label_of(self, option: ChoiceValue) -> str:
        return self.labels.get(option, _option_text(option))

    def parse(self, raw: Sequence[str]) -> ChoiceValue:
        text = _single(raw, self.key)
        match = _match_option(text, self.options)
        if match is None:
            raise SettingError(f"{_given(self.key, text)} is not one of {self.allowed()}")
        return match

    def serialize(self, value: ChoiceValue) -> list[str]:
        return [_option_text(value)]

    def allowed(self) -> str:
        shown = [_option_text(o) for o in self.options]
        if len(shown) > 8:
            shown = [*shown[:4], "…", *shown[-2:]]
        return ", ".join(shown)

    def describe(self, value: ChoiceValue) -> str:
        return self.label_of(value)

    def limit(self, top: bool) -> ChoiceValue:
        return self.options[-1 if top else 0]

    def draw(self, target: Any, key: str, **kwargs: Any) -> None:
        """A select slider, radio buttons or a selectbox. Tabs are not drawn here: they hold
        the page's content, so :meth:`SettingsPanel.tabs` builds them."""
        options = list(self.options)
        common = {"format_func": self.label_of, "key": key, **kwargs}
        if self.widget == "select_slider":
            target.select_slider(self.label, options, **common)
        elif self.widget in ("radio", "segmented"):
            target.radio(self.label, options, horizontal=self.widget == "segmented", **common)
        elif self.widget == "selectbox":
            target.selectbox(self.label, options, **common)
        else:
            raise TypeError(f"{self.key} is drawn as tabs by SettingsPanel.tabs")


@dataclass(frozen=True)
class MultiChoice(Setting):
    """Several of a fixed list of options (a multiselect); the URL repeats the key.

    Unknown entries are dropped with a note; if what is left is fewer than ``min_count``
    the default is used instead.
    """

    options: tuple[str, ...] = ()
    default: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    min_count: int = 0
    max_count: int | None = None

    def __post_init__(self) -> None:
        if any(d not in self.options for d in self.default):
            raise ValueError(f"default of {self.key} has unknown options")

    def label_of(self, option: str) -> str:
        return self.labels.get(option, option)

    def parse_lenient(self, raw: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
        """(value, problems): keeps the known entries, names the unknown ones.

        When nothing known is left (``act=foo``), the value is the default, not an empty
        selection: a typo in a link must not leave the page with nothing to show.
        """
        problems: list[str] = []
        value: list[str] = []
        unknown = 0
        for entry in raw:
            text = entry.strip()
            match = _match_option(text, self.options)
            if isinstance(match, str):
                if match not in value:
                    value.append(match)
            else:
                unknown += 1
                if unknown <= MAX_NAMED_ENTRIES:
                    problems.append(f"{_given(self.key, text)} is not one of {self.allowed()}")
        if unknown > MAX_NAMED_ENTRIES:
            problems.append(f"{unknown - MAX_NAMED_ENTRIES:,} more unknown {self.key} values")
        if self.max_count is not None and len(value) > self.max_count:
            problems.append(f"{self.key} takes at most {self.max_count} values")
            value = value[: self.max_count]
        if len(value) < max(self.min_count, 1 if problems else 0):
            if self.min_count > 1:
                problems.append(f"{self.key} needs at least {self.min_count} known values")
            return self.default, problems
        return tuple(value), problems

    def parse(self, raw: Sequence[str]) -> tuple[str, ...]:
        value, problems = self.parse_lenient(raw)
        if problems:
            raise SettingError("; ".join(problems))
        return value

    def serialize(self, value: Sequence[str]) -> list[str]:
        return list(value)

    def allowed(self) -> str:
        return ", ".join(self.options)

    def describe(self, value: Sequence[str]) -> str:
        return ", ".join(self.label_of(v) for v in value) if value else "none"

    def limit(self, top: bool) -> tuple[str, ...]:
        """As many options as allowed at the top, the first one alone at the bottom."""
        count = self.max_count or len(self.options)
        return tuple(self.options[:count]) if top else (self.options[0],)

    def to_widget(self, value: Any) -> list[str]:
        return list(value)

    def from_widget(self, state: Any) -> tuple[str, ...]:
        return tuple(state or ())

    def draw(self, target: Any, key: str, **kwargs: Any) -> None:
        target.multiselect(self.label, list(self.options), format_func=self.label_of,
                           max_selections=self.max_count, key=key, **kwargs)


@dataclass(frozen=True)
class FloatList(Setting):
    """A short list of numbers, such as softmax logits. The URL repeats the key; the widget
    is a text field of comma-separated numbers."""

    default: tuple[float, ...] = ()
    low: float = -1.0
    high: float = 1.0
    min_length: int = 1
    max_length: int = 8

    def parse(self, raw: Sequence[str]) -> tuple[float, ...]:
        values = tuple(_parse_float(t.strip(), self.key) for t in raw if t.strip())
        if not self.min_length <= len(values) <= self.max_length:
            raise SettingError(
                f"{self.key} takes {self.min_length} to {self.max_length} numbers, "
                f"got {len(values)}"
            )
        outside = [v for v in values if not self.low <= v <= self.high]
        if outside:
            raise SettingError(f"{_given(self.key, f'{outside[0]:g}')} is outside {self.allowed()}")
        return values

    def parse_text(self, text: str) -> tuple[float, ...]:
        """The widget's form: '2, 1, -0.5' (commas or spaces)."""
        return self.parse([t for t in text.replace(",", " ").split() if t])

    def to_text(self, value: Sequence[float]) -> str:
        return ", ".join(_format_number(float(v)) for v in value)

    def serialize(self, value: Sequence[float]) -> list[str]:
        return [_format_number(float(v)) for v in value]

    def allowed(self) -> str:
        return f"{_format_number(self.low)} to {_format_number(self.high)}"

    def limit(self, top: bool) -> tuple[float, ...]:
        """The longest list of the top value, or the shortest of the bottom one."""
        return (self.high,) * self.max_length if top else (self.low,) * self.min_length

    def to_widget(self, value: Any) -> str:
        return self.to_text(value)

    def from_widget(self, state: Any) -> tuple[float, ...]:
        try:
            return self.parse_text(str(state))
        except ValueError:
            return self.default

    def draw(self, target: Any, key: str, **kwargs: Any) -> None:
        """A text field; text that does not parse gets a message and the default is used."""
        text = target.text_input(self.label, key=key, **kwargs)
        try:
            self.parse_text(text)
        except ValueError as err:
            target.error(f"{err}. Using {self.to_text(self.default)} instead.")


@dataclass(frozen=True)
class StepValues(Setting):
    """A short list of (step, value) changes made while a run plays, such as learning-rate
    changes: ``?p_lrs=0:0.03&p_lrs=500:0.1``. Steps rise strictly; each value is one of
    ``options``. No widget: the page sets it from code (``SettingsPanel.set_values``), and
    the link replays the same changes at the same steps.
    """

    default: tuple[tuple[int, float], ...] = ()
    options: tuple[float, ...] = ()
    max_step: int = 100_000
    max_length: int = 16

    def parse(self, raw: Sequence[str]) -> tuple[tuple[int, float], ...]:
        if len(raw) > self.max_length:
            raise SettingError(f"{self.key} takes at most {self.max_length} changes")
        changes: list[tuple[int, float]] = []
        for text in raw:
            step_text, sep, value_text = text.strip().partition(":")
            if not sep:
                raise SettingError(f"{_given(self.key, text)} is not step:value")
            step = _parse_float(step_text, self.key)
            if not step.is_integer() or not 0 <= step <= self.max_step:
                raise SettingError(f"{_given(self.key, text)}: the step is not a whole "
                                   f"number from 0 to {self.max_step}")
            value = _match_option(value_text.strip(), self.options)
            if value is None:
                raise SettingError(f"{_given(self.key, text)}: the value is not one of "
                                   f"{self.allowed()}")
            if changes and int(step) <= changes[-1][0]:
                raise SettingError(f"{_given(self.key, text)}: steps must rise")
            changes.append((int(step), float(value)))
        return tuple(changes)

    def serialize(self, value: Sequence[tuple[int, float]]) -> list[str]:
        return [f"{int(step)}:{_format_number(float(v))}" for step, v in value]

    def allowed(self) -> str:
        shown = [_option_text(o) for o in self.options]
        return ", ".join([*shown[:4], "…", *shown[-2:]] if len(shown) > 8 else shown)

    def describe(self, value: Sequence[tuple[int, float]]) -> str:
        return ", ".join(self.serialize(value)) if value else "none"

    def limit(self, top: bool) -> tuple[tuple[int, float], ...]:
        """Two changes reaching the highest value at the top, none at the bottom."""
        return ((0, self.options[0]), (self.max_step // 2, self.options[-1])) if top else ()

    def to_widget(self, value: Any) -> tuple[tuple[int, float], ...]:
        return tuple((int(s), float(v)) for s, v in value)

    def from_widget(self, state: Any) -> tuple[tuple[int, float], ...]:
        return tuple((int(s), float(v)) for s, v in (state or ()))

    def draw(self, target: Any, key: str, **kwargs: Any) -> None:
        """Nothing to draw: the page sets these from code and says what they are."""


def markdown_safe(text: str) -> str:
    """``text`` with Markdown's special characters escaped: a formula's ``*`` and ``_`` are
    shown as typed in a message, never as emphasis."""
    return re.sub(r"([\\`*_\[\]<>#|~$])", r"\\\1", text)


@dataclass(frozen=True)
class Formula(Setting):
    """A typed activation formula in x (a text field), parsed by :mod:`actlib.formula`.

    The URL and the value hold its canonical spelling. A formula that cannot be used gets
    its message in place under the field (which part, which column, which x), and the page
    goes on with the default until it is fixed; from a link it is named in the page's note.
    """

    default: str = ""
    max_chars: int = 200

    def _canonical(self, text: str) -> str:
        from actlib.activations import custom_key

        return custom_key(text)[len("f:"):]

    def parse(self, raw: Sequence[str]) -> str:
        text = _single(raw, self.key)
        try:
            return self._canonical(text)
        except ValueError as err:
            reason = markdown_safe(str(err).rstrip("."))
            raise SettingError(f"{_given(self.key, text)}: {reason}") from None

    def serialize(self, value: str) -> list[str]:
        return [value]

    def allowed(self) -> str:
        return "a formula in x"

    def describe(self, value: str) -> str:
        return code_span(value)

    def limit(self, top: bool) -> str:
        """A long formula using most kinds of node at the top, plain x at the bottom."""
        if not top:
            return "x"
        return self._canonical("x * tanh(softplus(x)) + 0.1 * where(x > 0, sin(x), "
                               "log1p(x * x)) - clamp(x, -1, 1) ** 2 / (1 + abs(x))")

    def from_widget(self, state: Any) -> str:
        try:
            return self._canonical(str(state))
        except ValueError:
            return self.default

    def draw(self, target: Any, key: str, **kwargs: Any) -> None:
        """A text field, and under it the reason when its formula cannot be used."""
        text = target.text_input(self.label, key=key, max_chars=self.max_chars, **kwargs)
        try:
            self._canonical(str(text))
        except ValueError as err:
            target.error(f"{markdown_safe(str(err))} Using {code_span(self.default)} until "
                         "the formula works.", icon="✏️")


def _resolve_formula(value: Any, formula_key: str, lookup: Callable[[str], Any]) -> Any:
    from actlib.activations import FORMULA_OPTION, custom_key

    if value == FORMULA_OPTION:
        return custom_key(lookup(formula_key))
    return value


def _unresolve(value: Any) -> Any:
    from actlib.activation_info import FORMULA_OPTION, is_custom

    return FORMULA_OPTION if is_custom(value) else value


@dataclass(frozen=True)
class ActivationChoice(Choice):
    """An activation picker whose options may include the page's typed formula
    (:data:`actlib.activations.FORMULA_OPTION`). The page gets the formula's catalogue key
    (``f:...``) from :meth:`resolve`; the URL holds ``formula`` and the formula itself in the
    setting ``formula_key``."""

    formula_key: str = "fx"

    def resolve(self, value: Any, lookup: Callable[[str], Any]) -> Any:
        return _resolve_formula(value, self.formula_key, lookup)

    def serialize(self, value: ChoiceValue) -> list[str]:
        return super().serialize(_unresolve(value))


@dataclass(frozen=True)
class ActivationChoices(MultiChoice):
    """Several activations, the page's typed formula among the options (see
    :class:`ActivationChoice`)."""

    formula_key: str = "fx"

    def resolve(self, value: Any, lookup: Callable[[str], Any]) -> Any:
        return tuple(_resolve_formula(v, self.formula_key, lookup) for v in value)

    def serialize(self, value: Sequence[str]) -> list[str]:
        return [_unresolve(v) for v in value]

    def describe(self, value: Sequence[str]) -> str:
        return super().describe([_unresolve(v) for v in value])


STACK_SPLIT = re.compile(r"\s*(?:,|→|->|>)\s*")
"""What separates the layers of a typed stack: a comma or an arrow (``→``, ``->``, ``>``)."""
STACKS_SPLIT = ";"
"""What separates two stacks in one text field (the URL repeats the key instead)."""


@dataclass(frozen=True)
class ActivationStacks(Setting):
    """Stacks of activations, one per hidden layer, typed as text (``relu, tanh, gelu``;
    several stacks separated by ``;``). The value is a tuple of stacks, each a tuple of
    option keys (``formula`` stands for the page's typed formula, resolved like
    :class:`ActivationChoice`); empty: no stack. The URL repeats the key, one stack each,
    its layers joined by commas (``p_stack=relu,tanh,gelu``). A layer is named by its key
    or its label, in any letter case. A typed stack that cannot be used is explained under
    the field and the page goes on without it, like a bad formula."""

    options: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    max_layers: int = 6
    max_stacks: int = 1
    formula_key: str = "fx"
    placeholder: str = ""

    @property
    def default(self) -> tuple[tuple[str, ...], ...]:
        return ()

    def _layer(self, text: str) -> str:
        folded = text.casefold()
        for option in self.options:
            if folded in (option.casefold(), self.labels.get(option, option).casefold()):
                return option
        raise SettingError(f"{_given(self.key, text)} is not an activation here (one of "
                           f"{self.allowed_layers()})")

    def _stack(self, text: str) -> tuple[str, ...]:
        parts = STACK_SPLIT.split(text.strip())
        if any(not part for part in parts):
            raise SettingError(f"{_given(self.key, text)} has an empty layer: separate "
                               "activations by one comma or arrow")
        if len(parts) > self.max_layers:
            raise SettingError(f"{_given(self.key, text)} names {len(parts)} layers; at most "
                               f"{self.max_layers}")
        return tuple(self._layer(part) for part in parts)

    def parse(self, raw: Sequence[str]) -> tuple[tuple[str, ...], ...]:
        texts = [t for t in raw if t.strip()]
        if len(texts) > self.max_stacks:
            raise SettingError(f"{self.key} takes at most {self.max_stacks} "
                               f"stack{'s' if self.max_stacks != 1 else ''}, got {len(texts)}")
        return tuple(self._stack(t) for t in texts)

    def serialize(self, value: Sequence[Sequence[str]]) -> list[str]:
        return [",".join(_unresolve(k) for k in stack) for stack in value]

    def allowed_layers(self) -> str:
        return ", ".join(self.options)

    def allowed(self) -> str:
        return (f"up to {self.max_stacks} stack{'s' if self.max_stacks != 1 else ''} of 1 to "
                f"{self.max_layers} activations ({self.allowed_layers()}), separated by commas")

    def describe(self, value: Sequence[Sequence[str]]) -> str:
        return code_span(self.to_widget(value)) if value else "none"

    def limit(self, top: bool) -> tuple[tuple[str, ...], ...]:
        """As many stacks of as many layers as allowed, cycling the options; none at the
        bottom."""
        if not top:
            return ()
        n = len(self.options)
        return tuple(tuple(self.options[(s + i) % n] for i in range(self.max_layers))
                     for s in range(self.max_stacks))

    def to_widget(self, value: Sequence[Sequence[str]]) -> str:
        return f"{STACKS_SPLIT} ".join(", ".join(_unresolve(k) for k in stack)
                                       for stack in value)

    def _from_text(self, text: str) -> tuple[tuple[str, ...], ...]:
        return self.parse([t for t in str(text).split(STACKS_SPLIT)])

    def from_widget(self, state: Any) -> tuple[tuple[str, ...], ...]:
        try:
            return self._from_text(state or "")
        except SettingError:
            return self.default

    def draw(self, target: Any, key: str, **kwargs: Any) -> None:
        """A text field, and under it the reason when its stack cannot be used."""
        text = target.text_input(self.label, key=key, placeholder=self.placeholder or None,
                                 **kwargs)
        try:
            self._from_text(text or "")
        except SettingError as err:
            target.error(f"{err} The page goes on without a stack until it is fixed.",
                         icon="✏️")

    def resolve(self, value: Any, lookup: Callable[[str], Any]) -> Any:
        return tuple(tuple(_resolve_formula(k, self.formula_key, lookup) for k in stack)
                     for stack in value)


def activation_param_settings(key: str) -> tuple[Setting, ...]:
    """Settings for an activation's parameters, made from the catalogue's declaration.

    URL keys are ``<activation>_<parameter>`` (``leaky_relu_slope``), so links stay stable
    and one page can hold the parameters of several activations.
    """
    from actlib.activation_info import lookup

    spec = lookup(key)
    settings: list[Setting] = []
    for p in spec.params:
        url_key = f"{spec.key}_{p.key}"
        label = f"{spec.name}: {p.label}"
        if p.is_choice:
            settings.append(
                Choice(url_key, label, help=p.help, options=p.choices, default=str(p.default),
                       widget="segmented")
            )
        else:
            settings.append(
                FloatRange(url_key, label, help=p.help, default=float(p.default), low=p.low,
                           high=p.high, step=p.step, fmt=_step_format(p.step))
            )
    return tuple(settings)


def _step_format(step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"%.{decimals}f"


def activation_params(key: str, values: Mapping[str, Any]) -> dict[str, float | str]:
    """The parameters of activation ``key`` picked out of a page's setting values."""
    from actlib.activation_info import lookup

    spec = lookup(key)
    prefix = f"{spec.key}_"
    return {p.key: values[prefix + p.key] for p in spec.params if prefix + p.key in values}


@dataclass(frozen=True)
class UrlReading:
    """What the URL says about one setting: the value to use and any problem found."""

    value: Any
    from_url: bool
    problem: str | None = None


def read_url_value(setting: Setting, raw: Sequence[str] | None) -> UrlReading:
    """Validate a raw URL value against its declaration.

    Absent: the default, no problem. Invalid: the default (or, for a multi-choice, the
    valid part) and a problem naming the parameter, what was given and what is allowed.
    """
    if raw is None or len(raw) == 0:
        return UrlReading(setting.default, from_url=False)
    if isinstance(setting, MultiChoice):
        value, problems = setting.parse_lenient(raw)
        problem = "; ".join(problems) if problems else None
        return UrlReading(value, from_url=value != setting.default or not problems,
                          problem=problem)
    try:
        return UrlReading(setting.parse(raw), from_url=True)
    except SettingError as err:
        return UrlReading(setting.default, from_url=False, problem=str(err))


@dataclass(frozen=True)
class PageSettings:
    """The ordered settings of one page, looked up by key."""

    settings: tuple[Setting, ...]

    def __post_init__(self) -> None:
        keys = [s.key for s in self.settings]
        duplicated = {k for k in keys if keys.count(k) > 1}
        if duplicated:
            raise ValueError(f"settings declared twice: {sorted(duplicated)}")

    def __getitem__(self, key: str) -> Setting:
        for setting in self.settings:
            if setting.key == key:
                return setting
        raise KeyError(key)

    def __iter__(self):
        return iter(self.settings)

    def key_list(self) -> list[str]:
        return [s.key for s in self.settings]

    def unknown_keys(self, keys: Sequence[str]) -> list[str]:
        """The query-parameter keys this page does not declare (Streamlit's own excepted)."""
        declared = set(self.key_list()) | RESERVED_KEYS
        return [k for k in keys if k not in declared]

    def defaults(self) -> dict[str, Any]:
        return {s.key: s.default for s in self.settings}

    def query_string(self, values: Mapping[str, Any]) -> str:
        """The query string that reproduces these values (defaults left out)."""
        from urllib.parse import urlencode

        pairs: list[tuple[str, str]] = []
        for setting in self.settings:
            if setting.key in values and values[setting.key] != setting.default:
                pairs.extend((setting.key, v) for v in setting.serialize(values[setting.key]))
        return urlencode(pairs)
