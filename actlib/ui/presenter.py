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
  URL flag the same way); scenes name their secondary controls;
* with ``dark=1``, a dark theme: Streamlit's theme is one per app, so it is a style sheet
  over Streamlit's test ids (:data:`_DARK_CSS`), the Altair theme's dark colours with the
  builders' greys and too-dark colours repainted (:func:`actlib.charts.dark_chart_css`),
  and the live PNG frames' dark palette (:data:`actlib.live_plots.DARK`).
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from actlib import chart_style as charts  # not actlib.charts: the home page loads no Altair
from actlib.chart_style import DARK_BACKGROUND as BG
from actlib.chart_style import DARK_DOMAIN as LINE
from actlib.chart_style import DARK_GRID as HIGHLIGHT
from actlib.chart_style import DARK_SURFACE as RAISED
from actlib.chart_style import DARK_TEXT as INK

BODY_PX = 22
"""The smallest text the presenter view draws outside charts."""
LINE_PX = 4
_WAS_ON = "_presenter_was_on"
_CHART_MODE = "_presenter_chart_mode"

_PRESENTER_CSS = f"""<style>
[data-testid="stMainBlockContainer"] {{ padding-top: 3.6rem !important;
  padding-left: 2rem; padding-right: 2rem; max-width: 100%; }}
[data-testid="stMarkdownContainer"], [data-testid="stMarkdownContainer"] p,
[data-testid="stMarkdownContainer"] li, [data-tag] span, .copy-button, .copy-status,
[data-testid="stMarkdownContainer"] td, [data-testid="stMarkdownContainer"] th,
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] p, [data-testid="stWidgetLabel"] label,
[data-testid="stTab"] p, button p, [data-testid="stAlertContentInfo"] p,
[data-testid="stSliderThumbValue"], [data-testid="stSliderTickBarMin"],
[data-testid="stSliderTickBarMax"], [role="listbox"] [role="option"] div,
[data-testid="stMetricLabel"] p, [data-testid="stTable"] td, [data-testid="stTable"] th,
[data-testid="stExpander"] summary p, [data-testid="stRadio"] label p,
[data-testid="stMarkdownContainer"] code {{ font-size: {BODY_PX}px !important;
  line-height: 1.35; }}
[data-testid="stMetricValue"] {{ font-size: 2.6rem !important; }}
h1 {{ font-size: 2.3rem !important; padding-top: 0 !important; padding-bottom: 0.2rem; }}
.st-key-page_subtitle {{ display: none !important; }}
h2 {{ font-size: 2.1rem !important; }}
h3 {{ font-size: 1.8rem !important; }}
[data-testid="stVegaLiteChart"] g.mark-line.role-mark path,
[data-testid="stVegaLiteChart"] g.mark-rule.role-mark line {{ stroke-width: {LINE_PX}px; }}
[data-testid="stVegaLiteChart"] g.mark-text text {{ font-size: 18px; }}
[data-testid="stMarkdownContainer"] span[style*="font-size"] {{
  font-size: inherit !important; }}
[data-testid="stSlider"] > div[role="group"] {{ margin-top: 1.1rem; }}
.stApp input, .stApp textarea,
[data-testid="stMultiSelect"] [role="group"] span {{ font-size: {BODY_PX}px !important; }}
</style>"""


_DARK_CSS = f"""<style>
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"], [data-testid="stHeader"],
[data-testid="stSidebar"], [data-testid="stBottomBlockContainer"] {{
  background-color: {BG} !important; color: {INK} !important; }}
.stApp p, .stApp li, .stApp label, .stApp h1, .stApp h2, .stApp h3, .stApp h4, .stApp span,
.stApp td, .stApp th, .stApp summary, .stApp code, .stApp small,
[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"],
[data-testid="stWidgetLabel"], [data-testid="stMetricValue"], [data-testid="stMetricLabel"],
[data-testid="stMetricDelta"], [data-testid="stSliderTickBarMin"],
[data-testid="stSliderTickBarMax"], .katex {{ color: {INK} !important; }}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{ opacity: 1; }}
.stApp a, .stApp a span {{ color: #8cc4ff !important; }}
.stApp code {{ background-color: {RAISED} !important; }}
.stApp input, .stApp textarea, [data-trigger="ComboBox"], [role="listbox"],
[role="listbox"] [role="option"], [data-testid="stPopoverBody"],
[data-testid="stNumberInputContainer"], [data-testid="stNumberInput"] button {{
  background-color: {RAISED} !important; color: {INK} !important;
  border-color: {LINE} !important; }}
.stApp button[kind="secondary"], .stApp button[kind="secondaryFormSubmit"],
[data-testid="stPopover"] button, [data-testid="stBaseButton-secondary"],
[data-testid="stDownloadButton"] button, .copy-button, [data-testid="stElementToolbar"],
[data-testid="stElementToolbarButtonContainer"],
[data-testid="stElementToolbar"] button, .al-export-png {{
  background-color: {RAISED} !important; color: {INK} !important;
  border-color: {LINE} !important; }}
.stApp button[kind="tertiary"] p, .stApp button[kind="tertiary"] {{ color: {INK} !important; }}
[data-testid="stExpander"] details, [data-testid="stExpander"] summary,
[data-testid="stVerticalBlockBorderWrapper"], .stApp [data-testid="stForm"] {{
  background-color: {BG} !important; border-color: {LINE} !important; }}
[data-testid="stAlertContainer"] {{ background-color: {RAISED} !important;
  border: 1px solid {LINE}; }}
[data-testid="stTable"] table, [data-testid="stTable"] td, [data-testid="stTable"] th,
.stApp table td, .stApp table th {{ background-color: {BG} !important;
  border-color: {LINE} !important; }}
[data-testid="stDataFrame"], [data-testid="stImage"] img[src$=".svg"] {{
  filter: invert(0.93) hue-rotate(180deg); }}
hr {{ border-color: {LINE} !important; }}
[role="listbox"] [role="option"][data-focused], [role="listbox"] [role="option"][data-hovered],
[role="listbox"] [role="option"][aria-selected="true"] {{
  background-color: {HIGHLIGHT} !important; }}
.stApp .react-aria-ComboBox button, .stApp [data-tag] button {{ color: {INK} !important; }}
.stApp svg.marks {{ background-color: {BG} !important; }}
.stApp .react-aria-ComboBox > div, [data-testid="stMetricDelta"],
[data-testid="stCode"] div:has(> [data-testid="stElementToolbarButton"]) {{
  background-color: {RAISED} !important; border-color: {LINE} !important; }}
[data-testid="stCheckbox"] label:has(input:not(:checked)) > span + div {{
  background-color: {LINE} !important; }}
[data-testid="stCode"] pre {{ background-color: {RAISED} !important; }}
[data-testid="stCode"] pre code, [data-testid="stCode"] pre span {{
  background-color: transparent !important; }}
.stApp button:disabled {{ background-color: {RAISED} !important; color: {INK} !important;
  border: 1px solid {LINE} !important; opacity: 0.55; }}
</style>"""
"""The dark theme over Streamlit's test ids: dark backgrounds, light text (17:1), raised
inputs and buttons, no white boxes. The data grid draws on a canvas with the app's light
theme, which no style reaches inside: it is inverted as a whole (hue kept)."""


def apply(on: bool, hidden: Iterable[str], dark: bool = False) -> None:
    """Set this run's chart theme and draw the style sheet of the view and hidden keys;
    ``dark`` (in the presenter view only) adds the dark theme."""
    dark = on and dark
    charts.set_presenter(on, dark)
    st.session_state[_CHART_MODE] = (on, dark)
    hidden = [key for key in hidden if key.replace("_", "").isalnum()]
    css = "".join(f".st-key-{key} {{ display: none !important; }}\n" for key in hidden)
    if on:
        st.html(_PRESENTER_CSS + (f"<style>{css}</style>" if css else ""))
        if dark:
            st.html(_DARK_CSS + f"<style>{charts.dark_chart_css()}</style>")
        st.set_page_config(initial_sidebar_state="collapsed")
    else:
        if st.session_state.get(_WAS_ON):
            st.set_page_config(initial_sidebar_state="expanded")  # back as it was
        if css:
            st.html(f"<style>{css}</style>")
    st.session_state[_WAS_ON] = on


def restore() -> None:
    """Set the chart theme again from the session, at the start of a fragment's rerun: it
    may run on a new thread, where the page header's setting is not."""
    on, dark = st.session_state.get(_CHART_MODE, (False, False))
    charts.set_presenter(on, dark)
