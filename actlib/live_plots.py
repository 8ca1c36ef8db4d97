"""Pictures for live training, drawn as small PNG images many times a second.

A live view redraws its decision surface and loss curve at animation speed (10+ frames a
second). An Altair chart costs 30-60 ms to build and serialise and a full Vega re-render in
the browser; a PNG of a few kilobytes costs a few milliseconds to draw here and nothing to
show there, as TensorFlow Playground draws on a canvas. The numbers come from the PyTorch
run; these functions only paint them, in the app's class colours.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from actlib import charts
from actlib.charts import CLASS_COLORS

RGB = tuple[int, int, int]


def _rgb(color: str) -> RGB:
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@dataclass(frozen=True)
class Palette:
    """The colours of a picture: the light page's, or the presenter view's dark theme
    (the same colours as the Altair charts there, from :mod:`actlib.charts`)."""

    background: RGB
    text: RGB
    grid: RGB
    outline: RGB
    middle: RGB
    """The surface at P(class 1) = 0.5 (and a unit map at 0): where colours fade to."""
    classes: tuple[str, ...]
    train_ring: RGB
    test_ring: RGB


LIGHT = Palette(background=(255, 255, 255), text=(38, 39, 48), grid=(228, 230, 235),
                outline=(200, 200, 200), middle=(244, 244, 244), classes=CLASS_COLORS,
                train_ring=(255, 255, 255), test_ring=(40, 40, 40))
DARK = Palette(background=_rgb(charts.DARK_BACKGROUND), text=_rgb(charts.DARK_TEXT),
               grid=_rgb(charts.DARK_GRID), outline=_rgb(charts.DARK_DOMAIN),
               middle=_rgb(charts.DARK_MIDDLE), classes=charts.CLASS_COLORS_DARK,
               train_ring=(15, 17, 23), test_ring=(243, 244, 246))
"""On the dark background: light text, dark grid, surfaces that fade toward the dark, and
the rings swapped (training points ringed dark, test points light)."""


def palette() -> Palette:
    """The palette of the view this thread draws for (:func:`actlib.charts.dark`)."""
    return DARK if charts.dark() else LIGHT


MIDDLE = LIGHT.middle
"""The surface at P(class 1) = 0.5: the near-white the Altair surfaces also fade through."""
TEXT = LIGHT.text
GRID = LIGHT.grid
TRAIN_RING, TEST_RING = LIGHT.train_ring, LIGHT.test_ring
TRAIN_LINE = (25, 103, 210)
TEST_LINE = (232, 113, 10)


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's built-in font at ``size`` px: present on every machine, no font files."""
    return ImageFont.load_default(size=size)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) inside [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low]
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    ticks, value = [], first
    while value <= high + 1e-9 * step:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _label(value: float) -> str:
    return f"{value:g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.0e}"


def class_colors(probability: np.ndarray) -> np.ndarray:
    """P(class 1) in [0, 1] -> RGB: class 0's colour, through near-white at 0.5, to
    class 1's (the Altair surfaces' scale)."""
    p = np.clip(np.nan_to_num(probability, nan=0.5), 0.0, 1.0)[..., None]
    pal = palette()
    low, mid, high = (np.array(c, dtype=np.float64)
                      for c in (_rgb(pal.classes[0]), pal.middle, _rgb(pal.classes[1])))
    lower = low + (mid - low) * (p / 0.5)
    upper = mid + (high - mid) * ((p - 0.5) / 0.5)
    return np.where(p < 0.5, lower, upper).round().astype(np.uint8)


def predicted_class_colors(probabilities: np.ndarray) -> np.ndarray:
    """Softmax probabilities ``[..., classes]`` -> RGB: the predicted class's colour
    (argmax), faded toward near-white as the network is less sure. Intensity is the top
    probability rescaled so that a uniform answer (1 / classes) is white and a certain one
    (1) is the full colour; with two classes this is exactly :func:`class_colors`."""
    p = np.nan_to_num(np.asarray(probabilities, dtype=np.float64), nan=0.0)
    classes = p.shape[-1]
    if not 2 <= classes <= len(CLASS_COLORS):
        raise ValueError(f"the palette has colours for 2 to {len(CLASS_COLORS)} classes")
    share = (p.max(-1) - 1 / classes) / (1 - 1 / classes)
    return faded_class_rgb(p.argmax(-1), share)


def faded_class_rgb(predicted: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Class indices and a certainty share in [0, 1] -> RGB: near-white at 0, the class's
    full colour at 1 (every surface of many classes fades this way)."""
    pal = palette()
    colors = np.array([_rgb(c) for c in pal.classes], dtype=np.float64)
    share = np.clip(np.asarray(share, dtype=np.float64), 0.0, 1.0)[..., None]
    mid = np.array(pal.middle, dtype=np.float64)
    return (mid + (colors[np.asarray(predicted)] - mid) * share).round().astype(np.uint8)


def surface_colors(surface: np.ndarray) -> np.ndarray:
    """A decision surface -> RGB: ``[rows, cols]`` holds P(class 1) of a two-class run,
    ``[rows, cols, classes]`` the softmax of a run with more classes."""
    surface = np.asarray(surface)
    return predicted_class_colors(surface) if surface.ndim == 3 else class_colors(surface)


UNIT_NEGATIVE, UNIT_POSITIVE = "#b2182b", "#2166ac"
"""The ends of the unit maps' diverging scale (Vega's "redblue": red below 0, blue above)."""


def unit_colors(values: np.ndarray) -> np.ndarray:
    """A unit's outputs -> RGB on a scale symmetric about 0: red below, white at 0, blue
    above, full colour at the largest magnitude on the map (as the small unit maps)."""
    v = np.nan_to_num(np.asarray(values, dtype=np.float64))
    limit = float(np.abs(v).max()) or 1.0
    t = np.clip(v / limit, -1.0, 1.0)[..., None]
    mid = np.array(palette().middle, dtype=np.float64)
    low, high = (np.array(_rgb(c), dtype=np.float64) for c in (UNIT_NEGATIVE, UNIT_POSITIVE))
    return np.where(t < 0, mid + (low - mid) * -t, mid + (high - mid) * t).round().astype(
        np.uint8)


def data_url(png: bytes) -> str:
    """A PNG as a ``data:`` URL, to show inline without a file on the server."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # speed over a few hundred bytes
    return buffer.getvalue()


class _Frame:
    """A plot area inside margins, mapping data coordinates to pixels."""

    def __init__(self, width: int, height: int, left: int, bottom: int, top: int = 8,
                 right: int = 10) -> None:
        self.palette = palette()
        self.image = Image.new("RGB", (width, height), self.palette.background)
        self.draw = ImageDraw.Draw(self.image)
        self.x0, self.x1 = left, width - right
        self.y0, self.y1 = top, height - bottom

    def px(self, value: float, low: float, high: float) -> float:
        return self.x0 + (value - low) / (high - low) * (self.x1 - self.x0)

    def py(self, value: float, low: float, high: float) -> float:
        return self.y1 - (value - low) / (high - low) * (self.y1 - self.y0)

    def x_axis(self, ticks: Sequence[float], low: float, high: float, title: str,
               labels: Sequence[str] | None = None, grid: bool = False) -> None:
        font, ink = _font(13), self.palette.text
        for i, tick in enumerate(ticks):
            x = self.px(tick, low, high)
            if grid:
                self.draw.line([(x, self.y0), (x, self.y1)], fill=self.palette.grid)
            self.draw.line([(x, self.y1), (x, self.y1 + 4)], fill=ink)
            text = labels[i] if labels is not None else _label(tick)
            self.draw.text((x, self.y1 + 6), text, fill=ink, font=font, anchor="ma")
        self.draw.text(((self.x0 + self.x1) / 2, self.y1 + 24), title, fill=ink,
                       font=_font(14), anchor="ma")

    def y_axis(self, ticks: Sequence[float], low: float, high: float,
               labels: Sequence[str] | None = None, grid: bool = False) -> None:
        font, ink = _font(13), self.palette.text
        for i, tick in enumerate(ticks):
            y = self.py(tick, low, high)
            if grid:
                self.draw.line([(self.x0, y), (self.x1, y)], fill=self.palette.grid)
            self.draw.line([(self.x0 - 4, y), (self.x0, y)], fill=ink)
            text = labels[i] if labels is not None else _label(tick)
            self.draw.text((self.x0 - 6, y), text, fill=ink, font=font, anchor="rm")

    def outline(self) -> None:
        """The plot area's frame."""
        self.draw.rectangle([self.x0, self.y0, self.x1, self.y1], outline=self.palette.outline)


def _legend(draw: ImageDraw.ImageDraw, classes: int, left: float, middle: float) -> None:
    """A colour chip and "class k" per class, in a row from ``left`` at height ``middle``."""
    if not 1 <= classes <= len(CLASS_COLORS):
        raise ValueError(f"the palette has colours for 1 to {len(CLASS_COLORS)} classes")
    font, x, pal = _font(13), left, palette()
    for k in range(classes):
        draw.rectangle([x, middle - 6, x + 12, middle + 6], fill=_rgb(pal.classes[k]))
        draw.text((x + 16, middle), f"class {k}", fill=pal.text, font=font, anchor="lm")
        x += 66


class SurfacePainter:
    """Paints decision surfaces over fixed data points, frame after frame.

    The axes and the points never change while a run plays, so they are drawn once (the
    points on a transparent layer); a frame then costs the colouring of the grid, one
    resize and one composite, a few milliseconds instead of redrawing 400 points.
    """

    LEGEND_HEIGHT = 26

    def __init__(self, bounds: Sequence[tuple[float, float]], points: np.ndarray,
                 labels: np.ndarray, is_test: np.ndarray, size: int = 380,
                 classes: int = 0) -> None:
        """``classes`` > 0 adds a legend strip under the x axis: a chip per class."""
        (x_lo, x_hi), (y_lo, y_hi) = bounds
        legend = self.LEGEND_HEIGHT if classes else 0
        frame = _Frame(size, size + legend, left=44, bottom=44 + legend)
        if classes:
            _legend(frame.draw, classes, frame.x0, size + legend - 14)
        frame.x_axis(nice_ticks(x_lo, x_hi), x_lo, x_hi, "x1")
        frame.y_axis(nice_ticks(y_lo, y_hi), y_lo, y_hi)
        pal = frame.palette
        frame.draw.text((10, (frame.y0 + frame.y1) / 2), "x2", fill=pal.text, font=_font(14),
                        anchor="lm")
        self.base = frame.image
        self.corner = (int(frame.x0), int(frame.y0))
        self.area = (int(frame.x1 - frame.x0), int(frame.y1 - frame.y0))
        self.points = Image.new("RGBA", frame.image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(self.points)
        colors = [_rgb(c) for c in pal.classes]
        radius = 3.6
        for (x, y), label, test in zip(np.asarray(points), np.asarray(labels),
                                       np.asarray(is_test), strict=True):
            cx, cy = frame.px(float(x), x_lo, x_hi), frame.py(float(y), y_lo, y_hi)
            if frame.x0 <= cx <= frame.x1 and frame.y0 <= cy <= frame.y1:
                draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius],
                             fill=colors[int(label) % len(colors)],
                             outline=pal.test_ring if test else pal.train_ring, width=1)
        draw.rectangle([frame.x0, frame.y0, frame.x1, frame.y1], outline=pal.outline)
        self._frame, self._bounds = frame, ((x_lo, x_hi), (y_lo, y_hi))

    def png(self, surface: np.ndarray,
            colors: Callable[[np.ndarray], np.ndarray] = surface_colors,
            mark: tuple[float, float] | None = None) -> bytes:
        """The surface ``[grid, grid]`` (row = x2 from low to high, column = x1; a trailing
        class axis for softmax probabilities) under the points: training points ringed
        white, test points ringed dark. ``colors`` maps it to RGB: the predicted class by
        default, :func:`unit_colors` for one unit. ``mark`` (x1, x2) draws a cross there:
        the point whose softmax the page shows."""
        image = self.base.copy()
        tiles = Image.fromarray(colors(np.asarray(surface)[::-1]), "RGB")
        image.paste(tiles.resize(self.area, Image.Resampling.BILINEAR), self.corner)
        image.paste(self.points, (0, 0), self.points)
        if mark is not None:
            (x_lo, x_hi), (y_lo, y_hi) = self._bounds
            cx = self._frame.px(mark[0], x_lo, x_hi)
            cy = self._frame.py(mark[1], y_lo, y_hi)
            draw = ImageDraw.Draw(image)
            pal = self._frame.palette
            for color, width in ((pal.background, 5), (pal.text, 2)):
                draw.line([(cx - 8, cy), (cx + 8, cy)], fill=color, width=width)
                draw.line([(cx, cy - 8), (cx, cy + 8)], fill=color, width=width)
        return _png(image)


def surface_png(
    surface: np.ndarray,
    bounds: Sequence[tuple[float, float]],
    points: np.ndarray,
    labels: np.ndarray,
    is_test: np.ndarray,
    size: int = 380,
) -> bytes:
    """One decision surface with its points (see :class:`SurfacePainter`)."""
    return SurfacePainter(bounds, points, labels, is_test, size).png(surface)



def _log_ticks(low: float, high: float) -> list[float]:
    """Ticks for a log axis over [low, high]: 1, 2 and 5 times the powers of ten when that
    gives 3 to 7 of them, only the powers of ten over a wide range, and round values in
    between over a narrow one (0.55 to 0.75)."""
    exponents = range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
    candidates = [m * 10.0**e for e in exponents for m in (1, 2, 5) if low <= m * 10.0**e <= high]
    if 3 <= len(candidates) <= 7:
        return candidates
    decades = [10.0**e for e in exponents if low <= 10.0**e <= high]
    if len(decades) >= 2:
        return decades
    return [t for t in nice_ticks(low, high, 4) if t > 0] or [low, high]


def _dashed(draw: ImageDraw.ImageDraw, xy: Sequence[tuple[float, float]], color: tuple,
            on: float = 6.0, off: float = 4.0) -> None:
    """A dashed polyline with dashes of fixed length along the path (skipping every other
    segment instead leaves long gaps where points are far apart). Dash ends are found by
    interpolating the path's arc length in one numpy pass; a dash is the chord between them,
    which at 6 px follows the curve."""
    if len(xy) < 2:
        return
    points = np.asarray(xy, dtype=np.float64)
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    starts = np.arange(0.0, arc[-1], on + off)
    ends = np.minimum(starts + on, arc[-1])
    for a, b in zip(starts, ends, strict=True):
        draw.line([(np.interp(a, arc, points[:, 0]), np.interp(a, arc, points[:, 1])),
                   (np.interp(b, arc, points[:, 0]), np.interp(b, arc, points[:, 1]))],
                  fill=color, width=2)


def loss_png(
    steps: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    last_step: int,
    width: int = 460,
    height: int = 250,
) -> bytes:
    """Training (solid) and test (dashed) loss over the steps, on a log scale."""
    frame = _Frame(width, height, left=56, bottom=44, top=26)
    steps = np.asarray(steps, dtype=np.float64)
    values = np.concatenate([np.asarray(train, float), np.asarray(test, float)])
    finite = values[np.isfinite(values) & (values > 0)]
    x_hi = float(max(last_step, steps.max() if len(steps) else 1, 1))
    font = _font(13)
    if len(steps) < 2 or finite.size == 0:
        frame.draw.text(((frame.x0 + frame.x1) / 2, (frame.y0 + frame.y1) / 2),
                        "The loss curve starts with training: press Play or Step.",
                        fill=frame.palette.text, font=font, anchor="mm")
        return _png(frame.image)
    lo, hi = float(finite.min()) / 1.3, float(finite.max()) * 1.3
    y_lo, y_hi = math.log10(lo), math.log10(hi)
    y_ticks = _log_ticks(lo, hi)
    frame.y_axis([math.log10(t) for t in y_ticks], y_lo, y_hi,
                 labels=[_label(t) for t in y_ticks], grid=True)
    frame.x_axis(nice_ticks(0, x_hi, 6), 0, x_hi, "training step", grid=True)
    for series, color, dashed in ((train, TRAIN_LINE, False), (test, TEST_LINE, True)):
        xy = [(frame.px(s, 0, x_hi), frame.py(math.log10(v), y_lo, y_hi))
              for s, v in zip(steps, np.asarray(series, float), strict=True)
              if math.isfinite(v) and v > 0]
        if dashed:
            _dashed(frame.draw, xy, color)
        elif len(xy) > 1:
            frame.draw.line(xy, fill=color, width=2, joint="curve")
    frame.outline()
    legend_x = frame.x0
    for name, color, dashed in (("train", TRAIN_LINE, False), ("test", TEST_LINE, True)):
        for i in range(3 if dashed else 1):
            seg = 18 / (5 if dashed else 1)
            start = legend_x + (2 * i * seg if dashed else 0)
            frame.draw.line([(start, 12), (start + seg, 12)], fill=color, width=2)
        frame.draw.text((legend_x + 24, 12), name, fill=frame.palette.text, font=font,
                        anchor="lm")
        legend_x += 80
    return _png(frame.image)


FOLD_LINE_COLORS = ((120, 120, 120), (185, 185, 185))
"""Grid lines along x1 darker, along x2 lighter, so the two families stay apart when bent."""


def fold_png(lines: Sequence[np.ndarray], points: np.ndarray, labels: np.ndarray,
             x_title: str, y_title: str, size: int = 300) -> bytes:
    """Grid lines (the first half along x1, the second along x2) and the data points in a
    layer's coordinates, on axes fitted to what is drawn."""
    every = np.vstack([*lines, np.asarray(points)])
    every = every[np.isfinite(every).all(axis=1)]
    low, high = (every.min(axis=0), every.max(axis=0)) if len(every) else (
        np.array([-1.0, -1.0]), np.array([1.0, 1.0]))
    span = high - low
    centre = (high + low) / 2
    span = np.maximum(span, max(0.2, 0.1 * float(span.max())))  # a flat unit keeps room
    low, high = centre - span / 2, centre + span / 2
    pad = span * 0.06
    (x_lo, y_lo), (x_hi, y_hi) = low - pad, high + pad
    frame = _Frame(size, size, left=50, bottom=44)
    frame.x_axis(nice_ticks(x_lo, x_hi), x_lo, x_hi, x_title)
    frame.y_axis(nice_ticks(y_lo, y_hi), y_lo, y_hi)
    frame.draw.text((4, frame.y0 - 2), y_title, fill=frame.palette.text, font=_font(13),
                    anchor="la")
    half = len(lines) // 2

    def pixels(xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, dtype=np.float64)
        xy = xy[np.isfinite(xy).all(axis=1)]
        return np.c_[frame.px(xy[:, 0], x_lo, x_hi), frame.py(xy[:, 1], y_lo, y_hi)]

    for i, line in enumerate(lines):
        path = pixels(line)
        if len(path) > 1:
            frame.draw.line(path.ravel().tolist(), fill=FOLD_LINE_COLORS[i >= half], width=1)
    colors = [_rgb(c) for c in frame.palette.classes]
    radius = 2.6
    finite = np.isfinite(np.asarray(points, dtype=np.float64)).all(axis=1)
    for (cx, cy), label in zip(pixels(points), np.asarray(labels)[finite], strict=True):
        frame.draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius],
                           fill=colors[int(label) % len(colors)],
                           outline=frame.palette.train_ring)
    frame.outline()
    return _png(frame.image)
