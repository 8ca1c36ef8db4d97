"""The live view's PNG pictures: right colours in the right places, readable axes."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from actlib.charts import CLASS_COLORS
from actlib.live_plots import class_colors, data_url, loss_png, nice_ticks, surface_png


def _rgb(color: str) -> tuple[int, ...]:
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


def _image(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_nice_ticks_are_round_and_inside() -> None:
    assert nice_ticks(-1.7, 1.7) == [-1.0, 0.0, 1.0]
    assert nice_ticks(-1.7, 1.7, count=8) == [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5]
    assert nice_ticks(0, 1000) == [0, 500, 1000]
    assert nice_ticks(0, 1000, count=6) == [0, 200, 400, 600, 800, 1000]
    assert nice_ticks(2.0, 2.0) == [2.0]


def test_the_surface_fades_between_the_class_colours_through_white() -> None:
    colors = class_colors(np.array([0.0, 0.5, 1.0, np.nan]))
    assert tuple(colors[0]) == _rgb(CLASS_COLORS[0])
    assert tuple(colors[2]) == _rgb(CLASS_COLORS[1])
    assert tuple(colors[1]) == tuple(colors[3]) == (244, 244, 244)  # NaN: undecided


def test_a_surface_is_drawn_the_right_way_up() -> None:
    """Row 0 of the grid is the lowest x2: a surface that is class 1 only at the top must
    be blue at the top of the picture and orange at the bottom."""
    grid = np.zeros((20, 20))
    grid[10:] = 1.0
    png = surface_png(grid, ((-1, 1), (-1, 1)), np.empty((0, 2)), np.empty(0), np.empty(0),
                      size=300)
    picture = _image(png)
    assert picture.shape == (300, 300, 3)
    top, bottom = picture[40, 150], picture[220, 150]
    assert np.abs(top.astype(int) - _rgb(CLASS_COLORS[1])).max() < 8
    assert np.abs(bottom.astype(int) - _rgb(CLASS_COLORS[0])).max() < 8
    assert data_url(png).startswith("data:image/png;base64,")


def test_a_point_is_drawn_in_its_class_colour_where_it_lies() -> None:
    grid = np.full((10, 10), 0.5)
    png = surface_png(grid, ((0, 1), (0, 1)), np.array([[0.5, 0.5]]), np.array([1]),
                      np.array([False]), size=300)
    picture = _image(png)
    # the plot area spans x 44..290 and y 8..256: (0.5, 0.5) is near its middle
    centre = picture[132, 167]
    assert np.abs(centre.astype(int) - _rgb(CLASS_COLORS[1])).max() < 30


def test_the_loss_picture_says_when_there_is_nothing_to_draw_yet() -> None:
    empty = _image(loss_png(np.array([0]), np.array([0.69]), np.array([0.7]), 1))
    drawn = _image(loss_png(np.arange(0, 100, 10), np.linspace(0.7, 0.1, 10),
                            np.linspace(0.72, 0.15, 10), 100))
    assert empty.shape == drawn.shape == (250, 460, 3)
    blue = np.abs(drawn.astype(int) - (25, 103, 210)).max(axis=2) < 40
    assert blue.sum() > 100  # the training curve
    assert (np.abs(empty.astype(int) - (25, 103, 210)).max(axis=2) < 40).sum() < 60


def test_unit_colors_are_symmetric_about_zero() -> None:
    from actlib.live_plots import MIDDLE, UNIT_NEGATIVE, UNIT_POSITIVE, _rgb, unit_colors

    rgb = unit_colors(np.array([-2.0, 0.0, 2.0, 1.0, np.nan]))
    assert tuple(rgb[0]) == _rgb(UNIT_NEGATIVE) and tuple(rgb[2]) == _rgb(UNIT_POSITIVE)
    assert tuple(rgb[1]) == MIDDLE == tuple(rgb[4])
    halfway = (np.array(MIDDLE) + np.array(_rgb(UNIT_POSITIVE))) / 2
    np.testing.assert_allclose(rgb[3], halfway, atol=0.51)
