"""Cached entry points of the Gradients page, keyed by the (frozen, hashable) experiment.

``st.cache_data`` copies what it returns, so the page may change a frame it gets from here
without touching another session's copy. Training is not cached here: the live runner keeps
finished runs itself (:mod:`actlib.ui.live_runner`).
"""

from __future__ import annotations

import streamlit as st

from actlib import gradients


@st.cache_data(max_entries=64, show_spinner="Measuring the gradients at initialisation…")
def init_flow(experiment: gradients.Experiment) -> gradients.InitFlow:
    return gradients.init_flow(experiment)
