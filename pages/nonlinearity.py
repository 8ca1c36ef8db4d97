"""Why non-linearity: the linear collapse, universal approximation in 1-D, softmax with
temperature, and the step neuron that cannot learn. (The Playground has its own page.)"""

import streamlit as st

from actlib import approximation, collapse
from actlib.activations import get
from actlib.charts import loss_chart
from actlib.nets import MIN_WIDTH
from actlib.page_settings.nonlinearity import SETTINGS, playground_link
from actlib.training import history_frame
from actlib.ui import nonlinearity_views as views
from actlib.ui import predict_demos
from actlib.ui.formula_input import formula_input
from actlib.ui.layout import activation_legend, page_header
from actlib.ui.live_runs import lesson_session, live_runs
from actlib.ui.notices import checked, divergence_sentences, show_divergences
from actlib.ui.settings_widgets import SettingsPanel
from actlib.ui.slot import Slot
from actlib.ui.softmax_view import softmax_explorer
from actlib.ui.stores import session_memo

page_header(
    "Why non-linearity",
    "Stack linear layers and you get one matrix; add a bend and the network can draw curves.",
)
# An old link to the Playground tab opens the Playground page in the same state.
if (old := playground_link({k: st.query_params.get_all(k) for k in st.query_params})):
    st.switch_page("pages/playground.py", query_params=old)
panel = SettingsPanel(SETTINGS, page="nonlinearity")
tabs = panel.tabs("demo")
REMEDY = "Lower the learning rate to train it."


def collapse_demo() -> None:
    st.markdown(
        "Two networks of the same shape train side by side on curved data. The left one has "
        "**no activation** (identity); the right one bends every unit. However deep the left "
        "one is, its layers multiply out to **one** matrix $W'$ and bias $b'$: its boundary "
        "can only be a straight line."
    )
    cols = st.columns(3)
    dataset, depth = panel.widget("c_data", cols[0]), panel.widget("c_depth", cols[1])
    act = panel.widget("c_act", cols[2])
    formula_input(panel, "c_act")
    config = checked(lambda: collapse.twin_config(dataset, act, depth),
                     {"depth": "fewer **Hidden layers**"})
    if config is None:
        return
    keys = [m.key for m in config.models]
    if predict_demos.collapse_prompt(config):
        return
    session = lesson_session("nl_collapse", [config])
    memo = session_memo("nonlinearity:folds")

    def fold_now() -> collapse.CollapseReport:
        """The identity network folded where the run stands (measured once per step)."""
        key = (config, session.run.step)
        if key not in memo:
            memo.clear()
            memo[key] = collapse.report_of(collapse.network_of(session.run.state))
        return memo[key]

    def twin_view():
        activation_legend(keys)
        twin = views.TwinSurfaces(config, st.columns(2))
        loss_slot = Slot()

        def draw(runs) -> None:
            snapshots = runs[0]
            twin.draw(snapshots[-1], None if session.playing else fold_now().segment)
            loss_slot.altair_chart(loss_chart(history_frame(snapshots), keys, height=320,
                                              last_step=config.steps), width="stretch")
        return draw

    live_runs("nl_collapse", [config], twin_view)
    if session.playing:
        return
    last = session.run.snapshots_now()[-1]
    show_divergences(divergence_sentences(last), REMEDY)
    predict_demos.collapse_reveal(config, last, session.finished)
    if session.finished and not collapse.beats_the_line(*last.test_accuracy):
        st.info(f"The {get(act).name} network has not beaten the straight line in "
                f"{config.steps} steps: at this depth its gradients fade (see Vanishing and "
                "exploding gradients). Fewer hidden layers train.", icon="🐢")
    report = fold_now()
    if report.collapse is not None:
        views.folded_map(report, get(act).name)


def approximation_demo() -> None:
    st.markdown(
        "One hidden layer of N units computes $b_0 + \\sum_j v_j\\, f(w_j x + b_j)$: a sum "
        "of N shifted, stretched copies of the activation. The lower charts show each term "
        "$v_j f(w_j x + b_j)$; their sum is the fit above. ReLU adds hinges (a piecewise-"
        "linear fit), tanh and sigmoid add smooth S-curves, the identity only lines."
    )
    row = st.columns([2, 3])
    method, target = panel.widget("a_fit", row[0]), panel.widget("a_target", row[1])
    row = st.columns([3, 2, 2], vertical_alignment="bottom")
    keys = list(panel.widget("a_act", row[0]))
    formula_input(panel, "a_act", row[0])
    units, noise = panel.widget("a_units", row[1]), panel.widget("a_noise", row[2])
    if not keys:
        st.info("Pick at least one activation to fit.")
        return
    activation_legend(keys)
    if method == "construct":
        views.constructed_fits(keys, target, units, noise)
        return
    steps = panel.widget("a_steps", st.columns([2, 3])[0])
    if units < MIN_WIDTH:
        st.info(f"Training uses the engine, whose layers have at least {MIN_WIDTH} units: "
                f"set N to {MIN_WIDTH} or more (the construction takes N = 1).")
        return
    config = checked(lambda: approximation.training_config(target, noise, keys, units, steps),
                     {"steps": "fewer **Training steps**"})
    if config is None:
        return
    session = lesson_session("nl_approx", [config])

    def fits_view():
        """While it plays, each network's current fit; paused, the fits and their unit
        terms are drawn below from the network itself."""
        draw = views.live_fits(Slot(), config)
        return lambda runs: draw(runs[0]) if session.playing else None

    live_runs("nl_approx", [config], fits_view)
    if session.playing:
        return
    show_divergences(divergence_sentences(session.run.snapshots_now()[-1]), REMEDY)
    views.trained_fits(config, collapse.network_of(session.run.state))


def neuron_demo() -> None:
    st.markdown(
        "A biological neuron fires once its input passes a threshold: the **step** function, "
        "the first artificial neuron's activation. Train one step neuron and one sigmoid "
        "neuron by gradient descent from the same starting line. The step's derivative is "
        "zero wherever it exists, so its gradient is exactly zero and it never moves."
    )
    row = st.columns([2, 2, 2, 3], vertical_alignment="bottom")
    dataset, lr = panel.widget("s_data", row[0]), panel.widget("s_lr", row[1])
    seed, with_rule = panel.widget("s_seed", row[2]), panel.widget("s_rule", row[3])
    views.neurons(dataset, lr, seed, with_rule, panel.widget("s_step"))


if (tab := tabs["Collapse"]) is not None:
    with tab:
        collapse_demo()
if (tab := tabs["Approximation"]) is not None:
    with tab:
        approximation_demo()
if (tab := tabs["Softmax"]) is not None:
    with tab:
        if predict_demos.softmax_prompt(panel.value("logits")):
            st.stop()
        views.softmax_notes(softmax_explorer(panel)[0])
        predict_demos.softmax_reveal(panel.value("logits"))
if (tab := tabs["Step neuron"]) is not None:
    with tab:
        neuron_demo()
