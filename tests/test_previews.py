"""The home page's stored previews are what the app's own modules compute today."""

from __future__ import annotations

import pandas as pd
import pytest

from actlib import previews
from actlib.activations import get
from actlib.ui.page_registry import TOPIC_PAGES

RELATIVE = 10.0 ** (1 - previews.SIGNIFICANT_DIGITS)
"""What rounding to the stored digits may move a number by, relatively."""


@pytest.mark.parametrize("name", list(previews.COMPUTE))
def test_a_stored_preview_equals_its_computation(name: str) -> None:
    """Recomputed with torch (the catalogue, the data sets, the engine): the same rows,
    columns and values to the stored digits. On a failure, `python -m actlib.previews`
    writes the file again."""
    computed = previews.COMPUTE[name]().reset_index(drop=True)
    stored = previews.stored(name)
    pd.testing.assert_frame_equal(stored, computed, check_dtype=False, rtol=RELATIVE,
                                  atol=1e-12)


def test_the_stored_slopes_are_the_catalogues_derivatives() -> None:
    """The Shapes card's values, independently: each stored f′ is the catalogue's
    hand-written derivative at the stored x."""
    import torch

    frame = previews.stored("shapes")
    for key, rows in frame.groupby("key"):
        x = torch.tensor(rows["x"].to_numpy(), dtype=torch.float64)
        expected = get(key).grad(x).numpy()
        assert rows["df"].to_numpy() == pytest.approx(expected, rel=RELATIVE, abs=1e-12), key


def test_every_card_but_the_timeline_draws_a_stored_preview() -> None:
    """Five cards come from the file and the guide's timeline from the catalogue's
    metadata, so every topic page's card is covered by a test above."""
    stored = {info.stem for info in TOPIC_PAGES} - {"guide"}
    assert stored == set(previews.COMPUTE)
    from actlib.card_previews import CARDS

    assert set(CARDS) == {info.stem for info in TOPIC_PAGES}


def test_a_changed_computation_fails_the_comparison(monkeypatch) -> None:
    """The comparison can fail: one value moved by a thousandth is caught."""
    frame = previews.stored("dead_relu")
    frame.loc[3, "dead_share"] += 1e-3
    monkeypatch.setitem(previews.COMPUTE, "dead_relu", lambda: frame)
    with pytest.raises(AssertionError):
        test_a_stored_preview_equals_its_computation("dead_relu")
