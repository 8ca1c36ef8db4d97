"""The pages' words composed from results, and the logic moved out of the pages: tested
without running a page."""

from __future__ import annotations

import numpy as np
import pandas as pd

from actlib import gradients as grad
from actlib.cards import MetricCard
from actlib.page_settings.gradients import VIEWS, scenario_values
from actlib.page_text import dead_relu as dead_text
from actlib.page_text import gradients as grad_text
from actlib.properties import saturation_by_activation, saturation_frame, saturation_summary


def _summary(**changes) -> pd.DataFrame:
    row = {"key": "relu", "activation": "ReLU", "dead_at_init": 2.0, "dead_now": 5.0,
           "diverged_step": -1, "exploded_step": -1, "peak_loss": 0.7}
    return pd.DataFrame([{**row, **changes}])


def test_unit_cards_count_the_dead_or_say_the_run_failed() -> None:
    totals = pd.DataFrame({"key": ["relu", "relu"], "dead_units": [2.0, 5.0]})
    (alive,) = dead_text.unit_cards(_summary(), totals)
    assert alive == MetricCard("ReLU", "5", 3, delta_color="inverse",
                               delta_description="since init", chart=[2.0, 5.0])
    (gone,) = dead_text.unit_cards(_summary(diverged_step=40), totals)
    assert (gone.value, gone.delta, gone.plain) == ("diverged", "at step 40", True)
    (blown,) = dead_text.unit_cards(_summary(exploded_step=12, peak_loss=3e4), totals)
    assert blown.value == "exploded" and blown.delta == "loss 3e+04 at step 12"
    assert "5 dead, but the run diverged" in blown.help


def test_run_notes_name_other_activations_that_lost_units() -> None:
    final = pd.DataFrame({"key": ["relu", "gelu", "elu"], "activation": ["ReLU", "GELU", "ELU"],
                          "dead_now": [4.0, 1.0, 0.0]})
    notes = dead_text.run_notes(final)
    assert "GELU lost units too" in notes and "ELU" not in notes.split("GELU lost")[0][-5:]
    assert "lost units too" not in dead_text.run_notes(final.iloc[[0, 2]])


def test_look_inside_falls_back_and_says_so() -> None:
    assert dead_text.look_inside(["relu", "elu"], "elu", 2, 3) == ("elu", 2, [])
    key, layer, notes = dead_text.look_inside(["elu"], "relu", 5, 3)
    assert (key, layer) == ("elu", 3) and len(notes) == 2 and "ReLU is not training" in notes[0]


def test_census_lines_read_the_first_and_last_layer() -> None:
    frame = pd.DataFrame({"key": ["relu"] * 3, "dead_share": [0.0, 0.1, 0.25],
                          "nearly_dead_share": [0.05, 0.2, 0.1]})
    assert dead_text.census_lines(frame, ["relu"], 3) == (
        "- ReLU: 0% dead in layer 1, 25% in layer 3; nearly dead at most 20% in any layer")


def test_final_slopes_are_the_last_steps() -> None:
    slopes = pd.DataFrame({"step": [0, 0, 10, 10], "layer": [1, 2, 1, 2],
                           "prelu_slope": [0.25, 0.25, 0.1, 0.3]})
    assert dead_text.final_slopes(slopes) == (
        "Learned slope a at the last step: layer 1: **0.100**, layer 2: **0.300**")


def test_clipped_note_compares_each_healthy_loss_with_chance() -> None:
    class Model:
        def __init__(self, name: str) -> None:
            self.activation_label = name

    class Info:
        models = (Model("Tanh"), Model("ReLU"), Model("GELU"))

    class Last:
        info, step = Info(), 50
        train_loss = np.array([0.3, 0.9, np.nan])
        diverged_step = np.array([-1, -1, 7])

    note = grad_text.clipped_note(Last(), 0.693)
    assert "Tanh 0.3, ReLU 0.9 after 50 steps" in note and "GELU" not in note
    assert "ReLU still does worse than guessing" in note


def test_flow_caption_names_the_theory_only_when_shown() -> None:
    assert grad_text.flow_caption("none") == grad_text.CHAIN_RULE
    assert grad.THEORY_TERMS["rms"] in grad_text.flow_caption("rms")


def test_every_scenario_is_matched_by_its_own_settings_and_opens_its_tab() -> None:
    for item in grad.SCENARIOS:
        values = scenario_values(item.key)
        assert grad.matching_scenario(values) == item.key
        assert values["view"] == (VIEWS[1] if item.shows_on == "training" else VIEWS[0])
    moved = {**scenario_values("vanishing"), "width": 31}
    assert grad.matching_scenario(moved) is None
    assert grad.matching_scenario({**moved, "act": ()}) is None
    assert grad.scenario_label("batch_norm") == "Vanishing · Remedy: batch norm"


def test_ratio_table_shows_the_chosen_theory_only() -> None:
    flow = grad.init_flow(grad.Experiment(activations=("relu",), depth=4, width=8))
    with_theory = grad.ratios_table(flow, "rms")
    assert list(with_theory.columns) == ["activation", *grad.RATIO_COLUMNS.values()]
    assert "theory (first/last)" not in grad.ratios_table(flow, "none").columns
    ratios = flow.ratios_frame()
    assert with_theory["theory (first/last)"][0] == grad.format_ratio(ratios["rms_ratio"][0])


def test_saturation_is_computed_once_for_chart_and_text() -> None:
    flat = saturation_by_activation(["sigmoid", "relu", "identity"], 0.05, -6, 6)
    frame = saturation_frame(flat)
    assert list(frame["key"]) == ["sigmoid", "sigmoid", "relu"]  # identity never saturates
    assert saturation_summary(flat, -6, 6) == [
        "Sigmoid (logistic): x < -2.887 and x > 2.887", "ReLU: x < 0",
        "Identity (linear): nowhere in this window"]
    assert saturation_frame({}).empty
