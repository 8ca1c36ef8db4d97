"""AppTest helpers: open a page by its link, and read the charts a run drew (the Vega-Lite
spec and the rows behind it)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyarrow as pa
from streamlit.testing.v1 import AppTest

from tests.browser import REPO
from tests.conftest import APPTEST_TIMEOUT

APP = str(REPO / "streamlit_app.py")


@dataclass
class DrawnChart:
    spec: dict
    datasets: dict[str, pa.Table]

    @property
    def title(self) -> str:
        title = self.spec.get("title", "")
        return title.get("text", "") if isinstance(title, dict) else str(title)

    @property
    def rows(self) -> int:
        return sum(t.num_rows for t in self.datasets.values())


def drawn_charts(at: AppTest) -> list[DrawnChart]:
    charts = []
    for element in at.get("vega_lite_chart"):
        proto = element.proto
        datasets = {
            d.name: pa.ipc.open_stream(d.data.data).read_all() for d in proto.datasets
        }
        charts.append(DrawnChart(json.loads(proto.spec), datasets))
    return charts


def open_page(page: str, timeout: float = APPTEST_TIMEOUT, **query: str | list[str]) -> AppTest:
    """Run the app as a link to ``page`` (``pages/<stem>.py``) with these query parameters
    would, and fail on any exception."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_titles(at: AppTest) -> list[str]:
    """The titles of the charts a run drew, in page order."""
    return [c.title for c in drawn_charts(at)]


def metric_value(at: AppTest, label: str) -> str:
    """The value shown by the metric with this label."""
    return next(m.value for m in at.metric if m.label == label)


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
