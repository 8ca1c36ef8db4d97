"""The presenter view: the same pages, readable from the back of a hall at 1920 × 1080.

Switched on by ``present=1`` in the link (so a prepared link carries it) or the header's
toggle; it stays on across Next/Previous and the sidebar. It sets:

* body text, labels, tabs, slider values and captions to at least 22 px (the desk sizes
  are 14-16 px), through one style sheet keyed on Streamlit's test ids;
* chart fonts to 18-22 px through the one Altair theme (:func:`actlib.charts.set_presenter`)
  and drawn lines to 4 px by CSS (a builder's own stroke width would win over the theme);
* the sidebar collapsed, and less space above the title, so a scene's result is on the
  first screen;
* every control named by ``hide=`` tucked away (TensorFlow Playground hides controls by a
  URL flag the same way); scenes name their secondary controls.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from actlib import charts

BODY_PX = 22
"""The smallest text the presenter view draws outside charts."""
LINE_PX = 4
_WAS_ON = "_presenter_was_on"

_PRESENTER_CSS = f"""<style>
[data-testid="stMainBlockContainer"] {{ padding-top: 3.6rem !important;
  padding-left: 2rem; padding-right: 2rem; max-width: 100%; }}
[data-testid="stMarkdownContainer"], [data-testid="stMarkdownContainer"] p,
[data-testid="stMarkdownContainer"] li, [data-baseweb="tag"] span,
[data-baseweb="tag"] div, .copy-button, .copy-status,
[data-testid="stMarkdownContainer"] td, [data-testid="stMarkdownContainer"] th,
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] p, [data-testid="stWidgetLabel"] label,
[data-testid="stTab"] p, button p, [data-testid="stAlertContentInfo"] p,
[data-testid="stSliderThumbValue"], [data-testid="stSliderTickBarMin"],
[data-testid="stSliderTickBarMax"], [data-baseweb="select"] div,
[data-testid="stMetricLabel"] p, [data-testid="stTable"] td, [data-testid="stTable"] th,
[data-testid="stExpander"] summary p, [data-testid="stRadio"] label p,
[data-testid="stMarkdownContainer"] code {{ font-size: {BODY_PX}px !important;
  line-height: 1.35; }}
[data-testid="stMetricValue"] {{ font-size: 2.6rem !important; }}
h1 {{ font-size: 2.3rem !important; padding-top: 0 !important; padding-bottom: 0.2rem; }}
.st-key-page_subtitle {{ display: none !important; }}
h2 {{ font-size: 2.1rem !important; }}
h3 {{ font-size: 1.8rem !important; }}
[data-testid="stVegaLiteChart"] g.mark-line path,
[data-testid="stVegaLiteChart"] g.mark-rule line {{ stroke-width: {LINE_PX}px; }}
[data-testid="stVegaLiteChart"] g.mark-text text {{ font-size: 18px; }}
</style>"""


def apply(on: bool, hidden: Iterable[str]) -> None:
    """Set this run's chart theme and draw the style sheet of the view and hidden keys."""
    charts.set_presenter(on)
    hidden = [key for key in hidden if key.replace("_", "").isalnum()]
    css = "".join(f".st-key-{key} {{ display: none !important; }}\n" for key in hidden)
    if on:
        st.html(_PRESENTER_CSS + (f"<style>{css}</style>" if css else ""))
        st.set_page_config(initial_sidebar_state="collapsed")
    else:
        if st.session_state.get(_WAS_ON):
            st.set_page_config(initial_sidebar_state="expanded")  # back as it was
        if css:
            st.html(f"<style>{css}</style>")
    st.session_state[_WAS_ON] = on
