"""Predict, then see: the questions five key demos ask before they reveal a result, and how
each answer is checked against the run's own numbers.

A student who commits to a guess first remembers the surprise. Each :class:`Prediction`
holds a question, its options and a ``judge``: from a few numbers of the run (the
``evidence``, a plain mapping made by the ``*_evidence`` functions below from what the page
already computed) it returns the right option and a sentence of why, with those numbers.
No Streamlit here (:mod:`actlib.ui.predict` draws the prompt).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from actlib.softmax import probabilities

Evidence = Mapping[str, object]


@dataclass(frozen=True)
class Outcome:
    """The right option and why, from the run's numbers."""

    answer: str
    why: str


@dataclass(frozen=True)
class Prediction:
    """A question asked before a demo shows its result. ``question`` and ``options`` may
    hold ``{name}`` fields filled from the page's context; ``options_from`` (if given)
    builds the options from the context instead (the bake-off's activations)."""

    key: str
    question: str
    options: tuple[str, ...]
    judge: Callable[[Evidence], Outcome]
    options_from: Callable[[Mapping[str, str]], tuple[str, ...]] | None = None

    def ask(self, context: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
        """The question and its options for this context."""
        if self.options_from is not None:
            options = self.options_from(context)
        else:
            options = tuple(o.format(**context) for o in self.options)
        return self.question.format(**context), options


# --- 1. sigmoid at depth: which layer's gradient is smallest --------------------------------

FIRST, MIDDLE, LAST, SAME = ("Layer 1, next to the input", "A layer in the middle",
                             "The last hidden layer, next to the output", "All about the same")
SAME_FACTOR = 3.0
"""Largest over smallest gradient below this counts as "all about the same"."""


def gradient_evidence(flow_frame: pd.DataFrame, key: str) -> dict[str, object]:
    """The weight-gradient RMS of each layer of ``key``'s first model
    (:meth:`actlib.gradients.GradientFlow.frame`)."""
    rows = flow_frame[flow_frame["key"] == key]
    first_model = rows[rows["model"] == rows["model"].iloc[0]] if "model" in rows else rows
    return {"layers": first_model["layer"].to_numpy(),
            "rms": first_model["weight_grad_rms"].to_numpy(dtype=float), "key": key}


def _judge_gradients(evidence: Evidence) -> Outcome:
    layers = np.asarray(evidence["layers"])
    rms = np.asarray(evidence["rms"], dtype=float)
    low, high = int(np.nanargmin(rms)), int(np.nanargmax(rms))
    ratio = rms[high] / rms[low] if rms[low] > 0 else math.inf
    if ratio < SAME_FACTOR:
        answer = SAME
    else:
        answer = FIRST if low == 0 else LAST if low == len(rms) - 1 else MIDDLE
    why = (f"Measured at initialisation: layer {layers[low]} gets {rms[low]:.2g}, layer "
           f"{layers[high]} {rms[high]:.2g}, {ratio:,.0f} times more. The gradient reaches a "
           "layer through every layer above it, and each sigmoid multiplies it by a slope of "
           "at most 0.25: the layers furthest from the output get the least.")
    return Outcome(answer, why)


GRADIENT_DEPTH = Prediction(
    "sigmoid_depth",
    "Sigmoid, {depth} hidden layers, at initialisation: which layer's weights get the "
    "smallest gradient?",
    (FIRST, MIDDLE, LAST, SAME), _judge_gradients)


# --- 2. the dying-ReLU run: how many units die ------------------------------------------------

DEAD_BANDS = ((0.05, "Under 5 %"), (0.25, "5 to 25 %"), (0.5, "25 to 50 %"),
              (math.inf, "Over 50 %"))


def dead_evidence(snapshots: Sequence, key: str) -> dict[str, object]:
    """``key``'s first model: its share of dead hidden units (all layers) at step 0 and at
    the last snapshot, and the steps."""
    keys = [m.key for m in snapshots[0].info.models]
    index = keys.index(key)
    first, last = snapshots[0], snapshots[-1]
    return {"start": float(np.nanmean(first.dead_share[index])),
            "end": float(np.nanmean(last.dead_share[index])), "step": int(last.step),
            "diverged": bool(last.diverged_step[index] >= 0)}


def _judge_dead(evidence: Evidence) -> Outcome:
    end = float(evidence["end"])  # type: ignore[arg-type]
    answer = next(label for limit, label in DEAD_BANDS if end < limit)
    if evidence["diverged"]:
        return Outcome(answer, "The ReLU network diverged: its units cannot be counted.")
    why = (f"{float(evidence['start']):.0%} of the ReLU units were dead at step 0 and "  # type: ignore[arg-type]
           f"{end:.0%} at step {evidence['step']:,}. A large update can push a unit's bias so "
           "far down that no input makes it positive: its gradient is then 0 and nothing "
           "brings it back.")
    return Outcome(answer, why)


DYING_RELU = Prediction(
    "dying_relu",
    "ReLU at learning rate {lr}: after {steps} steps, what share of its hidden units will "
    "be dead (silent for every input)?",
    tuple(label for _, label in DEAD_BANDS), _judge_dead)


# --- 3. the linear collapse: what boundary the identity network draws ----------------------

STRAIGHT, GENTLE, CURVED = ("A straight line", "A gently curved line",
                            "As curved as the {act} network's")


def collapse_evidence(snapshot, act_name: str, depth: int) -> dict[str, object]:
    """Test accuracies of the identity (model 0) and the bent twin (model 1)."""
    return {"identity": float(snapshot.test_accuracy[0]), "bent": float(snapshot.test_accuracy[1]),
            "act": act_name, "depth": depth}


def _judge_collapse(evidence: Evidence) -> Outcome:
    why = (f"Whatever the depth, {evidence['depth']} identity layers multiply out to one "
           f"matrix W′ and bias b′: one linear map, one straight boundary. Test accuracy: "
           f"{float(evidence['identity']):.0%} with the line, "  # type: ignore[arg-type]
           f"{float(evidence['bent']):.0%} for {evidence['act']}.")  # type: ignore[arg-type]
    return Outcome(STRAIGHT, why)


LINEAR_COLLAPSE = Prediction(
    "linear_collapse",
    "A network of {depth} hidden layers with no activation trains on {data}: what boundary "
    "will it draw?",
    (STRAIGHT, GENTLE, CURVED), _judge_collapse)


# --- 4. softmax at low temperature -------------------------------------------------------------

COLD = 0.1
"""The low temperature the question asks about."""
SOFTMAX_SAME, SOFTMAX_LARGER, SOFTMAX_ONE_HOT, SOFTMAX_UNIFORM = (
    "About the same as at T = 1", "Larger than at T = 1, but well short of 1",
    "Close to 1: nearly all on the largest logit", "Close to uniform (1/n each)")
CLOSE = 0.05


def softmax_evidence(logits: Sequence[float]) -> dict[str, object]:
    """The top probability at T = 1 and at T = 0.1, and the number of classes."""
    return {"warm": float(probabilities(logits, 1.0).max()),
            "cold": float(probabilities(logits, COLD).max()), "n": len(logits),
            "gap": float(np.sort(logits)[-1] - np.sort(logits)[-2])}


def _judge_softmax(evidence: Evidence) -> Outcome:
    warm, cold = float(evidence["warm"]), float(evidence["cold"])  # type: ignore[arg-type]
    n, gap = int(evidence["n"]), float(evidence["gap"])  # type: ignore[arg-type]
    if cold >= 1 - CLOSE:
        answer = SOFTMAX_ONE_HOT
    elif abs(cold - 1 / n) <= CLOSE:
        answer = SOFTMAX_UNIFORM
    elif abs(cold - warm) <= CLOSE:
        answer = SOFTMAX_SAME
    else:
        answer = SOFTMAX_LARGER
    why = (f"The top probability goes from {warm:.3f} at T = 1 to {cold:.3f} at T = {COLD:g}. "
           f"Dividing the logits by T = {COLD:g} multiplies every gap tenfold: the top two, "
           f"{gap:.2g} apart, become {gap / COLD:.2g} apart, and softmax turns a gap d into a "
           f"ratio e^d.")
    return Outcome(answer, why)


SOFTMAX_COLD = Prediction(
    "softmax_cold",
    "Logits {logits}: at temperature T = 0.1, how large will the top probability be?",
    (SOFTMAX_SAME, SOFTMAX_LARGER, SOFTMAX_ONE_HOT, SOFTMAX_UNIFORM), _judge_softmax)


# --- 5. the bake-off: which activation wins ----------------------------------------------------


def bakeoff_evidence(summary: pd.DataFrame, clear: bool) -> dict[str, object]:
    """The bake-off's table (:func:`actlib.bakeoff.summary_table`, best accuracy first) and
    whether its verdict found a difference beyond the noise."""
    return {"names": summary["activation"].tolist(),
            "accuracy": summary["accuracy_mean"].to_numpy(dtype=float),
            "spread": summary["accuracy_std"].to_numpy(dtype=float), "clear": clear}


def _judge_bakeoff(evidence: Evidence) -> Outcome:
    names = list(evidence["names"])  # type: ignore[call-overload]
    accuracy = np.asarray(evidence["accuracy"], dtype=float)
    order = np.argsort(-np.nan_to_num(accuracy, nan=-1.0))
    best = int(order[0])
    why = f"{names[best]} reached the best mean test accuracy, {accuracy[best]:.1%}"
    if len(names) > 1:
        why += f"; next {names[int(order[1])]}, {accuracy[int(order[1])]:.1%}"
    why += (". The verdict finds the lead larger than the spread over seeds."
            if evidence["clear"] else
            ". But the lead is within the spread over seeds: other seeds could change the "
            "order, so a close runner-up was as good a guess.")
    return Outcome(names[best], why)


def _bakeoff_options(context: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(context["names"].split("|"))


BAKEOFF = Prediction(
    "bakeoff",
    "Which activation will reach the best mean test accuracy in this bake-off?",
    (), _judge_bakeoff, options_from=_bakeoff_options)


PREDICTIONS: dict[str, Prediction] = {p.key: p for p in (
    GRADIENT_DEPTH, DYING_RELU, LINEAR_COLLAPSE, SOFTMAX_COLD, BAKEOFF)}
