"""What defines a run: :class:`TrainConfig`, frozen and hashable, checked when it is built.

A run is a pure function of its config (see :mod:`actlib.training.engine`), so a config is
also the key under which a finished run is cached and the link a lecturer prepares. It is
checked on construction (ranges, the architecture, the caps of
:mod:`actlib.training.costs`), so a config that exists can be trained within the caps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from actlib.datasets import DatasetInfo, Task, effective_samples, info, split_sizes
from actlib.nets import Architecture, ModelSpec, NetConfig
from actlib.probes import SATURATION_THRESHOLD
from actlib.training.costs import check_caps
from actlib.vocabulary import OPTIMIZER_LABELS

OptimizerName = Literal["sgd", "momentum", "adam"]
OPTIMIZERS: tuple[str, ...] = tuple(OPTIMIZER_LABELS)
"""The optimisers the engine knows, by key; their words live in :mod:`actlib.vocabulary`."""
CURVE_POINTS = 200
"""Points of the prediction curve of a 1-D regression snapshot."""


def _default_models() -> tuple[ModelSpec, ...]:
    return (ModelSpec("relu"),)


@dataclass(frozen=True)
class TrainConfig(Architecture):
    """Everything that defines a run. Frozen and hashable: a run is a function of it.

    The network's shape (depth, width, init, init_sigma, bias_init, norm, residual) is the
    :class:`~actlib.nets.Architecture` it extends, given by keyword.
    ``models`` lists the ensemble's members (build it with :func:`actlib.nets.ensemble`).
    ``batch_size=None`` (or one at least the training-set size) means full-batch training.
    ``bias_init=None`` keeps each scheme's own bias (see :func:`actlib.nets.init_linear_`).
    """

    dataset: str = "moons"
    n_samples: int = 600
    noise: float = 0.2
    data_seed: int = 0
    test_fraction: float = 0.25
    models: tuple[ModelSpec, ...] = field(default_factory=_default_models)
    optimizer: OptimizerName = "adam"
    lr: float = 0.01
    momentum: float = 0.9
    batch_size: int | None = 128
    weight_decay: float = 0.0
    clip_norm: float | None = None
    steps: int = 500
    snapshot_every: int = 25
    probe_size: int = 256
    grid_size: int = 40
    saturation_threshold: float = SATURATION_THRESHOLD
    dtype: str = "float32"

    def __post_init__(self) -> None:
        object.__setattr__(self, "models", tuple(self.models))
        _check_ranges(self)
        self.net_config()  # validates the architecture and the members
        check_caps(self)

    # -- derived facts ------------------------------------------------------------------

    @property
    def dataset_info(self) -> DatasetInfo:
        return info(self.dataset)

    @property
    def task(self) -> Task:
        return self.dataset_info.task

    @property
    def n_models(self) -> int:
        return len(self.models)

    def net_config(self) -> NetConfig:
        meta = self.dataset_info
        return self.net_config_for(meta.input_dim, meta.output_dim, self.models, self.dtype)

    @property
    def n_total(self) -> int:
        """Rows of the data set, both splits, as :func:`actlib.datasets.load` makes them."""
        return effective_samples(self.dataset, self.n_samples)

    @property
    def n_train(self) -> int:
        """Training rows, as :func:`actlib.datasets.load` will split them."""
        return split_sizes(self.n_total, self.test_fraction)[0]

    @property
    def surface_points(self) -> int:
        """Points of a snapshot's prediction surface: the 2-D grid, the 1-D curve, or none."""
        input_dim = self.dataset_info.input_dim
        return self.grid_size**2 if input_dim == 2 else CURVE_POINTS if input_dim == 1 else 0

    @property
    def full_batch(self) -> bool:
        return self.batch_size is None or self.batch_size >= self.n_train

    @property
    def batch_rows(self) -> int:
        return self.n_train if self.full_batch else int(self.batch_size)  # type: ignore[arg-type]

    def snapshot_steps(self) -> tuple[int, ...]:
        """Steps after which a snapshot is taken: 0, k, 2k, ..., and always the last."""
        steps = list(range(0, self.steps, self.snapshot_every))
        return (*steps, self.steps)


def _check_ranges(config: TrainConfig) -> None:
    checks: list[tuple[bool, str]] = [
        (config.optimizer in OPTIMIZERS, f"optimizer must be one of {', '.join(OPTIMIZERS)}"),
        (0 < config.lr <= 10, "lr must lie in (0, 10]"),
        (0 <= config.momentum < 1, "momentum must lie in [0, 1)"),
        (config.batch_size is None or config.batch_size >= 1, "batch_size must be positive"),
        (0 <= config.weight_decay <= 1, "weight_decay must lie in [0, 1]"),
        (config.clip_norm is None or config.clip_norm > 0, "clip_norm must be positive"),
        (config.steps >= 1, "steps must be at least 1"),
        (config.snapshot_every >= 1, "snapshot_every must be at least 1"),
        (8 <= config.probe_size <= 1024, "probe_size must lie between 8 and 1024"),
        (10 <= config.grid_size <= 100, "grid_size must lie between 10 and 100"),
        (0 < config.saturation_threshold < 1, "saturation_threshold must lie in (0, 1)"),
    ]
    for ok, message in checks:
        if not ok:
            raise ValueError(message)
    if config.norm == "batch" and config.batch_rows < 2:
        raise ValueError("batch norm needs at least 2 rows per batch")
    info(config.dataset)
