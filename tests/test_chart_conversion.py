"""Charts are converted for Streamlit without its process-wide lock, to the same spec
(actlib.ui.chart_conversion)."""

from __future__ import annotations

import concurrent.futures
import threading

import altair as alt
import pandas as pd
import pytest
from streamlit.elements import vega_charts
from streamlit.util import calc_hash

from actlib.charts import schema_check
from actlib.ui import chart_conversion


@pytest.fixture(autouse=True)
def installed():
    chart_conversion.install()
    yield
    # Altair's own debug_mode(False) blocks, entered by threads at once, can leave its
    # build-time check off (each restores what it found): the suite keeps it on.
    schema_check.check_charts(True)


def _layered(seed: int) -> alt.LayerChart:
    line = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [seed, seed + 1.0, seed + 4.0]})
    points = pd.DataFrame({"x": [0.5], "y": [float(seed)], "name": [f"run {seed}"]})
    return alt.layer(alt.Chart(line).mark_line().encode(x="x:Q", y="y:Q"),
                     alt.Chart(points).mark_point().encode(x="x:Q", y="y:Q",
                                                          tooltip="name:N"))


def test_install_replaces_streamlits_conversion_and_is_idempotent() -> None:
    chart_conversion.install()
    assert vega_charts._convert_altair_to_vega_lite_spec is chart_conversion.convert
    assert alt.data_transformers.active == chart_conversion.TRANSFORMER


def test_the_spec_and_datasets_are_streamlits_own() -> None:
    chart = _layered(3)
    ours = chart_conversion.convert(chart)
    theirs = chart_conversion.STREAMLIT_CONVERT(chart)
    assert ours == theirs
    assert len(ours["datasets"]) == 2
    for name, data in ours["datasets"].items():
        assert isinstance(data, bytes) and name == calc_hash(data)
    assert alt.data_transformers.active == chart_conversion.TRANSFORMER  # left as it was


def test_a_conversion_never_waits_for_streamlits_lock() -> None:
    pool = concurrent.futures.ThreadPoolExecutor(1)
    with vega_charts._altair_globals_lock:  # held, as while another session converts
        future = pool.submit(chart_conversion.convert, _layered(1))
        try:
            spec = future.result(timeout=20)
        except concurrent.futures.TimeoutError:
            spec = None
    pool.shutdown()
    assert spec is not None and spec["datasets"]


def test_threads_converting_at_once_each_get_only_their_own_data() -> None:
    expected = {seed: chart_conversion.convert(_layered(seed)) for seed in range(4)}
    start = threading.Barrier(4)

    def convert_many(seed: int) -> list[dict]:
        start.wait()
        return [chart_conversion.convert(_layered(seed)) for _ in range(25)]

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = dict(zip(range(4), pool.map(convert_many, range(4)), strict=True))
    for seed, specs in results.items():
        assert all(spec == expected[seed] for spec in specs)
    assert len({name for spec in expected.values() for name in spec["datasets"]}) == 8


def test_outside_a_conversion_values_are_inlined_as_by_altairs_default() -> None:
    spec = _layered(2).to_dict()
    values = [v for v in spec["datasets"].values()]
    assert sorted(len(v) for v in values) == [1, 3]
    assert {"x": 0.5, "y": 2.0, "name": "run 2"} in values[0] + values[1]
