"""Process-wide torch settings, applied once, and torch loaded while nobody waits for it.

``torch.set_num_threads`` and glibc's allocator settings are global to the process, and
Streamlit runs every browser session as a thread of one process: a page must never change
them. :func:`configure_torch` is called by the app's entry point before every page that
may train (and by benchmarks and tests); it is the first import of torch in a server.

The home page needs no torch, so a cold server shows it without importing torch (about
1 s of CPU and 200 MB here). Once the browser has drawn it (:mod:`actlib.ui.warm_up`),
:func:`warm_up_in_background` imports torch and every page's modules in a background
thread while the student reads it.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import sys
import threading
import time
from collections.abc import Iterable

_lock = threading.Lock()
_configured: int | None = None
_modules_when_frozen = 0
_warm_up: threading.Thread | None = None

ImportStatement = tuple[str, tuple[str, ...]]
"""One ``import`` statement as ``__import__`` takes it: the module and the names a
``from`` import asks for (empty for a plain ``import``)."""

DEFAULT_THREADS = 1
"""One thread per run: on a shared 2-core host two sessions then train side by side
instead of fighting over both cores (measured faster overall; see the design notes)."""

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
ALLOCATOR_KEEP_BYTES = 32 * 1024 * 1024
"""Freed memory glibc keeps for reuse instead of giving it back at once (per arena)."""
ALLOCATOR_ARENAS = 2
"""malloc arenas for the whole process: one per core instead of glibc's eight per core."""


def _tune_allocator(nbytes: int = ALLOCATOR_KEEP_BYTES) -> None:
    """Keep glibc from handing a training step's tensors back to the system and faulting
    them in again at the next step.

    By default glibc maps and unmaps every block over 128 KiB (measured: a batched step
    went from 28 to 19 ms on one thread once raised) and trims the top of its heap as soon
    as 128 KiB there are free; the trimmed pages are faulted in again by the next step's
    tensors (a ReLU on a 27 x 128 x 32 tensor took 95 us instead of 13). Both thresholds go
    up to ``nbytes``; the arenas are capped because Streamlit runs every session in its own
    thread and each arena keeps its own free memory. Skipped where glibc is not the
    allocator.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, nbytes)
        libc.mallopt(_M_TRIM_THRESHOLD, nbytes)
        libc.mallopt(_M_ARENA_MAX, ALLOCATOR_ARENAS)
    except (OSError, AttributeError):
        pass


def release_free_memory() -> float:
    """Hand the pages glibc holds free back to the system (``malloc_trim``); returns the
    seconds it took.

    The allocator is told above to keep what a training step frees, per arena, so a
    server that has served many sessions holds much free memory in its arenas (measured
    with the load test's 6 sessions: 131 MB free against 153 MB in use, at the peak).
    Called when a page run ends, never inside a training, so the steps keep their
    memory while they run and the process does not grow by every session's leftovers.
    Skipped where glibc is not the allocator.
    """
    start = time.perf_counter()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return time.perf_counter() - start


def configure_torch(threads: int | None = None) -> int:
    """Import torch, set its thread count (once per process) and the allocator; return
    the count.

    ``ACTLAB_THREADS`` in the environment overrides the default. Later calls with a
    different count are ignored, so a page can never change another session's setting.
    torch is imported before the lock is taken: a session finishing its page run
    (:func:`freeze_long_lived_objects`) must not wait for another thread's import.
    """
    import torch

    global _configured
    with _lock:
        if _configured is not None:
            return _configured
        wanted = threads or int(os.environ.get("ACTLAB_THREADS", DEFAULT_THREADS))
        wanted = max(1, min(wanted, os.cpu_count() or 1))
        torch.set_num_threads(wanted)
        _tune_allocator()
        _configured = wanted
    # torch's import touched about 100 MB of its libraries once: out of resident memory
    # before the first page trains, while sessions arriving together are still importing
    page_out_library_pages()
    return wanted


def freeze_long_lived_objects() -> None:
    """Move the objects of every module loaded so far out of the garbage collector's sight.

    Streamlit runs a full collection after every script run, fragment reruns included;
    with torch, Altair and pandas loaded that scans ~260,000 objects and took 55-80 ms
    here, which a live view paid on every burst and a Pause click on top of its own wait
    (after freezing: under 1 ms). Module objects live as long as the process, so nothing
    is lost; it is redone (after a collection) only when more modules have loaded since,
    which happens a handful of times per process. Then, once torch is loaded, the
    library pages only those imports needed leave resident memory
    (:func:`page_out_library_pages`).
    """
    global _modules_when_frozen
    with _lock:
        if len(sys.modules) == _modules_when_frozen:
            return
        gc.collect()
        gc.freeze()
        _modules_when_frozen = len(sys.modules)
    if "torch" in sys.modules:
        page_out_library_pages()  # what only the imports needed leaves resident memory


def warm_up_in_background(imports: Iterable[ImportStatement]) -> bool:
    """Configure torch and run ``imports`` in a background thread, once per process;
    returns whether this call started it.

    Called once the home page has been drawn in a browser (:mod:`actlib.ui.warm_up`,
    mounted by the entry point), with every page's import statements
    (:func:`actlib.ui.page_registry.page_imports`): the first page a student opens from
    the home page then finds torch, the engine and its own modules loaded,
    instead of importing them while the student waits. Another session's page importing
    the same modules at the same time is safe: Python imports each module once, under a
    per-module lock, and actlib's modules import each other without cycles (a page waits
    for a module the warm-up is importing, and the other way round). A failure is logged
    and left to the page that imports the module, which shows it.
    """
    global _warm_up
    statements = tuple(imports)
    with _lock:
        if _warm_up is not None:
            return False
        thread = threading.Thread(target=_import_all, args=(statements,),
                                  name="actlab-warm-up", daemon=True)
        thread.start()
        _warm_up = thread  # published once started: warm_up_thread() never gives an
        # unstarted one (it reads without the lock)
    return True


def _import_all(statements: tuple[ImportStatement, ...]) -> None:
    try:
        configure_torch()
        for module, names in statements:
            __import__(module, fromlist=names)
    except Exception:
        logging.getLogger(__name__).exception("warming up the pages' imports failed")
    # A page run that ended while this thread imported froze only part of the modules,
    # and a live view's fragment reruns (which end no page run) would scan the rest after
    # every burst: freeze them here.
    freeze_long_lived_objects()


def warm_up_thread() -> threading.Thread | None:
    """The warm-up's thread once started (tests and benchmarks wait for it)."""
    return _warm_up



_MADV_PAGEOUT = 21


def library_mappings(maps: str, within: str = "/torch/") -> list[tuple[int, int]]:
    """The (start, end) addresses of the read-only and executable mappings of files whose
    path contains ``within`` in a ``/proc/<pid>/maps`` text: the code and constant data of
    torch's shared libraries, whose pages are clean copies of the files. Writable mappings
    (a library's variables, the heap) and anonymous ones are left out: their pages hold
    the process's own data. Other libraries (Python, numpy, Streamlit's) are left too:
    every page run uses them, so their pages would only be read back at once."""
    ranges = []
    for line in maps.splitlines():
        parts = line.split()
        if len(parts) < 6 or not parts[5].startswith("/") or "w" in parts[1] \
                or within not in parts[5]:
            continue
        start, end = (int(x, 16) for x in parts[0].split("-"))
        ranges.append((start, end))
    return ranges


def page_out_library_pages() -> int:
    """Ask the kernel to reclaim the pages of torch's libraries this process has touched
    so far; returns the bytes of mappings advised (0 where that cannot be done).

    Importing torch reads about 120 MB of its shared libraries into the server's resident
    memory (operator registrations, static tables run once); a running class then uses
    a small part of that (measured with the
    load test's six sessions: 147 MB of library pages resident at the peak without this,
    73 MB with it). Called when new modules have been loaded (at the end of the page run
    or warm-up that loaded them: a handful of times per process), ``MADV_PAGEOUT``
    (Linux 5.4 and later): those pages are clean copies of files, so
    nothing is lost; a page needed later is read back from the file (the first training
    after it takes about 0.1 s longer, once). The process's own memory is not touched.
    """
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        with open("/proc/self/maps") as maps:
            ranges = library_mappings(maps.read())
    except (OSError, AttributeError):
        return 0
    return sum(end - start for start, end in ranges
               if libc.madvise(start, end - start, _MADV_PAGEOUT) == 0)
