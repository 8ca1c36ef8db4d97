"""Training: equivalence with plain one-at-a-time loops, independence, caps, snapshots."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from actlib.activations import BAKE_OFF_KEYS, ELEMENTWISE_KEYS
from actlib.nets import ModelSpec, ensemble, reference_loss, reference_model
from actlib.runtime import configure_torch
from actlib.training import (
    MAX_MODELS,
    MAX_RUN_SECONDS,
    BatchSchedule,
    CapExceededError,
    RunState,
    Snapshot,
    TrainConfig,
    cap_usage,
    clip_grad_norm_per_model_,
    estimate_cost,
    history_frame,
    layer_history_frame,
    make_optimizer,
    prepare,
    run_to,
    run_to_end,
    train,
)

configure_torch()  # one thread, as the app runs (actlib.runtime); idempotent

SMALL = {"dataset": "moons", "n_samples": 120, "noise": 0.1, "depth": 2, "width": 8,
         "steps": 6, "snapshot_every": 1, "batch_size": 16, "dtype": "float64"}


def _reference_losses(config: TrainConfig, index: int) -> list[float]:
    """Model ``index`` trained alone the plain way; its full training loss after each step.

    nn.Sequential, torch.optim (not fused), torch.nn.utils.clip_grad_norm_, the same batches.
    """
    data, _ = prepare(config)
    model = reference_model(config.net_config(), index)
    optimizer = make_optimizer(model.parameters(), config, fused=False)
    full = config.batch_size is None or config.batch_size >= data.n_train
    schedule = None if full else BatchSchedule(data.n_train, config.batch_size,
                                               config.models[index].seed)

    def evaluation_loss() -> float:
        model.eval()
        with torch.no_grad():
            loss = reference_loss(model(data.x_train), data.y_train, config.task)
        model.train()
        return float(loss)

    losses = [evaluation_loss()]
    for _ in range(config.steps):
        rows = torch.arange(data.n_train) if schedule is None else schedule.next()
        loss = reference_loss(model(data.x_train[rows]), data.y_train[rows], config.task)
        optimizer.zero_grad()
        loss.backward()
        if config.clip_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), config.clip_norm)
        optimizer.step()
        losses.append(evaluation_loss())
    return losses


TRAINING_CASES = [
    pytest.param("none", False, {"optimizer": "adam", "clip_norm": 0.5}, id="plain-adam-clip"),
    pytest.param("none", True, {"optimizer": "momentum", "lr": 0.05}, id="residual-momentum"),
    pytest.param("batch", False, {"optimizer": "sgd", "lr": 0.1, "weight_decay": 0.01},
                 id="batchnorm-sgd-decay"),
    pytest.param("batch", True, {"optimizer": "adam", "batch_size": None}, id="bn-residual-full"),
    pytest.param("layer", False, {"optimizer": "adam", "weight_decay": 0.001, "clip_norm": 0.2},
                 id="layernorm-adam-decay-clip"),
    pytest.param("layer", True, {"optimizer": "momentum", "lr": 0.05}, id="ln-residual-momentum"),
]


@pytest.mark.parametrize(("norm", "residual", "settings"), TRAINING_CASES)
def test_every_model_trains_like_the_same_network_built_alone(norm, residual, settings) -> None:
    config = TrainConfig(**{**SMALL, "models": ensemble((*ELEMENTWISE_KEYS, "softmax"), (0, 1)),
                            "norm": norm, "residual": residual, "init": "he", **settings})
    snapshots = run_to_end(config)
    batched = np.stack([s.train_loss for s in snapshots])  # [steps + 1, M]
    assert batched.shape == (config.steps + 1, config.n_models)
    for i, member in enumerate(config.models):
        expected = np.array(_reference_losses(config, i))
        np.testing.assert_allclose(batched[:, i], expected, rtol=1e-9, atol=1e-12,
                                   err_msg=member.label)
    assert np.isfinite(batched).all()
    moved = batched[-1] != batched[0]
    assert moved.sum() >= config.n_models - 2  # all but the step function's models learn


def test_snapshot_gradient_norms_and_prelu_slopes_match_the_reference() -> None:
    config = TrainConfig(**{**SMALL, "models": ensemble(["prelu", "tanh"], (3,)),
                            "steps": 4, "snapshot_every": 4, "probe_size": 32, "norm": "batch"})
    last = run_to_end(config)[-1]
    data, _ = prepare(config)
    for i in range(config.n_models):
        model = reference_model(config.net_config(), i)
        optimizer = make_optimizer(model.parameters(), config, fused=False)
        schedule = BatchSchedule(data.n_train, config.batch_size, config.models[i].seed)
        for _ in range(config.steps):
            rows = schedule.next()
            optimizer.zero_grad()
            reference_loss(model(data.x_train[rows]), data.y_train[rows], config.task).backward()
            optimizer.step()
        model.eval()
        optimizer.zero_grad()
        reference_loss(model(data.x_train[:32]), data.y_train[:32], config.task).backward()
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        norms = [float(linear.weight.grad.norm()) for linear in linears]
        np.testing.assert_allclose(last.weight_grad_norm[i], norms, rtol=1e-9)
        prelus = [float(m.weight.detach()) for m in model.modules() if isinstance(m, nn.PReLU)]
        if prelus:
            np.testing.assert_allclose(last.prelu_slope[i], prelus, rtol=1e-9)
            assert not np.allclose(prelus, 0.25)  # the slopes were learned
        else:
            assert np.isnan(last.prelu_slope[i]).all()


SNAPSHOT_VALUES = ("train_loss", "test_loss", "train_accuracy", "test_accuracy",
                   "weight_grad_norm", "dead_share", "activation_mean", "activation_std",
                   "saturation_share", "prelu_slope", "surface")


def _same_snapshot(a: Snapshot, b: Snapshot, rows: list[int] | None = None) -> bool:
    for name in SNAPSHOT_VALUES:
        left, right = getattr(a, name), getattr(b, name)
        if rows is not None:
            right = right[rows]
        if not np.array_equal(left, right, equal_nan=True):
            return False
    return a.step == b.step


def test_a_run_is_a_pure_function_of_its_config() -> None:
    config = TrainConfig(**{**SMALL, "dtype": "float32", "steps": 20, "snapshot_every": 5,
                            "models": ensemble(["relu", "prelu"], (0, 1))})
    first, second = run_to_end(config), run_to_end(config)
    assert len(first) == len(second) == 5
    assert all(_same_snapshot(a, b) for a, b in zip(first, second, strict=True))


def _weights(run: RunState) -> list[np.ndarray]:
    return [p.detach().numpy().copy() for p in run.model.parameters()]


def _close_snapshots(a: Snapshot, b: Snapshot) -> None:
    assert a.step == b.step
    for name in SNAPSHOT_VALUES:
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=1e-5, atol=1e-6,
                                   err_msg=name)


PIECES = {**SMALL, "dtype": "float32", "steps": 200, "snapshot_every": 50, "norm": "batch",
          "models": ensemble(["relu", "prelu", "tanh"], (0, 1))}


def test_a_run_advanced_in_pieces_is_the_run_trained_straight_through() -> None:
    """What a live session that continues a run relies on: pieces of any size, with
    snapshots taken between them, reach the weights and snapshots of one straight run."""
    config = TrainConfig(**PIECES)
    straight = run_to_end(config)
    run = RunState(config)
    seen = [run.snapshot()]
    for piece in (37, 1, 162):
        assert run.advance(piece) == piece
        seen.append(run.snapshot())  # measuring between pieces changes nothing
    assert [s.step for s in seen] == [0, 37, 38, 200] and run.steps_done == 200
    _close_snapshots(seen[0], straight[0])
    _close_snapshots(seen[-1], straight[-1])
    whole = run_to(config, config.steps)
    for a, b in zip(_weights(run), _weights(whole), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="past"):
        run.advance_to(100)


def test_run_to_gives_the_network_behind_each_snapshot_of_train() -> None:
    config = TrainConfig(**PIECES)
    for snap in run_to_end(config):
        run = run_to(config, snap.step)
        assert run.steps_done == snap.step
        _close_snapshots(run.snapshot(), snap)
    with pytest.raises(ValueError, match="between 0 and 200"):
        run_to(config, 201)


def test_run_to_stops_where_every_model_diverged_as_train_does() -> None:
    config = TrainConfig(**{**DIVERGING, "optimizer": "sgd", "steps": 200, "snapshot_every": 50,
                            "models": (ModelSpec("identity", seed=3),)})
    last = run_to_end(config)[-1]
    run = run_to(config, 200)
    assert run.all_diverged and run.steps_done == last.step
    assert run.advance(5) == 0


DIVERGING = {"dataset": "sine", "n_samples": 200, "noise": 0.05, "depth": 4, "width": 16,
             "init": "naive", "init_sigma": 0.6, "lr": 0.02, "batch_size": 32, "steps": 40,
             "snapshot_every": 5, "dtype": "float32"}


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_a_diverging_model_leaves_its_neighbours_untouched(optimizer: str) -> None:
    settings = {**DIVERGING, "optimizer": optimizer}
    healthy = (ModelSpec("tanh", seed=0), ModelSpec("relu", seed=1))
    together = run_to_end(TrainConfig(**settings, models=(healthy[0], ModelSpec("identity", seed=3),
                                                           healthy[1])))
    alone = run_to_end(TrainConfig(**settings, models=healthy))
    assert len(together) == len(alone)
    for a, b in zip(alone, together, strict=True):
        assert _same_snapshot(a, b, rows=[0, 2])  # bit for bit
    (divergence,) = together[-1].divergences()
    assert divergence.model == 1 and divergence.label == "Identity (linear) · seed 3"
    assert 1 <= divergence.step <= 10
    assert divergence.reason in ("training loss became NaN", "training loss became +Inf")
    after = [s for s in together if s.step >= divergence.step]
    assert all(np.isnan(s.train_loss[1]) and np.isnan(s.surface[1]).all() for s in after)
    assert together[-1].train_loss[0] < 0.5 * together[0].train_loss[0]  # the others learn


def test_a_run_whose_models_all_diverge_ends_with_a_last_snapshot() -> None:
    config = TrainConfig(**{**DIVERGING, "optimizer": "sgd", "steps": 200, "snapshot_every": 50,
                            "models": (ModelSpec("identity", seed=3),)})
    snapshots = run_to_end(config)
    last = snapshots[-1]
    assert last.step == last.diverged_step[0] < 50
    assert [s.step for s in snapshots] == [0, last.step]
    frame = last.models_frame()
    assert bool(frame["diverged"].iloc[0]) and frame["diverged_reason"].iloc[0]


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "momentum"])
def test_the_fused_optimizer_updates_exactly_as_torch_optim(optimizer: str) -> None:
    from actlib.training.engine import FusedOptimizer

    config = TrainConfig(**{**SMALL, "optimizer": optimizer, "weight_decay": 0.01,
                            "lr": 0.05, "models": ensemble(["tanh", "prelu"], (0, 1))})
    ours, theirs = RunState(config), RunState(config)
    assert isinstance(ours.optimizer, FusedOptimizer)
    theirs.optimizer = make_optimizer(theirs.params, config, fused=True)
    for step in range(6):
        if step == 3:  # a rate changed mid-run, as the live Playground does
            for run in (ours, theirs):
                run.optimizer.param_groups[0]["lr"] = 0.2
        ours.advance(1)
        theirs.advance(1)
        for a, b in zip(ours.params, theirs.params, strict=True):
            assert torch.equal(a, b)
    moved = next(iter(RunState(config).params))
    assert not torch.equal(moved, ours.params[0])


def test_gradient_clipping_uses_each_models_own_norm() -> None:
    generator = torch.Generator().manual_seed(0)
    scales = torch.tensor([1e-3, 1.0, 1e3])
    shapes = [(3, 4, 5), (3, 1, 5), (3, 2)]
    params = []
    for shape in shapes:
        p = torch.zeros(shape, requires_grad=True)
        p.grad = torch.randn(shape, generator=generator) * scales.view(-1, *[1] * (len(shape) - 1))
        params.append(p)
    expected = []
    for i in range(3):
        copies = [torch.zeros_like(p[i], requires_grad=True) for p in params]
        for copy, p in zip(copies, params, strict=True):
            copy.grad = p.grad[i].clone()
        torch.nn.utils.clip_grad_norm_(copies, 1.0)
        expected.append([c.grad for c in copies])
    norms = clip_grad_norm_per_model_(params, 1.0)
    assert norms[0] < 0.1 and norms[2] > 100
    for i in range(3):
        for p, grad in zip(params, expected[i], strict=True):
            torch.testing.assert_close(p.grad[i], grad)
    assert torch.equal(params[0].grad[0], params[0].grad[0])  # the tiny model was not scaled
    first_norm = torch.sqrt(sum(p.grad[0].pow(2).sum() for p in params))
    assert abs(first_norm - norms[0]) < 1e-9


@settings(max_examples=30, deadline=None)
@given(log_scales=st.lists(st.floats(-4, 4), min_size=1, max_size=5),
       max_norm=st.floats(0.01, 10), seed=st.integers(0, 1000))
def test_per_model_clipping_is_torch_clipping_of_each_model_alone(log_scales, max_norm, seed):
    generator = torch.Generator().manual_seed(seed)
    m = len(log_scales)
    scales = torch.tensor([10.0**s for s in log_scales], dtype=torch.float64)
    params = []
    for shape in [(m, 3, 4), (m, 1, 4), (m, 2)]:
        p = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
        p.grad = torch.randn(shape, generator=generator, dtype=torch.float64) * scales.view(
            -1, *[1] * (len(shape) - 1))
        params.append(p)
    alone = []
    for i in range(m):
        copies = [torch.zeros_like(p[i], requires_grad=True) for p in params]
        for copy, p in zip(copies, params, strict=True):
            copy.grad = p.grad[i].clone()
        torch.nn.utils.clip_grad_norm_(copies, max_norm)
        alone.append(copies)
    clip_grad_norm_per_model_(params, max_norm)
    for i in range(m):
        for p, copy in zip(params, alone[i], strict=True):
            torch.testing.assert_close(p.grad[i], copy.grad, rtol=1e-12, atol=0)


def test_batch_schedule_is_seeded_and_covers_each_epoch_once() -> None:
    first = BatchSchedule(50, 16, seed=4).next()
    schedule, again = BatchSchedule(50, 16, seed=4), BatchSchedule(50, 16, seed=4)
    batches = [schedule.next() for _ in range(6)]
    assert all(torch.equal(b, again.next()) for b in batches)
    assert torch.equal(first, batches[0])
    epoch = torch.cat(batches[:3])  # 50 // 16 = 3 full batches; the last 2 rows are dropped
    assert len(torch.unique(epoch)) == 48
    assert not torch.equal(batches[0], batches[3])
    assert not torch.equal(batches[0], BatchSchedule(50, 16, seed=5).next())


@pytest.mark.parametrize("gather_bytes", [1 << 20, 2500, 1])
def test_a_run_draws_each_models_batches_from_its_seeds_schedule(gather_bytes, monkeypatch):
    """Whether an epoch is gathered at once, in chunks or batch by batch, model i's batch
    at every step is the next batch of its own seed's schedule, across epochs."""
    from actlib.training import engine

    monkeypatch.setattr(engine, "EPOCH_GATHER_BYTES", gather_bytes)
    config = TrainConfig(**{**SMALL, "models": ensemble(["relu", "tanh"], (3, 1))})
    run = RunState(config)
    x, y = run.data.x_train, run.data.y_train.double()
    schedules = {s: BatchSchedule(run.data.n_train, 16, s) for s in (1, 3)}
    for _ in range(2 * schedules[1].n_batches + 1):  # into a third epoch
        rows = {s: schedule.next() for s, schedule in schedules.items()}
        xb, yb = run._batch()
        for i, member in enumerate(config.models):
            assert torch.equal(xb[i], x[rows[member.seed]])
            assert torch.equal(yb[i], y[rows[member.seed]])


# --- configs and caps -------------------------------------------------------------------


def test_config_is_frozen_hashable_and_equal_when_it_means_the_same_run() -> None:
    a = TrainConfig(models=(ModelSpec("leaky_relu", {"slope": 0.01}),))
    b = TrainConfig(models=[ModelSpec("leaky_relu")])
    assert a == b and hash(a) == hash(b)
    assert {a: 1}[b] == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.lr = 0.1  # type: ignore[misc]
    assert a.snapshot_steps()[:3] == (0, 25, 50) and a.snapshot_steps()[-1] == 500
    assert TrainConfig(steps=10, snapshot_every=4).snapshot_steps() == (0, 4, 8, 10)


@pytest.mark.parametrize(
    ("settings", "cap"),
    [
        ({"models": ensemble(["relu"], range(MAX_MODELS + 1))}, "models is 37,"),
        ({"steps": 6000}, "steps is 6,000,"),
        ({"steps": 1000, "snapshot_every": 2}, "snapshots is 501,"),
        ({"depth": 50, "width": 256, "steps": 2000}, "lower the width"),
        ({"depth": 50, "width": 8, "steps": 2000, "models": ensemble(BAKE_OFF_KEYS, (0,))},
         "lower the steps or depth"),
        ({"dataset": "digits", "n_samples": 1797, "width": 256, "depth": 4, "steps": 1000,
          "snapshot_every": 5, "models": ensemble(["relu"], range(4))}, "snapshots less often"),
    ],
)

def test_caps_are_enforced_with_a_message_naming_the_cap_and_the_excess(settings, cap) -> None:
    with pytest.raises(CapExceededError, match=r"over its cap of .* by a factor of") as caught:
        TrainConfig(**settings)
    assert cap in str(caught.value)
    assert caught.value.value > caught.value.limit
    assert isinstance(caught.value, ValueError)
    if caught.value.cap == "estimated run time":
        assert "training arithmetic" in str(caught.value) and " s," in str(caught.value)


def test_the_cost_estimate_grows_with_every_dimension_of_the_work() -> None:
    base = TrainConfig(models=ensemble(["relu", "tanh"], (0, 1)))
    total = estimate_cost(base).total
    for change in ({"depth": 6}, {"width": 64}, {"steps": 1000}, {"batch_size": 256},
                   {"n_samples": 1200}, {"snapshot_every": 5},
                   {"models": ensemble(["relu", "tanh"], (0, 1, 2))}):
        assert estimate_cost(dataclasses.replace(base, **change)).total > total, change


def test_the_cost_model_is_linear_in_these_counts_of_work() -> None:
    """Pins the model's form (what each fitted coefficient multiplies), counted by hand for
    a 2-8-8-1 ensemble of ReLU and tanh on 200 moons (150 training rows), batch 16."""
    from actlib.activations import get
    from actlib.training.costs import SNAPSHOT_FEATURES, STEP_FEATURES, CostModel

    config = TrainConfig(depth=2, width=8, models=ensemble(["relu", "tanh"], (0,)),
                         batch_size=16, n_samples=200, steps=10, snapshot_every=5)
    weights, units, act = 2 * 8 + 8 * 8 + 8 * 1, 16, (get("relu").cost_ns
                                                      + get("tanh").cost_ns) * 1e-9
    rows = 200 + 3 * 150 + 40 * 40  # data, the probe thrice, the grid
    step = {"per_multiply_add": 16 * 2 * 3 * weights, "per_unit": 16 * 2 * units,
            "per_norm_unit": 0, "activation_scale": 16 * units * act, "per_step": 1,
            "per_layer_group": 3 * 3, "per_parameter": 2 * weights}
    snapshot = {"per_eval_multiply_add": rows * 2 * weights, "per_eval_unit": rows * 2 * units,
                "per_eval_norm_unit": 0, "eval_activation_scale": rows * units * act,
                "per_snapshot": 1, "per_eval_layer_group": 3 * 3 * (1 + rows // 1024)}
    assert set(step) == set(STEP_FEATURES) and set(snapshot) == set(SNAPSHOT_FEATURES)
    # distinct powers of two, so a term counted twice or dropped would show
    model = CostModel(**{name: 2.0**-i for i, name in enumerate((*step, *snapshot))})
    cost = estimate_cost(config, model)
    expected_step = sum(count * getattr(model, name) for name, count in step.items())
    expected_snapshot = sum(count * getattr(model, name) for name, count in snapshot.items())
    assert cost.training_arithmetic + cost.training_overhead == pytest.approx(
        10 * expected_step, rel=1e-12)
    assert cost.snapshots == pytest.approx(3 * expected_snapshot, rel=1e-12)  # steps 0, 5, 10
    assert cost.training_overhead == pytest.approx(
        10 * (model.per_step + 9 * model.per_layer_group), rel=1e-12)


def test_the_bake_offs_of_the_benchmark_are_allowed() -> None:
    bake_off = ensemble(BAKE_OFF_KEYS, (0, 1, 2))
    TrainConfig(models=bake_off, n_samples=1000, steps=500)
    TrainConfig(models=bake_off, dataset="digits", n_samples=1797, depth=2, width=64,
                steps=500, snapshot_every=100)
    assert cap_usage(TrainConfig())["estimated run time"][0] < MAX_RUN_SECONDS / 10


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="optimizer"):
        TrainConfig(optimizer="rmsprop")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="batch norm needs"):
        TrainConfig(norm="batch", batch_size=1)
    with pytest.raises(ValueError, match="halves the width"):
        TrainConfig(models=ensemble(["glu"]))
    with pytest.raises(ValueError, match="depth"):
        dataclasses.replace(TrainConfig(), depth=0)


# --- snapshots ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moons_run() -> tuple[Snapshot, ...]:
    config = TrainConfig(dataset="moons", n_samples=200, depth=2, width=16, steps=40,
                         snapshot_every=20, models=ensemble(["relu", "prelu", "tanh"], (0, 1)))
    return run_to_end(config)


def test_snapshots_hold_read_only_arrays_of_the_promised_shapes(moons_run) -> None:
    last = moons_run[-1]
    m, depth = 6, 2
    assert [s.step for s in moons_run] == [0, 20, 40]
    assert last.train_loss.shape == (m,) and last.weight_grad_norm.shape == (m, depth + 1)
    for name in ("dead_share", "activation_mean", "activation_std", "saturation_share",
                 "prelu_slope"):
        assert getattr(last, name).shape == (m, depth)
    assert last.surface.shape == (m, 40, 40)
    assert ((last.surface >= 0) & (last.surface <= 1)).all()
    with pytest.raises(ValueError):
        last.train_loss[0] = 1.0
    assert last.train_loss.mean() < moons_run[0].train_loss.mean()


def test_frames_are_tidy(moons_run) -> None:
    last = moons_run[-1]
    models = last.models_frame()
    assert len(models) == 6
    assert {"step", "model", "activation", "seed", "train_loss", "test_accuracy",
            "diverged"} <= set(models.columns)
    layers = last.layers_frame()
    assert len(layers) == 6 * 3 and layers["is_head"].sum() == 6
    assert layers.loc[layers["is_head"], "dead_share"].isna().all()
    slopes = last.slopes_frame()
    assert len(slopes) == 2 * 2 and set(slopes["key"]) == {"prelu"}
    surface = last.surface_frame([0, 3])
    assert len(surface) == 2 * 1600 and {"x1", "x2", "value"} <= set(surface.columns)
    first_row = surface.iloc[:2]
    assert first_row["x2"].iloc[0] == first_row["x2"].iloc[1]  # x1 runs fastest
    assert len(history_frame(moons_run)) == 3 * 6
    assert len(layer_history_frame(moons_run)) == 3 * 18


def test_regression_snapshots_draw_the_fitted_curve() -> None:
    config = TrainConfig(dataset="sine", n_samples=200, noise=0.0, depth=2, width=32, lr=0.01,
                         steps=300, snapshot_every=150, models=ensemble(["tanh"], (0,)))
    snapshots = run_to_end(config)
    last = snapshots[-1]
    assert last.surface.shape == (1, 200)
    assert np.isnan(last.train_accuracy).all()
    assert last.train_loss[0] < 0.1 * snapshots[0].train_loss[0]
    curve = last.surface_frame()
    assert {"x", "value"} <= set(curve.columns) and len(curve) == 200


def test_digits_are_learned_far_above_chance() -> None:
    config = TrainConfig(dataset="digits", n_samples=1797, noise=0.0, depth=1, width=32,
                         steps=150, snapshot_every=150, models=ensemble(["relu"], (0,)))
    last = run_to_end(config)[-1]
    assert last.surface is None
    assert last.test_accuracy[0] > 0.85


def test_on_step_is_called_after_every_update() -> None:
    seen: list[int] = []
    config = TrainConfig(**{**SMALL, "steps": 7, "snapshot_every": 3})
    steps = [s.step for s in train(config, on_step=seen.append)]
    assert seen == list(range(1, 8))
    assert steps == [0, 3, 6, 7]


# --- qualitative facts (medians over seeds) ------------------------------------------------


def _mean_dead_share(lr: float) -> tuple[float, float]:
    config = TrainConfig(dataset="moons", n_samples=400, depth=3, width=16, optimizer="adam",
                         lr=lr, batch_size=64, steps=100, snapshot_every=100,
                         models=ensemble(["relu", "leaky_relu"], (0, 1, 2)))
    dead = run_to_end(config)[-1].dead_share.mean(axis=1)
    return float(np.median(dead[:3])), float(np.max(dead[3:]))


def test_a_high_learning_rate_kills_relus_but_never_leaky_relus() -> None:
    relu_high, leaky_high = _mean_dead_share(0.1)
    relu_low, leaky_low = _mean_dead_share(0.003)
    assert relu_high > 0.25
    assert relu_high > 2 * relu_low
    assert leaky_high == 0.0 and leaky_low == 0.0


