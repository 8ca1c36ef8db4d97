"""Exports beside a result, always in the same place: one row under the view with
**Reproduce in PyTorch** (a standalone ``torch.nn`` script of the run) and the run's metrics
as CSV. Charts themselves export as PNG from Streamlit's own chart toolbar (hover a chart:
"Download as PNG"; "Show data" lists what it draws).

The files are made when the button is pressed (Streamlit 1.67's deferred ``data``
callable), so a page pays nothing for a button nobody presses.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from actlib import reproduce
from actlib.training import TrainConfig


def export_row(
    key: str,
    script: Callable[[], tuple[TrainConfig, str]] | None = None,
    metrics: Callable[[], pd.DataFrame] | None = None,
    name: str = "run",
    config: TrainConfig | None = None,
) -> None:
    """The row of export buttons for one view.

    ``script`` returns the run's config and its script (see :func:`reproduce_script`);
    ``metrics`` returns a tidy frame of the run's metrics. Both are called on click only.
    ``config``: the run's, when known now; a run on a student's own data gets no script
    (its data lives in the session only).
    """
    with st.container(horizontal=True, key=f"exports_{key}"):
        if script is not None and (config is None or reproduce.reproducible(config)):
            st.download_button(
                "Reproduce in PyTorch", data=lambda: script()[1], file_name=f"{name}.py",
                mime="text/x-python", icon="🐍", key=f"export_script_{key}",
                on_click="ignore",
                help="A standalone plain torch.nn script: same data, network, init, seed, "
                "optimiser and steps; it prints the final losses.")
        if metrics is not None:
            st.download_button(
                "Metrics (CSV)", data=lambda: metrics().to_csv(index=False),
                file_name=f"{name}_metrics.csv", mime="text/csv", icon="📄",
                key=f"export_csv_{key}", on_click="ignore")


def reproduce_script(config: TrainConfig, steps: int | None = None,
                     rate_changes: tuple[tuple[int, float], ...] = (),
                     title: str = "") -> tuple[TrainConfig, str]:
    """The pair :func:`export_row` wants, for ``config`` trained ``steps`` steps."""
    return config, reproduce.script(config, steps=steps, rate_changes=rate_changes,
                                    title=title)
