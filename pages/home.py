"""Home: what the lab teaches, a card per topic page with a live preview, and the lecture
index (the default lecture and every scene)."""

import streamlit as st

from actlib import chart_style
from actlib.card_previews import CARDS
from actlib.ui.layout import page_header
from actlib.ui.page_registry import TOPIC_PAGES
from actlib.ui.scenes_menu import lecture_index

page_header(
    "Activation Lab",
    "See and move the functions that make neural networks non-linear.",
)

st.markdown(
    """
Every network layer computes a weighted sum and then bends it with an **activation
function**. That bend decides what a network can represent, how gradients travel back
through it, and whether its units stay alive while it learns.

Each page below turns one idea into something you can move: the curves are computed
from the functions themselves, and the training runs are real PyTorch runs on this server.
Every control is stored in the page's link, so a prepared link opens exactly that demo.
"""
)

columns = st.columns(3, gap="medium")
for i, info in enumerate(TOPIC_PAGES):
    with columns[i % 3].container(border=True):
        st.page_link(info.path, label=f"**{info.title}**", icon=info.icon)
        st.caption(info.blurb)
        card = CARDS.get(info.stem)
        if card is not None:  # a picture, not a chart: the home page loads no Vega
            st.image(card.draw(chart_style.dark()), width="stretch", alt=card.describe())

lecture_index()
