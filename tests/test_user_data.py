"""Uploaded CSVs: bad files are refused with their own message, valid ones become split,
standardised data sets in the engine's conventions, and one trains with the engine."""

from __future__ import annotations

import csv
import io
import math
import re
import time

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actlib import training
from actlib.datasets import Dataset, load, split_sizes
from actlib.nets import BatchedMLP, ModelSpec, NetConfig, task_loss
from actlib.runtime import configure_torch
from actlib.user_data import (
    MAX_BYTES,
    MAX_CLASSES,
    MAX_ROWS,
    MIN_ROWS_PER_CLASS,
    DataError,
    UserData,
    parse_csv,
    to_csv_bytes,
)

configure_torch()  # one thread, as the app runs; idempotent


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _blobs(n_per_class: int = 30, classes: tuple[str, ...] = ("a", "b"), seed: int = 0) -> bytes:
    """Separable Gaussian clouds, one per class, around points on a circle of radius 3."""
    rng = np.random.default_rng(seed)
    rows = []
    for k, label in enumerate(classes):
        angle = 2 * math.pi * k / len(classes)
        centre = 3 * np.array([math.cos(angle), math.sin(angle)])
        for point in centre + rng.normal(size=(n_per_class, 2)):
            rows.append([repr(float(point[0])), repr(float(point[1])), label])
    return _csv(["x1", "x2", "label"], rows)


GOOD_ROWS = "".join(f"{i},{(i * 7) % 5},{'ab'[i % 2]}\n" for i in range(20))

BAD_FILES: list[tuple[str, bytes, str]] = [
    ("empty", b"", "The file is empty."),
    ("only blank lines", b"\n\n  \n", "The file is empty."),
    ("too many bytes", b"x,y\n" + b"1,2\n" * 60_000, "the limit is 200 kB"),
    ("binary with NUL bytes", b"x,y\n1,2\0\n", "binary file"),
    ("PNG header", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "binary file"),
    ("not UTF-8", "x,y\né,2\n".encode("latin-1"), "not UTF-8"),
    ("UTF-16", "x,y\n1,2\n".encode("utf-16"), "binary file"),
    ("huge line", b"x,y\n" + b"1" * 5000 + b",2\n", "Line 2 is 5,002 characters long"),
    ("too many rows", b"x,y\n" + b"".join(f"{i},{i}\n".encode() for i in range(MAX_ROWS + 1)),
     "more than 2,000 rows"),
    ("semicolons", b"x1;x2;label\n1;2;a\n", "separated by semicolons: use commas"),
    ("tabs", b"x\ty\n1\t2\n", "separated by tabs: use commas"),
    ("semicolon rows under a comma header",
     b"x1,x2,label\n" + b"1;2;a\n" * 12, "Line 2 has 1 value; the header has 3 columns. The "
     "values seem to be separated by semicolons"),
    ("one column", b"x\n1\n2\n", "The file has 1 column; it needs 3"),
    ("four columns", b"a,b,c,d\n1,2,3,4\n", "The file has 4 columns"),
    ("no header", b"1,2,0\n" + GOOD_ROWS.encode(), "must name the columns"),
    ("duplicated header", b"x,x,label\n" + GOOD_ROWS.encode(), "names 'x' twice"),
    ("empty header name", b"x1,,label\n" + GOOD_ROWS.encode(), "Column 2 has no name"),
    ("header only", b"x1,x2,label\n", "no rows of data"),
    ("short row", b"x1,x2,label\n" + GOOD_ROWS.encode() + b"1,2\n",
     "Line 22 has 2 values; the header has 3 columns."),
    ("long row", b"x1,x2,label\n1,2,a,4\n", "Line 2 has 4 values"),
    ("text in a feature", b"x1,x2,label\n" + GOOD_ROWS.encode() + b"1,abc,a\n",
     "Line 22, column 'x2': 'abc' is not a number."),
    ("missing feature", b"x1,x2,label\n" + GOOD_ROWS.encode() + b",1,a\n",
     "Line 22, column 'x1': the value is missing."),
    ("missing label", b"x1,x2,label\n1,2,\n" + GOOD_ROWS.encode(),
     "Line 2, column 'label': the label is missing."),
    ("NaN", b"x,y\n" + b"".join(f"{i},{i}\n".encode() for i in range(12)) + b"3,NaN\n",
     "Line 14, column 'y': 'NaN' is not allowed"),
    ("Inf", b"x,y\n-inf,1\n" + b"".join(f"{i},{i}\n".encode() for i in range(12)),
     "Line 2, column 'x': '-inf' is not allowed"),
    ("overflowing number", b"x,y\n1e999,1\n", "Line 2, column 'x': 1e999 is too large"),
    ("decimal comma", b"x,y\n1,5,2\n", "Line 2 has 3 values"),
    ("python-only number", b"x,y\n1_000,2\n", "'1_000' is not a number"),
    ("non-ASCII digits", "x,y\n\u0663,2\n".encode(), "'\u0663' is not a number"),
    ("single class", b"x1,x2,label\n" + b"".join(f"{i},{-i},a\n".encode() for i in range(9)),
     "only one class ('a')"),
    ("too many classes", b"x1,x2,label\n" + b"".join(f"{i},{-i},{i % 6}\n".encode()
                                                     for i in range(60)),
     "has 6 classes; the limit is 5"),
    ("too few rows in a class", b"x1,x2,label\n" + GOOD_ROWS.encode() + b"9,9,c\n" * 3,
     "Class 'c' has 3 rows; each class needs at least 5."),
    ("constant feature", b"x1,x2,label\n" + b"".join(f"1,{i},{'ab'[i % 2]}\n".encode()
                                                     for i in range(20)),
     "Column 'x1' has the same value in every row"),
    ("too few regression rows", b"x,y\n1,2\n2,3\n3,1\n", "The file has 3 rows of data"),
    ("unclosed quote", b'x1,x2,label\n1,2,"a\n', "cannot be read as CSV"),
]


@pytest.mark.parametrize(("data", "message"), [(d, m) for _, d, m in BAD_FILES],
                         ids=[name for name, _, _ in BAD_FILES])
def test_bad_file_is_refused_with_its_message(data: bytes, message: str) -> None:
    start = time.perf_counter()
    with pytest.raises(DataError) as caught:
        parse_csv(data)
    assert time.perf_counter() - start < 2.0
    assert message in str(caught.value)
    assert len(str(caught.value)) < 200


def test_bad_file_corpus_covers_the_size_cap() -> None:
    assert len(b"x,y\n" + b"1,2\n" * 60_000) > MAX_BYTES


@pytest.mark.parametrize("data", [None, "x,y\n1,2\n", 12])
def test_non_bytes_are_refused(data: object) -> None:
    with pytest.raises(DataError, match="bytes"):
        parse_csv(data)  # type: ignore[arg-type]


def test_data_error_is_a_value_error() -> None:
    assert issubclass(DataError, ValueError)


# --- valid files -------------------------------------------------------------------------------


def test_classification_file_in_the_engines_conventions() -> None:
    user = parse_csv(_blobs(30, ("setosa", "virginica", "versicolor")), dtype=torch.float32)
    data = user.dataset
    reference = load("moons", 90)
    assert isinstance(data, Dataset)
    assert data.task == "multiclass" and data.info.output_dim == 3
    assert data.info.input_dim == reference.info.input_dim == 2
    for ours, theirs in ((data.x_train, reference.x_train), (data.y_train, reference.y_train),
                         (data.x_test, reference.x_test), (data.y_test, reference.y_test)):
        assert ours.dtype == theirs.dtype and ours.dim() == theirs.dim()
    assert data.x_train.shape[1] == 2
    assert (data.n_train, data.n_test) == split_sizes(90, 0.25)
    assert user.class_names == ("setosa", "versicolor", "virginica")
    assert data.bounds is not None and len(data.bounds) == 2
    assert list(user.frame.columns) == ["x1", "x2", "label", "split"]
    assert set(user.frame["split"]) == {"train", "test"}
    assert data.frame().shape[0] == 90


def test_two_classes_make_a_binary_task_and_whole_number_labels_sort_numerically() -> None:
    user = parse_csv(_blobs(10, ("10", "9")))
    assert user.task == "binary" and user.dataset.info.output_dim == 1
    assert user.class_names == ("9", "10")
    assert user.dataset.y_train.dtype == torch.int64


def test_non_ascii_digit_labels_are_names_not_numbers() -> None:
    rows = [[i, i * i % 7, "\u0663" if i % 2 else "3"] for i in range(20)]
    assert parse_csv(_csv(["a", "b", "c"], rows)).class_names == ("3", "\u0663")


def test_labels_written_differently_are_one_class() -> None:
    rows = [[i, i * i % 7, "07" if i % 2 else "+7"] for i in range(10)]
    rows += [[i, -i, "3"] for i in range(10)]
    user = parse_csv(_csv(["a", "b", "c"], rows))
    assert user.class_names == ("3", "7")


def test_regression_file() -> None:
    xs = np.linspace(-3, 3, 40)
    rows = [[repr(float(x)), repr(float(2 * x + 1))] for x in xs]
    user = parse_csv(_csv(["hours", "score"], rows), dtype=torch.float64)
    data = user.dataset
    assert data.task == "regression" and data.info.input_dim == 1
    assert data.x_train.shape == (30, 1) and data.y_train.shape == (30,)
    assert data.y_train.dtype == torch.float64 and user.class_names == ()
    # targets stay in the file's units; the feature is standardised
    assert float(data.y_train.max()) > 3
    assert abs(float(data.x_train.mean())) < 1e-12


def test_header_spaces_bom_crlf_and_blank_lines_are_accepted() -> None:
    text = "\ufeff x1 , x2 ,label\r\n" + GOOD_ROWS.replace("\n", "\r\n") + "\r\n\r\n"
    user = parse_csv(text.encode("utf-8"))
    assert user.feature_names == ("x1", "x2") and user.target_name == "label"


def test_exactly_at_the_caps_is_accepted() -> None:
    rows = [[i, (i * 37) % 101, "ab"[i % 2]] for i in range(MAX_ROWS)]
    data = _csv(["x1", "x2", "label"], rows)
    assert len(data) <= MAX_BYTES
    assert parse_csv(data).n_rows == MAX_ROWS
    labels = [str(k) for k in range(MAX_CLASSES)]
    assert len(parse_csv(_blobs(MIN_ROWS_PER_CLASS, tuple(labels))).class_names) == MAX_CLASSES
    line = "0" * 990 + "1,2"
    assert parse_csv(("x,y\n" + line + "\n" + GOOD_ROWS.replace(",a\n", "\n").replace(",b\n", "\n"))
                     .encode()).n_rows == 21
    with pytest.raises(DataError, match=r"'1{20}\.\.\.' is not a number"):
        parse_csv(b"x,y\n" + b"1" * 900 + b"x,2\n")


def test_a_column_named_split_keeps_its_values() -> None:
    rows = [[i, (i * 3) % 7, "ab"[i % 2]] for i in range(20)]
    user = parse_csv(_csv(["split", "x2", "label"], rows))
    assert user.split_column == "split_"
    assert user.frame["split"].tolist() == [float(r[0]) for r in rows]


def test_same_seed_same_split_other_seed_other_split() -> None:
    data = _blobs(20)
    first, again, other = parse_csv(data, seed=1), parse_csv(data, seed=1), parse_csv(data, seed=2)
    assert torch.equal(first.dataset.x_train, again.dataset.x_train)
    assert not torch.equal(first.dataset.x_train, other.dataset.x_train)


def test_csv_download_round_trips() -> None:
    user = parse_csv(_blobs(12, ("a,b", 'say "hi"', "c")))
    back = parse_csv(to_csv_bytes(user))
    assert back.class_names == user.class_names
    assert back.frame.equals(user.frame)
    with_split = to_csv_bytes(user, include_split=True).decode()
    assert with_split.splitlines()[0] == "x1,x2,label,split"


# --- property: random valid files --------------------------------------------------------------

_FLOATS = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
_LABEL = st.one_of(
    st.integers(-50, 50).map(str),
    st.text(st.characters(categories=("L", "N"), exclude_characters="\x00"), min_size=1,
            max_size=8),
)


@st.composite
def classification_files(draw: st.DrawFn) -> tuple[bytes, dict[str, int], list[list[float]]]:
    labels = draw(st.lists(_LABEL, min_size=2, max_size=MAX_CLASSES, unique_by=_canonical))
    counts = {label: draw(st.integers(MIN_ROWS_PER_CLASS, 40)) for label in labels}
    rows = []
    for label, count in counts.items():
        for _ in range(count):
            rows.append([draw(_FLOATS), draw(_FLOATS), label])
    order = draw(st.permutations(range(len(rows))))
    rows = [rows[i] for i in order]
    return _csv(["x1", "x2", "label"], [[repr(a), repr(b), c] for a, b, c in rows]), counts, rows


def _canonical(label: str) -> str:
    text = label.strip()
    return str(int(text)) if re.fullmatch(r"[+-]?[0-9]+", text) else text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classification_files(), st.integers(0, 5), st.sampled_from([0.2, 0.25, 0.5]))
def test_random_classification_files(case: tuple[bytes, dict[str, int], list[list[float]]],
                                     seed: int, fraction: float) -> None:
    data, counts, rows = case
    features = np.array([[r[0], r[1]] for r in rows])
    if np.any(features.min(0) == features.max(0)):
        with pytest.raises(DataError, match="same value"):
            parse_csv(data)
        return
    user = parse_csv(data, seed=seed, test_fraction=fraction, dtype=torch.float64)
    ds = user.dataset
    n = len(rows)
    assert (ds.n_train, ds.n_test) == split_sizes(n, fraction)
    assert ds.x_train.shape == (ds.n_train, 2) and ds.x_test.shape == (ds.n_test, 2)
    assert ds.y_train.shape == (ds.n_train,) and ds.y_train.dtype == torch.int64
    assert len(user.class_names) == len(counts)
    assert sorted(user.class_names) == sorted(_canonical(c) for c in counts)
    # standardised on the training split
    assert torch.allclose(ds.x_train.mean(0), torch.zeros(2, dtype=torch.float64), atol=1e-9)
    std = ds.x_train.std(0, unbiased=False)
    assert bool(((std - 1).abs() < 1e-9).logical_or(std == 0).all())
    # stratified: each class's test share is its overall share, within one row
    for index, name in enumerate(user.class_names):
        total = sum(c for label, c in counts.items() if _canonical(label) == name)
        in_test = int((ds.y_test == index).sum())
        assert abs(in_test - total * ds.n_test / n) < 1
        assert in_test + int((ds.y_train == index).sum()) == total
    # the frame is the file, exactly
    assert user.frame[["x1", "x2"]].to_numpy().tolist() == features.tolist()
    assert (user.frame[user.split_column] == "test").sum() == ds.n_test


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_FLOATS, _FLOATS), min_size=10, max_size=300), st.integers(0, 5))
def test_random_regression_files(points: list[tuple[float, float]], seed: int) -> None:
    data = _csv(["x", "y"], [[repr(a), repr(b)] for a, b in points])
    xs, ys = (np.array(v) for v in zip(*points, strict=True))
    if xs.min() == xs.max() or ys.min() == ys.max():
        with pytest.raises(DataError, match="same value"):
            parse_csv(data)
        return
    user = parse_csv(data, seed=seed, dtype=torch.float64)
    ds = user.dataset
    assert (ds.n_train, ds.n_test) == split_sizes(len(points), 0.25)
    assert ds.x_train.shape == (ds.n_train, 1) and ds.y_test.shape == (ds.n_test,)
    assert abs(float(ds.x_train.mean())) < 1e-9
    restored = torch.cat([ds.x_train, ds.x_test])[:, 0] * user.std[0] + user.mean[0]
    assert sorted(restored.tolist()) == pytest.approx(sorted(xs.tolist()), rel=1e-9, abs=1e-6)
    assert sorted(torch.cat([ds.y_train, ds.y_test]).tolist()) == sorted(ys.tolist())


# --- smoke: the engine trains on an uploaded set ---------------------------------------------


def _train_through_engine(user: UserData, dataset: str, monkeypatch: pytest.MonkeyPatch):
    """Run ``training.train`` with the upload in place of a built-in set of the same shape.

    The engine loads data by name only (``TrainConfig.dataset``), so the test swaps
    ``training.prepare``; the page step will need the engine to accept a data set itself.
    """

    def prepare(config: training.TrainConfig) -> tuple[Dataset, BatchedMLP]:
        return user.dataset, BatchedMLP(config.net_config())

    monkeypatch.setattr(training, "prepare", prepare)
    config = training.TrainConfig(dataset=dataset, n_samples=user.n_rows,
                                  models=(ModelSpec("relu"), ModelSpec("tanh")), depth=2,
                                  width=16, steps=20, snapshot_every=10, batch_size=32,
                                  lr=0.02)
    return list(training.train(config))


def test_binary_upload_trains_20_steps_with_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    user = parse_csv(_blobs(40, ("no", "yes")))
    snapshots = _train_through_engine(user, "moons", monkeypatch)
    assert [s.step for s in snapshots] == [0, 10, 20]
    first, last = snapshots[0], snapshots[-1]
    assert np.isfinite(last.train_loss).all()
    assert (last.train_loss < first.train_loss).all()
    assert last.surface is not None


def test_regression_upload_trains_20_steps_with_the_engine(
        monkeypatch: pytest.MonkeyPatch) -> None:
    xs = np.linspace(-2, 2, 80)
    user = parse_csv(_csv(["x", "y"], [[repr(float(x)), repr(math.sin(x))] for x in xs]))
    snapshots = _train_through_engine(user, "sine", monkeypatch)
    assert np.isfinite(snapshots[-1].train_loss).all()
    assert (snapshots[-1].train_loss < snapshots[0].train_loss).all()


def test_multiclass_upload_trains_20_steps_with_the_batched_mlp() -> None:
    """No built-in 2-D set has 3 classes, so the ensemble is driven directly here."""
    user = parse_csv(_blobs(30, ("a", "b", "c")))
    data = user.dataset
    model = BatchedMLP(NetConfig(in_dim=2, out_dim=3, models=(ModelSpec("gelu"),), depth=2,
                                 width=16))
    optimiser = torch.optim.Adam(model.parameters(), lr=0.02)
    losses = []
    for _ in range(20):
        loss = task_loss(model(data.x_train), data.y_train, data.task)
        optimiser.zero_grad()
        loss.sum().backward()
        optimiser.step()
        losses.append(float(loss.detach().sum()))
    assert all(math.isfinite(v) for v in losses) and losses[-1] < losses[0]
