"""Choosing an activation: advice with reasons, a live bake-off that tests the advice,
measured compute cost, and where today's choices came from."""

import streamlit as st

from actlib import bakeoff
from actlib.activations import get
from actlib.guide import QUESTIONS, advise, answers_from_settings
from actlib.page_settings.guide import SETTINGS
from actlib.ui import bakeoff_view, cached_guide, quantise_view
from actlib.ui import guide_views as views
from actlib.ui.formula_input import formula_input
from actlib.ui.layout import page_header
from actlib.ui.settings_widgets import SettingsPanel

MEASURE_REQUESTED = "guide:measure_requested"

page_header(
    "Choosing an activation",
    "Advice with its reasons, then a quick experiment on this server to test it.",
)
panel = SettingsPanel(SETTINGS, page="guide")
answers = answers_from_settings(panel.values())
advice = advise(answers)
candidates = bakeoff.advice_candidates(advice)


def open_bake_off() -> None:
    panel.set_values({"view": "Bake-off"})


def request_measurement() -> None:
    # A callback, not the button's return value: it survives a rerun of the script before
    # the button is reached (page_header reruns a run in some cases).
    st.session_state[MEASURE_REQUESTED] = True


tabs = panel.tabs("view")

if (tab := tabs["Advice"]) is not None:
    with tab:
        ask, answer = st.columns([1, 2], gap="large")
        with ask:
            with st.container(border=True):
                for question in QUESTIONS:
                    if question.relevant(answers):
                        panel.widget(question.key)
            views.ranked_curves(advice)
        with answer:
            views.advice_text(advice)
            names = ", ".join(get(k).name for k, _ in candidates)
            hidden_note = " (hidden layers)" if answers.placement == "output" else ""
            st.button(f"Test {names}{hidden_note} in the bake-off", on_click=open_bake_off,
                      icon="🧪")
            st.markdown("**PyTorch, for exactly this choice**")
            st.code(advice.snippet, language="python", height=420, wrap_lines=True)


if (tab := tabs["Bake-off"]) is not None:
    with tab:
        bakeoff_view.bake_off(panel, answers, candidates)

if (tab := tabs["Compute cost"]) is not None:
    with tab:
        st.markdown(
            "Is GELU slower than ReLU? Measure it. Each activation runs on one large tensor, "
            "forward and forward plus backward, several times in shuffled order; the chart "
            "shows the median time relative to ReLU **on this server, now**."
        )
        measurement = cached_guide.latest_cost()
        button_slot = st.empty()
        if st.session_state.pop(MEASURE_REQUESTED, False):
            with st.spinner("Timing every activation (a few seconds)…"):
                measurement = cached_guide.measure_cost()
        button_slot.button(
            "Measure on this server" if measurement is None else "Measure again", icon="⏱️",
            on_click=request_measurement, type="primary" if measurement is None else "secondary")
        if measurement is None:
            st.info("No measurement yet in this server process: press the button. The result "
                    "is kept for every visitor until the server restarts.")
        else:
            views.measured_cost(measurement)
            st.caption(
                "Piecewise-linear functions need one comparison per element; sigmoid, tanh, "
                "ELU, GELU, Swish and Mish need an exponential, erf or tanh. Inside a real "
                "network, matrix products usually dominate: the activation's share grows "
                "on small, memory-bound layers and on edge hardware."
            )

if (tab := tabs["Quantised"]) is not None:
    with tab:
        st.markdown("Hardware often stores activations in a few bits. Round an activation's "
                    "output to 2^k levels and see what it costs.")
        row = st.columns(3)
        q_act = panel.widget("q_act", row[0])
        formula_input(panel, "q_act", row[0])
        quantise_view.view(q_act, panel.widget("q_bits", row[1]), panel.widget("q_clip", row[2]))

if (tab := tabs["History"]) is not None:
    with tab:
        st.markdown(
            "From on/off threshold units to smooth and gated functions: each step removed a "
            "problem of the one before."
        )
        views.history()
