"""The home page's preview data: small frames computed by the app's own modules, shipped.

Each topic card on the home page shows a small chart computed from the functions
themselves: eight ReLU hinges adding up to a sine, the Playground's rings, the slopes of
four classics, the backpropagated signal of sigmoid and ReLU, the dead share per layer.
Computing them needs the engine, and so torch (about 1 s of CPU and 200 MB to import);
the home page is the first thing a class opens on a cold server, so it draws them from
``actlib/data/home_previews.json`` instead, written by the very functions below
(``python -m actlib.previews``). ``tests/test_previews.py`` recomputes every frame with
torch and compares it with the file, so a change to the catalogue, the data sets or the
engine that moves a preview fails until the file is written again.

Importing this module loads neither pandas nor torch: each ``compute_*`` function imports
what it needs when called, and :func:`stored_columns` reads the file as plain lists (the
home page's pictures, :mod:`actlib.card_previews`, draw from them without pandas).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

DATA_FILE = Path(__file__).resolve().parent / "data" / "home_previews.json"
SIGNIFICANT_DIGITS = 7
"""Digits a stored number keeps: far below what a 110-pixel chart shows, and the file
stays small (the test compares with a relative tolerance of 1e-6)."""

SHAPES_KEYS = ("sigmoid", "tanh", "relu", "gelu")
GRADIENT_KEYS = ("sigmoid", "relu")
DEAD_KEYS = ("relu", "leaky_relu")
FIT_EVERY = 8
"""Every 8th point of the approximation's grid: enough for a card's lines."""


def compute_nonlinearity() -> pd.DataFrame:
    """Eight ReLU units fitted to a sine: each unit's term (kind ``unit``) and their sum
    (kind ``fit``), on every :data:`FIT_EVERY`-th point."""
    import pandas as pd

    from actlib.approximation import construct_fit, contribution_frame

    fit = construct_fit("relu", "sine", 8)
    terms = contribution_frame(fit, every=FIT_EVERY).assign(kind="unit")
    total = pd.DataFrame({"x": fit.x[::FIT_EVERY], "value": fit.fit[::FIT_EVERY], "unit": 0,
                          "kind": "fit"})
    return pd.concat([terms[["x", "value", "unit", "kind"]], total], ignore_index=True)


def compute_playground() -> pd.DataFrame:
    """The Playground's default data: two rings, 300 points, noise 0.1, seed 0."""
    from actlib.datasets import load

    return load("circles", 300, 0.1, 0, 0.25).frame()[["x1", "x2", "y"]]


def compute_shapes() -> pd.DataFrame:
    """The slopes f′ of four classics on [-4, 4], 81 points each."""
    from actlib.curves import curve_frame

    frame = curve_frame(list(SHAPES_KEYS), -4, 4, points=81)
    return frame[["key", "activation", "x", "df"]]


def compute_gradients() -> pd.DataFrame:
    """The backpropagated signal per layer of sigmoid and ReLU networks (He init, depth
    12, width 16), measured in float64 on 64 rows of the Gradients page's probe batch;
    only rows a log axis can show."""
    from actlib.charts.gradients import positive_rows
    from actlib.datasets import info
    from actlib.gradients import Experiment, probe_batch
    from actlib.nets import BatchedMLP
    from actlib.probes import gradient_flow

    experiment = Experiment(activations=GRADIENT_KEYS, depth=12, width=16, init="he")
    x, y = probe_batch(experiment.dataset)
    model = BatchedMLP(experiment.net_config()).double()
    flow = gradient_flow(model, x[:64].double(), y[:64], info(experiment.dataset).task)
    frame = flow.frame()[["key", "activation", "layer", "signal_norm"]]
    return positive_rows(frame, "signal_norm").reset_index(drop=True)


def compute_dead_relu() -> pd.DataFrame:
    """The dead share per layer of fresh 8-layer networks (width 16, seeds 0-2), ReLU
    against Leaky ReLU."""
    from actlib.dead_units import census_at_init

    frame = census_at_init(list(DEAD_KEYS), depth=8, width=16, seeds=(0, 1, 2))
    return frame[["key", "activation", "layer", "dead_share"]]


COMPUTE: Mapping[str, Callable[[], pd.DataFrame]] = {
    "nonlinearity": compute_nonlinearity,
    "playground": compute_playground,
    "shapes": compute_shapes,
    "gradients": compute_gradients,
    "dead_relu": compute_dead_relu,
}
"""Every stored preview by name, with the function that computes it."""


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return value


def _columns(frame: pd.DataFrame) -> dict[str, list]:
    return {column: [_rounded(v) for v in frame[column].tolist()] for column in frame.columns}


def write(path: Path = DATA_FILE) -> None:
    """Compute every preview (imports torch) and store them in ``path``."""
    data = {name: _columns(compute()) for name, compute in COMPUTE.items()}
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
                    encoding="utf-8")


@functools.cache
def _stored_columns() -> dict[str, dict[str, list]]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def stored_columns(name: str) -> dict[str, list]:
    """The stored columns of preview ``name`` as lists (fresh copies: callers may change
    them)."""
    return {column: list(values) for column, values in _stored_columns()[name].items()}


def stored(name: str) -> pd.DataFrame:
    """The stored frame of preview ``name`` (a fresh copy: callers may change it)."""
    import pandas as pd

    return pd.DataFrame(stored_columns(name))


if __name__ == "__main__":
    write()
    print(f"wrote {DATA_FILE}")
