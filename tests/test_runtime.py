"""Process-wide settings: the garbage collector's frozen generation."""

from __future__ import annotations

import gc
import sys
import types

import pytest

from actlib import runtime


@pytest.fixture(autouse=True)
def _unfreeze():
    """Leave the test process's collector as it was."""
    yield
    gc.unfreeze()


def test_module_objects_are_frozen_once_per_new_module(monkeypatch):
    monkeypatch.setattr(runtime, "_modules_when_frozen", 0)
    runtime.freeze_long_lived_objects()
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # torch, numpy and actlib's objects: out of the collector's sight
    calls = []
    monkeypatch.setattr(runtime.gc, "freeze", lambda: calls.append(1))
    runtime.freeze_long_lived_objects()
    assert calls == []  # nothing new loaded: no second collection
    monkeypatch.setitem(sys.modules, "actlib_test_new_module", types.ModuleType("x"))
    runtime.freeze_long_lived_objects()
    assert calls == [1]


def test_frozen_objects_are_still_freed_by_reference_counting():
    import weakref

    class Box:
        pass

    box = Box()
    ref = weakref.ref(box)
    gc.freeze()
    del box
    assert ref() is None
