"""Predict, then see: a small prompt a demo shows before its result, and the verdict after.

Optional and per demo: a toggle turns it on. While it is on and no answer is locked in,
:func:`ask` returns True and the page stops there, so the result below stays hidden (a
lesson run does not even start). Once the student locks an answer in, the page runs on and
:func:`reveal` says whether it was right and why, from the run's own numbers
(:mod:`actlib.predictions`). Answers live in the session only, each tied to the settings it
was made under (``context``): new settings ask again.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from actlib.predictions import Evidence, Prediction


def _answer_key(prediction: Prediction) -> str:
    return f"predict:{prediction.key}:answer"


def _context_id(context: Mapping[str, str]) -> str:
    return "|".join(f"{k}={v}" for k, v in sorted(context.items()))


def _locked(prediction: Prediction, context: Mapping[str, str]) -> str | None:
    stored = st.session_state.get(_answer_key(prediction))
    if stored is None or stored[0] != _context_id(context):
        return None
    return stored[1]


def _lock(prediction: Prediction, context: Mapping[str, str], choice_key: str) -> None:
    choice = st.session_state.get(choice_key)
    if choice is not None:
        st.session_state[_answer_key(prediction)] = (_context_id(context), choice)


def ask(prediction: Prediction, context: Mapping[str, str]) -> bool:
    """The toggle and, when it is on, the question. True while the page should wait: the
    toggle is on and no answer is locked in for this context."""
    toggle_key = f"predict:{prediction.key}:on"
    st.session_state.pop(_slot_key(prediction), None)  # a slot of an earlier run is gone
    if not st.toggle("Predict first", key=toggle_key, help="Commit to a guess before the "
                     "result shows; the page then says whether it was right, and why."):
        return False
    locked = _locked(prediction, context)
    question, options = prediction.ask(context)
    with st.container(border=True):
        if locked is not None:
            st.markdown(f"**Your prediction:** {locked}")
            st.session_state[_slot_key(prediction)] = st.empty()
            return False
        choice_key = f"predict:{prediction.key}:choice"
        st.radio(f"🤔 {question}", options, index=None, key=choice_key)
        st.button("Lock in my answer", key=f"predict:{prediction.key}:lock", icon="🔒",
                  on_click=_lock, args=(prediction, context, choice_key),
                  disabled=st.session_state.get(choice_key) not in options)
        st.caption("The result appears once you have locked in an answer.")
    return True


def _slot_key(prediction: Prediction) -> str:
    return f"predict:{prediction.key}:slot"


def reveal(prediction: Prediction, context: Mapping[str, str], evidence: Evidence) -> None:
    """Right or not, and why, in the prompt's box under the locked answer (where the
    student looks), if :func:`ask` showed one in this run."""
    slot = st.session_state.pop(_slot_key(prediction), None)
    locked = _locked(prediction, context)
    if slot is None or locked is None:
        return
    outcome = prediction.judge(evidence)
    if locked == outcome.answer:
        slot.success(f"**Right: {outcome.answer}.** {outcome.why}", icon="🎯")
    else:
        slot.warning(f"**You predicted: {locked}. It was: {outcome.answer}.** {outcome.why}",
                     icon="🔍")
