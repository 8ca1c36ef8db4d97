"""Page scripts never draw by accident: Streamlit's "magic" writes any bare expression
statement of a page (a string under a constant meant as its docstring, a variable name left
alone) on the page. Only the module docstring is allowed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PAGES = sorted((Path(__file__).resolve().parents[1] / "pages").glob("*.py"))
ENTRY = Path(__file__).resolve().parents[1] / "streamlit_app.py"


def _bare_expressions(path: Path) -> list[int]:
    """Lines of bare expressions, docstrings (of the module, a function or a class, which
    magic skips) left out."""
    found: list[int] = []

    def visit(body: list[ast.stmt], docstring_allowed: bool) -> None:
        for i, node in enumerate(body):
            is_docstring = (i == 0 and docstring_allowed and isinstance(node, ast.Expr)
                            and isinstance(node.value, ast.Constant)
                            and isinstance(node.value.value, str))
            if (isinstance(node, ast.Expr) and not is_docstring
                    and not isinstance(node.value, ast.Call | ast.Await)):
                found.append(node.lineno)
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    visit(inner, isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef
                                                   | ast.ClassDef) and field == "body")
            for handler in getattr(node, "handlers", []) or []:
                visit(handler.body, False)

    visit(ast.parse(path.read_text()).body, True)
    return found


@pytest.mark.parametrize("path", [*PAGES, ENTRY], ids=lambda p: p.name)
def test_no_bare_expression_in_a_page(path: Path) -> None:
    assert _bare_expressions(path) == [], f"{path.name}: drawn by Streamlit's magic"
