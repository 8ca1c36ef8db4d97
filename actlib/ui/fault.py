"""What a page shows when its own code fails: a short message on that page, not a traceback.

A fault in one page's run (a training that raises, a chart that cannot be built) must not
take the session down with a wall of Python: the student sees what happened in a sentence
and can change a setting or reload, every other page and every other session go on, and
the traceback goes to the server's log for whoever runs the app. Streamlit's own control
flow (``st.stop``, ``st.rerun``, ``st.switch_page``) raises ``BaseException`` subclasses,
which pass through untouched.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import streamlit as st

from actlib.settings import code_span

P = ParamSpec("P")
T = TypeVar("T")

LOG = logging.getLogger("actlib.fault")


def fault_message(err: Exception) -> str:
    """The sentence a page shows for an unexpected error (its text only as code)."""
    detail = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
    return (
        "Something went wrong on this page and it stopped here: "
        f"{code_span(detail)}. The rest of the app still works: change a setting or "
        "reload the page to try again."
    )


def show_fault(err: Exception, where: str, target: Any = None) -> None:
    """Log ``err`` with its traceback and show :func:`fault_message` in ``target``."""
    LOG.error("fault in %s", where, exc_info=err)
    (target if target is not None else st).error(fault_message(err), icon="🛑")


def guarded(where: str) -> Callable[[Callable[P, T]], Callable[P, T | None]]:
    """Run a function (a page, a fragment), turning an unexpected error into
    :func:`show_fault`; returns None then."""

    def wrap(func: Callable[P, T]) -> Callable[P, T | None]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> T | None:
            try:
                return func(*args, **kwargs)
            except Exception as err:
                show_fault(err, where)
                return None

        return run

    return wrap


def _callback_fault_key(view: str) -> str:
    return f"fault:callback:{view}"


CallbackGuard = Callable[[Callable[..., object]], Callable[..., None]]
"""What :func:`guarded_callback` returns (a view hands its own to the parts it draws)."""


def guarded_callback(where: str, view: str
                     ) -> Callable[[Callable[P, object]], Callable[P, None]]:
    """Guard a widget callback (Play, Step, Reset, a click on a chart) of the view ``view``.

    Streamlit runs callbacks before the script, outside any page code, so an error there
    would replace the page with its own traceback. Instead the error is logged and its
    :func:`fault_message` kept in the session for the view, which shows it where it is
    drawn (:func:`show_callback_fault`): on that page only, once, and the session goes on
    (the view's controls are drawn as usual below the message)."""

    def wrap(func: Callable[P, object]) -> Callable[P, None]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                func(*args, **kwargs)
            except Exception as err:
                LOG.error("fault in %s", where, exc_info=err)
                st.session_state[_callback_fault_key(view)] = fault_message(err)

        return run

    return wrap


def show_callback_fault(view: str) -> None:
    """Show the message of a callback of ``view`` that failed in this run, if one did."""
    message = st.session_state.pop(_callback_fault_key(view), None)
    if message is not None:
        st.error(message, icon="🛑")
