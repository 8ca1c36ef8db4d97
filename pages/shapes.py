"""Shapes and saturation: f, f' (and f''), where each activation goes flat, its computed
properties, its outputs for normal inputs, softmax with temperature and the gated family."""

import pandas as pd
import streamlit as st

from actlib import charts
from actlib.activations import ACTIVATIONS, CATALOGUE, ELEMENTWISE_KEYS, get
from actlib.properties import describe_intervals, properties_sheet
from actlib.settings import (
    Choice,
    Flag,
    FloatInterval,
    FloatRange,
    MultiChoice,
    PageSettings,
    activation_param_settings,
    activation_params,
)
from actlib.ui import cached
from actlib.ui.layout import activation_legend, page_header
from actlib.ui.settings_widgets import SettingsPanel
from actlib.ui.softmax_view import SOFTMAX_SETTINGS, softmax_explorer

GATED_KEYS = tuple(s.key for s in CATALOGUE if s.kind == "gated")
# Activations whose parameters sit in the expander (softmax's temperature has its own tab).
PARAM_KEYS = tuple(k for k in ELEMENTWISE_KEYS if get(k).params)
VIEWS = ("Curves", "Properties", "Through a layer", "Softmax", "Gated units")

SETTINGS = PageSettings(
    (
        Choice("view", "View", options=VIEWS, default="Curves", widget="tabs"),
        MultiChoice(
            "act",
            "Activations",
            options=ELEMENTWISE_KEYS,
            default=("sigmoid", "tanh", "relu", "gelu"),
            labels={k: get(k).name for k in ELEMENTWISE_KEYS},
        ),
        FloatInterval("x", "x window", default=(-6.0, 6.0), low=-50.0, high=50.0, step=0.5),
        FloatRange(
            "eps", "Saturation threshold ε", default=0.05, low=0.001, high=0.5, step=0.001,
            fmt="%.3f", help="A region saturates where |f′(x)| < ε: gradients through it vanish.",
        ),
        Flag("d2", "Show f″(x)", default=False),
        FloatRange(
            "scale", "Std of the inputs", default=1.0, low=0.1, high=10.0, step=0.1,
            fmt="%.1f", help="Pre-activations x ~ N(0, std²) fed through each activation.",
        ),
        Choice(
            "detail", "Formula and PyTorch for", options=tuple(ACTIVATIONS), default="gelu",
            labels={k: s.name for k, s in ACTIVATIONS.items()},
        ),
        Choice(
            "gate", "Gated unit", options=GATED_KEYS, default="swiglu",
            labels={k: get(k).name for k in GATED_KEYS}, widget="segmented",
        ),
        *(s for key in PARAM_KEYS for s in activation_param_settings(key)),
        *SOFTMAX_SETTINGS,
    )
)

page_header(
    "Shapes and saturation",
    "What each activation looks like, where its slope vanishes, and what that does to learning.",
)
panel = SettingsPanel(SETTINGS, page="shapes")

selected = list(panel.widget("act"))
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
        st.warning(
            f"The x window [{x_min:g}, {x_max:g}] has no width: drag its ends apart to see "
            "the curves."
        )
        return False
    return True


if (tab := tabs["Curves"]) is not None:
    with tab:
        show_second = panel.widget("d2")
        if need_selection() and window_ok():
            frame = cached.curve_frame(
                tuple(selected), x_min, x_max, selected_params, show_second
            )
            saturation = pd.DataFrame(
                [
                    {"activation": get(k).name, "start": a, "end": b}
                    for k in selected
                    for a, b in cached.saturation_intervals(
                        k, epsilon, x_min, x_max, params.get(k, {})
                    )
                ]
            )
            activation_legend(selected)
            left, right = st.columns(2)
            with left:
                st.altair_chart(
                    charts.curve_chart(
                        frame, "f", "f(x)", selected, x_domain=(x_min, x_max), legend=False
                    ),
                    width="stretch",
                )
                if show_second:
                    st.altair_chart(
                        charts.curve_chart(
                            frame, "d2f", "f″(x)", selected, height=220,
                            x_domain=(x_min, x_max), legend=False,
                            tooltip=("activation", "x", "f", "df", "d2f"),
                        ),
                        width="stretch",
                    )
            with right:
                st.altair_chart(
                    charts.derivative_chart(frame, selected, epsilon, (x_min, x_max)),
                    width="stretch",
                )
                st.altair_chart(
                    charts.saturation_strip(saturation, selected, epsilon, (x_min, x_max)),
                    width="stretch",
                )
            st.markdown(f"**Where |f′(x)| < {epsilon:g}** in this window:")
            lines = []
            for k in selected:
                intervals = cached.saturation_intervals(
                    k, epsilon, x_min, x_max, params.get(k, {})
                )
                lines.append(f"- {get(k).name}: {describe_intervals(intervals, x_min, x_max)}")
            st.markdown("\n".join(lines))
            if "step" in selected:
                st.caption(
                    "The step function's derivative is 0 everywhere except at 0, where it "
                    "does not exist: gradient descent gets no signal through it at all."
                )
            st.caption(
                "Backpropagation multiplies these slopes layer by layer. Where a curve is "
                "flat, the product shrinks towards zero: that is saturation, and it is why "
                "deep sigmoid networks stop learning (see Vanishing gradients)."
            )

if (tab := tabs["Properties"]) is not None:
    with tab:
        if need_selection() and window_ok():
            props = [
                cached.activation_properties(k, x_min, x_max, params.get(k, {}))
                for k in selected
            ]
            st.dataframe(properties_sheet(props), width="stretch", height="content")
            st.caption(
                "Every entry is computed from the function: ranges from limits and a wide "
                "grid (a square bracket means the bound is reached), extrema refined by "
                "golden-section search, expectations by quadrature over x ~ N(0, 1). "
                "A gradient's size changes per layer by √E[f′(x)²] (times the weights' "
                "factor), not by the mean slope E[f′(x)]: ReLU's is √½ ≈ 0.707, not 0.5. "
                "At a kink f′(0) is PyTorch's convention (ReLU: 0), not a derivative."
            )

if (tab := tabs["Through a layer"]) is not None:
    with tab:
        scale = panel.widget("scale")
        if need_selection():
            bars, stats = cached.output_distribution(
                tuple(selected), scale, epsilon, selected_params
            )
            st.altair_chart(charts.distribution_chart(bars, selected), width="content")
            st.dataframe(
                stats.drop(columns=["key"]),
                hide_index=True,
                column_config={
                    "mean": st.column_config.NumberColumn(format="%.3f"),
                    "std": st.column_config.NumberColumn(format="%.3f"),
                    "exact zeros": st.column_config.NumberColumn(format="percent"),
                    "saturated": st.column_config.NumberColumn(
                        f"|f′| < {epsilon:g}", format="percent"
                    ),
                },
            )
            st.caption(
                f"4,000 evenly spread quantiles of N(0, {scale:g}²) pushed through each "
                "activation. Widen the inputs and sigmoid and tanh pile up at their bounds "
                "(saturated); ReLU sends half of them to exactly zero (sparse)."
            )

if (tab := tabs["Softmax"]) is not None:
    with tab:
        softmax_explorer(panel)
        st.caption(
            "Softmax turns a vector of scores into probabilities. Cool it (T → 0) and all the "
            "mass goes to the largest logit, like argmax; heat it (T large) and every class "
            "tends to 1/n. It belongs on the output layer; PyTorch's CrossEntropyLoss applies "
            "it itself, so feed that loss raw logits."
        )

if (tab := tabs["Gated units"]) is not None:
    with tab:
        gate = panel.widget("gate")
        gate_spec = get(gate)
        left, right = st.columns([3, 2])
        with left:
            st.altair_chart(
                charts.gated_heatmap(cached.gated_surface(gate, -4.0, 4.0), gate_spec.name),
                width="stretch",
            )
        with right:
            st.latex(gate_spec.latex)
            st.markdown(
                "A gated unit takes **two** projections of its input: a value *a* and a "
                "gate *b*. The gate's activation decides how much of *a* passes. The layer "
                "before it is twice as wide, and the output has half its width."
            )
            st.code(gate_spec.functional_call(), language="python")
            st.caption(f"{gate_spec.origin}. {gate_spec.use_when}.")

st.divider()
detail_key = panel.widget("detail", st.columns([2, 3])[0])
spec = get(detail_key)
formula, about = st.columns([3, 2])
with formula:
    spec_params = params.get(detail_key, {})
    for latex in spec.formula(spec_params):  # the form that is computed (GELU: erf or tanh)
        st.latex(latex)
    st.code(
        f"{spec.module_call(spec_params)}\n{spec.functional_call(spec_params)}",
        language="python",
    )
with about:
    st.markdown(f"**{spec.name}** · {spec.year}")
    st.markdown(spec.origin)
    st.markdown(f"**Use when:** {spec.use_when}")
