"""The typed-formula field under an activation picker, drawn only when the picker holds the
formula option: one call per picker, so a page needs one line to offer a formula."""

from __future__ import annotations

from typing import Any

import streamlit as st

from actlib.activations import FORMULA_OPTION
from actlib.settings import ActivationStacks
from actlib.ui.settings_widgets import SettingsPanel


def formula_input(panel: SettingsPanel, picker_key: str, container: Any = None) -> None:
    """Draw the page's formula setting (the picker's ``formula_key``) in ``container`` when
    'Your formula' is among the picker's choices; its errors show in place under it."""
    setting = panel.settings[picker_key]
    held = st.session_state.get(picker_key)
    if isinstance(setting, ActivationStacks):  # typed stacks: any layer may be the formula
        chosen = [k for stack in setting.from_widget(held) for k in stack]
    else:
        chosen = held if isinstance(held, list | tuple) else [held]
    if FORMULA_OPTION in chosen:
        panel.widget(setting.formula_key, container)  # type: ignore[attr-defined]
