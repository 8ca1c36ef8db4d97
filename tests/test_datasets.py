"""The data sets: pure functions of their arguments, with the shapes and facts they promise."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from actlib import datasets
from actlib.datasets import (
    CLASSIFICATION_2D,
    DATASET_NAMES,
    MULTICLASS_2D,
    REGRESSION_1D,
    grid_points,
    info,
    load,
    split_sizes,
    target_function,
)
from actlib.runtime import configure_torch

configure_torch()  # one thread, as the app runs (actlib.runtime); idempotent


REPO = Path(__file__).resolve().parents[1]
GENERATED = CLASSIFICATION_2D + REGRESSION_1D


@pytest.mark.parametrize("name", GENERATED)
def test_same_arguments_give_the_same_tensors(name: str) -> None:
    first = load(name, 300, 0.1, seed=4)
    second = load(name, 300, 0.1, seed=4)
    for attr in ("x_train", "y_train", "x_test", "y_test"):
        assert torch.equal(getattr(first, attr), getattr(second, attr))
    other = load(name, 300, 0.1, seed=5)
    assert not torch.equal(first.x_train, other.x_train)


@pytest.mark.parametrize("name", GENERATED)
def test_shapes_split_and_dtypes(name: str) -> None:
    data = load(name, 400, 0.1, seed=0, test_fraction=0.25)
    meta = info(name)
    assert data.n_train + data.n_test == 400
    assert data.n_test == 100
    assert data.x_train.shape == (300, meta.input_dim)
    assert data.x_train.dtype == torch.float32
    if meta.task == "binary":
        assert data.y_train.dtype == torch.int64
        # balanced classes, stratified split: half of each split in each class
        assert data.y_train.sum().item() == 150
        assert data.y_test.sum().item() == 50
    else:
        assert data.y_train.dtype == torch.float32
    assert len(data.bounds) == meta.input_dim
    x = torch.cat([data.x_train, data.x_test])
    for dim, (low, high) in enumerate(data.bounds):
        assert low < x[:, dim].min().item() and x[:, dim].max().item() < high


@pytest.mark.parametrize("name", GENERATED)
def test_float64_draws_the_same_points(name: str) -> None:
    single = load(name, 200, 0.2, seed=1, dtype=torch.float32)
    double = load(name, 200, 0.2, seed=1, dtype=torch.float64)
    assert double.x_train.dtype == torch.float64
    torch.testing.assert_close(single.x_train.double(), double.x_train, rtol=0, atol=1e-6)
    if info(name).task == "binary":
        assert torch.equal(single.y_train, double.y_train)


def _all_points(name: str, n: int = 400):
    data = load(name, n, 0.0, seed=3)
    return torch.cat([data.x_train, data.x_test]).double(), torch.cat([data.y_train, data.y_test])


def test_noiseless_moons_lie_on_their_half_circles() -> None:
    x, y = _all_points("moons")
    centre = torch.tensor([0.5, 0.25], dtype=torch.float64)
    outer = x[y == 0] + centre  # unit half circle around the origin, upper half
    inner = x[y == 1] + centre - torch.tensor([1.0, 0.5], dtype=torch.float64)
    torch.testing.assert_close(outer.norm(dim=1), torch.ones(200, dtype=torch.float64),
                               atol=1e-6, rtol=0)
    torch.testing.assert_close(inner.norm(dim=1), torch.ones(200, dtype=torch.float64),
                               atol=1e-6, rtol=0)
    assert (outer[:, 1] >= -1e-6).all() and (inner[:, 1] <= 1e-6).all()


def test_noiseless_circles_have_radius_one_and_one_half() -> None:
    x, y = _all_points("circles")
    radius = x.norm(dim=1)
    assert torch.allclose(radius[y == 0], torch.tensor(1.0, dtype=torch.float64), atol=1e-6)
    assert torch.allclose(radius[y == 1], torch.tensor(0.5, dtype=torch.float64), atol=1e-6)


def test_noiseless_xor_labels_follow_the_sign_of_the_product() -> None:
    x, y = _all_points("xor")
    assert torch.equal((x[:, 0] * x[:, 1] > 0).long(), y)
    assert x.abs().min() >= 0.05 - 1e-6  # kept off the axes


def test_noiseless_spirals_are_half_a_turn_apart() -> None:
    x, y = _all_points("spirals")
    radius = x.norm(dim=1)
    t = (radius - 0.1) / 1.4
    expected = 1.75 * 2 * math.pi * t + math.pi * y.double()
    angle = torch.atan2(x[:, 1], x[:, 0])
    gap = torch.remainder(angle - expected + math.pi, 2 * math.pi) - math.pi
    assert gap.abs().max() < 1e-4


def test_gaussian_blobs_sit_on_opposite_corners() -> None:
    data = load("gaussians", 2000, 0.0, seed=0)
    x, y = data.x_train.double(), data.y_train
    torch.testing.assert_close(x[y == 0].mean(0), torch.tensor([-0.7, -0.7], dtype=torch.float64),
                               atol=0.05, rtol=0)
    torch.testing.assert_close(x[y == 1].mean(0), torch.tensor([0.7, 0.7], dtype=torch.float64),
                               atol=0.05, rtol=0)


def test_noise_is_the_standard_deviation_of_the_jitter() -> None:
    clean = load("circles", 2000, 0.0, seed=9, dtype=torch.float64)
    noisy = load("circles", 2000, 0.3, seed=9, dtype=torch.float64)
    # Same generator, same draws before the jitter: the difference is the jitter alone.
    jitter = (noisy.x_train - clean.x_train).reshape(-1)
    assert abs(jitter.std().item() - 0.3) < 0.02
    assert abs(jitter.mean().item()) < 0.02


@pytest.mark.parametrize("name", REGRESSION_1D)
def test_noiseless_regression_targets_are_the_function(name: str) -> None:
    data = load(name, 300, 0.0, seed=2, dtype=torch.float64)
    f = target_function(name)
    torch.testing.assert_close(data.y_train, f(data.x_train[:, 0]))
    assert data.x_train.min() >= -2 and data.x_train.max() <= 2


def test_regression_targets_at_known_points() -> None:
    x = torch.tensor([-1.0, -0.5, 0.0, 0.5, 1.0], dtype=torch.float64)
    torch.testing.assert_close(target_function("sine")(x),
                               torch.tensor([0.0, -1.0, 0.0, 1.0, 0.0], dtype=torch.float64),
                               atol=1e-12, rtol=0)
    assert target_function("step")(x).tolist() == [0, 0, 0, 1, 1]
    assert target_function("abs")(x).tolist() == [1, 0.5, 0, 0.5, 1]
    bumps = target_function("bumps")(torch.tensor([-1.2, 0.2, 1.3], dtype=torch.float64))
    assert bumps[0] > 0.9 and bumps[1] > 0.5 and bumps[2] < -0.7


def test_grid_points_run_with_the_first_coordinate_fastest() -> None:
    points, axes = grid_points(((0.0, 1.0), (10.0, 12.0)), 3, torch.float64)
    assert points.shape == (9, 2)
    assert points[:3, 0].tolist() == [0.0, 0.5, 1.0]
    assert points[:3, 1].tolist() == [10.0, 10.0, 10.0]
    assert points[3:6, 1].tolist() == [11.0, 11.0, 11.0]
    assert np.allclose(axes[1], [10, 11, 12])


def test_bad_arguments_are_refused_with_the_allowed_range() -> None:
    with pytest.raises(KeyError, match="known: moons"):
        load("mnist")
    with pytest.raises(ValueError, match="n must lie between"):
        load("moons", 5)
    with pytest.raises(ValueError, match="noise"):
        load("moons", 100, -0.1)
    with pytest.raises(KeyError, match="not a regression set"):
        target_function("moons")


def test_frame_lists_both_splits() -> None:
    frame = load("moons", 100, 0.1).frame()
    assert set(frame.columns) == {"x1", "x2", "y", "split"}
    assert (frame["split"] == "train").sum() == 75 and (frame["split"] == "test").sum() == 25


# --- digits -----------------------------------------------------------------------------


def test_digits_never_import_sklearn() -> None:
    script = (
        "import sys\n"
        "from actlib import datasets\n"
        "datasets.load('moons', 100, 0.1)\n"
        "datasets.load('digits', 200, 0.0)\n"
        "assert 'sklearn' not in sys.modules, 'sklearn imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_shipped_digits_are_sklearns() -> None:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    ours_x, ours_y = datasets._digits_arrays()
    assert ours_x.dtype == np.float64 and ours_y.dtype == np.int64
    np.testing.assert_array_equal(ours_x, x)
    np.testing.assert_array_equal(ours_y, y)
    assert not ours_x.flags.writeable


@pytest.fixture(scope="module")
def digits() -> datasets.Dataset:
    return load("digits", 1797, 0.0, seed=0)


def test_digits_are_all_1797_images_in_ten_classes(digits: datasets.Dataset) -> None:
    assert digits.n_train + digits.n_test == 1797
    assert digits.x_train.shape[1] == 64
    assert digits.bounds is None
    assert sorted(torch.unique(digits.y_train).tolist()) == list(range(10))
    assert info("digits").output_dim == 10


def test_digits_split_is_stratified(digits: datasets.Dataset) -> None:
    train_counts = torch.bincount(digits.y_train, minlength=10).double()
    test_counts = torch.bincount(digits.y_test, minlength=10).double()
    shares = test_counts / (train_counts + test_counts)
    assert (shares - 0.25).abs().max() < 0.01


def test_digits_are_standardised_on_the_training_split(digits: datasets.Dataset) -> None:
    x = digits.x_train.double()
    mean, std = x.mean(0), x.std(0, unbiased=False)
    assert mean.abs().max() < 1e-5
    varying = std > 0
    assert varying.sum() >= 60  # a few border pixels are constant
    torch.testing.assert_close(std[varying], torch.ones(int(varying.sum()), dtype=torch.float64),
                               atol=1e-5, rtol=0)


def test_digits_subset_keeps_class_shares_and_is_seeded() -> None:
    subset = load("digits", 500, 0.0, seed=1)
    again = load("digits", 500, 0.0, seed=1)
    assert subset.n_train + subset.n_test == 500
    assert torch.equal(subset.x_test, again.x_test)
    counts = torch.bincount(torch.cat([subset.y_train, subset.y_test]), minlength=10)
    assert counts.min() >= 45 and counts.max() <= 55


def test_digit_noise_is_added_in_standardised_units() -> None:
    clean = load("digits", 1797, 0.0, seed=2, dtype=torch.float64)
    noisy = load("digits", 1797, 0.5, seed=2, dtype=torch.float64)
    assert torch.equal(clean.y_train, noisy.y_train)
    assert abs((noisy.x_train - clean.x_train).std().item() - 0.5) < 0.01


def test_every_dataset_is_described() -> None:
    assert set(DATASET_NAMES) == set(GENERATED) | set(MULTICLASS_2D) | {"digits"}
    for name in DATASET_NAMES:
        meta = info(name)
        assert meta.label and meta.description
        assert meta.output_dim == (meta.n_classes if meta.task == "multiclass" else 1)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(GENERATED),
    n=st.integers(20, 1500),
    test_fraction=st.floats(0.05, 0.5),
    seed=st.integers(0, 2**31),
)
def test_any_split_has_the_promised_sizes_and_class_shares(name, n, test_fraction, seed) -> None:
    data = load(name, n, 0.1, seed, test_fraction)
    assert (data.n_train, data.n_test) == split_sizes(n, test_fraction)
    points = torch.cat([data.x_train, data.x_test])
    assert len(torch.unique(points, dim=0)) == n  # every sample in exactly one split
    if info(name).task == "binary":
        ones = n - n // 2
        assert abs(int(data.y_test.sum()) - ones * data.n_test / n) < 1  # stratified
