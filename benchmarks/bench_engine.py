"""Speed and memory of the training engine, against the naive one-model-at-a-time way.

Run by hand: ``python benchmarks/bench_engine.py [--reps N] [--quick]``. Every ratio is
measured in this process run, the batched and naive versions alternating, and medians are
reported: the host is shared and single timings are noisy.

1. The bake-off: 9 activations (BAKE_OFF_KEYS) x 3 seeds = 27 MLPs 2-32-32-32-1 on two
   moons, Adam, minibatch 128, 500 steps; then the same on digits (64-64-64-10). Batched:
   ``actlib.training.run_to_end`` (snapshots at the first and last step only, so both sides
   do the same training work). Naive: one ``nn.Sequential`` per model from
   ``actlib.nets.reference_model``, plain ``torch.optim.Adam``, trained one after another on
   the same batches. Targets: 5x on moons, 3x on digits, on 2 threads.
2. Gradient flow at initialisation, 20 layers of width 64, 9 activations, batch 256:
   ``actlib.probes.gradient_flow`` against one network at a time with hooks that retain the
   gradients of each layer's pre-activations; with and without building the networks.
   Nine models of batch 256 are compute-bound (matrix products and the activation
   functions themselves), so batching saves less here than in training.
3. Peak memory (ru_maxrss) of a fresh process that imports the app's modules (actlib,
   streamlit, altair, pandas) and runs the bake-off with snapshots every 25 steps.
4. The caps: configs at the edge of what :class:`actlib.training.TrainConfig` allows, timed
   in a fresh one-thread process (the app's setting) next to their cost estimate.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import math
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from actlib.activations import BAKE_OFF_KEYS  # noqa: E402
from actlib.nets import BatchedMLP, ensemble, reference_loss, reference_model  # noqa: E402
from actlib.probes import gradient_flow  # noqa: E402
from actlib.runtime import configure_torch  # noqa: E402
from actlib.training import (  # noqa: E402
    MAX_RUN_SECONDS,
    BatchSchedule,
    RunState,
    TrainConfig,
    estimate_cost,
    prepare,
    run_to_end,
)

THREADS = 2
MOONS_TARGET, DIGITS_TARGET, FLOOR_TARGET, FLOW_TARGET = 8.0, 5.0, 3.0, 2.0
GROWTH_MODELS = (1, 2, 4, 9, 18, 27, 36)
BAKE_OFF = ensemble(BAKE_OFF_KEYS, (0, 1, 2))
MOONS = TrainConfig(dataset="moons", n_samples=1000, noise=0.2, models=BAKE_OFF, depth=3,
                    width=32, optimizer="adam", lr=0.01, batch_size=128, steps=500,
                    snapshot_every=500)
DIGITS = dataclasses.replace(MOONS, dataset="digits", n_samples=1797, noise=0.0, depth=2,
                             width=64)


def naive_bake_off(config: TrainConfig) -> list[float]:
    """Each model as its own nn.Sequential, trained in turn; final full training losses."""
    data, _ = prepare(config)
    net = config.net_config()
    finals = []
    for index, member in enumerate(config.models):
        model = reference_model(net, index)
        optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
        schedule = BatchSchedule(data.n_train, config.batch_size, member.seed)
        for _ in range(config.steps):
            rows = schedule.next()
            loss = reference_loss(model(data.x_train[rows]), data.y_train[rows], config.task)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            finals.append(float(reference_loss(model(data.x_train), data.y_train, config.task)))
    return finals


def batched_bake_off(config: TrainConfig) -> list[float]:
    return run_to_end(config)[-1].train_loss.tolist()


CLOCK = time.perf_counter
"""Wall time by default; ``--cpu`` switches to this process's CPU time, which the shared
host's load inflates far less (with one thread, CPU time is what the run itself costs)."""


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = CLOCK()
    result = fn()
    return CLOCK() - start, result


def alternate(batched: Callable[[], object], naive: Callable[[], object], reps: int):
    """Median seconds of each, alternating which goes first, and the last results."""
    times: dict[str, list[float]] = {"batched": [], "naive": []}
    results: dict[str, object] = {}
    for rep in range(reps):
        order = [("batched", batched), ("naive", naive)]
        for name, fn in order if rep % 2 == 0 else order[::-1]:
            seconds, results[name] = timed(fn)
            times[name].append(seconds)
    return ({k: statistics.median(v) for k, v in times.items()}, times, results)


def matmul_rate(size: int = 1024, reps: int = 10) -> float:
    """FLOP/s of a large float32 matrix product on this process's threads (best of reps)."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    best = float("inf")
    for _ in range(reps):
        start = CLOCK()
        a @ b
        best = min(best, CLOCK() - start)
    return 2 * size**3 / best


def training_flops(config: TrainConfig) -> float:
    """Floating-point operations of a run's matrix products: forward and the two of
    backward, for every model, row and step."""
    net = config.net_config()
    return 2 * 3 * config.steps * config.n_models * config.batch_rows * net.weights_per_model


def kernel_floor(config: TrainConfig, steps: int = 50, reps: int = 5) -> float:
    """Seconds the run's own kernels take for ``config.steps`` steps with no engine around
    them: each step's matrix products at their real shapes (forward, and backward's weight
    and input gradients), every group's activation applied to its slice, one elementwise
    product per group for its backward (the cheapest a derivative can be: torch's own
    backward kernels read the gradient and the input too) and one fused Adam update; no
    autograd, no loss, no split or cat (best of ``reps``).

    A lower bound for any eager PyTorch implementation of the run: each of these kernels
    must run, and at these small shapes they run far below the large product's rate."""
    _, model = prepare(config)
    m, rows = config.n_models, config.batch_rows
    dims = config.net_config().dims
    xs = [torch.randn(m, rows, d) for d in dims]
    weights = [w.detach() for w in model.weights]
    params = [p.detach().clone() for p in model.parameters()]
    grads = [torch.randn_like(p) for p in params]
    moments = [torch.zeros_like(p) for p in params], [torch.zeros_like(p) for p in params]
    counts = [torch.zeros(()) for _ in params]
    slopes = [[torch.zeros(g.size) if g.learned_slope else None for g in layer.groups]
              for layer in model.grouped_layers]

    def step() -> None:
        for i, w in enumerate(weights):
            torch.bmm(xs[i], w)
            torch.bmm(xs[i].transpose(1, 2), xs[i + 1])
            if i:
                torch.bmm(xs[i + 1], w.transpose(1, 2))
        for layer, h, layer_slopes in zip(model.grouped_layers, xs[1:-1], slopes, strict=True):
            for group, x, slope in zip(layer.groups, layer.split(h), layer_slopes,
                                       strict=True):
                group.apply(x, slope)
                torch.mul(x, x)  # its backward: at least one elementwise product
        torch._foreach_add_(counts, 1)
        torch._fused_adam_(params, grads, *moments, [], counts, amsgrad=False, lr=1e-3,
                           beta1=0.9, beta2=0.999, weight_decay=0.0, eps=1e-8,
                           maximize=False, grad_scale=None, found_inf=None)

    with torch.no_grad():
        for _ in range(5):
            step()
        best = float("inf")
        for _ in range(reps):
            start = CLOCK()
            for _ in range(steps):
                step()
            best = min(best, CLOCK() - start)
    return best / steps * config.steps


def report_bake_off(name: str, config: TrainConfig, reps: int, target: float,
                    floor_target: float | None = None) -> None:
    batched_bake_off(config)  # warm-up: imports, allocator, the digits loader
    medians, times, results = alternate(lambda: batched_bake_off(config),
                                        lambda: naive_bake_off(config), reps)
    rate = matmul_rate()
    floor = training_flops(config) / rate
    ratio = medians["naive"] / medians["batched"]
    per_rep = statistics.median(n / b for n, b in zip(times["naive"], times["batched"],
                                                       strict=True))
    agreement = max(abs(a - b) for a, b in zip(results["batched"], results["naive"],
                                               strict=True))
    verdict = "met" if ratio >= target else "NOT MET"
    print(f"{name}: batched median {medians['batched']:.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in times['batched'])}), naive median "
          f"{medians['naive']:.2f} s (runs {', '.join(f'{t:.2f}' for t in times['naive'])})")
    print(f"  ratio of medians {ratio:.1f}x (median per-rep ratio {per_rep:.1f}x), "
          f"target >= {target:g}x: {verdict}; final losses agree to {agreement:.1e} (float32)")
    above = medians["batched"] / floor
    line = (f"  matmul floor: {training_flops(config) / 1e9:.1f} GFLOP at {rate / 1e9:.0f} "
            f"GFLOP/s (a 1024 x 1024 product, measured now) = {floor:.2f} s; batched is "
            f"{above:.1f}x above it")
    if floor_target is not None:
        line += f", target <= {floor_target:g}x: {'met' if above <= floor_target else 'NOT MET'}"
    print(line)
    kernels = kernel_floor(config)
    print(f"  the run's kernels alone (products at their shapes, activations and a product "
          f"per group for their backward, fused Adam; no engine): {kernels:.2f} s = "
          f"{kernels / floor:.1f}x the matmul floor; batched is "
          f"{medians['batched'] / kernels:.1f}x above them")


class PlainNetworks:
    """The ensemble as separate nn.Sequential models whose hidden nn.Linear outputs keep
    their gradients (forward hooks calling ``retain_grad``), probed one after another."""

    def __init__(self, config: TrainConfig) -> None:
        net = config.net_config()
        self.task = config.task
        self.models = [reference_model(net, i).train() for i in range(config.n_models)]
        self.linears = [[m for m in model.modules() if isinstance(m, nn.Linear)][:-1]
                        for model in self.models]
        self.outputs: list[torch.Tensor] = []
        for linears in self.linears:
            for linear in linears:
                linear.register_forward_hook(self._keep)

    def _keep(self, module, inputs, output) -> None:
        output.retain_grad()
        self.outputs.append(output)

    def gradient_flow(self, x: torch.Tensor, y: torch.Tensor) -> list:
        results = []
        for model, linears in zip(self.models, self.linears, strict=True):
            self.outputs.clear()
            model.zero_grad(set_to_none=True)
            reference_loss(model(x), y, self.task).backward()
            results.append((
                [float(z.grad.norm()) for z in self.outputs],
                [float(lin.weight.grad.norm()) / math.sqrt(lin.weight.numel())
                 for lin in linears],
            ))
        return results


def report_gradient_flow(reps: int) -> None:
    """Twice: as a page does it (build the networks, then probe) and the probe alone."""
    config = TrainConfig(dataset="moons", n_samples=400, models=ensemble(BAKE_OFF_KEYS, (0,)),
                         depth=20, width=64, init="he", steps=1)
    data, model = prepare(config)
    plain = PlainNetworks(config)
    x, y = data.x_train[:256], data.y_train[:256]
    net = config.net_config()
    cases = {
        "building the networks, then probing": (
            lambda: gradient_flow(BatchedMLP(net), x, y, config.task),
            lambda: PlainNetworks(config).gradient_flow(x, y)),
        "probing networks built beforehand": (
            lambda: gradient_flow(model, x, y, config.task),
            lambda: plain.gradient_flow(x, y)),
    }
    print("gradient flow at init (20 layers x 64, 9 activations, batch 256):")
    for name, (batched, naive) in cases.items():
        batched(), naive()
        medians, _, results = alternate(batched, naive, reps)
        flow = results["batched"]
        worst = max(abs(a / b - 1)
                    for i, (signal, _) in enumerate(results["naive"])
                    for a, b in zip(flow.signal_norm[i], signal, strict=True) if b > 0)
        ratio = medians["naive"] / medians["batched"]
        print(f"  {name}: batched median {medians['batched'] * 1e3:.1f} ms, one network at "
              f"a time {medians['naive'] * 1e3:.1f} ms; ratio {ratio:.1f}x, target >= "
              f"{FLOW_TARGET:g}x: {'met' if ratio >= FLOW_TARGET else 'NOT MET'}; largest "
              f"relative difference {worst:.1e}")


def report_growth(steps: int = 100, reps: int = 5) -> None:
    """Time per model-step of the moons bake-off's network as the ensemble grows (ReLU,
    one seed per model): per-step overhead is shared, so it falls until the arithmetic
    dominates."""
    per_model_step = []
    for m in GROWTH_MODELS:
        config = dataclasses.replace(MOONS, models=ensemble(["relu"], range(m)))
        run = RunState(config)
        run.advance(5)
        best = float("inf")
        for _ in range(reps):
            start = CLOCK()
            run.advance(steps)
            best = min(best, (CLOCK() - start) / steps)
        per_model_step.append(best / m)
    curve = ", ".join(f"{m}: {t * 1e6:.0f}" for m, t in zip(GROWTH_MODELS, per_model_step,
                                                             strict=True))
    lowest = per_model_step.index(min(per_model_step))
    falling = all(later <= 1.1 * earlier
                  for earlier, later in itertools.pairwise(per_model_step[: lowest + 1]))
    print(f"growth, us per model-step (models: us; best of {reps} x {steps} steps): {curve}")
    gain = per_model_step[0] / min(per_model_step)
    print(f"  falls until {GROWTH_MODELS[lowest]} models ({gain:.1f}x below one model), then "
          f"flat within "
          f"{max(per_model_step[lowest:]) / min(per_model_step) - 1:.0%}: "
          f"{'met' if falling and lowest > 0 else 'NOT MET'}")


def run_child(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return result.stdout.strip()


def report_memory() -> None:
    code = f"""
        import resource, sys, time
        sys.path.insert(0, {str(REPO)!r})
        import actlib.activations, actlib.datasets, actlib.nets, actlib.training, actlib.probes
        import actlib.ui.live_runner
        import streamlit, altair, pandas
        from actlib.runtime import configure_torch
        configure_torch({THREADS})
        after_imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        from actlib.nets import ensemble
        from actlib.activations import BAKE_OFF_KEYS
        from actlib.training import TrainConfig, run_to_end
        config = TrainConfig(dataset="moons", n_samples=1000, noise=0.2, depth=3, width=32,
                             models=ensemble(BAKE_OFF_KEYS, (0, 1, 2)), steps=500,
                             snapshot_every=25)
        start = time.perf_counter()
        snapshots = run_to_end(config)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with open("/proc/self/statm") as statm:
            resident = int(statm.read().split()[1]) * resource.getpagesize() / 2**20
        print(after_imports / 1024, peak / 1024, resident, seconds, len(snapshots))
    """
    after_imports, peak, resident, seconds, count = run_child(code).split()
    print(f"peak RSS: {float(peak):.0f} MB for a process that imports actlib, streamlit, "
          f"altair and pandas ({float(after_imports):.0f} MB after the imports alone) and runs "
          f"the bake-off with {count} snapshots in {float(seconds):.2f} s; resident after the "
          f"run, snapshots held: {float(resident):.0f} MB")


EDGE_CASES = {
    "depth 50 x width 256, 1 model": {"depth": 50, "width": 256},
    "depth 50 x width 8, 9 activations": {"depth": 50, "width": 8, "batch_size": 32,
                                          "models": ensemble(BAKE_OFF_KEYS, (0,))},
    "depth 3 x width 64, 36 models (Mish)": {"depth": 3, "width": 64, "batch_size": 256,
                                             "n_samples": 2000,
                                             "models": ensemble(["mish"], range(36))},
    "bake-off on moons, snapshots every 10": {"models": BAKE_OFF, "snapshot_every": 10,
                                              "n_samples": 1000},
    "digits, depth 4 x width 256, 4 models": {"dataset": "digits", "n_samples": 1797,
                                              "depth": 4, "width": 256, "snapshot_every": 5,
                                              "models": ensemble(["relu"], range(4))},
}


def largest_allowed(settings: dict) -> TrainConfig:
    """The config with the most steps the caps allow."""
    low, high = 1, 5000
    while low < high:
        middle = (low + high + 1) // 2
        candidate = {"snapshot_every": 25, **settings, "steps": middle}
        try:
            TrainConfig(**candidate)
            low = middle
        except ValueError:
            high = middle - 1
    return TrainConfig(**{"snapshot_every": 25, **settings, "steps": low})


CAP_TOLERANCE = 0.2


def report_caps() -> None:
    print(f"configs at the caps (estimated run time <= {MAX_RUN_SECONDS:g} s), timed in a "
          "fresh one-thread process after a two-step warm-up (CPU time, and wall time, which "
          "the shared host's load inflates):")
    for name, settings in EDGE_CASES.items():
        config = largest_allowed(settings)
        code = f"""
            import sys, time
            sys.path.insert(0, {str(REPO)!r})
            import dataclasses
            from actlib.runtime import configure_torch
            configure_torch(1)
            from actlib.training import run_to_end
            from actlib.nets import ModelSpec
            from actlib.training import TrainConfig
            config = {config!r}
            # a server process is warm: data loaders imported, kernels and allocator used
            run_to_end(dataclasses.replace(config, steps=2, snapshot_every=1))
            start, cpu = time.perf_counter(), time.thread_time()
            run_to_end(config)
            print(time.perf_counter() - start, time.thread_time() - cpu)
        """
        wall, cpu = (float(v) for v in run_child(code).split())
        estimate = estimate_cost(config).total
        ok = abs(cpu / estimate - 1) <= CAP_TOLERANCE
        print(f"  {name}, {config.steps} steps: CPU {cpu:.2f} s (wall {wall:.2f} s), estimated "
              f"{estimate:.2f} s, {cpu / estimate - 1:+.0%}; within +-{CAP_TOLERANCE:.0%}: "
              f"{'met' if ok else 'NOT MET'}")


FIT_SHAPES = [
    {"depth": 1, "width": 8},
    {"depth": 3, "width": 32},
    {"depth": 3, "width": 32, "models": BAKE_OFF},
    {"depth": 10, "width": 16, "models": ensemble(BAKE_OFF_KEYS, (0,)), "batch_size": 32},
    {"depth": 50, "width": 8, "models": ensemble(BAKE_OFF_KEYS, (0,)), "batch_size": 32},
    {"depth": 50, "width": 8},
    {"depth": 20, "width": 64, "norm": "batch", "models": ensemble(["relu", "tanh"], (0, 1))},
    {"depth": 6, "width": 128, "norm": "layer", "models": ensemble(["gelu"], range(4))},
    {"depth": 50, "width": 256, "batch_size": 64},
    {"depth": 4, "width": 256, "dataset": "digits", "n_samples": 1797,
     "models": ensemble(["relu"], range(4))},
    {"depth": 2, "width": 64, "dataset": "digits", "n_samples": 1797, "models": BAKE_OFF},
    {"depth": 3, "width": 64, "batch_size": 256, "n_samples": 2000,
     "models": ensemble(["mish"], range(36))},
    {"depth": 2, "width": 4, "dataset": "circles", "n_samples": 400, "batch_size": 32},
    {"depth": 3, "width": 8, "dataset": "spirals", "models": ensemble(["tanh"], range(12)),
     "grid_size": 60},
    {"depth": 8, "width": 32, "norm": "batch", "models": ensemble(BAKE_OFF_KEYS, (0, 1)),
     "batch_size": 16},
    {"depth": 1, "width": 256, "dataset": "sine", "models": ensemble(["relu"], range(8)),
     "batch_size": None},
]
"""Shapes the cost model is fitted to: every kind of cost (overhead, layers and groups,
matrix arithmetic, units, norms, activations, snapshots) dominates in at least one."""


def time_parts(config: TrainConfig, steps: int = 30, snapshots: int = 3) -> tuple[float, float]:
    """CPU seconds of one training step and of one snapshot, in a fresh one-thread process
    (the app's setting; CPU time, because the shared host's load inflates wall time)."""
    code = f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from actlib.runtime import configure_torch
        configure_torch(1)
        from actlib.nets import ModelSpec
        from actlib.training import RunState, TrainConfig
        run = RunState({config!r})
        run.advance(3)
        run.snapshot()
        best_step = best_snapshot = float("inf")
        for _ in range(3):
            start = time.thread_time()
            run.advance({steps})
            best_step = min(best_step, (time.thread_time() - start) / {steps})
            start = time.thread_time()
            for _ in range({snapshots}):
                run.snapshot()
            best_snapshot = min(best_snapshot, (time.thread_time() - start) / {snapshots})
        print(best_step, best_snapshot)
    """
    step, snapshot = run_child(code).split()
    return float(step), float(snapshot)


def fit_costs() -> None:
    """Time FIT_SHAPES (and the cap configs) and fit the cost model's coefficients by
    non-negative least squares on relative errors; print them and the fit's errors."""
    import numpy as np
    from scipy.optimize import nnls

    from actlib.training.costs import (
        SNAPSHOT_FEATURES,
        STEP_FEATURES,
        CostModel,
        cost_features,
    )

    configs = [TrainConfig(**{"steps": 10, "snapshot_every": 10, **shape})
               for shape in FIT_SHAPES]
    configs += [largest_allowed(settings) for settings in EDGE_CASES.values()]
    rows = []
    for config in configs:
        step_seconds, snapshot_seconds = time_parts(config)
        rows.append((config, step_seconds, snapshot_seconds))
        print(f"  timed {len(rows)}/{len(configs)}: step {step_seconds * 1e3:.2f} ms, "
              f"snapshot {snapshot_seconds * 1e3:.1f} ms", flush=True)
    fitted = {}
    for index, names in ((1, STEP_FEATURES), (2, SNAPSHOT_FEATURES)):
        features = np.array([cost_features(c)[index - 1] for c, *_ in rows])
        measured = np.array([row[index] for row in rows])
        coefficients, _ = nnls(features / measured[:, None], np.ones(len(rows)))
        fitted.update(zip(names, coefficients, strict=True))
        errors = features @ coefficients / measured - 1
        print(f"{'step' if index == 1 else 'snapshot'} fit: relative errors "
              f"{', '.join(f'{e:+.0%}' for e in errors)}")
    print("fitted CostModel (before any safety factor):")
    print("  " + ", ".join(f"{name}={value:.3g}" for name, value in fitted.items()))
    model = CostModel(**fitted)
    for config, step_seconds, snapshot_seconds in rows:
        estimate = estimate_cost(config, model)
        measured = (config.steps * step_seconds
                    + len(config.snapshot_steps()) * snapshot_seconds)
        print(f"  {config.depth} x {config.width}, {config.n_models} models, "
              f"{config.steps} steps, {len(config.snapshot_steps())} snapshots: measured "
              f"{measured:.3f} s, fit {estimate.total:.3f} s")


def time_tree(tree: Path, dataset: str, threads: int) -> float:
    """Seconds of the bake-off on ``dataset`` with the engine of the checkout ``tree``, in a
    fresh process (after a warm-up run)."""
    code = f"""
        import sys, time, dataclasses
        sys.path.insert(0, {str(tree)!r})
        from actlib.runtime import configure_torch
        configure_torch({threads})
        from actlib.activations import BAKE_OFF_KEYS
        from actlib.nets import ensemble
        from actlib.training import TrainConfig, run_to_end
        config = TrainConfig(dataset="moons", n_samples=1000, noise=0.2, depth=3, width=32,
                             models=ensemble(BAKE_OFF_KEYS, (0, 1, 2)), batch_size=128,
                             steps=500, snapshot_every=500)
        if {dataset!r} == "digits":
            config = dataclasses.replace(config, dataset="digits", n_samples=1797, noise=0.0,
                                         depth=2, width=64)
        run_to_end(dataclasses.replace(config, steps=20, snapshot_every=20))
        start = time.{CLOCK.__name__}()
        run_to_end(config)
        print(time.{CLOCK.__name__}() - start)
    """
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=tree,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return float(result.stdout.strip())


def report_against(other: Path, reps: int, threads: int) -> None:
    """This checkout's engine against another's (e.g. main before this branch), the two
    alternating in fresh processes: the speed-up of the engine alone, in one run."""
    for dataset in ("moons", "digits"):
        ours, theirs = [], []
        for rep in range(reps):
            pair = [(ours, REPO), (theirs, other)]
            for times, tree in pair if rep % 2 == 0 else pair[::-1]:
                times.append(time_tree(tree, dataset, threads))
        print(f"bake-off on {dataset}, {threads} thread(s): this engine "
              f"{statistics.median(ours):.2f} s, {other} {statistics.median(theirs):.2f} s "
              f"(medians of {reps}): {statistics.median(theirs) / statistics.median(ours):.2f}x",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions of each bake-off")
    parser.add_argument("--quick", action="store_true", help="skip the memory and cap runs")
    parser.add_argument("--fit", action="store_true", help="only refit the cost model")
    parser.add_argument("--threads", type=int, default=THREADS, help="torch threads")
    parser.add_argument("--cpu", action="store_true", help="time by CPU time, not wall time")
    parser.add_argument("--against", type=Path, help="only time this engine against the "
                        "engine of another checkout (e.g. /work/main)")
    args = parser.parse_args()
    if args.fit:
        fit_costs()
        return
    if args.cpu:
        global CLOCK
        CLOCK = time.process_time
    if args.against:
        report_against(args.against, args.reps, args.threads)
        return
    threads = configure_torch(args.threads)
    print(f"torch {torch.__version__}, {threads} threads, {args.reps} repetitions, medians, "
          f"{'CPU' if args.cpu else 'wall'} time\n")
    report_bake_off("bake-off on two moons (27 x 2-32-32-32-1)", MOONS, args.reps,
                    MOONS_TARGET, FLOOR_TARGET)
    report_bake_off("bake-off on digits (27 x 64-64-64-10)", DIGITS, args.reps, DIGITS_TARGET)
    report_gradient_flow(max(5, 3 * args.reps))
    report_growth()
    if not args.quick:
        report_memory()
        report_caps()


if __name__ == "__main__":
    main()
