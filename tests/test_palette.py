"""The class palette stays readable for colour-blind students: every pair of class colours
is still far apart (CIELAB distance) after simulating protanopia, deuteranopia and
tritanopia with the matrices of Machado, Oliveira and Fernandes (2009), 'A physiologically-
based model for simulation of color vision deficiency', IEEE TVCG 15(6), severity 1.0."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from actlib.charts import CLASS_COLORS

SIMULATIONS = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
    "typical": np.eye(3).tolist(),
}
MIN_DISTANCE = 20.0
"""CIELAB ΔE*ab between any two classes under every simulation; 2.3 is a just noticeable
difference, so 20 is many steps apart."""


def _linear(color: str) -> np.ndarray:
    c = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ linear_rgb
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", SIMULATIONS)
def test_every_pair_of_classes_stays_apart(vision: str) -> None:
    matrix = np.array(SIMULATIONS[vision])
    labs = [_lab(np.clip(matrix @ _linear(c), 0, 1)) for c in CLASS_COLORS]
    closest = min(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(labs, 2))
    assert closest >= MIN_DISTANCE, f"{vision}: two classes only {closest:.1f} apart"


def test_five_classes_of_middle_lightness() -> None:
    """Each colour can fade toward white as confidence falls, and none is white already."""
    assert len(CLASS_COLORS) == 5 and len(set(CLASS_COLORS)) == 5
    for color in CLASS_COLORS:
        assert 30 <= _lab(_linear(color))[0] <= 65, color
