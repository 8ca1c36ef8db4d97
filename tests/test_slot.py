"""A slot shows one element at its place, replaced in place, and sends nothing until its
first write (an empty placeholder showed blank while a live area's burst trained)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from actlib.ui.slot import Slot


@dataclass
class FakeGenerator:
    """Records what is written to it; each write returns a generator for the new element
    (a DeltaGenerator subclass, as Streamlit's element methods return)."""

    name: str
    log: list[str] = field(default_factory=list)

    def container(self, **kwargs) -> FakeGenerator:
        self.log.append(f"{self.name}.container")
        return FakeGenerator(f"{self.name}/box", self.log)

    def empty(self) -> FakeGenerator:
        self.log.append(f"{self.name}.empty")
        return _element(f"{self.name}/empty", self.log)

    def markdown(self, body: str, **kwargs) -> FakeGenerator:
        self.log.append(f"{self.name}.markdown({body})")
        return _element(f"{self.name}/md", self.log)

    def altair_chart(self, chart, **kwargs):
        self.log.append(f"{self.name}.chart")
        return {"selection": {}} if kwargs.get("on_select") else _element(
            f"{self.name}/chart", self.log)


class FakeElement(FakeGenerator, DeltaGenerator):
    def __init__(self, name: str, log: list[str]) -> None:  # no Streamlit context needed
        FakeGenerator.__init__(self, name, log)


def _element(name: str, log: list[str]) -> FakeElement:
    return FakeElement(name, log)


def test_a_slot_sends_nothing_until_written_then_replaces_its_element():
    parent = FakeGenerator("parent")
    slot = Slot(parent)
    assert parent.log == ["parent.container"], "only the box: no empty element"
    slot.markdown("a")
    slot.markdown("b")
    assert parent.log == ["parent.container", "parent/box.markdown(a)",
                          "parent/box/md.markdown(b)"]


def test_a_slot_container_and_a_selectable_chart_lock_the_place_first():
    parent = FakeGenerator("parent")
    slot = Slot(parent)
    slot.container()
    slot.altair_chart("chart", on_select=lambda: None)
    assert parent.log == ["parent.container", "parent/box.empty",
                          "parent/box/empty.container", "parent/box/empty.chart"]


def test_a_write_that_returns_no_element_is_refused():
    slot = Slot(FakeGenerator("parent"))
    slot._box.altair_chart = lambda *a, **k: {"selection": {}}  # a widget-like return
    with pytest.raises(TypeError):
        slot.altair_chart("chart")
    with pytest.raises(AttributeError):
        getattr(slot, "no_such_element")  # noqa: B009


def _page() -> None:
    import streamlit as st

    from actlib.ui.slot import Slot

    st.markdown("above")
    slot, other = Slot(), Slot()
    st.markdown("below")
    slot.markdown("first")
    other.warning("careful")
    slot.markdown("second")
    with slot.container():
        st.caption("third, one")
        st.caption("third, two")
    other.empty()


def test_slots_keep_their_places_and_show_their_last_element():
    at = AppTest.from_function(_page, default_timeout=30).run()
    assert not at.exception
    assert [m.value for m in at.markdown] == ["above", "below"]
    assert [c.value for c in at.caption] == ["third, one", "third, two"]
    assert not at.warning, "emptied"
    texts = [getattr(node, "value", None) for node in at.main]
    assert texts.index("above") < texts.index("below")
