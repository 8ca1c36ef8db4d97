"""A typed formula as a first-class catalogue entry: ``get("f:x * sigmoid(x)")``.

Why a key that carries the formula. Every part of the app names an activation by a key
(``ModelSpec("relu")``, a cached curve frame, a training config, a link). A key of the form
``f:<canonical formula>`` keeps all of them self-contained: a config that holds it is still
frozen and hashable, two different formulas are two different cache entries, another
process (or another session) rebuilds the same function from the key alone, and nothing
needs a per-session registry. The alternative, one fixed key ``custom`` plus the formula in
a side channel, would let two sessions with different formulas share a cached run.

:func:`custom_spec` parses a formula once per process (an LRU of specs) and builds an
:class:`~actlib.activations.ActivationSpec` whose forward is the parsed torch function and
whose derivative comes from autograd. Its cost for the engine's cap model is estimated from
the number of torch operations (an upper bound: see :func:`estimated_cost_ns`), and its
``functional`` is the same formula written as plain PyTorch (:func:`torch_code`), so a
snippet or the detail card can show code a student can paste.
"""

from __future__ import annotations

import ast
from functools import lru_cache

import torch
from torch import Tensor

from actlib.activations import CUSTOM_PREFIX, ActivationSpec, get
from actlib.formula import (
    BASE_FUNCTIONS,
    CONSTANTS,
    CustomActivation,
    constant_value,
    parse_formula,
)

CUSTOM_COLOR = "#E41A1C"
"""One colour for a typed formula, used by no catalogue entry."""
MAX_NAME_CHARS = 36
"""Legends and headings show at most this much of a formula."""
CACHE_SIZE = 256
NS_PER_OPERATION = 3.0
"""Forward plus backward per element for one elementwise torch call of a formula: above
the catalogue's own one-call entries (ReLU 1.5 ns, sigmoid 4.2 ns with its backward,
measured in :mod:`actlib.compute_cost`), so the cap model never underestimates."""
DERIVATIVE_NOTE = r"f'(x)\ \text{by autograd (automatic differentiation)}"

_TORCH_NAMES: dict[str, str] = {
    "exp": "torch.exp", "log": "torch.log", "log1p": "torch.log1p", "sqrt": "torch.sqrt",
    "abs": "torch.abs", "sin": "torch.sin", "cos": "torch.cos", "tanh": "torch.tanh",
    "sigmoid": "torch.sigmoid", "softplus": "F.softplus", "erf": "torch.erf",
    "min": "torch.minimum", "max": "torch.maximum", "clamp": "torch.clamp",
}
_OPERATORS: dict[type[ast.AST], str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
}


def display_name(canonical: str) -> str:
    """'f(x) = <formula>', cut to :data:`MAX_NAME_CHARS` characters of formula."""
    shown = canonical if len(canonical) <= MAX_NAME_CHARS else canonical[:MAX_NAME_CHARS] + "…"
    return f"f(x) = {shown}"


def _latex(canonical: str) -> str:
    """The formula as typed, in a typewriter font (the only TeX-special character a formula
    may hold is '_', as in leaky_relu)."""
    return r"f(x) = \texttt{" + canonical.replace("_", r"\_") + "}"


def _autograd_derivative(parsed: CustomActivation):
    """f'(x) by autograd. On a tensor that needs a gradient itself the result keeps its
    graph (``create_graph``), so that f'' can be taken through it as for the catalogue's
    hand-written derivatives; otherwise it is computed on a detached copy."""

    def derivative(x: Tensor) -> Tensor:
        if not x.requires_grad:
            return parsed.derivative(x)
        y = parsed.fn(x)
        if not y.requires_grad:
            return torch.zeros_like(x)
        (grad,) = torch.autograd.grad(y.sum(), x, create_graph=True)
        return grad

    return derivative


def operations(root: ast.expr) -> list[str]:
    """The torch calls one element goes through: one per operator, comparison or base
    function applied to something that involves x, and the catalogue key of every
    catalogue activation called (constant parts are folded when parsed and cost nothing)."""
    found: list[str] = []
    stack: list[ast.AST] = [root]
    while stack:
        node = stack.pop()
        if constant_value(node) is not None:
            continue
        if isinstance(node, ast.Call):
            name = node.func.id  # type: ignore[attr-defined]
            found.append(name if name not in BASE_FUNCTIONS else "op")
            stack.extend(node.args)
        elif isinstance(node, ast.BinOp):
            found.append("op")
            stack.extend((node.left, node.right))
        elif isinstance(node, ast.UnaryOp):
            found.append("op")
            stack.append(node.operand)
        elif isinstance(node, ast.Compare):
            found.append("op")
            stack.extend((node.left, *node.comparators))
    return found


def estimated_cost_ns(root: ast.expr) -> float:
    """Forward plus backward per element, for the engine's cap model: each operation at
    :data:`NS_PER_OPERATION`, each catalogue activation at its own measured cost."""
    total = 1.0  # reading and writing the element once
    for item in operations(root):
        total += NS_PER_OPERATION if item == "op" else float(get(item).cost_ns or 0.0)
    return total


def torch_code(canonical: str) -> str:
    """The formula as a PyTorch expression in a tensor ``x``, with ``torch`` and
    ``torch.nn.functional as F`` imported: what a student pastes into a module's forward.
    Tests check it computes what the parsed formula computes."""
    code = _code(ast.parse(canonical, mode="eval").body)
    return ast.unparse(ast.parse(code, mode="eval"))  # only the parentheses it needs


def _code(node: ast.AST) -> str:
    value = constant_value(node)
    if value is not None:
        return repr(value)
    if isinstance(node, ast.Name):
        return "x"  # the only name that is not a constant
    if isinstance(node, ast.UnaryOp):
        inner = _code(node.operand)
        return f"(-{inner})" if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        return f"({_code(node.left)} {_OPERATORS[type(node.op)]} {_code(node.right)})"
    if isinstance(node, ast.Compare):
        left, right = _code(node.left), _code(node.comparators[0])
        return f"({left} {_OPERATORS[type(node.ops[0])]} {right}).to(x.dtype)"
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    name = node.func.id
    args = [_tensor_argument(arg) for arg in node.args]
    if name == "where":
        return f"torch.where({args[0]} != 0, {args[1]}, {args[2]})"
    if name == "clamp":
        return f"torch.minimum(torch.maximum({args[0]}, {args[1]}), {args[2]})"
    if name == "prelu":  # in a formula PReLU's slope is fixed at its default
        slope = float(get("prelu").defaults()["slope"])
        return f"F.leaky_relu({args[0]}, negative_slope={slope!r})"
    if name in _TORCH_NAMES:
        return f"{_TORCH_NAMES[name]}({', '.join(args)})"
    functional = get(name).functional_call()  # a catalogue activation, applied to x
    return _substitute_x(functional, args[0])


def _tensor_argument(node: ast.AST) -> str:
    """A function argument: a constant as a tensor of x's dtype (torch.minimum and
    torch.where take tensors), anything else as it is."""
    value = constant_value(node)
    if value is not None:
        return f"x.new_tensor({value!r})"
    return _code(node)


def _substitute_x(functional: str, argument: str) -> str:
    """The catalogue's functional form with its x replaced by ``argument``."""
    if argument == "x":
        return functional
    tree = ast.parse(functional, mode="eval")

    class Replace(ast.NodeTransformer):
        def visit_Name(self, name: ast.Name) -> ast.AST:
            return ast.parse(argument, mode="eval").body if name.id == "x" else name

    return ast.unparse(Replace().visit(tree))


@lru_cache(maxsize=CACHE_SIZE)
def custom_spec(text: str) -> ActivationSpec:
    """The catalogue entry of a typed formula (parsed once per process and text).

    Raises :class:`actlib.formula.FormulaError` with the student's message when the
    formula cannot be used.
    """
    parsed = parse_formula(text)
    canonical = parsed.canonical_text
    root = ast.parse(canonical, mode="eval").body
    code = torch_code(canonical)
    return ActivationSpec(
        key=CUSTOM_PREFIX + canonical,
        name=display_name(canonical),
        kind="elementwise",
        forward=parsed.fn,
        derivative=_autograd_derivative(parsed),
        latex=_latex(canonical),
        derivative_latex=DERIVATIVE_NOTE,
        module=f"(no module: {code})",
        functional=code,
        year=0,
        origin="Your own formula, typed in this app",
        use_when="An experiment of yours: compare it with the catalogue's entries",
        color=CUSTOM_COLOR,
        cost_ns=estimated_cost_ns(root),
        recommended_init="default",
        init_reason="PyTorch's default: no initialisation rule is known for a formula of "
                    "your own; try He if it behaves like ReLU, Xavier if like tanh.",
    )


FUNCTION_NAMES: tuple[str, ...] = (*BASE_FUNCTIONS,)
"""The base functions a formula may call (the catalogue's elementwise keys come too)."""
CONSTANT_NAMES: tuple[str, ...] = tuple(CONSTANTS)
