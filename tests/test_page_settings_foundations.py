"""The settings of the Why non-linearity, Playground and guide pages import without
running a page, and every value an old link could hold is still accepted."""

from __future__ import annotations

from actlib.page_settings import settings_of
from actlib.page_settings.nonlinearity import OLD_PLAYGROUND_DEMO, playground_link
from actlib.vocabulary import INIT_LABELS, LEARNING_RATES, OPTIMIZER_LABELS


def test_settings_of_each_page() -> None:
    for stem, key in (("nonlinearity", "c_depth"), ("playground", "p_steps"),
                      ("guide", "lr")):
        settings = settings_of(stem)
        assert settings is not None and key in {s.key for s in settings}, stem


def test_the_playground_moved_out_of_the_nonlinearity_tabs() -> None:
    nonlinearity, playground = settings_of("nonlinearity"), settings_of("playground")
    assert OLD_PLAYGROUND_DEMO not in nonlinearity["demo"].options
    assert not [s for s in nonlinearity if s.key.startswith("p_")]
    assert all(s.key.startswith("p_") for s in playground)


def test_an_old_playground_link_keeps_exactly_its_playground_values() -> None:
    query = {"demo": ["Playground"], "p_lr": ["0.1"], "p_steps": ["500"], "c_depth": ["3"]}
    assert playground_link(query) == {"p_lr": ["0.1"], "p_steps": ["500"]}
    assert playground_link({"demo": ["Collapse"], "p_lr": ["0.1"]}) is None
    assert playground_link({}) is None


def test_old_learning_rates_and_labels_are_still_accepted() -> None:
    """The rates each page offered before it read the shared ladder, and its keys."""
    offered = {
        ("playground", "p_lr"): (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
        ("nonlinearity", "s_lr"): (0.1, 0.3, 1.0, 3.0, 10.0),
        ("guide", "lr"): (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
    }
    for (stem, key), rates in offered.items():
        options = settings_of(stem)[key].options
        assert set(rates) <= set(options) and set(options) <= set(LEARNING_RATES), key
    guide = settings_of("guide")
    assert set(guide["init"].options) == {"default", "he", "xavier_uniform", "lecun"}
    assert all(guide["init"].labels[k] == INIT_LABELS[k] for k in guide["init"].options)
    assert dict(guide["opt"].labels) == dict(OPTIMIZER_LABELS)
