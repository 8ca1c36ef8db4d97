"""A student's own small data set, uploaded as CSV and validated before anything trains on it.

Two shapes are accepted, told apart by the number of columns (a header line first):

* three columns ``x1, x2, label``: classification. Two numeric features and a label, which
  may be whole numbers or names; 2 to 5 classes, each with at least 5 rows. Two classes
  make a ``binary`` task, more a ``multiclass`` one.
* two columns ``x, y``: regression. One numeric feature and a numeric target.

:func:`parse_csv` returns a :class:`UserData` whose ``dataset`` is an
:class:`actlib.datasets.Dataset`, built as :func:`actlib.datasets.load` builds its own:
features standardised with the training split's mean and std, classification targets as
int64 class indices (classes in sorted order: numerically for whole numbers, else
alphabetically), regression targets in the features' dtype and in the file's units, a
seeded split (stratified for classification, through the same helpers as ``load``) and a
plotting box. ``frame`` holds the data as read, for showing it before training, and
:func:`to_csv_bytes` offers it back as a download.

Everything is checked with explicit limits before it is used: the byte size first (so
nothing reads an unbounded file), then UTF-8 text without NUL bytes, line lengths, the row
count, the header, then each value. Every problem raises :class:`DataError` with a short
message naming the line and column where there is one. Parsing uses the ``csv`` module;
pandas only builds the frame afterwards.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import pandas as pd
import torch
from torch import Tensor

from actlib.datasets import (
    Dataset,
    DatasetInfo,
    Task,
    _bounds,
    _random_split,
    _stratified_split,
    register,
    split_sizes,
    stream_seed,
)

MAX_BYTES = 200_000
MAX_ROWS = 2_000
MAX_LINE_CHARS = 1_000
MAX_CLASSES = 5
MIN_ROWS_PER_CLASS = 5
MIN_ROWS = 10
MAX_ABS_VALUE = 1e12
"""Larger numbers are refused: their squares would lose all precision when standardising."""
DEFAULT_TEST_FRACTION = 0.25
SPLIT_COLUMN = "split"
USER_DATASET_NAME = "user"

# ASCII digits only: Python's float() and int() also read Arabic-Indic or full-width digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class DataError(ValueError):
    """A file that cannot be used, with a short message for the student."""


@dataclass(frozen=True, eq=False)
class UserData:
    """A validated upload: tensors for the engine, and the table as read.

    ``mean`` and ``std`` are the training split's, per feature: new points are standardised
    as ``(raw - mean) / std``. ``class_names[i]`` is the label text of class index ``i``
    (empty for regression). ``frame`` has the file's columns in file order (features as
    floats, a label as text, a target as floats) and a split column saying train or test.
    """

    dataset: Dataset
    frame: pd.DataFrame
    feature_names: tuple[str, ...]
    target_name: str
    class_names: tuple[str, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    split_column: str = SPLIT_COLUMN

    @property
    def task(self) -> Task:
        return self.dataset.task

    @property
    def n_rows(self) -> int:
        return self.dataset.n_train + self.dataset.n_test


@dataclass(frozen=True)
class _Table:
    """The cells of a checked file: header names and data rows with their line numbers."""

    names: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


# --- bytes -> text -> rows ------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 text (a byte-order mark is allowed), after the size and binary checks."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DataError("The upload must be the file's bytes.")
    size = len(data)
    if size == 0:
        raise DataError("The file is empty.")
    if size > MAX_BYTES:
        raise DataError(f"The file is {size / 1000:,.0f} kB; the limit is {MAX_BYTES // 1000} kB.")
    raw = bytes(data)
    if b"\0" in raw:
        raise DataError("This looks like a binary file, not a CSV text file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError("The file is not UTF-8 text: save it as 'CSV UTF-8'.") from None
    if not text.strip():
        raise DataError("The file is empty.")
    return text


def _check_lines(text: str) -> None:
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise DataError(f"Line {number} is {len(line):,} characters long; "
                            f"the limit is {MAX_LINE_CHARS:,}.")


def _is_blank(row: list[str]) -> bool:
    return not row or (len(row) == 1 and not row[0].strip())


def _read_rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank row, the header included."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if _is_blank(row):
                continue
            rows.append((reader.line_num, row))
            if len(rows) > MAX_ROWS + 1:
                raise DataError(f"The file has more than {MAX_ROWS:,} rows; "
                                f"the limit is {MAX_ROWS:,}.")
    except csv.Error as error:
        raise DataError(f"Line {reader.line_num} cannot be read as CSV ({error}).") from None
    return rows


def _delimiter_hint(cells: list[str]) -> str:
    """' Use commas ...' when a single cell holds semicolons or tabs, else ''."""
    if len(cells) != 1:
        return ""
    for mark, word in ((";", "semicolons"), ("\t", "tabs")):
        if mark in cells[0]:
            return f" The values seem to be separated by {word}: use commas."
    return ""


def _header(cells: list[str]) -> tuple[str, ...]:
    names = tuple(c.strip() for c in cells)
    if len(names) not in (2, 3):
        hint = _delimiter_hint(cells)
        raise DataError(f"The file has {len(names)} column{'s' if len(names) != 1 else ''}; "
                        "it needs 3 (x1, x2, label) or 2 (x, y)." + hint)
    if all(_NUMBER.fullmatch(n) for n in names):
        raise DataError("The first line must name the columns, such as x1,x2,label.")
    for index, name in enumerate(names, start=1):
        if not name:
            raise DataError(f"Column {index} has no name in the first line.")
        if names.count(name) > 1:
            raise DataError(f"The first line names '{name}' twice: each column needs "
                            "its own name.")
    return names


def _table(text: str) -> _Table:
    rows = _read_rows(text)
    if not rows:
        raise DataError("The file is empty.")
    (_, header_cells), data = rows[0], rows[1:]
    names = _header(header_cells)
    if not data:
        raise DataError("The file has a header but no rows of data.")
    for line, cells in data:
        if len(cells) != len(names):
            raise DataError(f"Line {line} has {len(cells)} value{'s' if len(cells) != 1 else ''};"
                            f" the header has {len(names)} columns." + _delimiter_hint(cells))
    return _Table(names, tuple((line, tuple(cells)) for line, cells in data))


# --- cells -> values ---------------------------------------------------------------------------


def _number(cell: str, line: int, column: str) -> float:
    """A finite float of moderate size, or a DataError naming the line and column."""
    text = cell.strip()
    where = f"Line {line}, column '{column}'"
    if not text:
        raise DataError(f"{where}: the value is missing.")
    if _NOT_FINITE.fullmatch(text):
        raise DataError(f"{where}: '{text}' is not allowed; every value must be a finite number.")
    shown = text if len(text) <= 20 else text[:20] + "..."
    if not _NUMBER.fullmatch(text):
        raise DataError(f"{where}: '{shown}' is not a number.")
    value = float(text)
    if not abs(value) <= MAX_ABS_VALUE:
        raise DataError(f"{where}: {shown} is too large; values must lie between "
                        f"-{MAX_ABS_VALUE:g} and {MAX_ABS_VALUE:g}.")
    return value


def _numeric_columns(table: _Table, count: int) -> Tensor:
    """The first ``count`` columns as float64 ``[rows, count]``, read row by row so that the
    first bad cell in the file is the one named."""
    names = table.names[:count]
    values = torch.tensor(
        [[_number(cells[i], line, name) for i, name in enumerate(names)]
         for line, cells in table.rows],
        dtype=torch.float64,
    )
    return values


def _check_varies(values: Tensor, names: tuple[str, ...]) -> None:
    for i, name in enumerate(names):
        if bool((values[:, i] == values[0, i]).all()):
            raise DataError(f"Column '{name}' has the same value in every row: nothing to "
                            "learn from it.")


def _labels(table: _Table) -> list[str]:
    """The label cells, stripped; whole numbers written in one way ('07' is '7')."""
    name = table.names[-1]
    labels = []
    for line, cells in table.rows:
        label = cells[-1].strip()
        if not label:
            raise DataError(f"Line {line}, column '{name}': the label is missing.")
        labels.append(str(int(label)) if _WHOLE_NUMBER.fullmatch(label) else label)
    return labels


def _classes(labels: list[str], column: str) -> tuple[tuple[str, ...], list[int]]:
    """Class names in sorted order and each row's class index, after the class checks."""
    names = sorted(set(labels))
    if all(_WHOLE_NUMBER.fullmatch(n) for n in names):
        names.sort(key=int)
    if len(names) < 2:
        raise DataError(f"Column '{column}' has only one class ('{names[0]}'): "
                        "a classifier needs 2 to 5.")
    if len(names) > MAX_CLASSES:
        raise DataError(f"Column '{column}' has {len(names)} classes; the limit is "
                        f"{MAX_CLASSES}. (For a numeric target, use two columns: x, y.)")
    for name in names:
        count = labels.count(name)
        if count < MIN_ROWS_PER_CLASS:
            raise DataError(f"Class '{name}' has {count} row{'s' if count != 1 else ''}; "
                            f"each class needs at least {MIN_ROWS_PER_CLASS}.")
    index = {name: i for i, name in enumerate(names)}
    return tuple(names), [index[label] for label in labels]


# --- values -> the engine's tensors --------------------------------------------------------------


def _split(y: Tensor, classify: bool, seed: int, test_fraction: float) -> tuple[Tensor, Tensor]:
    g = torch.Generator().manual_seed(stream_seed(seed, USER_DATASET_NAME))
    if classify:
        return _stratified_split(y, split_sizes(len(y), test_fraction)[1], g)
    return _random_split(len(y), test_fraction, g)


def _standardise(x: Tensor, train: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(standardised x, mean, std) with the training rows' statistics; a feature constant on
    the training rows keeps std 1 rather than dividing by zero."""
    mean = x[train].mean(0)
    std = x[train].std(0, unbiased=False)
    std = torch.where(std > 0, std, torch.ones_like(std))
    return (x - mean) / std, mean, std


def _info(task: Task, names: tuple[str, ...], n_classes: int, n_rows: int) -> DatasetInfo:
    return DatasetInfo(
        name=USER_DATASET_NAME, label=f"Your data ({n_rows:,} rows)", task=task,
        input_dim=len(names) - 1, n_classes=n_classes, max_samples=MAX_ROWS,
        description=f"Uploaded CSV: {', '.join(names[:-1])} -> {names[-1]}",
    )


def _free_name(names: tuple[str, ...]) -> str:
    name = SPLIT_COLUMN
    while name in names:
        name += "_"
    return name


def _frame(table: _Table, features: Tensor, target: list, in_test: Tensor) -> tuple[
        pd.DataFrame, str]:
    columns = {name: features[:, i].numpy() for i, name in enumerate(table.names[:-1])}
    columns[table.names[-1]] = target
    split_name = _free_name(table.names)
    columns[split_name] = ["test" if t else "train" for t in in_test.tolist()]
    return pd.DataFrame(columns), split_name


def parse_csv(
    data: bytes,
    *,
    seed: int = 0,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    dtype: torch.dtype = torch.float32,
) -> UserData:
    """Check an uploaded CSV and turn it into a split, standardised data set.

    A pure function of its arguments (the split comes from ``seed``). Raises DataError
    with a message for the student when the file cannot be used.
    """
    if not 0.05 <= test_fraction <= 0.5:
        raise ValueError(f"test_fraction must lie between 0.05 and 0.5, got {test_fraction}")
    text = _decode(data)
    _check_lines(text)
    table = _table(text)
    classify = len(table.names) == 3
    n = len(table.rows)
    if classify:
        features = _numeric_columns(table, 2)
        labels = _labels(table)
        _check_varies(features, table.names[:2])
        class_names, indices = _classes(labels, table.names[-1])
        y = torch.tensor(indices, dtype=torch.int64)
        task: Task = "binary" if len(class_names) == 2 else "multiclass"
        shown_target: list = labels
    else:
        values = _numeric_columns(table, 2)
        _check_varies(values, table.names)
        if n < MIN_ROWS:
            raise DataError(f"The file has {n} row{'s' if n != 1 else ''} of data; at least "
                            f"{MIN_ROWS} are needed.")
        features, class_names = values[:, :1].contiguous(), ()
        y = values[:, 1].to(dtype)
        task = "regression"
        shown_target = values[:, 1].tolist()
    train, test = _split(y, classify, seed, test_fraction)
    x, mean, std = _standardise(features, train)
    in_test = torch.zeros(n, dtype=torch.bool)
    in_test[test] = True
    frame, split_name = _frame(table, features, shown_target, in_test)
    dataset = Dataset(_info(task, table.names, len(class_names), n),
                      x[train].to(dtype), y[train], x[test].to(dtype), y[test], _bounds(x))
    return UserData(
        dataset=dataset, frame=frame, feature_names=table.names[:-1],
        target_name=table.names[-1], class_names=class_names,
        mean=tuple(float(v) for v in mean), std=tuple(float(v) for v in std),
        split_column=split_name,
    )


def to_csv_bytes(data: UserData, include_split: bool = False) -> bytes:
    """The data as read, as UTF-8 CSV bytes for a download (numbers in their shortest exact
    form, so that :func:`parse_csv` reads the same values back). With ``include_split`` a
    last column says train or test; such a file has one column too many to upload again."""
    columns = [*data.feature_names, data.target_name]
    if include_split:
        columns.append(data.split_column)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    frame = data.frame[columns]
    for row in frame.itertuples(index=False):
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def _cell(value: object) -> str:
    if isinstance(value, float):
        return repr(float(value)) if math.isfinite(value) else ""  # not numpy's repr
    return str(value)


# --- a process registry, so that a config can name an upload ----------------------------------

USER_PREFIX = "user:"
OWN_DATA_OPTION = "own"
"""The option a page's data picker offers for the student's own data (``p_data=own``)."""
OWN_DATA_LABEL = "Your own data"
PARSE_CACHE = 32


def content_name(data: bytes) -> str:
    """The data-set name of a file: ``user:`` and a hash of its bytes. The same file always
    has the same name, in any process: a config that names it is one run, cached once."""
    return USER_PREFIX + hashlib.blake2b(bytes(data), digest_size=8).hexdigest()


@lru_cache(maxsize=PARSE_CACHE)
def _parsed(data: bytes, seed: int, test_fraction: float, dtype: torch.dtype) -> UserData:
    return parse_csv(data, seed=seed, test_fraction=test_fraction, dtype=dtype)


def register_csv(data: bytes, seed: int = 0, test_fraction: float = DEFAULT_TEST_FRACTION
                 ) -> tuple[str, UserData]:
    """Validate a file and register it as a data set of this process (see
    :func:`actlib.datasets.register`); return its name and the parsed data split with
    ``seed`` and ``test_fraction``. Raises DataError as :func:`parse_csv` does.

    Uploaded data lives in a browser session, not in a link: a page calls this on every
    run with the bytes it keeps in the session, so the name is known to the process (again,
    after a restart) whenever a config names it.
    """
    data = bytes(data)
    parsed = _parsed(data, int(seed), float(test_fraction), torch.float32)
    name = content_name(data)
    meta = replace(parsed.dataset.info, name=name, max_samples=parsed.n_rows)

    def loader(split_seed: int, fraction: float, dtype: torch.dtype) -> Dataset:
        return replace(_parsed(data, split_seed, fraction, dtype).dataset, info=meta)

    register(name, meta, loader)
    return name, parsed


MAX_DRAWN_POINTS = 400
"""Points a student may click onto the plane: plenty for a drawing, cheap to redraw."""


def points_csv(points: Sequence[tuple[float, float, int]]) -> bytes:
    """Drawn points (x1, x2, class) as the CSV an upload would be, so that they pass the same
    checks and the same registry; classes are named 0 and 1 as clicked."""
    if len(points) > MAX_DRAWN_POINTS:
        raise DataError(f"{len(points)} points are drawn; the limit is {MAX_DRAWN_POINTS}.")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["x1", "x2", "label"])
    for x1, x2, label in points:
        writer.writerow([repr(float(x1)), repr(float(x2)), int(label)])
    return out.getvalue().encode("utf-8")
