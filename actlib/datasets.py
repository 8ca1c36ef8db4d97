"""Seeded data sets for the training pages: toy 2-D classification, 1-D regression, digits.

Every set is a pure function of ``(name, n, noise, seed)`` (plus the test fraction and the
dtype): the same arguments give the same tensors, in any process and any thread, because
all randomness comes from a ``torch.Generator`` made for the call (never the global seed,
which Streamlit's session threads share). Samples are drawn in float64 and cast at the
end, so a float32 and a float64 run see the same points up to rounding.

* 2-D binary classification (``moons``, ``circles``, ``xor``, ``spirals``, ``gaussians``):
  balanced classes, coordinates of order 1, ``noise`` is the standard deviation of the
  Gaussian jitter added to every coordinate. The split is stratified.
* 2-D with more classes (``blobs``: five Gaussian clouds on a pentagon; ``spiral3``: three
  interleaved arms), for softmax and cross-entropy: the same conventions, one share per class.
* 1-D regression (``sine``, ``step``, ``abs``, ``bumps``) for the universal-approximation
  demo: x uniform on [-2, 2], target ``f(x)`` plus Gaussian noise of std ``noise``.
* ``digits``: scikit-learn's 8x8 digits (1,797 images, 10 classes), shipped in the repo as
  ``actlib/data/digits.npz`` (45 kB; a test checks it equals ``sklearn.datasets.
  load_digits``), because importing ``sklearn.datasets`` costs the server ~1.5 s and ~70 MB.
  ``n`` below 1,797 takes a stratified subset; each pixel is standardised with the training
  split's mean and std; ``noise`` adds Gaussian pixel noise in those standardised units.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import torch
from torch import Tensor

if TYPE_CHECKING:
    import pandas as pd

Task = Literal["binary", "multiclass", "regression"]

F64 = torch.float64
REGRESSION_X_RANGE = (-2.0, 2.0)
DIGITS_SIZE = 1797
MIN_SAMPLES = 20
MAX_SAMPLES = 4000
"""Upper bound on n for the generated sets: more points only slow the snapshots down."""
DEFAULT_SAMPLES = 600
DEFAULT_TEST_FRACTION = 0.25


@dataclass(frozen=True)
class DatasetInfo:
    """What a page needs to know about a data set before generating it."""

    name: str
    label: str
    task: Task
    input_dim: int
    n_classes: int
    max_samples: int
    description: str

    @property
    def output_dim(self) -> int:
        """Width of the network's head: one logit (binary), one per class, or one value."""
        return self.n_classes if self.task == "multiclass" else 1


DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo("moons", "Two moons", "binary", 2, 2, MAX_SAMPLES,
                    "Two interleaving half circles: curved but simple"),
        DatasetInfo("circles", "Circles", "binary", 2, 2, MAX_SAMPLES,
                    "A disc inside a ring: needs a closed boundary"),
        DatasetInfo("xor", "XOR", "binary", 2, 2, MAX_SAMPLES,
                    "Opposite quadrants share a class: impossible without a hidden layer"),
        DatasetInfo("spirals", "Two spirals", "binary", 2, 2, MAX_SAMPLES,
                    "Two interleaved spirals: the hardest toy set"),
        DatasetInfo("gaussians", "Gaussian blobs", "binary", 2, 2, MAX_SAMPLES,
                    "Two Gaussian clouds: almost linearly separable"),
        DatasetInfo("blobs", "Five blobs", "multiclass", 2, 5, MAX_SAMPLES,
                    "Five Gaussian clouds on a ring, neighbours overlapping a little"),
        DatasetInfo("spiral3", "Three-arm spiral", "multiclass", 2, 3, MAX_SAMPLES,
                    "Three interleaved spiral arms: a curved boundary between each pair"),
        DatasetInfo("sine", "Sine", "regression", 1, 0, MAX_SAMPLES, "f(x) = sin(pi x)"),
        DatasetInfo("step", "Step", "regression", 1, 0, MAX_SAMPLES,
                    "f(x) = 1 for x > 0, else 0: a jump to approximate"),
        DatasetInfo("abs", "Absolute value", "regression", 1, 0, MAX_SAMPLES,
                    "f(x) = |x|: one kink, exact for two ReLUs"),
        DatasetInfo("bumps", "Sum of bumps", "regression", 1, 0, MAX_SAMPLES,
                    "Three Gaussian bumps of different heights and widths"),
        DatasetInfo("digits", "Digits (8x8, real data)", "multiclass", 64, 10, DIGITS_SIZE,
                    "scikit-learn's 1,797 handwritten digits, 10 classes"),
    )
}
CLASSIFICATION_2D = ("moons", "circles", "xor", "spirals", "gaussians")
MULTICLASS_2D = ("blobs", "spiral3")
"""2-D sets with more than two classes: a softmax head trained with cross-entropy."""
REGRESSION_1D = ("sine", "step", "abs", "bumps")
DATASET_NAMES = tuple(DATASETS)


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train/test split as tensors. Classification targets are class indices (int64).

    ``bounds`` is a box around every point (per input dimension, with a margin), the window
    of decision-surface plots; ``None`` for digits.
    """

    info: DatasetInfo
    x_train: Tensor
    y_train: Tensor
    x_test: Tensor
    y_test: Tensor
    bounds: tuple[tuple[float, float], ...] | None

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def task(self) -> Task:
        return self.info.task

    @property
    def n_train(self) -> int:
        return int(self.x_train.shape[0])

    @property
    def n_test(self) -> int:
        return int(self.x_test.shape[0])

    def frame(self) -> pd.DataFrame:
        """Tidy points for a scatter plot: x1 (, x2), y, split. Not for digits (64 columns)."""
        import pandas as pd

        if self.info.input_dim > 2:
            raise ValueError("frame() draws 1-D and 2-D sets; digits have 64 inputs")
        parts = []
        for split, x, y in (("train", self.x_train, self.y_train),
                            ("test", self.x_test, self.y_test)):
            data = {f"x{i + 1}": x[:, i].double().numpy() for i in range(x.shape[1])}
            data["y"] = y.numpy()
            data["split"] = split
            parts.append(pd.DataFrame(data))
        return pd.concat(parts, ignore_index=True)


def test_points(
    name: str, n_samples: int, noise: float, seed: int, test_fraction: float
) -> pd.DataFrame:
    """The test split of a 1-D or 2-D set as x1 (, x2), y: the points a chart draws over a
    run's decision surface (the run never trained on them)."""
    frame = load(name, n_samples, noise, seed, test_fraction).frame()
    return frame[frame["split"] == "test"].reset_index(drop=True)


# --- sets registered at run time (a student's own data) -----------------------------------

RegisteredLoader = Callable[[int, float, torch.dtype], "Dataset"]
"""(seed, test_fraction, dtype) -> the split set, a pure function of its arguments."""
MAX_REGISTERED = 64
"""Registered sets kept per process (least recently used dropped first): each holds a file
of at most a few hundred kB, and a session registers its own again on every run."""
_REGISTERED: OrderedDict[str, tuple[DatasetInfo, RegisteredLoader]] = OrderedDict()
_REGISTRY_LOCK = threading.Lock()


def register(name: str, meta: DatasetInfo, loader: RegisteredLoader) -> None:
    """Make ``name`` a data set of this process for :func:`info` and :func:`load`.

    The hook for data that is not generated: :mod:`actlib.user_data` registers an upload
    under a name holding its content hash (``user:<hash>``), so a config naming it stays
    hashable and means one file. Every row is used (``n`` and ``noise`` do not apply).
    """
    with _REGISTRY_LOCK:
        _REGISTERED[name] = (meta, loader)
        _REGISTERED.move_to_end(name)
        while len(_REGISTERED) > MAX_REGISTERED:
            _REGISTERED.popitem(last=False)


def _registered(name: str) -> tuple[DatasetInfo, RegisteredLoader] | None:
    with _REGISTRY_LOCK:
        entry = _REGISTERED.get(name)
        if entry is not None:
            _REGISTERED.move_to_end(name)
        return entry


def info(name: str) -> DatasetInfo:
    """The description of a data set, with the valid names in the error when unknown."""
    try:
        return DATASETS[name]
    except KeyError:
        entry = _registered(name)
        if entry is not None:
            return entry[0]
        raise KeyError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}") from None


def effective_samples(name: str, n: int) -> int:
    """The number of samples :func:`load` will really produce for ``n`` (digits stop at 1,797;
    a registered set always gives all its rows, its ``max_samples``)."""
    meta = info(name)
    return meta.max_samples if name not in DATASETS else min(int(n), meta.max_samples)


def stream_seed(seed: int, stream: str) -> int:
    """A 63-bit seed for one named random stream of a run, stable across processes.

    Deriving separate streams (initialisation, batches, data) from one user seed keeps them
    independent: changing the batch size never changes the initial weights. ``hash()`` is
    salted per process, so a digest is used instead.
    """
    digest = hashlib.blake2b(f"{int(seed)}:{stream}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & ((1 << 63) - 1)


def _generator(seed: int, stream: str) -> torch.Generator:
    return torch.Generator().manual_seed(stream_seed(seed, stream))


# --- 2-D classification -------------------------------------------------------------------


def _moons(n0: int, n1: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
    t0 = torch.rand(n0, generator=g, dtype=F64) * math.pi
    t1 = torch.rand(n1, generator=g, dtype=F64) * math.pi
    outer = torch.stack([torch.cos(t0), torch.sin(t0)], dim=1)
    inner = torch.stack([1 - torch.cos(t1), 0.5 - torch.sin(t1)], dim=1)
    centre = torch.tensor([0.5, 0.25], dtype=F64)
    return outer - centre, inner - centre


def _circles(n0: int, n1: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
    def ring(count: int, radius: float) -> Tensor:
        angle = torch.rand(count, generator=g, dtype=F64) * 2 * math.pi
        return radius * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)

    return ring(n0, 1.0), ring(n1, 0.5)


def _xor(n0: int, n1: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
    """Uniform points in the four quadrants, kept 0.05 off the axes (as TF Playground does)."""

    def quadrants(count: int, same_sign: bool) -> Tensor:
        magnitude = 0.05 + 0.95 * torch.rand(count, 2, generator=g, dtype=F64)
        first = torch.where(torch.rand(count, generator=g, dtype=F64) < 0.5, -1.0, 1.0)
        second = first if same_sign else -first
        return magnitude * torch.stack([first, second], dim=1).to(F64)

    return quadrants(n0, same_sign=False), quadrants(n1, same_sign=True)


def _spirals(n0: int, n1: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
    def spiral(count: int, phase: float) -> Tensor:
        t = torch.rand(count, generator=g, dtype=F64)
        radius = 0.1 + 1.4 * t
        angle = 1.75 * 2 * math.pi * t + phase
        return radius.unsqueeze(1) * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)

    return spiral(n0, 0.0), spiral(n1, math.pi)


def _gaussians(n0: int, n1: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
    centre = torch.tensor([0.7, 0.7], dtype=F64)
    spread = 0.35
    first = -centre + spread * torch.randn(n0, 2, generator=g, dtype=F64)
    second = centre + spread * torch.randn(n1, 2, generator=g, dtype=F64)
    return first, second


_GENERATORS_2D: dict[str, Callable[[int, int, torch.Generator], tuple[Tensor, Tensor]]] = {
    "moons": _moons,
    "circles": _circles,
    "xor": _xor,
    "spirals": _spirals,
    "gaussians": _gaussians,
}


def _blobs(counts: list[int], g: torch.Generator) -> list[Tensor]:
    """One Gaussian cloud (std 0.3) per class, centred on a ring of radius 1."""
    clouds = []
    for k, count in enumerate(counts):
        angle = 2 * math.pi * k / len(counts) + math.pi / 2
        centre = torch.tensor([math.cos(angle), math.sin(angle)], dtype=F64)
        clouds.append(centre + 0.3 * torch.randn(count, 2, generator=g, dtype=F64))
    return clouds


def _spiral_arms(counts: list[int], g: torch.Generator) -> list[Tensor]:
    """One spiral arm per class, a third of a turn apart, each winding once around."""
    arms = []
    for k, count in enumerate(counts):
        t = torch.rand(count, generator=g, dtype=F64)
        radius = 0.1 + 1.3 * t
        angle = 2 * math.pi * t + 2 * math.pi * k / len(counts)
        arms.append(radius.unsqueeze(1) * torch.stack([torch.cos(angle), torch.sin(angle)], 1))
    return arms


_GENERATORS_MULTI: dict[str, Callable[[list[int], torch.Generator], list[Tensor]]] = {
    "blobs": _blobs,
    "spiral3": _spiral_arms,
}


# --- 1-D regression ----------------------------------------------------------------------


def _sine(x: Tensor) -> Tensor:
    return torch.sin(math.pi * x)


def _step(x: Tensor) -> Tensor:
    return (x > 0).to(x.dtype)


def _abs(x: Tensor) -> Tensor:
    return x.abs()


def _bumps(x: Tensor) -> Tensor:
    heights, centres, widths = (1.0, 0.6, -0.8), (-1.2, 0.2, 1.3), (0.25, 0.2, 0.3)
    total = torch.zeros_like(x)
    for height, centre, width in zip(heights, centres, widths, strict=True):
        total = total + height * torch.exp(-(((x - centre) / width) ** 2))
    return total


REGRESSION_TARGETS: dict[str, Callable[[Tensor], Tensor]] = {
    "sine": _sine,
    "step": _step,
    "abs": _abs,
    "bumps": _bumps,
}


def target_function(name: str) -> Callable[[Tensor], Tensor]:
    """The noise-free target of a regression set, to draw the true curve next to the fit."""
    if name not in REGRESSION_TARGETS:
        raise KeyError(f"{name!r} is not a regression set; known: {', '.join(REGRESSION_1D)}")
    return REGRESSION_TARGETS[name]


# --- splitting ---------------------------------------------------------------------------


def split_sizes(n: int, test_fraction: float) -> tuple[int, int]:
    """(train rows, test rows) of ``n`` samples: the test share rounded, each side non-empty."""
    n_test = min(max(round(n * test_fraction), 1), n - 1)
    return n - n_test, n_test


def _class_quotas(counts: list[int], total: int) -> list[int]:
    """Split ``total`` over classes in proportion to ``counts`` (largest remainders win)."""
    n = sum(counts)
    exact = [c * total / n for c in counts]
    quotas = [math.floor(e) for e in exact]
    by_remainder = sorted(range(len(counts)), key=lambda i: (quotas[i] - exact[i], i))
    for i in by_remainder[: total - sum(quotas)]:
        quotas[i] += 1
    return quotas


def _stratified_split(y: Tensor, n_test: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
    """Train and test indices with the class shares of ``y`` in both, each shuffled."""
    labels = torch.unique(y).tolist()
    members = [torch.nonzero(y == label).squeeze(1) for label in labels]
    quotas = _class_quotas([len(m) for m in members], n_test)
    train_parts, test_parts = [], []
    for rows, quota in zip(members, quotas, strict=True):
        rows = rows[torch.randperm(len(rows), generator=g)]
        test_parts.append(rows[:quota])
        train_parts.append(rows[quota:])
    train = torch.cat(train_parts)
    test = torch.cat(test_parts)
    train = train[torch.randperm(len(train), generator=g)]
    return train, test[torch.randperm(len(test), generator=g)]


def _random_split(n: int, test_fraction: float, g: torch.Generator) -> tuple[Tensor, Tensor]:
    order = torch.randperm(n, generator=g)
    _, n_test = split_sizes(n, test_fraction)
    return order[n_test:], order[:n_test]


def _bounds(x: Tensor, margin: float = 0.15) -> tuple[tuple[float, float], ...]:
    low, high = x.min(0).values, x.max(0).values
    pad = margin * (high - low).clamp(min=1e-6)
    return tuple((float(lo), float(hi)) for lo, hi in zip(low - pad, high + pad, strict=True))


# --- digits ------------------------------------------------------------------------------


DIGITS_FILE = Path(__file__).parent / "data" / "digits.npz"
"""scikit-learn's digits as uint8 arrays ``images`` [1797, 64] (0-16) and ``labels``."""


@lru_cache(maxsize=1)
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The raw digits (float64 pixels 0-16, int64 labels), read once per process."""
    with np.load(DIGITS_FILE) as stored:
        x = np.ascontiguousarray(stored["images"], dtype=np.float64)
        y = np.ascontiguousarray(stored["labels"], dtype=np.int64)
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def _stratified_subset(y: Tensor, n: int, g: torch.Generator) -> Tensor:
    """Indices of n rows with (rounded) the class shares of y, in their original order."""
    if n >= len(y):
        return torch.arange(len(y))
    _, chosen = _stratified_split(y, n, g)
    return torch.sort(chosen).values


def _digits(n: int, noise: float, seed: int, test_fraction: float) -> tuple[Tensor, ...]:
    x_all, y_all = (torch.from_numpy(a.copy()) for a in _digits_arrays())
    g = _generator(seed, "digits")
    keep = _stratified_subset(y_all, n, g)
    x_all, y_all = x_all[keep], y_all[keep]
    train, test = _stratified_split(y_all, split_sizes(len(y_all), test_fraction)[1], g)
    mean = x_all[train].mean(0)
    std = x_all[train].std(0, unbiased=False)
    std = torch.where(std > 0, std, torch.ones_like(std))  # constant border pixels
    x_all = (x_all - mean) / std
    if noise > 0:
        x_all = x_all + noise * torch.randn(x_all.shape, generator=g, dtype=F64)
    return x_all[train], y_all[train], x_all[test], y_all[test]


# --- the public entry point --------------------------------------------------------------


def _check_arguments(name: str, n: int, noise: float, test_fraction: float) -> DatasetInfo:
    meta = info(name)
    if not MIN_SAMPLES <= n <= MAX_SAMPLES:
        raise ValueError(f"n must lie between {MIN_SAMPLES} and {MAX_SAMPLES}, got {n}")
    if not 0.0 <= noise <= 2.0:
        raise ValueError(f"noise must lie between 0 and 2, got {noise}")
    if not 0.05 <= test_fraction <= 0.5:
        raise ValueError(f"test_fraction must lie between 0.05 and 0.5, got {test_fraction}")
    return meta


def load(
    name: str,
    n: int = DEFAULT_SAMPLES,
    noise: float = 0.1,
    seed: int = 0,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    dtype: torch.dtype = torch.float32,
) -> Dataset:
    """The data set ``name`` with ``n`` samples (digits: at most 1,797), split train/test.

    A pure function of its arguments. Classification targets are int64 class indices;
    regression targets have the input's dtype.
    """
    if (entry := _registered(name)) is not None and name not in DATASETS:
        if not 0.05 <= test_fraction <= 0.5:
            raise ValueError(f"test_fraction must lie between 0.05 and 0.5, got {test_fraction}")
        return entry[1](int(seed), float(test_fraction), dtype)
    meta = _check_arguments(name, int(n), float(noise), float(test_fraction))
    n, noise = int(n), float(noise)
    if name == "digits":
        x_train, y_train, x_test, y_test = _digits(n, noise, seed, test_fraction)
        return Dataset(meta, x_train.to(dtype), y_train, x_test.to(dtype), y_test, None)

    g = _generator(seed, name)
    if name in _GENERATORS_2D or name in _GENERATORS_MULTI:
        classes = meta.n_classes
        counts = [n // classes + (k >= classes - n % classes) for k in range(classes)]
        if name in _GENERATORS_2D:
            parts = list(_GENERATORS_2D[name](counts[0], counts[1], g))
        else:
            parts = _GENERATORS_MULTI[name](counts, g)
        x = torch.cat(parts)
        y = torch.cat([torch.full((c,), k, dtype=torch.int64) for k, c in enumerate(counts)])
        x = x + noise * torch.randn(x.shape, generator=g, dtype=F64)
        train, test = _stratified_split(y, split_sizes(n, test_fraction)[1], g)
    else:
        low, high = REGRESSION_X_RANGE
        x = low + (high - low) * torch.rand(n, 1, generator=g, dtype=F64)
        y = REGRESSION_TARGETS[name](x[:, 0]) + noise * torch.randn(n, generator=g, dtype=F64)
        y = y.to(dtype)
        train, test = _random_split(n, test_fraction, g)
    return Dataset(meta, x[train].to(dtype), y[train], x[test].to(dtype), y[test], _bounds(x))


def grid_points(
    bounds: tuple[tuple[float, float], ...], size: int, dtype: torch.dtype = torch.float32
) -> tuple[Tensor, list[np.ndarray]]:
    """A regular grid over ``bounds``: the points ``[size**d, d]`` and each axis's values.

    For 2-D the points run with x1 fastest, so ``values.reshape(size, size)[i2, i1]``.
    """
    axes = [torch.linspace(lo, hi, size, dtype=F64) for lo, hi in bounds]
    if len(axes) == 1:
        points = axes[0].unsqueeze(1)
    else:
        mesh = torch.meshgrid(*reversed(axes), indexing="ij")
        points = torch.stack([m.reshape(-1) for m in reversed(mesh)], dim=1)
    return points.to(dtype), [a.numpy() for a in axes]
