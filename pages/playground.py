"""Playground: one small network on 2-D data that trains on while you watch: Play, Pause,
Step and Reset on the same network, its decision surface, loss and hidden units live."""

import streamlit as st

from actlib import playground
from actlib.page_settings.playground import SETTINGS
from actlib.ui.exports import export_row, reproduce_script
from actlib.ui.formula_input import formula_input
from actlib.ui.layout import page_header
from actlib.ui.live_playground import live_area, session_run
from actlib.ui.notices import checked
from actlib.ui.settings_widgets import SettingsPanel
from actlib.ui.user_data_view import own_data
from actlib.user_data import OWN_DATA_OPTION

CONTROLS = {"depth": "fewer **Hidden layers**", "width": "fewer **Units per layer**"}

page_header("Playground", "Train a small network on 2-D data and watch its boundary bend.")
panel = SettingsPanel(SETTINGS, page="playground")
st.markdown(
    "**Play** trains on until you pause (Space), **Step** trains 25 steps (→), **Reset** "
    "starts again. A new learning rate applies to the running network; new data or a new "
    "network starts from step 0. The link holds the steps and rates, so it opens this very "
    "network."
)
row = st.columns([1.3, 1, 1, 1.5, 0.9])
own = panel.value("p_data") == OWN_DATA_OPTION
dataset, noise = panel.widget("p_data", row[0]), panel.widget("p_noise", row[1], disabled=own)
test_share, lr = panel.widget("p_test", row[2]), panel.widget("p_lr", row[3])
seed = panel.widget("p_seed", row[4])
row = st.columns([1.3, 1, 1, 1.5, 0.9])
per_layer = bool(panel.value("p_stack"))
off = {"disabled": True, "help": "Off while Activation per layer names one per layer."}
act = panel.widget("p_act", row[0], **(off if per_layer else {}))
depth = panel.widget("p_depth", row[1])
width, layer = panel.widget("p_width", row[2]), panel.widget("p_layer", row[3])
with row[4].popover("Fold axes", icon="🗺️", width="stretch",
                    help="Which two units of the shown layer the folded plane uses as axes."):
    units = (panel.widget("p_ux"), panel.widget("p_uy"))
row = st.columns([2.3, 3.4], vertical_alignment="bottom")
chosen = playground.live_activation(act, panel.widget("p_stack", row[0]), depth)
if chosen.note:
    row[1].caption(chosen.note)
formula_input(panel, "p_stack" if per_layer else "p_act")
if own and (dataset := own_data("playground", seed, test_share)) is None:
    st.stop()

config = checked(lambda: playground.live_config(dataset, noise, test_share, chosen.activation,
                                                depth, width, seed), CONTROLS)
if config is None:
    st.stop()
session = session_run(config, lr, int(panel.value("p_steps")), panel.value("p_lrs"))


def on_link(step: int, rates: tuple[tuple[int, float], ...]) -> None:
    """Keep the link on the run: its step count and any rate changed while it played."""
    panel.set_values({"p_steps": step, "p_lrs": rates})


live_area(config, chosen.name, layer, on_link, units)
st.caption(playground.describe_run(config, seed, own))
export_row(  # read when pressed: the network as it stands then, rate changes included
    "playground", name="playground", config=config,
    script=lambda: reproduce_script(session.run.config, max(session.run.step, 1),
                                    tuple(session.run.lr_changes), "Playground"))
