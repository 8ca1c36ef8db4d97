"""Your own data in the engine: an upload or drawn points registered under a content-hash
name (``user:<hash>``) that a hashable TrainConfig names; and the Playground training on
it (AppTest, with the points a student would have clicked already in the session)."""

from __future__ import annotations

import math

import pytest
import torch
from streamlit.testing.v1 import AppTest

from actlib import datasets
from actlib.activations import FORMULA_OPTION, custom_key
from actlib.playground import live_config
from actlib.training import TrainConfig, run_to_end
from actlib.user_data import (
    MAX_DRAWN_POINTS,
    OWN_DATA_OPTION,
    DataError,
    content_name,
    parse_csv,
    points_csv,
    register_csv,
)
from tests.apptest_charts import APP

TIMEOUT = 240


def _points(n: int = 40, seed: int = 0) -> list[tuple[float, float, int]]:
    g = torch.Generator().manual_seed(seed)
    xy = (torch.rand(n, 2, generator=g) * 6 - 3).tolist()
    return [(round(a, 3), round(b, 3), int(a + 0.5 * b > 0)) for a, b in xy]


def test_drawn_points_become_the_csv_an_upload_would_be() -> None:
    points = _points()
    data = parse_csv(points_csv(points))
    assert data.n_rows == len(points) and data.class_names == ("0", "1")
    assert sorted(data.frame["x1"].tolist()) == sorted(p[0] for p in points)
    with pytest.raises(DataError, match="limit is 400"):
        points_csv(_points(MAX_DRAWN_POINTS + 1))


def test_a_registered_file_is_a_data_set_the_engine_trains_on() -> None:
    content = points_csv(_points())
    name, parsed = register_csv(content, seed=2, test_fraction=0.25)
    assert name == content_name(content) and name.startswith("user:")
    meta = datasets.info(name)
    assert (meta.task, meta.input_dim, meta.max_samples) == ("binary", 2, 40)
    assert datasets.effective_samples(name, 400) == 40  # every row, whatever n says
    loaded = datasets.load(name, seed=2, test_fraction=0.25)
    assert torch.equal(loaded.x_train, parsed.dataset.x_train)  # the split of that seed
    assert loaded.info.name == name
    config = TrainConfig(dataset=name, data_seed=2, steps=40, snapshot_every=20,
                         models=live_config(name, 0.1, 0.25, "tanh", 2, 6, 2).models)
    assert hash(config) == hash(TrainConfig(dataset=name, data_seed=2, steps=40,
                                            snapshot_every=20, models=config.models))
    snaps = run_to_end(config)
    assert snaps[-1].train_loss[0] < snaps[0].train_loss[0]
    assert config.n_total == 40 and config.n_train == 30


def test_another_seed_splits_the_same_file_another_way() -> None:
    name, _ = register_csv(points_csv(_points()))
    a = datasets.load(name, seed=0, test_fraction=0.25)
    b = datasets.load(name, seed=1, test_fraction=0.25)
    assert a.n_train == b.n_train and not torch.equal(a.x_train, b.x_train)


def test_an_unregistered_name_is_unknown() -> None:
    with pytest.raises(KeyError, match="unknown data set"):
        datasets.info("user:0000000000000000")
    with pytest.raises(KeyError):
        TrainConfig(dataset="user:0000000000000000")


def test_the_registry_is_bounded() -> None:
    names = [register_csv(points_csv(_points(seed=s)))[0]
             for s in range(datasets.MAX_REGISTERED + 3)]
    with pytest.raises(KeyError):
        datasets.info(names[0])  # the oldest was dropped
    assert datasets.info(names[-1]).name == names[-1]


def _playground_with_points(points, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.session_state["playground:own_data"] = {
        "source": "draw", "file": None, "file_name": "", "points": list(points), "canvas": 0,
    }
    at.switch_page("pages/playground.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_playground_without_data_says_what_is_missing() -> None:
    at = _playground_with_points([], p_data=OWN_DATA_OPTION)
    assert any("link cannot carry it" in c.value for c in at.caption)
    assert any("at least 5 points of each class" in i.value for i in at.info)
    assert not at.get("metric")  # nothing trains before there is data


def test_playground_trains_on_drawn_points_with_a_formula() -> None:
    at = _playground_with_points(_points(), p_data=OWN_DATA_OPTION, p_act=FORMULA_OPTION,
                                 p_fx="x * sigmoid(x)")
    assert any(e.label.startswith("Your data: 40 rows, 30 to train and 10 to test")
               for e in at.expander)
    metrics = {m.label: m.value for m in at.get("metric")}
    assert metrics["Step"] == "250"  # the link's default step count, trained
    assert not math.isnan(float(metrics["Train loss"]))
    assert any("full batches" in c.value and "30 training points" in c.value
               for c in at.caption)
    assert at.get("download_button")
    assert custom_key("x * sigmoid(x)").startswith("f:")


def _playground_with_file(content: bytes) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["p_data"] = OWN_DATA_OPTION
    at.run()
    at.session_state["playground:own_data"] = {
        "source": "upload", "file": content, "file_name": "mine.csv", "points": [],
        "canvas": 0}
    at.switch_page("pages/playground.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_playground_refuses_other_tasks_and_bad_files_with_messages() -> None:
    three = points_csv([(x, y, i % 3) for i, (x, y, _) in enumerate(_points(45))])
    at = _playground_with_file(three)
    assert any("separates two classes; this data has 3 classes" in e.value for e in at.error)
    at.session_state["playground:own_data"]["file"] = b"x,y\n" + b"".join(
        f"{i},{i * i}\n".encode() for i in range(12))
    at.run()
    assert any("a regression set" in e.value for e in at.error)
    at.session_state["playground:own_data"]["file"] = b"x1;x2;label\n1;2;a\n"
    at.run()
    assert any("separated by semicolons" in e.value for e in at.error)
    assert not at.get("metric")


def test_dead_unit_monitor_and_bake_off_configs_take_your_data() -> None:
    from actlib import bakeoff, dead_units

    name, _ = register_csv(points_csv(_points(80, seed=5)))
    monitor = dead_units.monitor_config(["relu", custom_key("x * sigmoid(x)")], dataset=name,
                                        steps=50)
    assert monitor.n_total == 80 and monitor.probe_size == monitor.n_train
    snaps = run_to_end(monitor)
    assert snaps[-1].dead_share.shape == (2, 3)
    contest = bakeoff.build_config(["relu", "tanh"], dataset=name, steps=50, seeds=1)
    assert contest.dataset == name


def _page_with_file(page: str, prefix: str, content: bytes, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.session_state[f"{prefix}:own_data"] = {
        "source": "upload", "file": content, "file_name": "mine.csv", "points": [],
        "canvas": 0}
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_dead_relu_monitor_trains_on_uploaded_data_with_three_classes() -> None:
    three = points_csv([(x, y, i % 3) for i, (x, y, _) in enumerate(_points(60))])
    at = _page_with_file("pages/dead_relu.py", "dead_relu", three, data=OWN_DATA_OPTION,
                         act=["relu"], steps="50", width="8")
    assert any("link cannot carry it" in c.value for c in at.caption)
    assert any("Trained 50 steps." in c.value for c in at.caption)
    session = at.session_state["live_runs:dead_relu"]
    assert session.run.config.dataset.startswith("user:")
    assert session.run.config.task == "multiclass"


def test_the_bake_off_trains_on_uploaded_data() -> None:
    at = _page_with_file("pages/guide.py", "guide", points_csv(_points(60)), view="Bake-off",
                         data=OWN_DATA_OPTION, pick="custom", act=["relu", "tanh"],
                         steps="50", seeds="1")
    assert any(c.value.startswith("2 networks, 50 steps") for c in at.caption)
    assert at.session_state["live_runs:guide"].run.config.dataset.startswith("user:")
