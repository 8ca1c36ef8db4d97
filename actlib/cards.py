"""What a metric card shows (a label, a value, the change and a sparkline), free of
Streamlit, so a topic's text module can compose a page's cards and a test can read them;
:mod:`actlib.ui.metric_row` draws them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class MetricCard:
    """One ``st.metric``: ``delta`` is the change (a number is coloured by ``delta_color``;
    a text such as "at step 12" is shown plain, without an arrow)."""

    label: str
    value: str
    delta: str | int | float | None = None
    delta_color: Literal["normal", "inverse", "off"] = "normal"
    delta_description: str | None = None
    help: str | None = None
    chart: Sequence[float] | None = None

    @property
    def plain(self) -> bool:
        """A delta in words: no colour and no arrow."""
        return isinstance(self.delta, str)
