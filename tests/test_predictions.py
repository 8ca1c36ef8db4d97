"""Predict, then see: each demo's answer is checked against the run's own numbers, and the
prompt hides the result until an answer is locked in, then says right or not."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from actlib import gradients
from actlib import predictions as p
from actlib.nets import ModelSpec
from tests.apptest_charts import assert_no_exception, open_page


def test_sigmoid_at_depth_20_starves_the_first_layer() -> None:
    exp = gradients.Experiment(activations=("sigmoid", "relu"), depth=20)
    frame = gradients.init_flow(exp).frame()
    evidence = p.gradient_evidence(frame, "sigmoid")
    rms = frame[frame["key"] == "sigmoid"]["weight_grad_rms"].to_numpy()
    assert np.array_equal(evidence["rms"], rms)
    outcome = p.GRADIENT_DEPTH.judge(evidence)
    assert outcome.answer == p.FIRST and int(np.argmin(rms)) == 0
    assert f"{rms.max() / rms.min():,.0f} times more" in outcome.why


def test_equal_gradients_are_all_about_the_same() -> None:
    evidence = {"layers": np.arange(1, 6), "rms": np.array([1.0, 1.5, 2.0, 1.2, 1.1])}
    assert p.GRADIENT_DEPTH.judge(evidence).answer == p.SAME
    evidence["rms"] = np.array([5.0, 4.0, 0.1, 3.0, 6.0])
    assert p.GRADIENT_DEPTH.judge(evidence).answer == p.MIDDLE


def _snapshot(dead: list[float], step: int, diverged: int = -1) -> SimpleNamespace:
    models = (ModelSpec("leaky_relu"), ModelSpec("relu"))
    return SimpleNamespace(info=SimpleNamespace(models=models), step=step,
                           dead_share=np.array([[0.0, 0.0], dead]),
                           diverged_step=np.array([-1, diverged]))


@pytest.mark.parametrize(("end", "band"), [((0.0, 0.02), "Under 5 %"),
                                           ((0.1, 0.3), "5 to 25 %"),
                                           ((0.5, 0.5), "Over 50 %")])
def test_dead_units_fall_in_their_band(end, band) -> None:
    evidence = p.dead_evidence([_snapshot([0.0, 0.05], 0), _snapshot(list(end), 400)], "relu")
    assert evidence["end"] == pytest.approx(sum(end) / 2) and evidence["step"] == 400
    outcome = p.DYING_RELU.judge(evidence)
    assert outcome.answer == band
    assert f"{sum(end) / 2:.0%} at step 400" in outcome.why


def test_the_collapse_is_always_a_straight_line() -> None:
    last = SimpleNamespace(test_accuracy=np.array([0.86, 0.99]))
    outcome = p.LINEAR_COLLAPSE.judge(p.collapse_evidence(last, "ReLU", 8))
    assert outcome.answer == p.STRAIGHT and "86% with the line, 99% for ReLU" in outcome.why


def _top(logits: list[float], temperature: float) -> float:
    weights = [math.exp(v / temperature) for v in logits]
    return max(weights) / sum(weights)


@pytest.mark.parametrize(("logits", "answer"), [
    ([2.0, 1.0, 0.1, -1.0], p.SOFTMAX_ONE_HOT),
    ([1.0, 1.0, 1.0], p.SOFTMAX_UNIFORM),
    ([1.0, 1.0, -5.0], p.SOFTMAX_SAME),
    ([0.2, 0.0, 0.0, 0.0], p.SOFTMAX_LARGER),
])
def test_softmax_at_low_temperature(logits, answer) -> None:
    evidence = p.softmax_evidence(logits)
    assert evidence["cold"] == pytest.approx(_top(logits, 0.1))
    assert evidence["warm"] == pytest.approx(_top(logits, 1.0))
    assert p.SOFTMAX_COLD.judge(evidence).answer == answer


def test_the_bake_off_winner_is_the_best_mean_accuracy() -> None:
    summary = pd.DataFrame({"activation": ["GELU", "ReLU", "Tanh"],
                            "accuracy_mean": [0.91, 0.95, 0.90],
                            "accuracy_std": [0.01, 0.01, 0.02]})
    outcome = p.BAKEOFF.judge(p.bakeoff_evidence(summary, clear=False))
    assert outcome.answer == "ReLU" and "next GELU, 91.0%" in outcome.why
    assert "within the spread" in outcome.why
    question, options = p.BAKEOFF.ask({"names": "ReLU|GELU"})
    assert options == ("ReLU", "GELU") and "bake-off" in question


def test_every_question_fills_from_its_context() -> None:
    context = {"depth": "20", "lr": "0.1", "steps": "400", "data": "Two moons",
               "act": "ReLU", "logits": "2, 1", "names": "ReLU|Tanh"}
    for prediction in p.PREDICTIONS.values():
        question, options = prediction.ask(context)
        assert "{" not in question and len(options) >= 2
        assert all("{" not in o for o in options)


def test_the_prompt_hides_the_softmax_until_an_answer_is_locked_in() -> None:
    at = open_page("pages/nonlinearity.py", demo="Softmax", logits=["2", "1", "0.1"])
    assert_no_exception(at)
    assert any(m.label == "Entropy" for m in at.metric)
    at.toggle(key="predict:softmax_cold:on").set_value(True).run()
    assert not any(m.label == "Entropy" for m in at.metric), "the result is hidden"
    at.radio(key="predict:softmax_cold:choice").set_value(p.SOFTMAX_UNIFORM).run()
    at.button(key="predict:softmax_cold:lock").click().run()
    assert_no_exception(at)
    assert any(m.label == "Entropy" for m in at.metric)
    assert [w.value for w in at.warning if "It was: Close to 1" in w.value]
    at.run()  # the answer stays locked for these logits
    assert any("Your prediction:" in m.value for m in at.markdown)


def test_a_right_answer_on_the_gradients_page() -> None:
    at = open_page("pages/gradients.py", act=["sigmoid", "relu"], depth="20")
    at.toggle(key="predict:sigmoid_depth:on").set_value(True).run()
    at.radio(key="predict:sigmoid_depth:choice").set_value(p.FIRST).run()
    at.button(key="predict:sigmoid_depth:lock").click().run()
    assert_no_exception(at)
    assert [s.value for s in at.success if s.value.startswith(f"**Right: {p.FIRST}.**")]
