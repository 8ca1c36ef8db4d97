"""A student's own activation, typed as a formula in x and parsed safely.

``parse_formula("x * sigmoid(1.702 * x)")`` returns a frozen :class:`CustomActivation`
whose ``fn`` maps a tensor elementwise through torch operations (float32 or float64),
differentiable by autograd, and whose ``canonical_text`` is a normalised spelling that can
travel in a URL and be parsed back with :func:`parse_formula` (or :func:`from_url_value`).

Safety. The text is never executed: no ``eval``, ``exec``, ``compile``, ``sympify`` or
``parse_expr``. :func:`ast.parse` only builds a syntax tree, which is checked against a
whitelist and translated into a tree of small Python closures over torch functions. The
grammar (anything else is rejected with a message that names it)::

    expr     := expr op expr | "-" expr | "+" expr | "(" expr ")"
              | expr cmp expr                  one comparison: 0/1, for where()
              | name "(" expr ("," expr)* ")"  a whitelisted function, positional args
              | "x" | "pi" | "e" | number      number: int or float, finite, |c| <= 1e6
    op       := "+" | "-" | "*" | "/" | "**"
    cmp      := "<" | "<=" | ">" | ">=" | "==" | "!="

Limits, so that no formula can take long or allocate much: at most 200 characters,
100 expression nodes and 20 levels of nesting; printable ASCII on one line only (a
Cyrillic 'х' or a full-width 'ｘ' is named, not silently read as x: Python's parser
would normalise some of them by NFKC). Every operation is one elementwise torch call on a
tensor the size of the input, so the cost of a formula is at most 100 such calls.

Powers. The exponent must not contain x (``2 ** x`` is written ``exp(x * log(2))``),
and it is folded to a number when parsed: powers of an expression in x take exponents
between -10 and 10 (``x ** 1e9`` is refused); a power of constants must stay finite
(``9 ** 9 ** 9`` is refused: every constant part is folded in float64 when parsed and
must be finite). Numbers are always floats, so Python's unbounded integers never appear.

Checks on the plotted window: the formula must depend on x, and f and its derivative
(by autograd) must be finite in float32 and float64 on 1,001 points of [-6, 6]; the error
names the first x where one is NaN or Inf. f must not be constant there either.
"""

from __future__ import annotations

import ast
import difflib
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from actlib.activations import ELEMENTWISE_KEYS, get

MAX_LENGTH = 200
MAX_NODES = 100
MAX_DEPTH = 20
MAX_CONSTANT = 1e6
MAX_EXPONENT = 10.0
WINDOW = (-6.0, 6.0)
WINDOW_POINTS = 1001
VARIABLE = "x"
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

Fn = Callable[[Tensor], Tensor]


class FormulaError(ValueError):
    """A formula that cannot be used, with a message for the student.

    ``column`` is the 1-based position in the text the message is about, when there is one
    (a page can underline it).
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.column = column


# --- the functions a formula may call ------------------------------------------------------


def _where(cond: Tensor, a: Tensor, b: Tensor) -> Tensor:
    return torch.where(cond != 0, a, b)


def _clamp(v: Tensor, low: Tensor, high: Tensor) -> Tensor:
    return torch.minimum(torch.maximum(v, low), high)


BASE_FUNCTIONS: dict[str, tuple[int, Callable[..., Tensor]]] = {
    "exp": (1, torch.exp),
    "log": (1, torch.log),
    "log1p": (1, torch.log1p),
    "sqrt": (1, torch.sqrt),
    "abs": (1, torch.abs),
    "sin": (1, torch.sin),
    "cos": (1, torch.cos),
    "tanh": (1, torch.tanh),
    "sigmoid": (1, torch.sigmoid),
    "softplus": (1, F.softplus),
    "erf": (1, torch.erf),
    "min": (2, torch.minimum),
    "max": (2, torch.maximum),
    "where": (3, _where),
    "clamp": (3, _clamp),
}
"""Name -> (number of arguments, torch function). ``where(c, a, b)`` takes a where c is not
0; ``clamp(v, low, high)`` is min(max(v, low), high)."""


def _catalogue_function(key: str) -> Callable[[Tensor], Tensor]:
    spec = get(key)

    def forward(t: Tensor) -> Tensor:
        return spec(t)  # the catalogue's own torch code, parameters at their defaults

    return forward


def _all_functions() -> dict[str, tuple[int, Callable[..., Tensor]]]:
    """The base functions, then every elementwise catalogue activation by its key (a
    catalogue key that is also a base name, such as tanh, keeps the base function: the
    two are the same torch call)."""
    table = dict(BASE_FUNCTIONS)
    for key in ELEMENTWISE_KEYS:
        table.setdefault(key, (1, _catalogue_function(key)))
    return table


FUNCTIONS: dict[str, tuple[int, Callable[..., Tensor]]] = _all_functions()
ALLOWED_NAMES: tuple[str, ...] = (VARIABLE, *CONSTANTS, *FUNCTIONS)


# --- the result ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomActivation:
    """A parsed formula: the text as typed, its canonical spelling and the torch function.

    Two activations are equal when their canonical texts are: ``fn`` is derived from it.
    """

    text: str = field(compare=False)
    canonical_text: str
    fn: Fn = field(compare=False, repr=False)

    def __call__(self, x: Tensor) -> Tensor:
        return self.fn(x)

    def derivative(self, x: Tensor) -> Tensor:
        """f'(x) elementwise, by autograd on a fresh copy of ``x`` (so the caller's tensor
        and its graph are left alone, and it works under ``torch.no_grad`` too)."""
        return _autograd_derivative(self.fn, x)


def _autograd_derivative(fn: Fn, x: Tensor) -> Tensor:
    with torch.enable_grad():
        leaf = x.detach().clone().requires_grad_(True)
        y = fn(leaf)
        if not y.requires_grad:  # only comparisons or steps: the slope is 0 everywhere
            return torch.zeros_like(x)
        (grad,) = torch.autograd.grad(y.sum(), leaf)
    return grad


# --- step 1: the raw text ------------------------------------------------------------------

_ALLOWED_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ .,+-*/()<>=!"
)
_CHARACTER_HINTS = {
    ";": "a formula is one expression, without ';'",
    "\n": "a formula is one line",
    "\r": "a formula is one line",
    "\t": "use spaces, not tabs",
    "\0": "the text contains a null byte",
    "'": "text in quotes is not allowed",
    '"': "text in quotes is not allowed",
    "[": "brackets [ ] are not allowed: use ( )",
    "]": "brackets [ ] are not allowed: use ( )",
    "{": "braces { } are not allowed: use ( )",
    "}": "braces { } are not allowed: use ( )",
    "^": "use ** for powers, not ^",
    ":": "':' is not allowed",
    "%": "'%' (remainder) is not supported",
}


def _check_text(text: object) -> str:
    """The text stripped, or a FormulaError for a wrong type, a wrong length or the first
    character outside printable ASCII. Checked on the raw text because ``ast`` would read
    some look-alikes (full-width letters) as ASCII after NFKC normalisation."""
    if not isinstance(text, str):
        raise FormulaError("The formula must be text.")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"The formula is {len(text):,} characters long; "
                           f"the limit is {MAX_LENGTH}.")
    stripped = text.strip(" ")
    if not stripped:
        raise FormulaError("The formula is empty: type an expression in x, such as tanh(x).")
    offset = len(text) - len(text.lstrip(" "))
    for index, char in enumerate(stripped):
        if char not in _ALLOWED_CHARACTERS:
            raise FormulaError(_character_message(char, index + 1 + offset), index + 1 + offset)
    return stripped


def _character_message(char: str, column: int) -> str:
    if char in _CHARACTER_HINTS:
        return f"Column {column}: {_CHARACTER_HINTS[char]}."
    if ord(char) < 128:
        return f"Column {column}: the character {char!r} is not allowed in a formula."
    name = unicodedata.name(char, f"U+{ord(char):04X}")
    return (f"Column {column}: {char!r} ({name}) is not a plain keyboard character; "
            "type formulas with plain ASCII letters (a Cyrillic or full-width x is not x).")


# --- step 2: the syntax tree ---------------------------------------------------------------


def _parse_tree(text: str) -> ast.expr:
    """The expression's syntax tree (``ast.parse`` only parses; nothing is executed)."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        column = error.offset or 1
        reason = (error.msg or "invalid syntax").rstrip(".")
        raise FormulaError(f"Syntax error at column {column}: {reason}.", column) from None
    except (ValueError, RecursionError, MemoryError):
        raise FormulaError("The formula cannot be read: it is too deeply nested.") from None
    return tree.body


def _check_size(root: ast.expr) -> None:
    """At most MAX_NODES expression nodes and MAX_DEPTH levels, walked without recursion."""
    count = 0
    stack: list[tuple[ast.AST, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.expr):
            count += 1
            if count > MAX_NODES:
                raise FormulaError(f"The formula is too long: at most {MAX_NODES} numbers, "
                                   "names and operations.")
            if depth > MAX_DEPTH:
                raise FormulaError(f"The formula is nested too deeply: at most {MAX_DEPTH} "
                                   "levels.", _column(node))
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _column(node: ast.AST) -> int | None:
    offset = getattr(node, "col_offset", None)
    return None if offset is None else offset + 1


# --- step 3: whitelist and translation to torch ---------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    """A checked subtree: its torch function, and its value when it does not involve x."""

    fn: Fn
    constant: float | None

    @property
    def uses_x(self) -> bool:
        return self.constant is None


_BINARY: dict[type[ast.operator], Callable[[Tensor, Tensor], Tensor]] = {
    ast.Add: torch.add,
    ast.Sub: torch.sub,
    ast.Mult: torch.mul,
    ast.Div: torch.div,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Tensor, Tensor], Tensor]] = {
    ast.Lt: torch.lt, ast.LtE: torch.le, ast.Gt: torch.gt, ast.GtE: torch.ge,
    ast.Eq: torch.eq, ast.NotEq: torch.ne,
}
_OPERATOR_WORDS: dict[type[ast.AST], str] = {
    ast.FloorDiv: "'//' (floor division)", ast.Mod: "'%' (remainder)",
    ast.MatMult: "'@' (matrix product)", ast.LShift: "'<<'", ast.RShift: "'>>'",
    ast.BitAnd: "'&'", ast.BitOr: "'|'", ast.BitXor: "'^'", ast.Invert: "'~'",
    ast.Not: "'not'", ast.Is: "'is'", ast.IsNot: "'is not'", ast.In: "'in'",
    ast.NotIn: "'not in'",
}
_NODE_WORDS: dict[type[ast.AST], str] = {
    ast.Attribute: "Attribute access (a '.' after a name or bracket)",
    ast.Subscript: "Indexing with [ ]",
    ast.Lambda: "'lambda'",
    ast.GeneratorExp: "A 'for ... in ...' expression",
    ast.ListComp: "A 'for ... in ...' expression",
    ast.SetComp: "A 'for ... in ...' expression",
    ast.DictComp: "A 'for ... in ...' expression",
    ast.Tuple: "A list of values outside a function call",
    ast.List: "A list", ast.Set: "A set", ast.Dict: "A dictionary",
    ast.IfExp: "'a if c else b' (write where(c, a, b))",
    ast.BoolOp: "'and' / 'or' (multiply comparisons for 'and')",
    ast.NamedExpr: "':='", ast.Starred: "'*' before an argument",
    ast.JoinedStr: "An f-string", ast.Await: "'await'", ast.Yield: "'yield'",
    ast.YieldFrom: "'yield'", ast.Slice: "A slice",
}


def _constant(value: float) -> _Compiled:
    def fn(x: Tensor) -> Tensor:
        return torch.tensor(value, dtype=x.dtype)

    return _Compiled(fn, value)


def _fold(compiled_fn: Fn, node: ast.AST) -> _Compiled:
    """Evaluate an x-free subtree once, in float64, and keep it only if finite."""
    value = float(compiled_fn(torch.zeros((), dtype=torch.float64)))
    if not math.isfinite(value):
        kind = "NaN" if math.isnan(value) else "an infinite number"
        raise FormulaError(f"The constant part '{ast.unparse(node)}' gives {kind}.",
                           _column(node))
    return _constant(value)


def _combine(fn: Fn, parts: list[_Compiled], node: ast.AST) -> _Compiled:
    if all(not p.uses_x for p in parts):
        return _fold(fn, node)
    return _Compiled(fn, None)


def _compile(node: ast.AST) -> _Compiled:
    """Translate one whitelisted node; anything else raises FormulaError naming it."""
    handler = _HANDLERS.get(type(node))
    if handler is None:
        raise FormulaError(_rejection(node), _column(node))
    return handler(node)


def _rejection(node: ast.AST) -> str:
    word = _NODE_WORDS.get(type(node)) or _OPERATOR_WORDS.get(type(node))
    if word is None:
        word = f"'{type(node).__name__}'"
    return f"{word} is not allowed in a formula."


def _compile_constant(node: ast.Constant) -> _Compiled:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        shown = "Text" if isinstance(value, str | bytes) else repr(value)
        raise FormulaError(f"{shown} is not allowed: only real numbers are.", _column(node))
    if not abs(value) <= MAX_CONSTANT:  # also False for NaN; ints are never made floats
        raise FormulaError(f"Numbers must lie between -{MAX_CONSTANT:,.0f} and "
                           f"{MAX_CONSTANT:,.0f}.", _column(node))
    return _constant(float(value))


def _compile_name(node: ast.Name) -> _Compiled:
    name = node.id
    if name == VARIABLE:
        return _Compiled(lambda x: x, None)
    if name in CONSTANTS:
        return _constant(CONSTANTS[name])
    if name in FUNCTIONS:
        raise FormulaError(f"'{name}' is a function: write {name}(...).", _column(node))
    raise FormulaError(_unknown_name(name), _column(node))


def _unknown_name(name: str) -> str:
    """'Unknown name', with the closest allowed names (by letters, ignoring case)."""
    lowered = {n.lower(): n for n in ALLOWED_NAMES}
    if name.lower() in lowered:
        close = [lowered[name.lower()]]
    else:
        close = difflib.get_close_matches(name.lower(), ALLOWED_NAMES, n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"Unknown name '{name}'.{hint} The variable is x."


def _compile_unary(node: ast.UnaryOp) -> _Compiled:
    if not isinstance(node.op, ast.USub | ast.UAdd):
        raise FormulaError(_rejection(node.op), _column(node))
    operand = _compile(node.operand)
    inner = operand.fn
    fn: Fn = (lambda x: torch.neg(inner(x))) if isinstance(node.op, ast.USub) else inner
    return _combine(fn, [operand], node)


def _compile_binary(node: ast.BinOp) -> _Compiled:
    if isinstance(node.op, ast.Pow):
        return _compile_power(node)
    op = _BINARY.get(type(node.op))
    if op is None:
        raise FormulaError(_rejection(node.op), _column(node))
    left, right = _compile(node.left), _compile(node.right)
    lf, rf = left.fn, right.fn
    return _combine(lambda x: op(lf(x), rf(x)), [left, right], node)


def _compile_power(node: ast.BinOp) -> _Compiled:
    """base ** p with p a number: |p| <= MAX_EXPONENT when the base involves x."""
    base, exponent = _compile(node.left), _compile(node.right)
    if exponent.uses_x:
        a = "2" if base.uses_x else ast.unparse(node.left)
        rewrite = "exp(x)" if a == "e" else f"exp(x * log({a}))"
        raise FormulaError(f"x cannot be in an exponent: write {a} ** x as {rewrite}.",
                           _column(node.right))
    p = float(exponent.constant)  # type: ignore[arg-type]
    if base.uses_x and abs(p) > MAX_EXPONENT:
        raise FormulaError(f"Powers of x must lie between -{MAX_EXPONENT:g} and "
                           f"{MAX_EXPONENT:g}; this one is {p:g}.", _column(node.right))
    bf = base.fn
    return _combine(lambda x: torch.pow(bf(x), p), [base, exponent], node)


def _compile_compare(node: ast.Compare) -> _Compiled:
    if len(node.ops) != 1:
        raise FormulaError("Only one comparison at a time: write (0 < x) * (x < 1) "
                           "instead of 0 < x < 1.", _column(node))
    op = _COMPARE.get(type(node.ops[0]))
    if op is None:
        raise FormulaError(_rejection(node.ops[0]), _column(node))
    left, right = _compile(node.left), _compile(node.comparators[0])
    lf, rf = left.fn, right.fn

    def fn(x: Tensor) -> Tensor:
        a, b = lf(x), rf(x)
        return op(a, b).to(torch.result_type(a, b))

    return _combine(fn, [left, right], node)


def _compile_call(node: ast.Call) -> _Compiled:
    if not isinstance(node.func, ast.Name):
        raise FormulaError("Only the listed functions can be called, by their plain name.",
                           _column(node))
    name = node.func.id
    if name not in FUNCTIONS:
        if name == VARIABLE or name in CONSTANTS:
            raise FormulaError(f"'{name}' is not a function: write {name} * (...) to "
                               "multiply.", _column(node))
        raise FormulaError(_unknown_name(name), _column(node.func))
    if node.keywords:
        raise FormulaError(f"{name}(): give arguments by position, without 'name='.",
                           _column(node))
    arity, function = FUNCTIONS[name]
    if len(node.args) != arity:
        raise FormulaError(f"{name}() takes {arity} argument{'s' if arity > 1 else ''}, "
                           f"not {len(node.args)}.", _column(node))
    args = [_compile(arg) for arg in node.args]
    fns = [a.fn for a in args]

    def fn(x: Tensor) -> Tensor:
        values = [f(x) for f in fns]
        if len(values) > 1:  # mixed constants and tensors: one shape for the torch call
            values = list(torch.broadcast_tensors(*values))
        return function(*values)

    return _combine(fn, args, node)


_HANDLERS: dict[type[ast.AST], Callable[[Any], _Compiled]] = {
    ast.Constant: _compile_constant,
    ast.Name: _compile_name,
    ast.UnaryOp: _compile_unary,
    ast.BinOp: _compile_binary,
    ast.Compare: _compile_compare,
    ast.Call: _compile_call,
}


def constant_value(node: ast.AST) -> float | None:
    """The value of a subtree of an accepted formula that does not involve x (folded in
    float64 as when parsing), or None when it involves x. Only for trees that
    :func:`parse_formula` accepted: anything else raises FormulaError."""
    return _compile(node).constant


# --- step 4: the checks on the window -------------------------------------------------------


def _elementwise(inner: Fn) -> Fn:
    """The formula's function, always shaped and typed like its input."""

    def fn(x: Tensor) -> Tensor:
        if not x.is_floating_point():
            raise TypeError("a custom activation takes a float tensor")
        return torch.broadcast_to(inner(x), x.shape).to(x.dtype)

    return fn


def window_grid(dtype: torch.dtype = torch.float64) -> Tensor:
    """The points a formula is checked on: WINDOW_POINTS from WINDOW[0] to WINDOW[1].

    Built from integer fractions rather than ``torch.linspace``, so that the middle point
    is exactly 0 (linspace gives about 1e-16 there, and 1 / x would pass the check)."""
    low, high = WINDOW
    fractions = torch.arange(WINDOW_POINTS, dtype=torch.float64) / (WINDOW_POINTS - 1)
    return (low + (high - low) * fractions).to(dtype)


def _first_bad(values: Tensor, grid: Tensor) -> tuple[float, str] | None:
    bad = ~torch.isfinite(values)
    if not bool(bad.any()):
        return None
    index = int(torch.nonzero(bad)[0])
    return float(grid[index]), "NaN" if bool(torch.isnan(values[index])) else "Inf"


def _check_window(fn: Fn, uses_where: bool) -> None:
    """f and f' finite in float32 and float64 on the grid, and f not constant there."""
    for dtype in (torch.float64, torch.float32):
        grid = window_grid(dtype)
        with torch.no_grad():
            values = fn(grid)
        bad = _first_bad(values, grid)
        precision = " in float32" if dtype == torch.float32 else ""
        if bad is not None:
            raise FormulaError(f"The formula gives {bad[1]} at x = {bad[0]:.4g}{precision}; "
                               f"it must be finite on [{WINDOW[0]:g}, {WINDOW[1]:g}].")
        bad = _first_bad(_autograd_derivative(fn, grid), grid)
        if bad is not None:
            hint = (" where() computes both branches: the slope of the unused one counts too."
                    if uses_where else "")
            raise FormulaError(f"The slope (derivative) is {bad[1]} at x = {bad[0]:.4g}"
                               f"{precision}; it must be finite on [{WINDOW[0]:g}, "
                               f"{WINDOW[1]:g}].{hint}")
        if dtype == torch.float64 and bool((values == values[0]).all()):
            raise FormulaError(f"The formula gives {float(values[0]) + 0.0:.4g} for every x in "
                               f"[{WINDOW[0]:g}, {WINDOW[1]:g}]: an activation must vary with x.")


# --- the public entry points ----------------------------------------------------------------


def parse_formula(text: str) -> CustomActivation:
    """Check and translate a typed formula; raise FormulaError with the reason if unusable."""
    stripped = _check_text(text)
    root = _parse_tree(stripped)
    _check_size(root)
    compiled = _compile(root)
    if not compiled.uses_x:
        raise FormulaError("The formula does not use x: an activation is a function of x.")
    fn = _elementwise(compiled.fn)
    uses_where = any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "where"
                     for n in ast.walk(root))
    _check_window(fn, uses_where)
    spelled = canonical(root)
    if len(spelled) > MAX_LENGTH:  # so that every accepted formula can be read back
        raise FormulaError(f"The formula is too long once spaced out ({len(spelled)} "
                           f"characters); the limit is {MAX_LENGTH}.")
    return CustomActivation(text=text, canonical_text=spelled, fn=fn)


def canonical(root: ast.expr) -> str:
    """The normalised spelling of a checked tree: single spaces around binary operators,
    minimal parentheses, numbers in Python's shortest form. Parsing it gives it back."""
    return ast.unparse(root)


def from_url_value(value: str) -> CustomActivation:
    """A formula read back from a URL query value (a canonical text, or any typed text)."""
    return parse_formula(value)
