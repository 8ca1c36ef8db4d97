"""The shared page messages: a config that cannot run, and divergences."""

from __future__ import annotations

from actlib.training import CapExceededError, Divergence
from actlib.ui.notices import config_problem, divergence_sentence


def test_a_cap_is_explained_in_the_pages_own_controls() -> None:
    err = CapExceededError("steps", 6000, 5000, "train for fewer steps")
    text = config_problem(err, {"steps": "fewer **Training steps**"})
    assert "fewer **Training steps**" in text and "6,000" in text
    assert "batch size" not in text


def test_any_other_bad_config_is_quoted_not_called_too_big() -> None:
    text = config_problem(ValueError("batch norm needs at least 2 rows per batch"), {})
    assert text == "These settings cannot be trained: batch norm needs at least 2 rows per batch."


def test_a_divergence_names_model_step_and_reason() -> None:
    text = divergence_sentence(Divergence(0, "ReLU (seed 0)", 1234, "training loss became NaN"))
    assert text == "ReLU (seed 0) diverged at step 1,234: training loss became NaN. " \
        "Its curves stop there."
