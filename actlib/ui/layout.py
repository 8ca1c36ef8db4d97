"""Shared page furniture: the header every page starts with."""

from __future__ import annotations

import streamlit as st


def page_header(title: str, subtitle: str) -> None:
    """Title and one-line subtitle, the same on every page."""
    st.title(title)
    st.markdown(f"<p style='font-size:1.15rem;margin-top:-0.6rem'>{subtitle}</p>",
                unsafe_allow_html=True)
