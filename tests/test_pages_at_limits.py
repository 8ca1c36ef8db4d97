"""Every page opened by a link with every declared setting at its top or bottom limit, on
every tab: a chart or a clear message (a cap, an empty window), never a traceback.

A page's settings are imported from ``actlib.page_settings.<page stem>``, as a lecture
scene or any test can: no page is run or parsed to find them.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from actlib.page_settings import settings_of
from actlib.settings import Choice, PageSettings, Setting
from actlib.ui.page_registry import TOPIC_PAGES
from tests.browser import REPO

APP = str(REPO / "streamlit_app.py")


def page_settings(stem: str) -> PageSettings:
    settings = settings_of(stem)
    assert settings is not None, f"pages/{stem}.py has no actlib.page_settings.{stem}"
    return settings


def limit_value(setting: Setting, top: bool) -> list[str]:
    """The URL form of a setting at its top (or bottom) limit."""
    return setting.serialize(setting.limit(top))


def _cases() -> list[tuple[str, bool, str | None]]:
    cases = []
    for info in TOPIC_PAGES:
        settings = page_settings(info.stem)
        tabs = [s for s in settings if isinstance(s, Choice) and s.widget == "tabs"]
        views = list(tabs[0].options) if tabs else [None]
        cases += [(info.stem, top, view) for top in (True, False) for view in views]
    return cases


@pytest.mark.parametrize(("stem", "top", "view"), _cases())
def test_page_at_its_limits(stem: str, top: bool, view: str | None) -> None:
    settings = page_settings(stem)
    tab_keys = {s.key for s in settings if isinstance(s, Choice) and s.widget == "tabs"}
    at = AppTest.from_file(APP, default_timeout=240)
    for setting in settings:
        value = None if setting.key in tab_keys else limit_value(setting, top)
        if value:
            at.query_params[setting.key] = value if len(value) > 1 else value[0]
    if view is not None:
        at.query_params[next(iter(tab_keys))] = view
    at.run()
    at.switch_page(f"pages/{stem}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning or "were not valid" not in at.warning[0].value, at.warning[0].value


# --- numerical faults: extreme inputs, rates, depths and batches ------------------------

import math  # noqa: E402

import torch  # noqa: E402

from actlib.activations import CATALOGUE, ActivationSpec  # noqa: E402
from actlib.nets import ModelSpec  # noqa: E402
from actlib.training import TrainConfig, run_to_end  # noqa: E402
from tests.apptest_charts import drawn_charts  # noqa: E402

EXTREMES = {
    torch.float64: [-1e300, -1e30, -1e4, -710.0, -100.0, -50.0, 0.0, 50.0, 100.0, 710.0,
                    1e4, 1e30, 1e300],
    torch.float32: [-1e38, -1e30, -1e4, -100.0, -89.0, -50.0, 0.0, 50.0, 89.0, 100.0, 1e4,
                    1e30, 1e38],
}
"""Up to a third of float32's largest value: torch's own GELU overflows an intermediate
(x·(1 + erf)) at 3e38, which no page reaches (windows stop at ±50)."""
ELEMENTWISE = [s for s in CATALOGUE if s.kind == "elementwise"]


def _param_sets(spec: ActivationSpec) -> list[dict]:
    sets: list[dict] = [{}]
    for p in spec.params:
        values = p.choices if p.is_choice else (p.low, p.high)
        sets += [{p.key: v} for v in values]
    return sets


@pytest.mark.parametrize("spec", ELEMENTWISE, ids=lambda s: s.key)
@pytest.mark.parametrize("dtype", list(EXTREMES), ids=str)
def test_every_activation_and_slope_is_finite_at_extreme_inputs(spec, dtype) -> None:
    """exp overflow in ELU, SELU, Softplus, Mish; x³ in GELU's tanh form; βx in Swish."""
    x = torch.tensor(EXTREMES[dtype], dtype=dtype)
    for params in _param_sets(spec):
        y, slope = spec(x, params), spec.grad(x, params)
        assert torch.isfinite(y).all(), (params, x[~torch.isfinite(y)].tolist())
        assert torch.isfinite(slope).all(), (params, x[~torch.isfinite(slope)].tolist())
        tails = slope[[0, -1]].tolist()  # far out every slope is flat or constant
        assert all(math.isfinite(t) for t in tails)


def test_batch_norm_refuses_a_batch_of_one_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="at least 2 rows"):
        TrainConfig(norm="batch", batch_size=1)


@pytest.mark.parametrize("batch", [2, 3])
def test_batch_norm_on_tiny_batches_trains_or_names_its_divergence(batch: int) -> None:
    config = TrainConfig(models=(ModelSpec("relu"), ModelSpec("sigmoid")), norm="batch",
                         batch_size=batch, steps=30, snapshot_every=10)
    last = run_to_end(config)[-1]
    named = {d.model for d in last.divergences()}
    for i, loss in enumerate(last.train_loss):
        assert math.isfinite(float(loss)) or i in named, (batch, i, loss)
        assert (i in named) == (last.diverged_step[i] >= 0)


def _open(stem: str, query: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    for key, value in query.items():
        at.query_params[key] = value
    return at.switch_page(f"pages/{stem}.py").run()


def _warnings(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning)


@pytest.mark.parametrize(("stem", "query", "said"), [
    ("gradients", {"view": "Training", "act": ["sigmoid", "relu"], "lr": "10",
                   "steps": "100", "init": "naive", "sigma": "10"}, "diverged"),
    ("dead_relu", {"lr": "10", "steps": "100", "act": ["relu", "elu"], "bias": "0.5"},
     "diverged"),
    ("playground", {"p_lr": "10", "p_steps": "500", "p_act": "relu", "p_depth": "6",
                    "p_width": "8"}, "Stuck at chance"),
])
def test_a_run_at_the_caps_says_what_happened(stem: str, query: dict, said: str) -> None:
    """The highest rate: a divergence named on screen (or, where Adam keeps the loss
    finite, the stuck run explained), never a silent empty chart."""
    at = _open(stem, query)
    assert not at.exception, [e.value for e in at.exception]
    assert said in _warnings(at), _warnings(at)[:500]
    charts = drawn_charts(at)
    assert all(c.rows for c in charts), [(c.title, c.rows) for c in charts]


def test_sigmoid_at_depth_50_shows_vanished_gradients_not_empty_charts() -> None:
    at = _open("gradients", {"act": ["sigmoid", "relu"], "depth": "50"})
    assert not at.exception, [e.value for e in at.exception]
    charts = drawn_charts(at)
    assert charts and all(c.rows for c in charts), [(c.title, c.rows) for c in charts]
