"""Every page's settings declaration, importable without running the page.

One module per page (``actlib.page_settings.<page stem>``) holds its ``SETTINGS`` (a
:class:`actlib.settings.PageSettings`) and the option lists the page draws from. The page
imports it; tests, the limits check and lecture scenes import it too, to validate a state
by import instead of by running (or ``exec``-ing) the page. Nothing here imports Streamlit.
"""

from __future__ import annotations

import importlib

from actlib.settings import PageSettings, Setting


def settings_of(stem: str) -> PageSettings | None:
    """The settings of page ``stem``, or None for a page without settings (home)."""
    try:
        module = importlib.import_module(f"{__name__}.{stem}")
    except ModuleNotFoundError as err:
        if err.name == f"{__name__}.{stem}":
            return None
        raise
    return module.SETTINGS


def with_formula(keys: tuple[str, ...]) -> tuple[str, ...]:
    """An activation picker's options: the given catalogue keys, then the page's typed
    formula (:data:`actlib.activation_info.FORMULA_OPTION`)."""
    from actlib.activation_info import FORMULA_OPTION

    return (*keys, FORMULA_OPTION)


def activation_labels(keys: tuple[str, ...]) -> dict[str, str]:
    """Display names for an activation picker's options, the formula option included."""
    from actlib.activation_info import FORMULA_LABEL, FORMULA_OPTION, lookup

    return {k: FORMULA_LABEL if k == FORMULA_OPTION else lookup(k).name for k in keys}


def formula_setting(key: str = "fx") -> Setting:
    """The page's typed formula, which its activation pickers offer as 'Your formula'."""
    from actlib.activation_info import DEFAULT_FORMULA
    from actlib.settings import Formula

    return Formula(key, "Your formula f(x)", default=DEFAULT_FORMULA,
                   help="An expression in x: numbers, + - * / **, comparisons, pi, e, exp, "
                   "log, log1p, sqrt, abs, sin, cos, tanh, sigmoid, softplus, erf, min(a, b), "
                   "max(a, b), where(c, a, b), clamp(v, lo, hi), and any activation of the "
                   "catalogue by its key, e.g. relu(x) or leaky_relu(x). "
                   "Example: x * sigmoid(1.702 * x).")
