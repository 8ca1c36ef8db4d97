"""The settings panel in a running Streamlit script: URL in, note shown, URL out."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _demo_page() -> None:
    from actlib.settings import Choice, FloatRange, IntRange, MultiChoice, PageSettings
    from actlib.ui.settings_widgets import SettingsPanel

    settings = PageSettings(
        (
            MultiChoice(
                "act", "Activations", options=("sigmoid", "tanh", "leaky_relu"),
                default=("sigmoid",), labels={"leaky_relu": "Leaky ReLU"}, min_count=1,
            ),
            IntRange("depth", "Depth", default=4, low=1, high=50),
            FloatRange("lr", "Learning rate", default=0.01, low=0.0001, high=1.0, step=0.0001),
            Choice("init", "Init", options=("xavier", "he"), default="xavier",
                   labels={"he": "He (Kaiming)"}),
        )
    )
    panel = SettingsPanel(settings, page="demo")
    for key in settings.key_list():
        panel.widget(key)
    import streamlit as st

    st.write(repr(panel.values()))


def _run(**query: list[str] | str) -> AppTest:
    at = AppTest.from_function(_demo_page, default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_valid_link_sets_every_widget() -> None:
    at = _run(act=["tanh", "leaky_relu"], depth="12", lr="0.5", init="he")
    assert not at.exception
    assert at.multiselect(key="act").value == ["tanh", "leaky_relu"]
    assert at.slider(key="depth").value == 12
    assert at.slider(key="lr").value == 0.5
    assert at.selectbox(key="init").value == "he"
    assert len(at.warning) == 0


def test_bad_link_values_fall_back_with_a_note_naming_each() -> None:
    at = _run(act=["foo"], depth="-3", lr="abc", init="he")
    assert not at.exception
    note = at.warning[0].value
    for fragment in ("`act=foo`", "`depth=-3`", "`lr=abc`"):
        assert fragment in note
    assert at.multiselect(key="act").value == ["sigmoid"]
    assert at.slider(key="depth").value == 4
    assert at.slider(key="lr").value == 0.01
    assert at.selectbox(key="init").value == "he"  # the valid one is kept
    assert "depth" not in at.query_params and "lr" not in at.query_params


def test_the_note_is_gone_after_the_next_interaction() -> None:
    at = _run(depth="999")
    assert len(at.warning) == 1
    at.slider(key="depth").set_value(7).run()
    assert len(at.warning) == 0


def test_moving_a_widget_writes_stable_keys_to_the_url() -> None:
    at = _run()
    at.multiselect(key="act").set_value(["leaky_relu", "tanh"]).run()
    at.selectbox(key="init").set_value("he").run()
    at.slider(key="depth").set_value(20).run()
    assert at.query_params["act"] == ["leaky_relu", "tanh"]
    assert at.query_params["init"] == "he"
    assert at.query_params["depth"] == "20"
    at.slider(key="depth").set_value(4).run()  # back to the default: dropped from the URL
    assert "depth" not in at.query_params


def _preset_page() -> None:
    import streamlit as st

    from actlib.settings import IntRange, MultiChoice, PageSettings
    from actlib.ui.settings_widgets import SettingsPanel

    settings = PageSettings(
        (
            MultiChoice("act", "Activations", options=("sigmoid", "relu"), default=("sigmoid",)),
            IntRange("depth", "Depth", default=4, low=1, high=50),
        )
    )
    panel = SettingsPanel(settings, page="preset")
    st.button("Deep ReLU", key="preset",
              on_click=panel.set_values, args=({"act": ("relu",), "depth": 20},))
    panel.widget("act")
    panel.widget("depth")


def test_a_preset_sets_widgets_and_url() -> None:
    at = AppTest.from_function(_preset_page, default_timeout=30).run()
    at.button(key="preset").click().run()
    assert not at.exception
    assert at.multiselect(key="act").value == ["relu"]
    assert at.slider(key="depth").value == 20
    assert at.query_params["depth"] == "20" and at.query_params["act"] == "relu"
