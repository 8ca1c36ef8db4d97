"""A row of metric cards, one column each: the dashboard strip above a live run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from actlib.cards import MetricCard


def metric_row(cards: Sequence[MetricCard], target: Any = None) -> None:
    """Draw ``cards`` side by side in ``target`` (default the main area)."""
    if not cards:
        return
    columns = (target if target is not None else st).columns(len(cards))
    for column, card in zip(columns, cards, strict=True):
        column.metric(
            card.label, card.value, card.delta,
            delta_color="off" if card.plain else card.delta_color,
            delta_arrow="off" if card.plain else "auto",
            delta_description=card.delta_description, help=card.help,
            chart_data=None if card.chart is None else list(card.chart),
        )
