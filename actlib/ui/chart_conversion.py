"""Altair charts converted for Streamlit without its process-wide lock.

Streamlit 1.67 converts every ``st.altair_chart`` under one lock for the whole process
(``vega_charts._altair_globals_lock``): it switches Altair's global data transformer to one
that collects the chart's data frames as Arrow bytes, calls ``chart.to_dict()`` (a deep copy
of the chart, the spec, the Arrow serialisation of every frame) and switches back. So every
session's charts were drawn one at a time, whichever session drew them: with six sessions
training at once on two cores, the script threads spent a quarter of their time waiting for
that lock (py-spy), while the machine sat half idle.

Nothing here needs the lock. The app's own Altair theme is enabled once for good at import
(:mod:`actlib.charts`; Streamlit only switches the theme when Altair's default is active),
and :func:`install` enables, once, a data transformer that collects frames into a list
held by the converting *thread* (the same Arrow bytes and names as Streamlit's own
transformer) and inlines values as Altair's default does when no conversion is under way
(a test or an export calling ``to_dict()``). :func:`convert` then replaces Streamlit's
function of the same name: the same spec, datasets merged the same way.
"""

from __future__ import annotations

import threading
from typing import Any

import altair as alt
from altair.utils.data import to_values
from streamlit.elements import vega_charts

TRANSFORMER = "activation_lab_arrow"

STREAMLIT_CONVERT = vega_charts._convert_altair_to_vega_lite_spec
"""Streamlit's own conversion (with its lock), which :func:`install` replaces."""

_collecting = threading.local()


def _transformer(data: Any) -> dict[str, Any]:
    """Altair data transformer: a frame as a named Arrow dataset while this thread converts
    a chart for Streamlit, else inline values (Altair's default, without its row limit,
    which :mod:`actlib.charts` lifts)."""
    datasets: dict[str, Any] | None = getattr(_collecting, "datasets", None)
    if datasets is None:
        return to_values(data)
    return vega_charts._to_arrow_dataset(data, datasets)


def convert(chart: Any) -> dict[str, Any]:
    """The Vega-Lite spec of ``chart`` with its data as Arrow datasets, as Streamlit's
    ``_convert_altair_to_vega_lite_spec`` makes it, without its lock."""
    datasets: dict[str, Any] = {}
    outer = getattr(_collecting, "datasets", None)
    _collecting.datasets = datasets
    try:
        chart_dict = chart.to_dict()
    finally:
        _collecting.datasets = outer
    existing = chart_dict.get("datasets")
    chart_dict["datasets"] = ({**existing, **datasets} if isinstance(existing, dict)
                              else datasets)
    return chart_dict


def install() -> None:
    """Convert every Altair chart this process draws with :func:`convert` (idempotent).

    Called by every page run that draws charts, so the usual case (already active) asks
    nothing of Altair's registry, whose ``names()`` scans the installed packages' entry
    points (3.5 ms a call, measured)."""
    if alt.data_transformers.active != TRANSFORMER:
        if TRANSFORMER not in alt.data_transformers.names():
            alt.data_transformers.register(TRANSFORMER, _transformer)
        alt.data_transformers.enable(TRANSFORMER)
    vega_charts._convert_altair_to_vega_lite_spec = convert
