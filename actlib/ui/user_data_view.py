"""A student's own data on a training page: upload a CSV or click points onto a plane,
see it standardised and split before anything trains, and take it away as a CSV.

Call :func:`own_data` where a page's data picker says ``own``. It keeps the file's bytes
(or the clicked points) in the session, registers them with the process on every run
(:func:`actlib.user_data.register_csv`, so a config may name ``user:<hash>`` even after a
restart), and returns that name, or None after saying what is missing. The data lives in
the session only: a link cannot carry it, and the page says so.
"""

from __future__ import annotations

import streamlit as st

from actlib.charts import user_data as charts
from actlib.settings import code_span, markdown_safe
from actlib.user_data import (
    MAX_BYTES,
    MAX_CLASSES,
    MAX_DRAWN_POINTS,
    MAX_ROWS,
    MIN_ROWS_PER_CLASS,
    DataError,
    UserData,
    points_csv,
    register_csv,
    to_csv_bytes,
)

SOURCES = {"draw": "Draw points", "upload": "Upload a CSV"}
LINK_NOTE = ("Your data stays in this browser session: a link cannot carry it. Download "
             "the CSV to keep it, and upload it again after opening a link.")


def _state(prefix: str) -> dict:
    """This page's own-data state in the session: source, file bytes, points, canvas key."""
    return st.session_state.setdefault(f"{prefix}:own_data", {
        "source": "draw", "file": None, "file_name": "", "points": [], "canvas": 0,
    })


def own_data(prefix: str, seed: int, test_fraction: float, binary_only: bool = True
             ) -> str | None:
    """Draw the own-data panel; return the registered data-set name, or None (and a
    message saying what is missing) when there is no usable data yet."""
    state = _state(prefix)
    st.caption(LINK_NOTE)
    state["source"] = st.segmented_control(
        "Your data from", list(SOURCES), format_func=SOURCES.get, key=f"{prefix}:own_source",
        default=state["source"]) or state["source"]
    data = _upload(prefix, state) if state["source"] == "upload" else _draw(prefix, state)
    if data is None:
        return None
    try:
        name, parsed = register_csv(data, seed, test_fraction)
    except DataError as error:
        st.error(markdown_safe(str(error)), icon="📄")
        return None
    if binary_only and parsed.task != "binary":
        kind = "a regression set (x, y)" if parsed.task == "regression" else \
            f"{len(parsed.class_names)} classes"
        st.error(f"This page separates two classes; this data has {kind}. Use a file with "
                 "columns x1, x2, label and two labels.", icon="📄")
        return None
    _preview(parsed, seed, data, prefix)
    return name


def _upload(prefix: str, state: dict) -> bytes | None:
    file = st.file_uploader(
        f"CSV with a header line: x1, x2, label (2 to {MAX_CLASSES} labels, at least "
        f"{MIN_ROWS_PER_CLASS} rows each; at most {MAX_ROWS:,} rows and "
        f"{MAX_BYTES // 1000} kB)", type=["csv", "txt"], key=f"{prefix}:own_file",
        max_upload_size=1)
    if file is not None:
        state["file"], state["file_name"] = file.getvalue(), file.name
    if state["file"] is None:
        st.info("Choose a file to train on it.", icon="📄")
        return None
    return state["file"]


def _add_point(prefix: str, state: dict) -> None:
    """Chart callback: the clicked cell becomes a point of the chosen class; a fresh chart
    key clears the selection so that the next click is a new one."""
    event = st.session_state.get(f"{prefix}:canvas:{state['canvas']}")
    cells = (event or {}).get("selection", {}).get(charts.DRAW_SELECTION, [])
    label = 1 if st.session_state.get(f"{prefix}:own_class") else 0
    for cell in cells[:1]:
        if len(state["points"]) < MAX_DRAWN_POINTS:
            state["points"].append((float(cell["x1"]), float(cell["x2"]), label))
    state["canvas"] += 1


def _draw(prefix: str, state: dict) -> bytes | None:
    points = state["points"]
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.altair_chart(charts.drawing_plane(points), width="content",
                        on_select=lambda: _add_point(prefix, state),
                        selection_mode=charts.DRAW_SELECTION,
                        key=f"{prefix}:canvas:{state['canvas']}")
    with right:
        st.toggle("Click adds class 1 (off: class 0)", key=f"{prefix}:own_class")
        counts = [sum(1 for p in points if p[2] == c) for c in (0, 1)]
        st.markdown(f"**{len(points)}** points: {counts[0]} of class 0, {counts[1]} of "
                    f"class 1 (at most {MAX_DRAWN_POINTS}).")
        undo, clear = st.columns(2)
        if undo.button("Undo", key=f"{prefix}:own_undo", disabled=not points,
                       icon="↩️", width="stretch"):
            points.pop()
            st.rerun()
        if clear.button("Clear", key=f"{prefix}:own_clear", disabled=not points,
                        icon="🧹", width="stretch"):
            points.clear()
            st.rerun()
    if min(counts) < MIN_ROWS_PER_CLASS:
        st.info(f"Click at least {MIN_ROWS_PER_CLASS} points of each class to train on them.",
                icon="👆")
        return None
    return points_csv(points)


def _preview(parsed: UserData, seed: int, data: bytes, prefix: str) -> None:
    """The data as the network sees it, before training: standardised with the training
    split's mean and std, split with the page's seed; and the CSV back as a download."""
    dataset = parsed.dataset
    frame = dataset.frame()
    names = parsed.feature_names
    labels = ", ".join(f"{code_span(c)} → {i}" for i, c in enumerate(parsed.class_names))
    stats = ", ".join(f"{n}: mean {m:.3g}, std {s:.3g}"
                      for n, m, s in zip(names, parsed.mean, parsed.std, strict=True))
    with st.expander(f"Your data: {parsed.n_rows} rows, {dataset.n_train} to train and "
                     f"{dataset.n_test} to test (seed {seed})", expanded=True):
        left, right = st.columns([3, 2])
        left.altair_chart(charts.data_preview(frame, "What the network sees"), width="content")
        right.markdown(
            "Each feature is standardised with the training rows' mean and standard "
            f"deviation ({markdown_safe(stats)}); test rows are held out by the seed, and "
            f"labels become classes {labels}."
        )
        right.download_button("Download the CSV", to_csv_bytes(parsed), file_name="my_data.csv",
                              mime="text/csv", icon="⬇️", key=f"{prefix}:own_download")
