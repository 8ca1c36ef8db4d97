"""The five "predict, then see" demos wired to their pages: each page calls a ``*_prompt``
before its result (True: stop there, the student has not answered yet) and a ``*_reveal``
after it, one line each. Here each demo names its question, the settings an answer is tied
to, and the numbers its answer is checked against (:mod:`actlib.predictions`)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from actlib import predictions as p
from actlib.activations import get
from actlib.datasets import info
from actlib.ui import predict


def _gradient_context(exp) -> dict[str, str]:
    return {"depth": str(exp.depth), "run": repr(exp)}


def gradients_prompt(exp) -> bool:
    """Sigmoid at depth, on the gradients page's At-initialisation tab."""
    return "sigmoid" in exp.activations and predict.ask(p.GRADIENT_DEPTH, _gradient_context(exp))


def gradients_reveal(exp, flow_frame: pd.DataFrame) -> None:
    if "sigmoid" in exp.activations:
        predict.reveal(p.GRADIENT_DEPTH, _gradient_context(exp),
                       p.gradient_evidence(flow_frame, "sigmoid"))


def _dead_context(config) -> dict[str, str]:
    return {"lr": f"{config.lr:g}", "steps": f"{config.steps:,}", "run": repr(config)}


def _has_relu(config) -> bool:
    return any(m.key == "relu" for m in config.models)


def dead_prompt(config) -> bool:
    """The dying-ReLU run, on the Dead ReLU monitor's Training-run tab."""
    return _has_relu(config) and predict.ask(p.DYING_RELU, _dead_context(config))


def dead_reveal(config, snapshots: Sequence) -> None:
    if _has_relu(config) and snapshots and snapshots[-1].step >= config.steps:
        predict.reveal(p.DYING_RELU, _dead_context(config), p.dead_evidence(snapshots, "relu"))


def _collapse_context(config) -> dict[str, str]:
    return {"depth": str(config.depth), "data": info(config.dataset).label,
            "act": get(config.models[1].key).name, "run": repr(config)}


def collapse_prompt(config) -> bool:
    """The linear collapse, on the Collapse tab of Why non-linearity."""
    return predict.ask(p.LINEAR_COLLAPSE, _collapse_context(config))


def collapse_reveal(config, last, finished: bool) -> None:
    if finished:
        context = _collapse_context(config)
        predict.reveal(p.LINEAR_COLLAPSE, context,
                       p.collapse_evidence(last, context["act"], config.depth))


def _softmax_context(logits: Sequence[float]) -> dict[str, str]:
    return {"logits": ", ".join(f"{v:g}" for v in logits)}


def softmax_prompt(logits: Sequence[float]) -> bool:
    """Softmax at a low temperature, on the Softmax tab of Why non-linearity."""
    return predict.ask(p.SOFTMAX_COLD, _softmax_context(logits))


def softmax_reveal(logits: Sequence[float]) -> None:
    predict.reveal(p.SOFTMAX_COLD, _softmax_context(logits), p.softmax_evidence(logits))


def _bakeoff_context(config) -> dict[str, str]:
    names = dict.fromkeys(m.activation_label for m in config.models)
    return {"names": "|".join(names), "run": repr(config)}


def bakeoff_prompt(config) -> bool:
    """Which activation wins, on the Choosing page's bake-off (two or more activations)."""
    return (len({m.key for m in config.models}) > 1
            and predict.ask(p.BAKEOFF, _bakeoff_context(config)))


def bakeoff_reveal(config, summary: pd.DataFrame, clear: bool, finished: bool) -> None:
    if finished and len({m.key for m in config.models}) > 1:
        predict.reveal(p.BAKEOFF, _bakeoff_context(config), p.bakeoff_evidence(summary, clear))
