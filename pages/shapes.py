"""Shapes and saturation: f, f' (and f''), where each activation goes flat, its computed
properties, its outputs for normal inputs, softmax with temperature and the gated family."""

import streamlit as st

from actlib import charts
from actlib.activations import FORMULA_OPTION, get, is_custom
from actlib.page_settings.shapes import PARAM_KEYS, SETTINGS
from actlib.page_text import shapes as text
from actlib.properties import properties_sheet, saturation_frame, saturation_summary
from actlib.settings import activation_param_settings, activation_params
from actlib.ui import cached
from actlib.ui.layout import activation_legend, page_header
from actlib.ui.settings_widgets import SettingsPanel
from actlib.ui.softmax_view import softmax_explorer

page_header(
    "Shapes and saturation",
    "What each activation looks like, where its slope vanishes, and what that does to learning.",
)
panel = SettingsPanel(SETTINGS, page="shapes")

selected = list(panel.widget("act"))
if FORMULA_OPTION in (*st.session_state.get("act", ()), st.session_state.get("detail")):
    panel.widget("fx")  # the typed formula: in the pickers as 'Your formula'
top = st.columns([2, 2, 3], vertical_alignment="bottom")
x_min, x_max = panel.widget("x", top[0])
epsilon = panel.widget("eps", top[1])

shown_params = [s for k in PARAM_KEYS if k in selected for s in activation_param_settings(k)]
if shown_params:
    # A popover, not an expander: opening it overlays the page instead of growing this row
    # (an expander here left a ~170 px gap). Only the selected activations' parameters are
    # drawn; the others keep their URL values (undrawn settings are re-read from the link).
    with top[2].popover("Parameters of the activations", icon="🎛️", width="stretch"):
        param_columns = st.columns(min(3, len(shown_params)))
        for i, setting in enumerate(shown_params):
            panel.widget(setting.key, param_columns[i % len(param_columns)])
else:
    top[2].caption("None of the chosen activations has a parameter.")
values = panel.values()
params = {k: activation_params(k, values) for k in PARAM_KEYS}
selected_params = {k: params[k] for k in selected if k in params}

tabs = panel.tabs("view")


def need_selection() -> bool:
    if not selected:
        st.info("Pick at least one activation above to draw it.")
        return False
    return True


def window_ok() -> bool:
    if x_max - x_min < 1e-9:
        st.warning(text.empty_window(x_min, x_max))
        return False
    return True


if (tab := tabs["Curves"]) is not None:
    with tab:
        show_second = panel.widget("d2")
        if need_selection() and window_ok():
            frame = cached.curve_frame(tuple(selected), x_min, x_max, selected_params,
                                       show_second)
            flat = cached.saturation_by_activation(tuple(selected), epsilon, x_min, x_max,
                                                   selected_params)
            activation_legend(selected)
            left, right = st.columns(2)
            left.altair_chart(charts.curve_chart(frame, "f", "f(x)", selected,
                                                 x_domain=(x_min, x_max), legend=False),
                              width="stretch")
            if show_second:
                left.altair_chart(charts.curve_chart(
                    frame, "d2f", "f″(x)", selected, height=220, x_domain=(x_min, x_max),
                    legend=False, tooltip=("activation", "x", "f", "df", "d2f")),
                    width="stretch")
            right.altair_chart(charts.derivative_chart(frame, selected, epsilon, (x_min, x_max)),
                               width="stretch")
            right.altair_chart(charts.saturation_strip(saturation_frame(flat), selected,
                                                       epsilon, (x_min, x_max)),
                               width="stretch")
            st.markdown(f"**Where |f′(x)| < {epsilon:g}** in this window:")
            st.markdown("\n".join(f"- {line}" for line in saturation_summary(flat, x_min, x_max)))
            if "step" in selected:
                st.caption(text.STEP)
            st.caption(text.SATURATION)

if (tab := tabs["Properties"]) is not None:
    with tab:
        if need_selection() and window_ok():
            props = [cached.activation_properties(k, x_min, x_max, params.get(k, {}))
                     for k in selected]
            st.table(properties_sheet(props))
            st.caption(text.PROPERTIES)

if (tab := tabs["Through a layer"]) is not None:
    with tab:
        scale = panel.widget("scale")
        if need_selection():
            bars, stats = cached.output_distribution(tuple(selected), scale, epsilon,
                                                     selected_params)
            st.altair_chart(charts.distribution_chart(bars, selected), width="content")
            number = st.column_config.NumberColumn
            st.dataframe(stats.drop(columns=["key"]), hide_index=True, column_config={
                "mean": number(format="%.3f"), "std": number(format="%.3f"),
                "exact zeros": number(format="percent"),
                "saturated": number(f"|f′| < {epsilon:g}", format="percent"),
            })
            st.caption(text.through_layer(scale))

if (tab := tabs["Softmax"]) is not None:
    with tab:
        softmax_explorer(panel)
        st.caption(text.SOFTMAX)

if (tab := tabs["Gated units"]) is not None:
    with tab:
        gate = get(panel.widget("gate"))
        left, right = st.columns([3, 2])
        left.altair_chart(charts.gated_heatmap(cached.gated_surface(gate.key, -4.0, 4.0),
                                               gate.name), width="stretch")
        right.latex(gate.latex)
        right.markdown(text.GATED)
        right.code(gate.functional_call(), language="python")
        right.caption(f"{gate.origin}. {gate.use_when}.")

st.divider()
detail_key = panel.widget("detail", st.columns([2, 3])[0])
spec = get(detail_key)
spec_params = params.get(detail_key, {})
formula, about = st.columns([3, 2])
for latex in spec.formula(spec_params):  # the form that is computed (GELU: erf or tanh)
    formula.latex(latex)
formula.code(f"{spec.module_call(spec_params)}\n{spec.functional_call(spec_params)}",
             language="python")
about.markdown(f"**{spec.name}**" + ("" if is_custom(detail_key) else f" · {spec.year}"))
about.markdown(spec.origin)
about.markdown(f"**Use when:** {spec.use_when}")
