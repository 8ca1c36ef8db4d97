"""Chart conversion validates against the Vega-Lite schema in the suite, not in the server
(actlib.charts.schema_check)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest
from altair.utils import schemapi
from altair.utils.schemapi import SchemaValidationError
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from actlib.charts import schema_check


def _invalid_chart() -> alt.Chart:
    chart = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_point().encode(x="x:Q")
    chart.mark = "no-such-mark"  # set after construction, which checks its arguments
    return chart


def test_the_suite_validates_every_chart_even_through_streamlit() -> None:
    assert schema_check.VALIDATE and schemapi.DEBUG_MODE
    for chart in (_invalid_chart(), alt.layer(_invalid_chart(), _invalid_chart())):
        with pytest.raises(SchemaValidationError):
            chart.to_dict()
        with pytest.raises(SchemaValidationError):
            _convert_altair_to_vega_lite_spec(chart)  # what st.altair_chart calls


def test_the_suite_checks_an_object_as_it_is_built() -> None:
    with pytest.raises(SchemaValidationError):
        alt.Scale(type="nonsense")  # not one of Vega-Lite's scale types


@pytest.fixture
def server_mode():
    schema_check.check_charts(False)
    yield
    schema_check.check_charts(True)


def test_the_server_skips_the_check_unless_asked(server_mode) -> None:
    assert not schemapi.DEBUG_MODE
    chart = _invalid_chart()
    assert chart.to_dict()["mark"] == {"type": "no-such-mark"}
    assert _convert_altair_to_vega_lite_spec(chart)
    with pytest.raises(SchemaValidationError):
        chart.to_dict(validate=True)  # an explicit request still validates
    assert alt.Scale(type="nonsense")._kwds["type"] == "nonsense"  # built unchecked


def test_install_is_idempotent() -> None:
    before = (alt.TopLevelMixin.__dict__["to_dict"], alt.Chart.__dict__["to_dict"])
    schema_check.install()
    assert (alt.TopLevelMixin.__dict__["to_dict"], alt.Chart.__dict__["to_dict"]) == before
