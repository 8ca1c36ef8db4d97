"""How much an activation costs: a small benchmark run on demand, reported against ReLU.

Each elementwise catalogue activation (its own forward implementation, so what is timed is
what the app trains with) runs on one large float32 tensor, forward alone and forward plus
backward. Timings on a shared machine are noisy, so the benchmark

* warms every function up once before timing (first calls allocate and dispatch slowly),
* keeps, in each sample, the fastest of several back-to-back calls: one call on a million
  elements takes 0.3-6 ms, about one time slice of the OS scheduler, and on this shared
  2-core host a preempted call was measured at 2-16 ms instead of 0.3 ms. Preemption only
  adds time, so the fastest call is the best estimate of the call's own cost. (A reported
  Tanh at 10.8x ReLU did not reproduce: on this build torch.tanh and torch.sigmoid both
  run vectorised at ~0.4 ns per element forward on one thread, 0.9-1.6x ReLU under load.)
* repeats the whole set several times, in a freshly shuffled order each repetition, so a
  burst of load elsewhere does not always hit the same activation,
* reports medians, and ratios to ReLU paired within each repetition.

The structure of the result is fixed; the numbers are measurements and will vary.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import torch
from torch import Tensor

from actlib.activations import ELEMENTWISE_KEYS, get

BASELINE = "relu"
DIRECTIONS = ("forward", "forward+backward")
DEFAULT_ELEMENTS = 1_000_000
"""Big enough that per-call overhead (a few µs) is small next to the arithmetic."""
DEFAULT_REPETITIONS = 7
CALLS_PER_SAMPLE = 4
"""Calls timed one by one in a sample, of which the fastest counts (see the module notes)."""
MIN_ELEMENTS, MAX_ELEMENTS = 1_000, 4_000_000
MAX_REPETITIONS = 25
COLUMNS = ("key", "name", "direction", "ns_per_element", "ratio_to_relu", "repetitions",
           "n_elements", "threads")


def _forward_fn(key: str) -> Callable[[Tensor], Tensor]:
    """The catalogue's forward with default parameters bound, resolved once (not timed)."""
    spec = get(key)
    params = spec.resolve()
    return lambda x: spec.forward(x, **params)


def _time_forward(fn: Callable[[Tensor], Tensor], x: Tensor, calls: int) -> int:
    """Nanoseconds of the fastest of ``calls`` forward calls."""
    best = None
    with torch.no_grad():
        for _ in range(calls):
            start = time.perf_counter_ns()
            fn(x)
            elapsed = time.perf_counter_ns() - start
            best = elapsed if best is None else min(best, elapsed)
    return best


def _time_forward_backward(
    fn: Callable[[Tensor], Tensor], x: Tensor, grad_out: Tensor, calls: int
) -> int:
    """Nanoseconds of the fastest of ``calls`` forward-plus-backward calls."""
    best = None
    for _ in range(calls):
        x.grad = None
        start = time.perf_counter_ns()
        fn(x).backward(grad_out)
        elapsed = time.perf_counter_ns() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def _check_keys(keys: Sequence[str] | None) -> list[str]:
    chosen = list(ELEMENTWISE_KEYS if keys is None else dict.fromkeys(keys))
    for key in chosen:
        if get(key).kind != "elementwise":
            raise ValueError(f"{get(key).name} is not elementwise; the benchmark times those")
    if BASELINE not in chosen:
        chosen.insert(0, BASELINE)
    return chosen


def measure_samples(
    keys: Sequence[str] | None = None,
    n_elements: int = DEFAULT_ELEMENTS,
    repetitions: int = DEFAULT_REPETITIONS,
    seed: int = 0,
    calls: int = CALLS_PER_SAMPLE,
) -> pd.DataFrame:
    """Raw timings: one row per (repetition, key, direction), in nanoseconds per element
    of the fastest of ``calls`` calls.

    ReLU is always measured, since every ratio is taken against it. ``seed`` fixes the
    input values and the shuffled orders, not the timings.
    """
    chosen = _check_keys(keys)
    if not MIN_ELEMENTS <= n_elements <= MAX_ELEMENTS:
        raise ValueError(f"n_elements must lie between {MIN_ELEMENTS} and {MAX_ELEMENTS}")
    if not 1 <= repetitions <= MAX_REPETITIONS:
        raise ValueError(f"repetitions must lie between 1 and {MAX_REPETITIONS}")
    if calls < 1:
        raise ValueError("calls must be at least 1")

    generator = torch.Generator().manual_seed(seed)
    # Spread over [-6, 6]-ish so every branch (negative side, saturation) is exercised.
    x = (torch.randn(n_elements, generator=generator) * 3).requires_grad_(True)
    grad_out = torch.ones(n_elements)
    functions = {key: _forward_fn(key) for key in chosen}
    jobs = [(key, direction) for key in chosen for direction in DIRECTIONS]

    def run(key: str, direction: str) -> int:
        fn = functions[key]
        if direction == "forward":
            return _time_forward(fn, x, calls)
        return _time_forward_backward(fn, x, grad_out, calls)

    for key, direction in jobs:  # warm-up, not recorded
        run(key, direction)

    order_rng = random.Random(seed)
    rows = []
    for repetition in range(repetitions):
        order = jobs[:]
        order_rng.shuffle(order)
        for key, direction in order:
            elapsed = run(key, direction)
            rows.append({
                "repetition": repetition,
                "key": key,
                "direction": direction,
                "ns_per_element": elapsed / n_elements,
            })
    frame = pd.DataFrame(rows)
    frame.attrs.update(n_elements=n_elements, threads=torch.get_num_threads())
    return frame


def summarise(samples: pd.DataFrame) -> pd.DataFrame:
    """Median time per (key, direction), and the median of its ratio to ReLU.

    Each ratio pairs a sample with ReLU's sample from the same repetition, so a burst of
    load that slows one whole repetition cancels out; ReLU's own ratio is exactly 1. Rows
    follow the catalogue's order, forward before forward+backward.
    """
    if BASELINE not in set(samples["key"]):
        raise ValueError("the samples hold no ReLU timings to compare against")
    baseline = samples[samples["key"] == BASELINE].set_index(["repetition", "direction"])
    relu_ns = baseline["ns_per_element"]
    present = set(samples["key"])
    rows = []
    for key in (k for k in ELEMENTWISE_KEYS if k in present):
        for direction in DIRECTIONS:
            group = samples[(samples["key"] == key) & (samples["direction"] == direction)]
            if group.empty:
                continue
            ratios = [
                ns / relu_ns[(rep, direction)]
                for rep, ns in zip(group["repetition"], group["ns_per_element"], strict=True)
            ]
            rows.append({
                "key": key,
                "name": get(key).name,
                "direction": direction,
                "ns_per_element": statistics.median(group["ns_per_element"]),
                "ratio_to_relu": statistics.median(ratios),
                "repetitions": len(group),
                "n_elements": samples.attrs.get("n_elements"),
                "threads": samples.attrs.get("threads"),
            })
    return pd.DataFrame(rows, columns=list(COLUMNS))


def measure_cost(
    keys: Sequence[str] | None = None,
    n_elements: int = DEFAULT_ELEMENTS,
    repetitions: int = DEFAULT_REPETITIONS,
    seed: int = 0,
) -> pd.DataFrame:
    """Run the benchmark and return the tidy summary (see :func:`summarise`).

    Runs on torch's current thread count (set once per process by ``actlib.runtime``); the
    ``threads`` column records it. The defaults took about 2 s on one thread of this (busy) machine.
    """
    return summarise(measure_samples(keys, n_elements, repetitions, seed))


@dataclass(frozen=True)
class CostMeasurement:
    """One run of the benchmark and the circumstances it ran in: a page shows when it was
    taken and on how many threads, since the numbers depend on both."""

    summary: pd.DataFrame
    taken_at: datetime
    seconds: float
    threads: int
    n_elements: int
    repetitions: int


def timed_measurement(
    n_elements: int = DEFAULT_ELEMENTS, repetitions: int = DEFAULT_REPETITIONS
) -> CostMeasurement:
    """Run :func:`measure_cost` now and record when, how long it took and on how many
    threads."""
    started = time.perf_counter()
    summary = measure_cost(n_elements=n_elements, repetitions=repetitions)
    return CostMeasurement(summary, datetime.now(), time.perf_counter() - started,
                           int(summary["threads"].iloc[0]), n_elements, repetitions)


def per_element_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Nanoseconds per element, one row per activation (in the summary's order) and one
    column per direction (forward, forward+backward)."""
    table = summary.pivot(index="name", columns="direction", values="ns_per_element")
    return table.reindex(list(dict.fromkeys(summary["name"])))
