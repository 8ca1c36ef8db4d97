"""The settings declaration: URL parsing, validation and serialisation."""

from __future__ import annotations

import pytest

from actlib.settings import (
    MAX_SHOWN_CHARS,
    Choice,
    Flag,
    FloatInterval,
    FloatList,
    FloatRange,
    IntRange,
    MultiChoice,
    PageSettings,
    SettingError,
    StepValues,
    code_span,
    read_url_value,
)

DEPTH = IntRange("depth", "Depth", default=4, low=1, high=50)
LR = FloatRange("lr", "Learning rate", default=0.01, low=0.0001, high=1.0)
WINDOW = FloatInterval("x", "Window", default=(-6.0, 6.0), low=-50.0, high=50.0)
NORM = Flag("bn", "Batch norm", default=False)
INIT = Choice("init", "Init", options=("default", "xavier", "he"), default="default")
STEPS = Choice("lr2", "LR", options=(0.001, 0.01, 0.1, 1.0), default=0.01, widget="select_slider")
ACTS = MultiChoice(
    "act", "Activations", options=("sigmoid", "tanh", "relu"), default=("sigmoid",), min_count=1
)


@pytest.mark.parametrize(
    ("setting", "raw", "expected"),
    [
        (DEPTH, ["7"], 7),
        (DEPTH, ["7.0"], 7),
        (DEPTH, [" 50 "], 50),
        (LR, ["0.5"], 0.5),
        (LR, ["1e-4"], 0.0001),
        (WINDOW, ["-50", "50"], (-50.0, 50.0)),
        (WINDOW, ["1", "1"], (1.0, 1.0)),
        (NORM, ["true"], True),
        (NORM, ["0"], False),
        (INIT, ["he"], "he"),
        (STEPS, ["0.1"], 0.1),
        (STEPS, ["1"], 1.0),
        (ACTS, ["relu", "tanh"], ("relu", "tanh")),
        (ACTS, ["relu", "relu"], ("relu",)),
    ],
)
def test_valid_url_values_are_read(setting, raw, expected) -> None:
    reading = read_url_value(setting, raw)
    assert reading.problem is None
    assert reading.value == expected
    assert reading.from_url


@pytest.mark.parametrize(
    ("setting", "raw", "fragment"),
    [
        (DEPTH, ["-3"], "outside 1 to 50"),
        (DEPTH, ["2.5"], "not a whole number"),
        (DEPTH, ["abc"], "not a number"),
        (DEPTH, ["1", "2"], "one value"),
        (LR, ["5"], "outside 0.0001 to 1"),
        (LR, ["nan"], "not a finite number"),
        (LR, ["inf"], "not a finite number"),
        (WINDOW, ["-60", "6"], "outside -50 to 50"),
        (WINDOW, ["6", "-6"], "above the high end"),
        (WINDOW, ["3"], "two values"),
        (NORM, ["maybe"], "not true or false"),
        (INIT, ["lecun"], "not one of default, xavier, he"),
        (STEPS, ["0.5"], "not one of"),
    ],
)
def test_invalid_url_values_fall_back_to_the_default_with_a_named_problem(
    setting, raw, fragment
) -> None:
    reading = read_url_value(setting, raw)
    assert reading.value == setting.default
    assert not reading.from_url
    assert fragment in reading.problem
    assert setting.key in reading.problem


def test_missing_value_is_the_default_without_a_problem() -> None:
    for setting in (DEPTH, LR, WINDOW, NORM, INIT, ACTS):
        reading = read_url_value(setting, None)
        assert reading.value == setting.default and reading.problem is None


def test_multichoice_keeps_the_known_entries_and_names_the_unknown() -> None:
    reading = read_url_value(ACTS, ["relu", "foo", "tanh"])
    assert reading.value == ("relu", "tanh")
    assert "`act=foo`" in reading.problem


def test_multichoice_with_nothing_known_falls_back_to_default() -> None:
    reading = read_url_value(ACTS, ["foo"])
    assert reading.value == ACTS.default
    assert "`act=foo`" in reading.problem
    with pytest.raises(SettingError):
        ACTS.parse(["foo"])


def test_multichoice_that_may_be_empty_still_falls_back_on_a_bad_link() -> None:
    """act=foo on a page whose list may be emptied by hand: the defaults, not "none"."""
    optional = MultiChoice("act", "A", options=("relu", "tanh"), default=("relu",))
    reading = read_url_value(optional, ["foo"])
    assert reading.value == ("relu",) and "`act=foo`" in reading.problem


def test_options_match_in_any_letter_case() -> None:
    assert read_url_value(ACTS, ["RELU", "Tanh"]).value == ("relu", "tanh")
    assert read_url_value(ACTS, ["RELU"]).problem is None
    assert read_url_value(INIT, ["HE"]).value == "he"


@pytest.mark.parametrize(
    "hostile",
    [
        "[Click here to log in](https://example.com/login)",
        "![img](https://example.com/x.png)",
        "**bold** :red[alarm] $x^2$ <b>html</b>",
        "a`b``c",
        "`",
        "x" * 5000,
        "line\nbreak",
    ],
)
def test_a_link_value_is_echoed_as_a_short_code_span(hostile: str) -> None:
    reading = read_url_value(INIT, [hostile])
    shown = reading.problem.split(" is not one of")[0]
    fence = shown[: len(shown) - len(shown.lstrip("`"))]
    assert fence and shown.endswith(fence), shown
    inner = shown[len(fence) : -len(fence)]
    assert fence not in inner, "the value cannot close the code span early"
    assert len(shown) <= MAX_SHOWN_CHARS + 12
    assert "\n" not in shown


def test_code_span_of_nothing_says_so() -> None:
    assert code_span("  ") == "(empty)"


def test_unknown_keys_are_named_except_streamlits_own() -> None:
    settings = PageSettings((DEPTH, LR))
    assert settings.unknown_keys(["depth", "foo", "embed", "lr", "x"]) == ["foo", "x"]


def test_multichoice_max_count() -> None:
    capped = MultiChoice("a", "A", options=("x", "y", "z"), default=("x",), max_count=2)
    reading = read_url_value(capped, ["x", "y", "z"])
    assert reading.value == ("x", "y") and "at most 2" in reading.problem


@pytest.mark.parametrize(
    ("setting", "value"),
    [(DEPTH, 12), (LR, 0.003), (WINDOW, (-2.5, 7.0)), (NORM, True), (INIT, "xavier"),
     (STEPS, 0.001), (ACTS, ("tanh", "relu"))],
)
def test_serialise_then_parse_round_trips(setting, value) -> None:
    assert setting.parse(setting.serialize(value)) == value


def test_numbers_are_written_short() -> None:
    assert LR.serialize(0.1 + 0.2) == ["0.3"]
    assert LR.serialize(1.0) == ["1"]


def test_declarations_reject_bad_defaults_and_duplicates() -> None:
    with pytest.raises(ValueError):
        IntRange("d", "D", default=0, low=1, high=3)
    with pytest.raises(ValueError):
        Choice("c", "C", options=("a",), default="b")
    with pytest.raises(ValueError):
        MultiChoice("m", "M", options=("a",), default=("b",))
    with pytest.raises(ValueError, match="declared twice"):
        PageSettings((DEPTH, DEPTH))


def test_query_string_leaves_defaults_out() -> None:
    page = PageSettings((DEPTH, LR, ACTS))
    assert page.query_string({"depth": 4, "lr": 0.1, "act": ("relu", "tanh")}) == (
        "lr=0.1&act=relu&act=tanh"
    )
    assert page.defaults() == {"depth": 4, "lr": 0.01, "act": ("sigmoid",)}


def test_float_list_parsing() -> None:
    from actlib.settings import FloatList

    logits = FloatList("logits", "Logits", default=(1.0, 0.0), low=-50, high=50, max_length=4)
    assert logits.parse(["2", "-1.5"]) == (2.0, -1.5)
    assert logits.parse_text("2, 1 0.5") == (2.0, 1.0, 0.5)
    assert logits.to_text((2.0, 0.5)) == "2, 0.5"
    for raw, fragment in ((["1"] * 5, "1 to 4"), (["99", "1"], "outside"), (["x", "1"], "number")):
        reading = read_url_value(logits, raw)
        assert fragment in reading.problem and reading.value == logits.default


def test_activation_parameter_settings_come_from_the_catalogue() -> None:
    from actlib.activations import get
    from actlib.settings import activation_param_settings, activation_params

    (slope,) = activation_param_settings("leaky_relu")
    spec_param = get("leaky_relu").params[0]
    assert slope.key == "leaky_relu_slope"
    assert (slope.low, slope.high, slope.default) == (spec_param.low, spec_param.high, 0.01)
    (form,) = activation_param_settings("gelu")
    assert isinstance(form, Choice) and form.options == ("none", "tanh")
    assert activation_param_settings("relu") == ()
    assert activation_params("elu", {"elu_alpha": 2.0, "leaky_relu_slope": 0.1}) == {"alpha": 2.0}


LOGITS = FloatList("logits", "Logits", default=(1.0, 0.0), low=-50, high=50, max_length=4)
EVERY_KIND = (DEPTH, LR, WINDOW, NORM, INIT, ACTS, LOGITS)


@pytest.mark.parametrize("setting", EVERY_KIND, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("top", [True, False])
def test_each_kind_round_trips_its_limits_through_url_and_widget(setting, top) -> None:
    value = setting.limit(top)
    assert setting.parse(setting.serialize(value)) == value
    assert setting.from_widget(setting.to_widget(value)) == value
    assert setting.describe(value)


class _RecordingTarget:
    """Stands in for Streamlit: records which widget a setting asks for."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __getattr__(self, name: str):
        def call(*args, **kwargs):
            self.calls.append((name, kwargs.get("key", "")))
            return ""

        return call


@pytest.mark.parametrize("setting", EVERY_KIND, ids=lambda s: type(s).__name__)
def test_each_kind_draws_one_widget_under_its_key(setting) -> None:
    target = _RecordingTarget()
    setting.draw(target, setting.key)
    widgets = [c for c in target.calls if c[0] != "error"]
    assert len(widgets) == 1 and widgets[0][1] == setting.key


RATE_CHANGES = StepValues("lrs", "Rate changes", options=(0.01, 0.03, 0.1, 1.0), max_step=1000)


def test_step_values_round_trip_and_name_what_is_wrong() -> None:
    value = RATE_CHANGES.parse(["0:0.03", "500:0.1"])
    assert value == ((0, 0.03), (500, 0.1))
    assert RATE_CHANGES.parse(RATE_CHANGES.serialize(value)) == value
    for raw, fragment in ((["500"], "not step:value"), (["2000:0.1"], "whole number from 0"),
                          (["10:0.2"], "not one of"), (["50:0.1", "20:0.03"], "must rise"),
                          (["1.5:0.1"], "whole number")):
        reading = read_url_value(RATE_CHANGES, raw)
        assert reading.value == () and fragment in reading.problem, (raw, reading.problem)
    for top in (True, False):
        limit = RATE_CHANGES.limit(top)
        assert RATE_CHANGES.parse(RATE_CHANGES.serialize(limit)) == limit
