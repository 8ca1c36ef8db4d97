"""Process-wide settings: the garbage collector's frozen generation."""

from __future__ import annotations

import gc
import subprocess
import sys
import types
from pathlib import Path

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


_FREED_THEN_RELEASED = r"""
import numpy as np
from actlib.runtime import configure_torch, release_free_memory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

configure_torch()  # the app's allocator: up to 32 MB kept free per arena
blocks = [np.ones(64 * 1024) for _ in range(1000)]  # 1,000 blocks of 512 kB
del blocks[::2]  # half of them freed, scattered through the heap: nothing to trim at its top
before = rss_mb()
release_free_memory()
print(before, rss_mb())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_memory_freed_between_runs_goes_back_to_the_system() -> None:
    """Half of 500 MB of blocks freed in the middle of the heap stays resident under the
    app's allocator settings until :func:`release_free_memory`, which hands it back."""
    out = subprocess.run([sys.executable, "-c", _FREED_THEN_RELEASED], capture_output=True,
                         text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    before, after = (float(x) for x in out.stdout.split())
    assert before - after > 200, (before, after)
