"""The cost benchmark: its structure and sanity, never timing thresholds (the host is noisy)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import torch

from actlib.activations import ELEMENTWISE_KEYS
from actlib.compute_cost import (
    COLUMNS,
    DIRECTIONS,
    measure_cost,
    measure_samples,
    summarise,
)

SMALL = {"n_elements": 100_000, "repetitions": 3}


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One torch thread, as the app runs (actlib.runtime): on a busy 2-core host two threads
    wait on each other and turn single samples into outliers. Restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def full_run() -> pd.DataFrame:
    """Every elementwise activation, both directions, on a smaller tensor than the default."""
    return measure_cost(n_elements=200_000, repetitions=5)


def test_every_elementwise_activation_is_timed_both_ways(full_run):
    assert list(full_run.columns) == list(COLUMNS)
    assert list(full_run["key"].drop_duplicates()) == list(ELEMENTWISE_KEYS)
    assert len(full_run) == 2 * len(ELEMENTWISE_KEYS)
    for _, rows in full_run.groupby("key"):
        assert list(rows["direction"]) == list(DIRECTIONS)
    assert (full_run["repetitions"] == 5).all()
    assert (full_run["n_elements"] == 200_000).all() and (full_run["threads"] >= 1).all()


def test_times_are_positive_and_relu_is_the_unit(full_run):
    assert (full_run["ns_per_element"] > 0).all()
    assert full_run["ratio_to_relu"].map(math.isfinite).all()
    relu = full_run[full_run["key"] == "relu"]
    assert (relu["ratio_to_relu"] == 1.0).all()


def test_identity_is_not_much_slower_than_relu(full_run):
    identity = full_run[full_run["key"] == "identity"]
    # identity does no arithmetic at all; 10x slower than ReLU would mean a broken harness
    assert (identity["ratio_to_relu"] < 10).all()


def test_relu_is_always_measured_as_the_baseline():
    frame = measure_cost(["tanh"], **SMALL)
    assert list(frame["key"].drop_duplicates()) == ["tanh", "relu"]  # catalogue order


def test_order_is_shuffled_per_repetition_but_fixed_by_the_seed():
    samples = measure_samples(["relu", "tanh", "sigmoid", "identity"], **SMALL, seed=3)
    orders = [list(zip(g["key"], g["direction"], strict=True))
              for _, g in samples.groupby("repetition", sort=True)]
    assert len(orders) == 3 and len({tuple(o) for o in orders}) > 1
    again = measure_samples(["relu", "tanh", "sigmoid", "identity"], **SMALL, seed=3)
    assert list(again["key"]) == list(samples["key"])
    assert list(again["direction"]) == list(samples["direction"])


def test_summary_takes_medians_and_pairs_ratios_within_a_repetition():
    rows = []
    for repetition, relu_ns in enumerate([1.0, 2.0, 10.0]):  # repetition 2 ran under load
        for direction in DIRECTIONS:
            rows.append({"repetition": repetition, "key": "relu", "direction": direction,
                         "ns_per_element": relu_ns})
            rows.append({"repetition": repetition, "key": "tanh", "direction": direction,
                         "ns_per_element": 3 * relu_ns})
    summary = summarise(pd.DataFrame(rows))
    tanh = summary[summary["key"] == "tanh"]
    assert list(tanh["ns_per_element"]) == [6.0, 6.0]
    assert list(tanh["ratio_to_relu"]) == [3.0, 3.0]  # exact despite the slow repetition
    assert list(summary["key"]) == ["tanh", "tanh", "relu", "relu"]  # catalogue order


def test_summary_without_relu_is_refused():
    frame = pd.DataFrame([{"repetition": 0, "key": "tanh", "direction": "forward",
                           "ns_per_element": 1.0}])
    with pytest.raises(ValueError, match="ReLU"):
        summarise(frame)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"keys": ["softmax"]}, "not elementwise"),
    ({"keys": ["swiglu"]}, "not elementwise"),
    ({"n_elements": 10}, "n_elements"),
    ({"n_elements": 10**9}, "n_elements"),
    ({"repetitions": 0}, "repetitions"),
])
def test_bad_requests_are_refused_before_any_timing(kwargs, message):
    with pytest.raises(ValueError, match=message):
        measure_samples(**kwargs)


def test_per_element_table_keeps_the_summarys_order() -> None:
    import pandas as pd

    from actlib.compute_cost import per_element_table

    summary = pd.DataFrame({"name": ["Tanh", "Tanh", "ReLU", "ReLU"],
                            "direction": ["forward", "forward+backward"] * 2,
                            "ns_per_element": [2.0, 5.0, 1.0, 3.0]})
    table = per_element_table(summary)
    assert list(table.index) == ["Tanh", "ReLU"]
    assert table.loc["ReLU", "forward+backward"] == 3.0
