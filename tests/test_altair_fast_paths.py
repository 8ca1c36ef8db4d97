"""Altair's fast paths (actlib.charts.altair_fast_paths) give what Altair's own functions
give: the same copies of every chart the pages draw, the same channel objects from
shorthands; and they do cut the work they are there to cut."""

from __future__ import annotations

import altair as alt
import numpy as np
import pytest
from altair.utils import schemapi
from altair.utils.schemapi import SchemaBase

from actlib.charts import altair_fast_paths as fast
from actlib.charts.inputs_on_curve import inputs_on_curve_chart
from actlib.inputs_on_curve import InputsOnCurve, curve_on_window
from actlib.ui import chart_conversion
from tests.apptest_charts import open_page


def same_structure(ours, theirs, original, by_ref=frozenset(), path="chart") -> None:
    """``ours`` and ``theirs`` (two copies of ``original``) agree in type and value at
    every node; neither shares a list, dict or schema object with ``original`` except
    under a ``by_ref`` key (data frames and other leaves are kept as they are)."""
    assert type(ours) is type(theirs), path
    if not isinstance(original, SchemaBase | list | dict):
        assert ours is original and theirs is original, path
        return
    assert ours is not original and theirs is not original, path
    if isinstance(original, SchemaBase):  # a schema object: its arguments and its fields
        same_structure(list(ours._args), list(theirs._args), list(original._args), by_ref,
                       f"{path}()")
        same_structure(ours._kwds, theirs._kwds, original._kwds, by_ref, path)
    elif isinstance(original, list):
        assert len(ours) == len(theirs) == len(original), path
        for i, (a, b, o) in enumerate(zip(ours, theirs, original, strict=True)):
            same_structure(a, b, o, by_ref, f"{path}[{i}]")
    else:
        assert ours.keys() == theirs.keys() == original.keys(), path
        for key, o in original.items():
            if key in by_ref:
                assert ours[key] is o and theirs[key] is o, f"{path}.{key}"
            else:
                same_structure(ours[key], theirs[key], o, by_ref, f"{path}.{key}")


def inputs_chart() -> alt.LayerChart:
    measured = InputsOnCurve(key="relu", layer=2, step=100, edges=np.linspace(-3, 3, 61),
                             share=np.full(60, 1 / 60), flat_share=0.4, zero_slope_share=0.4,
                             outside_share=0.0, n_inputs=1000)
    return inputs_on_curve_chart(measured, curve_on_window(measured))


@pytest.fixture(scope="module")
def page_charts() -> list:
    """Every Altair chart the Dead ReLU, Gradients and Choosing pages draw by default,
    plus the layered inputs chart (selections, conditions, facets, layers among them)."""
    charts: list = [inputs_chart()]
    own = chart_conversion.convert

    def recording(chart):
        charts.append(chart)
        return own(chart)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chart_conversion, "convert", recording)
        for page in ("pages/dead_relu.py", "pages/gradients.py", "pages/guide.py"):
            open_page(page)
    assert len(charts) > 10
    return charts


def test_installed_by_the_chart_package():
    assert schemapi._deep_copy is fast.deep_copy
    assert SchemaBase.__dict__["from_dict"].__func__ is fast.from_dict


def test_deep_copies_equal_altairs_on_every_drawn_chart(page_charts):
    kinds = set()
    for chart in page_charts:
        kinds.add(type(chart).__name__)
        ours, theirs = fast.deep_copy(chart, set()), fast.ALTAIR_DEEP_COPY(chart, set())
        same_structure(ours, theirs, chart)
        assert ours.to_dict() == theirs.to_dict() == chart.to_dict()
    assert {"Chart", "LayerChart"} <= kinds


def test_by_ref_keys_are_kept_by_reference(page_charts):
    """(Single-view charts: rebuilding a layer chart copies its layers again, by_ref or
    not, in Altair's function as in ours.)"""
    single = [chart for chart in page_charts if type(chart) is alt.Chart]
    assert single
    for chart in single:
        ours = fast.deep_copy(chart, {"data", "encoding"})
        theirs = fast.ALTAIR_DEEP_COPY(chart, {"data", "encoding"})
        same_structure(ours, theirs, chart, by_ref={"data", "encoding"})


def test_copy_with_debug_mode_on_builds_nothing_twice():
    """Altair's debug mode (on in the suite) checks each object built; the copy turns it
    off around its rebuilt objects as Altair does, and leaves it as it was."""
    chart = inputs_chart()
    with schemapi.debug_mode(True):
        copied = chart.copy(deep=True)
        assert schemapi.DEBUG_MODE
    assert copied.to_dict() == chart.to_dict()


SHORTHANDS = [
    (alt.X, {"shorthand": "x:Q"}), (alt.X2, {"shorthand": "x2:Q"}),
    (alt.Y, {"shorthand": "mean(value):Q"}), (alt.Color, {"shorthand": "key:N"}),
    (alt.Tooltip, {"shorthand": "share:Q"}), (alt.StrokeDash, {"shorthand": "curve:N"}),
    (alt.ColorValue, {"value": "#ff0000"}), (alt.OpacityValue, {"value": 0.3}),
    (alt.Row, {"shorthand": "layer:O"}), (alt.Facet, {"shorthand": "key:N", "columns": 3}),
]


@pytest.mark.parametrize(("channel", "dct"), SHORTHANDS, ids=lambda v: getattr(v, "__name__", ""))
def test_from_dict_equals_altairs(channel, dct):
    ours = channel.from_dict(dct, validate=False)
    theirs = fast.ALTAIR_FROM_DICT.__func__(channel, dct, validate=False)
    assert type(ours) is type(theirs) is channel
    assert ours.to_dict(validate=False) == theirs.to_dict(validate=False)


def test_from_dict_still_validates_when_asked():
    with pytest.raises(Exception):  # noqa: B017  (jsonschema's error, whatever Altair raises)
        alt.X.from_dict({"shorthand": "x:Q", "no_such_property": 1}, validate=True)


def test_the_class_tables_are_built_once(monkeypatch):
    built = []
    original = schemapi._FromDict

    class Counting(original):
        def __init__(self, classes):
            built.append(1)
            super().__init__(classes)

    monkeypatch.setattr(schemapi, "_FromDict", Counting)
    monkeypatch.setattr(fast, "_tables", {})
    for _ in range(5):
        for channel, dct in SHORTHANDS:
            channel.from_dict(dct, validate=False)
    assert len(built) == 1  # the channels share VegaLiteSchema's table


def test_the_copies_skip_altairs_calls_on_undefined(monkeypatch):
    """The work cut, counted (not timed): a copy of the layered inputs chart calls the
    copy function once per object that needs copying, not once per Undefined field."""
    chart = inputs_chart()
    calls = {"ours": 0, "altair": 0}

    def counted(name, function):
        def wrapper(obj, by_ref):
            calls[name] += 1
            return function(obj, by_ref)
        return wrapper

    monkeypatch.setattr(fast, "deep_copy", counted("ours", fast.deep_copy))
    fast.deep_copy(chart, set())
    monkeypatch.setattr(schemapi, "_deep_copy", counted("altair", fast.ALTAIR_DEEP_COPY))
    schemapi._deep_copy(chart, set())
    assert calls["altair"] > 5 * calls["ours"] > 0
