"""**Reproduce in PyTorch**: a standalone plain ``torch.nn`` script for a run of the app.

Given a run's :class:`~actlib.training.TrainConfig`, :func:`script` writes a Python file a
student can run at home with nothing but PyTorch (and scikit-learn for digits): the same
data generation, the same network built from ``nn.Linear`` and each layer's activation
module (a typed formula as its PyTorch expression), the same initialisation and seed, the
same minibatches, optimiser, clipping and number of steps. It trains each member one at a
time, the way the app's tests check the batched engine against plain ``torch.nn``, and
prints each member's final training and test loss.

The script's data, initialisation and batch code is the app's own, copied in by
:func:`inspect.getsource` rather than retyped: one definition, and a test runs the
exported file and compares its losses with the engine's.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence

from actlib import datasets
from actlib.activations import _Heaviside, _ScaledSiLU, _TemperatureSoftmax, get, is_custom
from actlib.nets import BATCH_NORM_MOMENTUM, NORM_EPS, ModelSpec, Residual, init_linear_
from actlib.training.config import TrainConfig
from actlib.training.engine import BatchSchedule

MAX_MEMBERS = 36
"""As many models as the engine allows in one run."""

_PLAIN_MODULES = {
    "identity": "nn.Identity()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()", "selu": "nn.SELU()", "mish": "nn.Mish()", "softplus": "nn.Softplus()",
}
_STEP_SOURCE = '''
class Step(nn.Module):
    """The step function: 1 for x > 0, else 0. Its derivative is 0 almost everywhere, so
    gradient descent gets no signal through it (only the output layer learns)."""

    def forward(self, x):
        return Heaviside.apply(x)
'''


_FORMULA_SOURCE = '''
class Formula(nn.Module):
    """A typed formula as a module: its PyTorch expression in x."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def PReLU(slope):
    """nn.PReLU(init=slope) keeps its init in float32: set it again in DTYPE."""
    module = nn.PReLU(init=slope).to(DTYPE)
    with torch.no_grad():
        module.weight.fill_(slope)
    return module
'''


def layer_activation_code(key: str, params: Mapping[str, float | str]) -> str:
    """A Python expression building one layer's activation module in the script."""
    if is_custom(key):  # a typed formula: its own PyTorch expression
        return f"Formula(lambda x: {get(key).functional})"
    if key in _PLAIN_MODULES:
        return _PLAIN_MODULES[key]
    if key == "step":
        return "Step()"
    if key == "leaky_relu":
        return f"nn.LeakyReLU(negative_slope={float(params['slope'])!r})"
    if key == "prelu":
        return f"PReLU({float(params['slope'])!r})"
    if key == "elu":
        return f"nn.ELU(alpha={float(params['alpha'])!r})"
    if key == "gelu":
        return f"nn.GELU(approximate={str(params['form'])!r})"
    if key == "swish":
        beta = float(params["beta"])
        return "nn.SiLU()" if beta == 1.0 else f"ScaledSiLU({beta!r})"
    if key == "softmax":
        return f"TemperatureSoftmax({float(params['temperature'])!r})"
    raise ValueError(f"no plain module for the activation {key!r}")


def activation_code(member: ModelSpec) -> str:
    """A Python expression, a function of the hidden layer's index, building the member's
    activation module for that layer: one module for every layer, or a stack's list."""
    if not member.is_stack:
        return f"lambda layer: {layer_activation_code(member.key, member.param_dict)}"
    modules = ", ".join(layer_activation_code(k, dict(p)) for k, p in member.layers)
    return f"lambda layer: [{modules}][layer]"


def _source(obj: object, name: str | None = None) -> str:
    text = inspect.getsource(obj)  # type: ignore[arg-type]
    if name is not None:
        text = text.replace(f"class {obj.__name__}", f"class {name}", 1)  # type: ignore[attr-defined]
    return text


_DIGITS_FROM_SKLEARN = '''def _digits_arrays():
    """scikit-learn's digits: the app ships the same arrays as a file (a test checks)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.data.astype(np.float64), digits.target.astype(np.int64)
'''
"""The script reads the digits from scikit-learn; the app reads the same arrays from its
own small file (``actlib/data/digits.npz``), which a standalone script does not have."""


def reproducible(config: TrainConfig) -> bool:
    """Whether a standalone script can rebuild this run's data (not a student's own data,
    which lives in the session only)."""
    name = config.dataset
    return (name == "digits" or name in datasets.CLASSIFICATION_2D
            or name in datasets.MULTICLASS_2D or name in datasets.REGRESSION_TARGETS)


def _data_code(config: TrainConfig) -> str:
    """The data set's generator, the split and (for digits) the scaling, as the app has them."""
    name = config.dataset
    parts = [_source(datasets.stream_seed), _source(datasets._generator),
             _source(datasets.split_sizes), _source(datasets._class_quotas),
             _source(datasets._stratified_split)]
    if name == "digits":
        parts += [_DIGITS_FROM_SKLEARN, _source(datasets._stratified_subset),
                  _source(datasets._digits)]
        body = (f"    x_train, y_train, x_test, y_test = _digits({config.n_total}, "
                f"{config.noise!r}, {config.data_seed}, {config.test_fraction!r})\n"
                "    return x_train.to(DTYPE), y_train, x_test.to(DTYPE), y_test\n")
    elif name in datasets.CLASSIFICATION_2D:
        make = datasets._GENERATORS_2D[name]
        parts.append(_source(make))
        body = (f"    n, noise = {config.n_total}, {config.noise!r}\n"
                f"    g = _generator({config.data_seed}, {name!r})\n"
                "    n0 = n // 2\n"
                f"    first, second = {make.__name__}(n0, n - n0, g)\n"
                "    x = torch.cat([first, second])\n"
                "    y = torch.cat([torch.zeros(n0, dtype=torch.int64),\n"
                "                   torch.ones(n - n0, dtype=torch.int64)])\n"
                "    x = x + noise * torch.randn(x.shape, generator=g, dtype=F64)\n"
                f"    n_test = split_sizes(n, {config.test_fraction!r})[1]\n"
                "    train, test = _stratified_split(y, n_test, g)\n"
                "    return x[train].to(DTYPE), y[train], x[test].to(DTYPE), y[test]\n")
    elif name in datasets.MULTICLASS_2D:
        make = datasets._GENERATORS_MULTI[name]
        parts.append(_source(make))
        classes = datasets.info(name).n_classes
        body = (f"    n, noise, classes = {config.n_total}, {config.noise!r}, {classes}\n"
                f"    g = _generator({config.data_seed}, {name!r})\n"
                "    counts = [n // classes + (k >= classes - n % classes)\n"
                "              for k in range(classes)]\n"
                f"    x = torch.cat({make.__name__}(counts, g))\n"
                "    y = torch.cat([torch.full((c,), k, dtype=torch.int64)\n"
                "                   for k, c in enumerate(counts)])\n"
                "    x = x + noise * torch.randn(x.shape, generator=g, dtype=F64)\n"
                f"    n_test = split_sizes(n, {config.test_fraction!r})[1]\n"
                "    train, test = _stratified_split(y, n_test, g)\n"
                "    return x[train].to(DTYPE), y[train], x[test].to(DTYPE), y[test]\n")
    elif name in datasets.REGRESSION_TARGETS:
        target = datasets.REGRESSION_TARGETS[name]
        parts += [_source(datasets._random_split), _source(target)]
        low, high = datasets.REGRESSION_X_RANGE
        body = (f"    n, noise = {config.n_total}, {config.noise!r}\n"
                f"    g = _generator({config.data_seed}, {name!r})\n"
                f"    x = {low!r} + ({high!r} - {low!r}) * "
                "torch.rand(n, 1, generator=g, dtype=F64)\n"
                f"    y = {target.__name__}(x[:, 0]) + "
                "noise * torch.randn(n, generator=g, dtype=F64)\n"
                "    y = y.to(DTYPE)\n"
                f"    train, test = _random_split(n, {config.test_fraction!r}, g)\n"
                "    return x[train].to(DTYPE), y[train], x[test].to(DTYPE), y[test]\n")
    else:
        raise ValueError(f"a script cannot rebuild the data set {name!r} (your own data "
                         "lives in this session only)")
    make_data = ("def make_data():\n"
                 f'    """The {name} set: training and test inputs and targets."""\n' + body)
    return "\n\n".join([*parts, make_data])


def _loss_code(task: str) -> str:
    if task == "multiclass":
        expression = "F.cross_entropy(output, target)"
    elif task == "binary":
        expression = "F.binary_cross_entropy_with_logits(output[:, 0], target.to(output.dtype))"
    else:
        expression = "F.mse_loss(output[:, 0], target.to(output.dtype))"
    return f"def loss_fn(output, target):\n    return {expression}\n"


def _optimizer_code(config: TrainConfig) -> str:
    common = f"lr={config.lr!r}, weight_decay={config.weight_decay!r}"
    if config.optimizer == "adam":
        return f"torch.optim.Adam(model.parameters(), {common})"
    momentum = config.momentum if config.optimizer == "momentum" else 0.0
    return f"torch.optim.SGD(model.parameters(), momentum={momentum!r}, {common})"


_MAIN = '''
def build_model(make_activation, seed):
    """nn.Linear layers with the activation after each hidden one, ``make_activation(i)``
    for hidden layer i (normalised before it when NORM says so; residual around layers
    whose width does not change); layer i drawn with the scheme INITS[i], the head last."""
    g = torch.Generator().manual_seed(seed)
    blocks = []
    for i in range(DEPTH):
        parts = [nn.Linear(DIMS[i], DIMS[i + 1], dtype=DTYPE)]
        if NORM == "batch":
            parts.append(nn.BatchNorm1d(DIMS[i + 1], eps=NORM_EPS, momentum=BATCH_NORM_MOMENTUM,
                                        dtype=DTYPE))
        elif NORM == "layer":
            parts.append(nn.LayerNorm(DIMS[i + 1], eps=NORM_EPS, dtype=DTYPE))
        parts.append(make_activation(i).to(DTYPE))
        body = nn.Sequential(*parts)
        blocks.append(Residual(body) if RESIDUAL[i] else body)
    blocks.append(nn.Linear(DIMS[-2], DIMS[-1], dtype=DTYPE))
    model = nn.Sequential(*blocks)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    for i, linear in enumerate(linears):  # drawn in order from the seed, head last
        is_head = i == len(linears) - 1
        init_linear_(linear.weight, linear.bias, INITS[i], INIT_SIGMA,
                     None if is_head else BIAS_INIT, g)
    return model


def rate_at(done, current):
    """The learning rate after ``done`` steps: the last change at or before it."""
    for step, rate in RATE_CHANGES:
        if step <= done:
            current = rate
    return current


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        loss = float(loss_fn(model(x), y))
    model.train()
    return loss


def train(make_activation, seed, data):
    x_train, y_train, x_test, y_test = data
    model = build_model(make_activation, seed)
    optimizer = OPTIMIZER(model)
    n = len(x_train)
    schedule = None if BATCH_SIZE is None or BATCH_SIZE >= n else BatchSchedule(n, BATCH_SIZE, seed)
    for done in range(STEPS):
        for group in optimizer.param_groups:  # the rate in force after `done` steps
            group["lr"] = rate_at(done, group["lr"])
        rows = torch.arange(n) if schedule is None else schedule.next()
        loss = loss_fn(model(x_train[rows]), y_train[rows])
        optimizer.zero_grad()
        loss.backward()
        if CLIP_NORM is not None:
            nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
        optimizer.step()
    return evaluate(model, x_train, y_train), evaluate(model, x_test, y_test)


if __name__ == "__main__":
    torch.set_num_threads(1)
    data = make_data()
    print(f"{len(data[0])} training and {len(data[2])} test rows; {STEPS} steps")
    for label, seed, make_activation in MEMBERS:
        train_loss, test_loss = train(make_activation, seed, data)
        print(f"FINAL {label}: train loss {train_loss!r}, test loss {test_loss!r}")
'''


def script(config: TrainConfig, members: Sequence[int] | None = None,
           steps: int | None = None, title: str = "",
           rate_changes: Sequence[tuple[int, float]] = ()) -> str:
    """The standalone script for ``config`` (its members, or those at ``members``), trained
    for ``steps`` (default: the config's), with the learning rate changed at the given
    steps as a live run does (``(0, 0.03), (500, 0.1)``: 0.03 from the start, 0.1 after
    500 steps). ValueError for an activation without a plain module (the gated units)."""
    chosen = list(range(config.n_models)) if members is None else list(members)
    if not chosen or len(chosen) > MAX_MEMBERS:
        raise ValueError(f"pick 1 to {MAX_MEMBERS} members")
    models = [config.models[i] for i in chosen]
    lines = [f"    ({m.label!r}, {m.seed}, {activation_code(m)})," for m in models]
    net = config.net_config()
    n_steps = config.steps if steps is None else int(steps)
    if n_steps < 1:
        raise ValueError("steps must be at least 1")
    dtype = "torch.float64" if config.dtype == "float64" else "torch.float32"
    header = f'''"""Reproduce an Activation Lab run in plain PyTorch{": " + title if title else ""}.

Generated by the app from the run's settings: the same data, network, initialisation, seed,
minibatches, optimiser and steps. Run it with `python {{this file}}`: it trains each model
one at a time and prints its final losses, which match the app's to float rounding (at
high learning rates float32 rounding differences can grow over many steps; float64 runs
agree to about 1e-9).
Needs torch{" and scikit-learn (digits)" if config.dataset == "digits" else ""}.
"""

import hashlib
import math
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

DTYPE = {dtype}
F64 = torch.float64
DATASET = {config.dataset!r}
DIMS = {list(net.dims)!r}
DEPTH = {net.depth}
RESIDUAL = {list(net.residual_layers)!r}
INITS = {[net.layer_init(i) for i in range(net.depth + 1)]!r}
INIT_SIGMA = {float(config.init_sigma)!r}
BIAS_INIT = {config.bias_init!r}
NORM = {config.norm!r}
NORM_EPS = {NORM_EPS!r}
BATCH_NORM_MOMENTUM = {BATCH_NORM_MOMENTUM!r}
BATCH_SIZE = {config.batch_size!r}
CLIP_NORM = {config.clip_norm!r}
STEPS = {n_steps}
RATE_CHANGES = {[(int(a), float(b)) for a, b in sorted(rate_changes)]!r}
'''
    classes = "\n\n".join([_source(_Heaviside, "Heaviside"), _STEP_SOURCE.strip(),
                           _FORMULA_SOURCE.strip(),
                           _source(_ScaledSiLU, "ScaledSiLU"),
                           _source(_TemperatureSoftmax, "TemperatureSoftmax"),
                           _source(Residual)])
    pieces = [
        header,
        _data_code(config),
        _source(init_linear_),
        _source(BatchSchedule),
        classes,
        _loss_code(config.task),
        f"def OPTIMIZER(model):\n    return {_optimizer_code(config)}\n",
        "MEMBERS = [\n" + "\n".join(lines) + "\n]\n",
        _MAIN,
    ]
    text = "\n\n".join(p.strip("\n") + "\n" for p in pieces)
    compile(text, "reproduce.py", "exec")  # a syntax error here is the app's bug, not theirs
    return text


def file_name(config: TrainConfig) -> str:
    return f"activation_lab_{config.dataset}_{config.steps}_steps.py"



