"""Offline time to target for the Playground's live run: steps to a test accuracy, steps per
second of :meth:`LiveRun.advance`, and their quotient, for variants of the run.

    python benchmarks/bench_spirals.py                       # the Playground's defaults
    python benchmarks/bench_spirals.py --vary lr=0.01,0.03   # one line per variant
    python benchmarks/bench_spirals.py --tasks spirals-tanh --vary batch_size=16,32,64
    python benchmarks/bench_spirals.py --inits 8   # 8 initial networks per data seed, batched

Why offline: the browser benchmark (bench_live.py) costs a minute per task and seed and is
noisy on a shared machine; wall time to target is steps to target divided by steps per
second, and both can be measured here, seed by seed, with the numbers the browser shows
(the live run's test accuracy, read every :data:`CHECK_EVERY` steps, about a frame's worth).
Steps per CPU second are measured on seed 0 as the browser loop takes them (a frame's
steps, then a frame), the variants alternating in the same process, with each variant's
speed as a ratio to the first one's; the browser's own rate is lower (it also draws).

``--inits N`` trains N initial networks (init seeds 0..N-1) on each data seed at once in
the batched engine: three seeds decide little on spirals, where one seed's run may take ten
times another's, and N networks in one ensemble cost little more than one. Its columns are
the median steps over all runs, the share that reached the target, and the quartiles.

Run by hand (one thread, as the app): it is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from actlib import playground
from actlib.nets import ensemble
from actlib.page_settings.playground import SETTINGS
from actlib.runtime import configure_torch
from actlib.training.live import LiveRun

TASKS = {
    # name: (data set, depth, width, activation, target test accuracy)
    "circle": ("circles", 2, 4, "tanh", 0.95),
    "xor": ("xor", 2, 4, "tanh", 0.95),
    "spirals-tanh": ("spirals", 3, 8, "tanh", 0.90),
    "spirals-relu": ("spirals", 3, 8, "relu", 0.90),
}
CHECK_EVERY = 50
"""Steps between two reads of the test accuracy (a browser frame trains 40-80)."""
SPEED_STEPS = 3000
SPEED_ROUNDS = 5
FRAME_STEPS = 60


def _convert(text: str) -> object:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"none": None, "true": True, "false": False}.get(text.lower(), text)


def base_config(task: str, seed: int):
    """The run the Playground starts for this task, at the page's default rate."""
    data, depth, width, act, _ = TASKS[task]
    defaults = SETTINGS.defaults()
    config = playground.live_config(data, defaults["p_noise"], defaults["p_test"], act, depth,
                                    width, seed)
    return replace(config, lr=defaults["p_lr"])


def steps_to_target(config, target: float, max_steps: int) -> int | None:
    run = LiveRun(config)
    while run.step < max_steps:
        run.advance(CHECK_EVERY)
        if float(run.state.scores().test_accuracy[0]) >= target:
            return run.step
    return None


def steps_to_target_batched(config, target: float, max_steps: int) -> list[float]:
    """Per model of the ensemble: the first checked step at the target (inf: not within
    ``max_steps``)."""
    run = LiveRun(config)
    reached = np.full(config.n_models, np.inf)
    while run.step < max_steps and np.isinf(reached).any():
        run.advance(CHECK_EVERY)
        hit = run.state.scores().test_accuracy >= target
        reached[hit & np.isinf(reached)] = run.step
    return list(reached)


def steps_per_second(configs: list) -> list[float]:
    """Steps per CPU second of :meth:`LiveRun.advance` for each config, taken as the
    browser loop takes them (a frame's steps, then a frame), the configs alternating round
    by round; medians over :data:`SPEED_ROUNDS`. CPU time, not wall time: on a shared
    machine the wall clock measures the neighbours (one thread, so on an idle machine the
    two agree)."""
    runs = [LiveRun(config) for config in configs]
    rates: list[list[float]] = [[] for _ in runs]
    for _ in range(SPEED_ROUNDS):
        for run, rate in zip(runs, rates, strict=True):
            start, first = time.process_time(), run.step
            for _ in range(SPEED_STEPS // SPEED_ROUNDS // FRAME_STEPS):
                run.advance(FRAME_STEPS)
                run.frame()
            rate.append((run.step - first) / (time.process_time() - start))
    return [statistics.median(rate) for rate in rates]


def variants_of(specs: list[str]) -> list[dict[str, object]]:
    variants: list[dict[str, object]] = [{}]
    for spec in specs:
        key, values = spec.split("=", 1)
        variants = [{**v, key: _convert(x)} for v in variants for x in values.split(",")]
    return variants


def _steps(value: float, most: int) -> str:
    """A quantile of steps (one of the runs' own values), "-" if that run did not reach."""
    return f"{value:,.0f}" if value <= most else "-"


def wide(args: argparse.Namespace, variants: list[dict[str, object]]) -> int:
    print(f"| task | variant | median steps | reached in {args.max_steps:,} | quartiles |")
    print("|---|---|---|---|---|")
    for task in args.tasks.split(","):
        target, act = TASKS[task][4], TASKS[task][3]
        for variant in variants:
            steps: list[float] = []
            for seed in range(args.seeds):
                config = replace(base_config(task, seed),
                                 models=ensemble([act], seeds=range(args.inits)), **variant)
                steps += steps_to_target_batched(config, target, args.max_steps)
            q1, q2, q3 = (_steps(q, args.max_steps) for q in np.percentile(
                np.minimum(steps, 2 * args.max_steps), [25, 50, 75], method="inverted_cdf"))
            share = float(np.isfinite(steps).mean())
            label = ", ".join(f"{k}={v}" for k, v in variant.items()) or "defaults"
            print(f"| {task} | {label} | {q2} | {share:.0%} | {q1} - {q3} |", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-steps", type=int, default=30_000)
    parser.add_argument("--vary", action="append", default=[],
                        help="field=v1,v2 of TrainConfig (several --vary: all combinations)")
    parser.add_argument("--inits", type=int, default=0,
                        help="N initial networks per data seed, batched (see above)")
    args = parser.parse_args()
    configure_torch(1)
    if args.inits:
        return wide(args, variants_of(args.vary))
    variants = variants_of(args.vary)
    print("| task | variant | steps to target per seed | median | steps/s | speed vs first "
          "| median s |")
    print("|---|---|---|---|---|---|---|")
    for task in args.tasks.split(","):
        target = TASKS[task][4]
        speeds = steps_per_second([replace(base_config(task, 0), **v) for v in variants])
        for variant, speed in zip(variants, speeds, strict=True):
            steps = [steps_to_target(replace(base_config(task, s), **variant), target,
                                     args.max_steps) for s in range(args.seeds)]
            done = [s for s in steps if s is not None]
            median = statistics.median(done) if len(done) == len(steps) else None
            label = ", ".join(f"{k}={v}" for k, v in variant.items()) or "defaults"
            shown = ", ".join("-" if s is None else str(s) for s in steps)
            med = "-" if median is None else f"{median:,}"
            secs = "-" if median is None else f"{median / speed:.2f}"
            print(f"| {task} | {label} | {shown} | {med} | {speed:,.0f} | "
                  f"{speed / speeds[0]:.2f} | {secs} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
