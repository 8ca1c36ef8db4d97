"""Typed activation formulas: hostile text is refused quickly and clearly, valid formulas
are finite, differentiable and reproduce the catalogue's activations."""

from __future__ import annotations

import ast
import dataclasses
import time
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actlib import formula
from actlib.activations import get
from actlib.formula import (
    ALLOWED_NAMES,
    BASE_FUNCTIONS,
    FUNCTIONS,
    MAX_LENGTH,
    CustomActivation,
    FormulaError,
    from_url_value,
    parse_formula,
    window_grid,
)
from actlib.runtime import configure_torch

configure_torch()  # one thread, as the app runs; idempotent

TIME_BOUND = 0.5
"""Seconds a rejection may take: each takes well under 50 ms; the bound is generous so that
the test is not flaky on a loaded machine."""

HOSTILE: list[tuple[str, str]] = [
    # (text, a fragment the message must contain)
    ("x.__class__", "Attribute access"),
    ("().__class__.__bases__", "Attribute access"),
    ("x.real", "Attribute access"),
    ("__class__", "Unknown name '__class__'"),
    ("__builtins__", "Unknown name '__builtins__'"),
    ("__import__('os')", "quotes"),
    ("__import__(x)", "Unknown name '__import__'"),
    ("import os", "Syntax error at column"),
    ("lambda: x", "':'"),
    ("(lambda y: y)(x)", "':'"),
    ("(y for y in x)", "'for ... in ...'"),
    ("[y for y in x]", "brackets"),
    ("{y for y in x}", "braces"),
    ("eval(x)", "Unknown name 'eval'"),
    ("exec(x)", "Unknown name 'exec'"),
    ("open(x)", "Unknown name 'open'"),
    ("getattr(x, x)", "Unknown name 'getattr'"),
    ("compile(x)", "Unknown name 'compile'"),
    ("globals()", "Unknown name 'globals'"),
    ("exp(x=1)", "by position"),
    ("exp(*x)", "'*' before an argument"),
    ("exp(**x)", "by position"),
    ("'abc'", "quotes"),
    ('"x"', "quotes"),
    ("b'x'", "quotes"),
    ("f'{x}'", "quotes"),
    ("x + True", "True is not allowed"),
    ("x + None", "None is not allowed"),
    ("x + 1j", "1j is not allowed"),
    ("x + ...", "Ellipsis"),
    ("9**9**9", "constant part"),
    ("x * 9**9**9", "constant part"),
    ("x**1e9", "between -1,000,000 and 1,000,000"),
    ("x**11", "Powers of x must lie between -10 and 10"),
    ("x**(5*3)", "Powers of x must lie between -10 and 10"),
    ("2**x", "x cannot be in an exponent"),
    ("x**x", "x cannot be in an exponent"),
    ("1e999 * x", "between -1,000,000"),
    ("10000000 * x", "between -1,000,000"),
    ("1" * 150 + " * x", "between -1,000,000"),
    ("x" * 10_000, "10,000 characters"),
    ("x+" * 5000 + "x", "characters"),
    ("(" * 500 + "x" + ")" * 500, "characters"),
    ("-(" * 500 + "x" + ")" * 500, "characters"),
    ("-" * 150 + "x", "nested too deeply"),
    ("-(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-x)))))))))))))))))))))", "nested too deeply"),
    ("sin(" * 25 + "x" + ")" * 25, "nested too deeply"),
    ("+".join(["(x+x+x+x+x+x+x+x)"] * 8), "too long: at most 100"),
    ("\u0445", "CYRILLIC SMALL LETTER HA"),
    ("\u0445 * 2", "not a plain keyboard character"),
    ("\uff58", "FULLWIDTH LATIN SMALL LETTER X"),
    ("e\uff58p(x)", "FULLWIDTH"),
    ("x\u200b", "ZERO WIDTH SPACE"),
    ("x\0", "null byte"),
    ("\0", "null byte"),
    ("x\n+1", "one line"),
    ("x\r", "one line"),
    ("x; import os", "without ';'"),
    ("x\t+ 1", "tabs"),
    ("x[0]", "brackets"),
    ("x ^ 2", "use ** for powers"),
    ("x % 2", "remainder"),
    ("x // 2", "floor division"),
    ("x << 2", "'<<'"),
    ("x @ x", "'@'"),
    ("x if x > 0 else 0", "where(c, a, b)"),
    ("x > 0 and x < 1", "'and' / 'or'"),
    ("not x", "'not'"),
    ("x is x", "'is'"),
    ("0 < x < 1", "Only one comparison"),
    ("(x, x)", "list of values"),
    ("(y := x)", "':'"),
    ("x(2)", "'x' is not a function"),
    ("pi(x)", "'pi' is not a function"),
    ("exp", "'exp' is a function"),
    ("exp(x)(x)", "plain name"),
    ("", "empty"),
    ("   ", "empty"),
    (None, "must be text"),  # type: ignore[list-item]
    (b"x", "must be text"),  # type: ignore[list-item]
]


@pytest.mark.parametrize(("text", "fragment"), HOSTILE, ids=[repr(t)[:40] for t, _ in HOSTILE])
def test_hostile_input_is_rejected_quickly_and_clearly(text: str, fragment: str) -> None:
    start = time.perf_counter()
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    assert time.perf_counter() - start < TIME_BOUND
    message = str(caught.value)
    assert fragment in message
    assert len(message) < 240 and "Traceback" not in message


def test_source_never_executes_text() -> None:
    """The module calls none of the functions that turn text into running code."""
    tree = ast.parse(Path(formula.__file__).read_text())
    banned = {"eval", "exec", "compile", "sympify", "parse_expr", "__import__"}
    called = {
        node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        for node in ast.walk(tree) if isinstance(node, ast.Call)
    }
    assert not called & banned


# --- clear messages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [("sigmod(x)", "'sigmoid'"), ("tahn(x)", "'tanh'"), ("X", "'x'"), ("Relu(x)", "'relu'"),
     ("softpuls(x)", "'softplus'"), ("gleu(x)", "'gelu'"), ("x * PI", "'pi'")],
)
def test_unknown_name_is_named_with_close_suggestions(text: str, suggestion: str) -> None:
    with pytest.raises(FormulaError, match="Unknown name") as caught:
        parse_formula(text)
    assert "Did you mean" in str(caught.value) and suggestion in str(caught.value)


def test_unknown_name_far_from_everything_gets_no_suggestion() -> None:
    with pytest.raises(FormulaError) as caught:
        parse_formula("qqqqqq(x)")
    assert "Unknown name 'qqqqqq'" in str(caught.value)
    assert "Did you mean" not in str(caught.value)


@pytest.mark.parametrize(("text", "column"), [("x * (1 + ", 5), ("x +* 2", 4), ("tanh(x))", 8)])
def test_syntax_error_gives_the_column(text: str, column: int) -> None:
    with pytest.raises(FormulaError, match=f"column {column}") as caught:
        parse_formula(text)
    assert caught.value.column == column


def test_column_of_a_bad_character_counts_leading_spaces() -> None:
    with pytest.raises(FormulaError, match="Column 5") as caught:
        parse_formula("  x \u0445")
    assert caught.value.column == 5


@pytest.mark.parametrize(
    ("text", "where", "kind"),
    [("1 / x", "x = 0;", "Inf"), ("log(x)", "x = -6;", "NaN"), ("sqrt(x - 1)", "x = -6;", "NaN"),
     ("exp(20 * x)", "x = 4.44 in float32", "Inf"), ("1 / (x - 3)", "x = 3;", "Inf"),
     ("log(x + 6)", "x = -6;", "Inf")],
)
def test_non_finite_values_name_the_first_x(text: str, where: str, kind: str) -> None:
    with pytest.raises(FormulaError, match="gives") as caught:
        parse_formula(text)
    assert f"{kind} at {where}" in str(caught.value)


def test_non_finite_slope_is_named_with_a_where_hint() -> None:
    with pytest.raises(FormulaError, match=r"slope \(derivative\) is NaN at x = -6") as caught:
        parse_formula("where(x > 0, sqrt(x), 0)")
    assert "both branches" in str(caught.value)


@pytest.mark.parametrize("text", ["3", "pi * e", "exp(2) + 1", "x - x", "0 * x", "step(x - 10)"])
def test_formula_not_depending_on_x(text: str) -> None:
    with pytest.raises(FormulaError, match=r"does not use x|for every x"):
        parse_formula(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [("exp(x, 2)", "exp() takes 1 argument, not 2"), ("max(x)", "max() takes 2 arguments, not 1"),
     ("where(x > 0, x)", "where() takes 3 arguments, not 2"),
     ("clamp(x, 1)", "clamp() takes 3 arguments, not 2"), ("relu()", "relu() takes 1 argument")],
)
def test_wrong_number_of_arguments(text: str, message: str) -> None:
    with pytest.raises(FormulaError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_formula(text)


# --- valid formulas ----------------------------------------------------------------------------

EXAMPLES = [
    "x * sigmoid(1.702 * x)", "log(1 + exp(x))", "where(x > 0, x, 0.2 * x)",
    "x * tanh(softplus(x))", "relu(x)", "gelu(x)", "selu(x)", "clamp(x, -1, 1)",
    "max(x, 0.1 * x)", "min(x, 6) + step(x)", "x ** 3 / 10", "abs(x) ** 1.5", "erf(x / sqrt(2))",
    "sin(x) + cos(pi * x) / e", "log1p(x * x)", "elu(x) + leaky_relu(x) + prelu(x) + mish(x)",
    "swish(x) - identity(x)", "(x >= 0) * x", "(x != 0) + (x == 1) - (x <= 2) + (x < 3)",
    "-x", "+x", "2 ** -3 * x", "(x * x + 1) ** -1",
]


@pytest.mark.parametrize("text", EXAMPLES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_valid_formula_is_finite_shaped_and_differentiable(text: str, dtype: torch.dtype) -> None:
    act = parse_formula(text)
    grid = window_grid(dtype)
    y, dy = act.fn(grid), act.derivative(grid)
    for values in (y, dy):
        assert values.shape == grid.shape and values.dtype == dtype
        assert bool(torch.isfinite(values).all())
    batch = torch.randn(3, 4, 5, dtype=dtype)
    assert act(batch).shape == (3, 4, 5)


@pytest.mark.parametrize("text", EXAMPLES)
def test_canonical_text_round_trips(text: str) -> None:
    act = parse_formula(text)
    again = from_url_value(act.canonical_text)
    assert again.canonical_text == act.canonical_text
    assert again == act
    grid = window_grid()
    assert torch.equal(again.fn(grid), act.fn(grid))


def test_canonical_text_normalises_spacing_and_parentheses() -> None:
    assert parse_formula("  x*sigmoid( 1.702*x )").canonical_text == "x * sigmoid(1.702 * x)"
    assert parse_formula("((x))+(1)").canonical_text == "x + 1"
    assert parse_formula("x*sigmoid(x)") == parse_formula("x * sigmoid( x )")
    assert parse_formula("x*sigmoid(x)").text == "x*sigmoid(x)"


def test_accepted_formulas_fit_the_length_limit_when_spaced_out() -> None:
    compact = "+".join(["x*x"] * 33)[:MAX_LENGTH]
    compact = compact.rstrip("*+")
    try:
        act = parse_formula(compact)
    except FormulaError as error:
        assert "too" in str(error)
    else:
        assert len(act.canonical_text) <= MAX_LENGTH


def test_result_is_frozen() -> None:
    act = parse_formula("tanh(x)")
    assert isinstance(act, CustomActivation)
    with pytest.raises(dataclasses.FrozenInstanceError):
        act.text = "x"  # type: ignore[misc]


def test_derivative_leaves_the_input_alone_and_works_without_grad() -> None:
    x = torch.linspace(-2, 2, 9, dtype=torch.float64, requires_grad=True)
    act = parse_formula("x * x")
    with torch.no_grad():
        slope = act.derivative(x)
    assert torch.allclose(slope, 2 * x.detach())
    assert x.grad is None


def test_fn_is_differentiable_inside_a_graph() -> None:
    x = torch.linspace(-2, 2, 9, dtype=torch.float64, requires_grad=True)
    parse_formula("x ** 3").fn(x).sum().backward()
    assert torch.allclose(x.grad, 3 * x.detach() ** 2)


def test_comparison_only_formula_has_zero_slope() -> None:
    act = parse_formula("x > 0")
    grid = window_grid()
    assert torch.equal(act.fn(grid), (grid > 0).double())
    assert torch.equal(act.derivative(grid), torch.zeros_like(grid))


def test_every_name_in_the_documented_set_is_allowed() -> None:
    required = {"exp", "log", "log1p", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid",
                "softplus", "erf", "min", "max", "where", "clamp", "relu", "gelu", "selu",
                "pi", "e", "x"}
    assert required <= set(ALLOWED_NAMES)
    assert set(BASE_FUNCTIONS) <= set(FUNCTIONS)


# --- formulas that are catalogue entries -----------------------------------------------------

SAME_AS_CATALOGUE = [
    ("x * sigmoid(x)", "swish", (-6.0, 6.0)),
    ("log(1 + exp(x))", "softplus", (-6.0, 6.0)),
    ("where(x > 0, x, 0.01 * x)", "leaky_relu", (-6.0, 6.0)),
    ("x * tanh(softplus(x))", "mish", (-6.0, 6.0)),
    ("relu(x)", "relu", (-6.0, 6.0)),
    ("x * (1 + erf(x / sqrt(2))) / 2", "gelu", (-6.0, 6.0)),
]


@pytest.mark.parametrize(("text", "key", "window"), SAME_AS_CATALOGUE)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_formula_reproduces_the_catalogue(text: str, key: str, window: tuple[float, float],
                                          dtype: torch.dtype) -> None:
    spec = get(key)
    x = torch.linspace(*window, 2001, dtype=dtype)
    x = torch.cat([x, torch.tensor([0.0], dtype=dtype)])
    act = parse_formula(text)
    tol = {"atol": 1e-6, "rtol": 1e-5} if dtype == torch.float32 else {"atol": 1e-12, "rtol": 0}
    torch.testing.assert_close(act.fn(x), spec(x), **tol)
    torch.testing.assert_close(act.derivative(x), spec.grad(x), **tol)


# --- property: random whitelisted formulas --------------------------------------------------

_UNARY = sorted(name for name, (arity, _) in FUNCTIONS.items() if arity == 1)
_LEAVES = st.one_of(
    st.just("x"), st.just("x"), st.sampled_from(["pi", "e"]),
    st.integers(0, 12).map(str),
    st.floats(-50, 50, allow_nan=False).map(lambda v: repr(round(v, 3))),
)


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(children, children)
    return st.one_of(
        st.tuples(st.sampled_from(_UNARY), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children)
        .map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        st.tuples(children, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), children)
        .map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        st.tuples(children, st.sampled_from(["2", "3", "0.5", "-1", "1.5", "12", "x"]))
        .map(lambda t: f"({t[0]}) ** {t[1]}"),
        children.map(lambda c: f"-({c})"),
        st.tuples(st.sampled_from(["min", "max"]), pair)
        .map(lambda t: f"{t[0]}({t[1][0]}, {t[1][1]})"),
        st.tuples(children, pair).map(lambda t: f"where({t[0]}, {t[1][0]}, {t[1][1]})"),
        st.tuples(children, pair).map(lambda t: f"clamp({t[0]}, {t[1][0]}, {t[1][1]})"),
    )


FORMULAS = st.recursive(_LEAVES, _extend, max_leaves=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FORMULAS)
def test_random_formulas_are_finite_or_refused_with_a_formula_error(text: str) -> None:
    try:
        act = parse_formula(text)
    except FormulaError as error:
        assert str(error)
        return
    for dtype in (torch.float32, torch.float64):
        grid = window_grid(dtype)
        assert bool(torch.isfinite(act.fn(grid)).all())
        assert bool(torch.isfinite(act.derivative(grid)).all())
    again = parse_formula(act.canonical_text)
    assert again.canonical_text == act.canonical_text
