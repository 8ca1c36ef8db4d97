"""The page messages every training view needs, phrased once: why a config cannot run, and
which models diverged.

Each page used to write its own ``try/except`` around building a config and its own
sentence for a divergence; one called every ValueError "too big". Here a cap is explained
in the page's own controls (:meth:`CapExceededError.in_words`), any other bad combination
is quoted as the engine states it, and a divergence is one sentence per model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import streamlit as st

from actlib.training import CapExceededError, Divergence, Snapshot

T = TypeVar("T")


def config_problem(err: ValueError, controls: Mapping[str, str]) -> str:
    """The sentence for a config that cannot run. ``controls`` maps a cap's levers to the
    page's own controls (see :meth:`CapExceededError.in_words`)."""
    if isinstance(err, CapExceededError):
        return err.in_words(controls)
    return f"These settings cannot be trained: {err}."


def checked(build: Callable[[], T], controls: Mapping[str, str], target: Any = None
            ) -> T | None:
    """``build()``, or None after showing why it cannot run (in ``target``, default the
    main area): a cap with a stopwatch, any other problem as an error."""
    try:
        return build()
    except ValueError as err:
        icon = "⏱️" if isinstance(err, CapExceededError) else "⚠️"
        (target if target is not None else st).error(config_problem(err, controls), icon=icon)
        return None


def divergence_sentence(d: Divergence) -> str:
    """One model's divergence: who, when, why, and what the charts do about it."""
    return f"{d.label} diverged at step {d.step:,}: {d.reason}. Its curves stop there."


def divergence_sentences(snapshot: Snapshot) -> list[str]:
    """A sentence for every model of the run that diverged by this snapshot."""
    return [divergence_sentence(d) for d in snapshot.divergences()]


def show_divergences(lines: Sequence[str], remedy: str = "", target: Any = None) -> None:
    """One warning holding every divergence sentence and, if given, what to try."""
    slot = target if target is not None else st
    if not lines:
        return
    slot.warning("\n\n".join([*lines, remedy] if remedy else lines), icon="💥")
