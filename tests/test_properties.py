"""Computed properties against closed forms derived by hand (and scipy as a solver)."""

from __future__ import annotations

import math

import pytest
import torch
from scipy.optimize import brentq
from scipy.special import lambertw

from actlib.activations import ELEMENTWISE_KEYS, SELU_ALPHA, SELU_SCALE
from actlib.properties import (
    Bound,
    compute_properties,
    describe_intervals,
    format_range,
    interior_minimum,
    is_monotonic,
    max_slope,
    normal_mean,
    normal_mean_slope,
    properties_sheet,
    real_line_bound,
    saturation_intervals,
    smoothness,
    sparsity,
)

SQRT2PI = math.sqrt(2 * math.pi)


def _phi(x: float) -> float:
    return math.exp(-x * x / 2) / SQRT2PI


def _Phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_max_slope_of_sigmoid_and_tanh() -> None:
    # sigma' = s(1 - s) peaks where s = 1/2, i.e. x = 0, at 1/4; tanh' = 1 - t^2 peaks at 1.
    sig, tanh = max_slope("sigmoid"), max_slope("tanh")
    assert sig.value == pytest.approx(0.25, abs=1e-12) and sig.x == 0.0
    assert tanh.value == pytest.approx(1.0, abs=1e-12) and tanh.x == 0.0


def test_max_slope_of_gelu_at_root_two() -> None:
    # GELU'' = phi(x)(2 - x^2) = 0 at x = sqrt 2, so the peak slope is Phi(√2) + √2 phi(√2).
    peak = max_slope("gelu")
    r2 = math.sqrt(2)
    assert peak.x == pytest.approx(r2, abs=1e-5)
    assert peak.value == pytest.approx(_Phi(r2) + r2 * _phi(r2), abs=1e-10)


@pytest.mark.parametrize(
    ("key", "where"),
    [("relu", "x > 0"), ("leaky_relu", "x > 0"), ("identity", "every x"),
     ("softplus", "approached as x → ∞")],
)
def test_max_slope_regions(key: str, where: str) -> None:
    assert max_slope(key).where == where
    assert max_slope(key).value == pytest.approx(1.0)


def test_swish_minimum_by_lambert_w() -> None:
    # SiLU' = 0  <=>  x + 1 = -e^x  <=>  x* = -1 - W(1/e); f(x*) = x* sigma(x*).
    x_star = -1 - lambertw(math.exp(-1)).real
    f_star = x_star / (1 + math.exp(-x_star))
    found = interior_minimum("swish")
    assert found.x == pytest.approx(x_star, abs=1e-6)
    assert found.value == pytest.approx(f_star, abs=1e-12)


@pytest.mark.parametrize("beta", [0.1, 0.5, 2.0, 10.0])
def test_swish_minimum_scales_with_beta(beta: float) -> None:
    # x sigma(beta x) = SiLU(beta x)/beta: the minimiser is x*/beta, the minimum f(x*)/beta.
    x_star = -1 - lambertw(math.exp(-1)).real
    f_star = x_star / (1 + math.exp(-x_star))
    found = interior_minimum("swish", {"beta": beta})
    assert found.x == pytest.approx(x_star / beta, rel=1e-6)
    assert found.value == pytest.approx(f_star / beta, rel=1e-9)


def test_gelu_and_mish_minima_by_root_finding() -> None:
    gelu_d = lambda x: _Phi(x) + x * _phi(x)  # noqa: E731
    x_g = brentq(gelu_d, -2, -0.1, xtol=1e-14)
    found = interior_minimum("gelu")
    assert found.x == pytest.approx(x_g, abs=1e-6)
    assert found.value == pytest.approx(x_g * _Phi(x_g), abs=1e-12)

    def mish_d(x: float) -> float:
        sp = math.log1p(math.exp(x))
        t = math.tanh(sp)
        return t + x * (1 - t * t) / (1 + math.exp(-x))

    x_m = brentq(mish_d, -3, -0.1, xtol=1e-14)
    found = interior_minimum("mish")
    assert found.x == pytest.approx(x_m, abs=1e-6)
    assert found.value == pytest.approx(x_m * math.tanh(math.log1p(math.exp(x_m))), abs=1e-12)


@pytest.mark.parametrize("key", ["sigmoid", "tanh", "relu", "elu", "softplus", "identity"])
def test_monotonic_functions_have_no_interior_minimum(key: str) -> None:
    assert is_monotonic(key)
    assert interior_minimum(key) is None


@pytest.mark.parametrize(
    ("key", "params", "expected"),
    [
        ("sigmoid", None, "(0, 1)"),
        ("tanh", None, "(-1, 1)"),
        ("relu", None, "[0, ∞)"),
        ("leaky_relu", None, "(−∞, ∞)"),
        ("identity", None, "(−∞, ∞)"),
        ("step", None, "[0, 1]"),
        ("elu", None, "(-1, ∞)"),
        ("elu", {"alpha": 2.5}, "(-2.5, ∞)"),
        ("softplus", None, "(0, ∞)"),
    ],
)
def test_real_line_ranges(key: str, params, expected: str) -> None:
    assert format_range(real_line_bound(key, params), real_line_bound(key, params, True)) == (
        expected
    )


def test_selu_lower_bound_is_minus_lambda_alpha() -> None:
    bound = real_line_bound("selu")
    assert bound.value == pytest.approx(-SELU_SCALE * SELU_ALPHA, rel=1e-9)
    assert not bound.attained


def test_gelu_lower_bound_is_its_minimum_and_attained() -> None:
    bound = real_line_bound("gelu")
    assert bound.attained and bound.value == pytest.approx(interior_minimum("gelu").value)


def test_format_range_notation() -> None:
    assert format_range(Bound(0.0, True), Bound(math.inf, False)) == "[0, ∞)"


@pytest.mark.parametrize(
    ("key", "params", "expected"),
    [
        ("relu", None, 1 / SQRT2PI),  # E[max(0,X)] = phi(0)
        ("tanh", None, 0.0),  # odd function
        ("sigmoid", None, 0.5),  # sigma(x) + sigma(-x) = 1
        ("identity", None, 0.0),
        ("leaky_relu", {"slope": 0.2}, 0.8 / SQRT2PI),  # (1 - a) phi(0)
        ("gelu", None, 1 / (2 * math.sqrt(math.pi))),  # Stein: E[X Phi(X)] = E[phi(X)]
        ("selu", None, 0.0),  # SELU's constants make N(0,1) its fixed point: mean 0
    ],
)
def test_mean_output_for_standard_normal_input(key: str, params, expected: float) -> None:
    assert normal_mean(key, params) == pytest.approx(expected, abs=1e-8)


def test_mean_output_scales_for_positively_homogeneous_relu() -> None:
    assert normal_mean("relu", scale=3.0) == pytest.approx(3 / SQRT2PI, abs=1e-8)


@pytest.mark.parametrize(
    ("key", "params", "expected"),
    [
        ("relu", None, 0.5),  # P(X > 0)
        ("identity", None, 1.0),
        ("step", None, 0.0),
        ("leaky_relu", {"slope": 0.1}, 0.55),  # (1 + a) / 2
        ("gelu", None, 0.5),  # 1/2 + E[X phi(X)] and X phi(X) is odd
        ("swish", None, 0.5),  # sigma(x) + x sigma(x)(1 - sigma(x)) - 1/2 is odd
    ],
)
def test_expected_slope_for_standard_normal_input(key: str, params, expected: float) -> None:
    assert normal_mean_slope(key, params) == pytest.approx(expected, abs=1e-8)


def test_expected_sigmoid_slope_against_direct_integration() -> None:
    from scipy.integrate import quad

    def integrand(x: float) -> float:
        s = 1 / (1 + math.exp(-x))
        return s * (1 - s) * _phi(x)

    expected, _ = quad(integrand, -40, 40)
    assert normal_mean_slope("sigmoid") == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("key", "expected"),
    [("relu", 0.5), ("step", 0.5), ("leaky_relu", 0.0), ("elu", 0.0), ("sigmoid", 0.0)],
)
def test_sparsity_share_of_exact_zeros(key: str, expected: float) -> None:
    assert sparsity(key) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("key", "params", "expected"),
    [
        ("sigmoid", None, "smooth"),
        ("gelu", None, "smooth"),
        ("relu", None, "kink (f′ jumps) at 0"),
        ("elu", None, "f″ jumps at 0"),  # alpha = 1: slopes agree at 0, curvatures do not
        ("elu", {"alpha": 2.0}, "kink (f′ jumps) at 0"),
        ("step", None, "f jumps at 0"),
        ("swish", {"beta": 10.0}, "smooth"),
    ],
)
def test_smoothness(key: str, params, expected: str) -> None:
    assert smoothness(key, params) == expected


def test_sigmoid_saturation_boundaries_in_closed_form() -> None:
    # s(1 - s) = eps  =>  s = (1 - sqrt(1 - 4 eps)) / 2, x = logit(s).
    eps = 0.05
    s = (1 - math.sqrt(1 - 4 * eps)) / 2
    edge = math.log(s / (1 - s))
    (left, right) = saturation_intervals("sigmoid", eps, -6, 6)
    assert left == pytest.approx((-6, edge), abs=1e-9)
    assert right == pytest.approx((-edge, 6), abs=1e-9)
    assert describe_intervals([left, right], -6, 6) == f"x < {edge:.4g} and x > {-edge:.4g}"


def test_tanh_saturation_boundaries_in_closed_form() -> None:
    eps = 0.1
    edge = math.atanh(math.sqrt(1 - eps))  # 1 - t^2 = eps
    (a, b), (c, d) = saturation_intervals("tanh", eps, -10, 10)
    assert [a, b, c, d] == pytest.approx([-10, -edge, edge, 10], abs=1e-9)


def test_relu_saturates_on_the_whole_negative_half() -> None:
    (interval,) = saturation_intervals("relu", 0.05, -6, 6)
    assert interval[0] == -6 and abs(interval[1]) < 1e-9
    assert describe_intervals([interval], -6, 6) == "x < 0"


def test_saturation_edge_cases() -> None:
    assert saturation_intervals("sigmoid", 0.05, 1.0, 1.0) == []
    assert describe_intervals([], -6, 6) == "nowhere in this window"
    assert describe_intervals(saturation_intervals("step", 0.05, -6, 6), -6, 6) == (
        "everywhere in this window"
    )


@pytest.mark.parametrize("key", ELEMENTWISE_KEYS)
def test_every_activation_has_a_full_property_sheet(key: str) -> None:
    props = compute_properties(key, -50, 50)
    sheet = properties_sheet([props])
    assert sheet.shape == (13, 1)
    assert not sheet.isna().any().any()


# --- pinned against independent sources -------------------------------------------------


def test_gelu_minimum_to_four_significant_digits_from_mpmath() -> None:
    """GELU's minimum x·Φ(x), found with mpmath at 30 digits (f'(x) = Φ(x) + x·φ(x) = 0),
    is -0.16997...: the sheet prints '-0.1700', four significant digits, not '-0.17'."""
    import mpmath

    mpmath.mp.dps = 30
    phi_cdf = lambda x: (1 + mpmath.erf(x / mpmath.sqrt(2))) / 2  # noqa: E731
    slope = lambda x: phi_cdf(x) + x * mpmath.npdf(x)  # noqa: E731
    x_min = mpmath.findroot(slope, -0.75)
    value = float(x_min * phi_cdf(x_min))
    assert interior_minimum("gelu").value == pytest.approx(value, abs=1e-9)
    assert interior_minimum("gelu").x == pytest.approx(float(x_min), abs=1e-6)
    assert f"{value:.4f}" == "-0.1700"
    text = format_range(real_line_bound("gelu"), real_line_bound("gelu", upper=True))
    assert text == "[-0.1700, ∞)"
    assert properties_sheet([compute_properties("gelu", -6, 6)]).loc["Range on ℝ"].iloc[0] == text


def test_rms_slope_is_the_gradient_size_factor_from_closed_forms() -> None:
    """ReLU: f' is 1 with probability ½, so √E[f'²] = √½ ≈ 0.7071 (the mean slope is ½).
    Leaky ReLU with slope a: √((1 + a²)/2). Identity: 1."""
    from actlib.properties import normal_rms_slope

    assert normal_rms_slope("relu") == pytest.approx(math.sqrt(0.5), abs=1e-9)
    assert normal_mean_slope("relu") == pytest.approx(0.5, abs=1e-9)
    assert normal_rms_slope("leaky_relu", {"slope": 0.2}) == pytest.approx(
        math.sqrt((1 + 0.04) / 2), abs=1e-9)
    assert normal_rms_slope("identity") == pytest.approx(1.0, abs=1e-9)
    sheet = properties_sheet([compute_properties("relu", -6, 6)])
    assert sheet.loc["√E[f′(x)²], x~N(0,1) (gradient-size factor)"].iloc[0] == "0.7071"


def test_slope_at_a_kink_is_labelled_as_pytorchs_convention() -> None:
    """torch.relu's gradient at 0 is 0, SELU's the left-hand slope λα; neither is a
    derivative, and the sheet says so. Smooth functions get 'the derivative'."""
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    (relu_grad,) = torch.autograd.grad(torch.relu(x).sum(), x)
    (selu_grad,) = torch.autograd.grad(torch.selu(x).sum(), x)
    props = [compute_properties(k, -6, 6) for k in ("relu", "selu", "gelu")]
    sheet = properties_sheet(props)
    assert props[0].slope_at_0 == float(relu_grad) == 0.0
    assert props[1].slope_at_0 == pytest.approx(float(selu_grad))
    assert list(sheet.loc["Note on f′(0)"]) == [
        "PyTorch's convention at the kink (not a derivative)",
        "PyTorch's convention at the kink (not a derivative)",
        "the derivative",
    ]


def test_a_slope_without_bound_at_the_edge_of_a_formula_domain() -> None:
    """sqrt(x + 7) is defined from -7 on, where f'(x) = 1 / (2 sqrt(x + 7)) has no bound
    (closed form: 5,000 at 1e-8 from the edge): the grid's largest value (1.2e7 at the
    grid point -7) must not be reported as the maximum."""
    peak = max_slope("f:sqrt(x + 7)")
    assert peak.value == float("inf")
    assert "x = -7" in peak.where and "without bound" in peak.where
    assert max_slope("f:sqrt(x + 7) + x").value == float("inf")


def test_a_bounded_slope_at_the_edge_of_a_formula_domain() -> None:
    """-(x + 7)^1.5 has f' = -1.5 sqrt(x + 7) ≤ 0: its largest slope is approached (0) at
    the edge -7, not a peak inside."""
    peak = max_slope("f:-(x + 7)**1.5")
    assert -1e-3 < peak.value <= 0
    assert "approached at x = -7" in peak.where


def test_a_bound_at_the_edge_of_a_formula_domain_is_the_value_there() -> None:
    """sqrt(x + 7) is 0 at x = -7, where it starts being defined: its range on ℝ is [0, ∞),
    not the grid's [4.2e-08, ∞); -sqrt(x + 7) reaches its supremum 0 there too."""
    assert real_line_bound("f:sqrt(x + 7)") == Bound(0.0, attained=True)
    top = real_line_bound("f:-sqrt(x + 7)", upper=True)
    assert top == Bound(0.0, attained=True) and str(top.value) == "0.0"
