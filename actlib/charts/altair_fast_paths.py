"""Two of Altair's per-chart costs, cut without changing a chart: its deep copies and the
class table behind ``from_dict``.

Every lesson view rebuilds its charts on each live frame, in the server's one interpreter,
so Altair's Python overhead is paid by every session in turn. With six sessions training
on the Dead ReLU monitor, py-spy (``--gil``) put a fifth of the time the interpreter lock
was held in Altair's chart copies. Measured on that page's "inputs on the curve" chart
(three layers on two levels, two shorthand encodings), Altair's debug mode off as in the
server: 26 ms to build before, 17 ms after (its ``to_dict`` 19 ms before, 16 after).

* **Deep copies.** Altair copies every sub-chart deeply, twice, whenever it layers or
  facets charts (``LayerChart.__init__`` lifts parameters out of copies of its layers),
  and its schema objects carry every field they could have, nearly all ``Undefined``:
  that chart made 13,898 calls of ``schemapi._deep_copy``, 12,468 of them on
  ``Undefined``, which it returns unchanged; each call builds a ``functools.partial``, and
  each schema object enters the debug-mode context manager and fails an attribute lookup
  through ``__getattr__``. :func:`deep_copy` returns the same structure (``Undefined`` and
  other leaves as they are; lists, dicts and schema objects new; keys in ``by_ref`` by
  reference) without those costs. ``SchemaBase.copy`` looks the function up by name at
  each call, so replacing the module's name is enough.
* **The class table of ``from_dict``.** A shorthand encoding (``x2="x2:Q"``) is turned
  into a channel object by ``from_dict``, which builds a fresh table from the JSON hash of
  every one of Altair's ~1,100 schema classes on every call (5.8 ms each). The classes
  are fixed once Altair is imported, so :func:`from_dict` builds each table once (one per
  ``_default_wrapper_classes``: Altair has two) and keeps it.

Pinned by ``tests/test_altair_fast_paths.py`` against Altair's own functions on every
page's charts; :func:`install` is idempotent and :func:`uninstall` restores Altair's own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from altair.utils import schemapi
from altair.utils.schemapi import SchemaBase, Undefined

ALTAIR_DEEP_COPY = schemapi._deep_copy
"""Altair's own deep copy, which :func:`install` replaces."""
ALTAIR_FROM_DICT = SchemaBase.__dict__["from_dict"]
"""Altair's own ``SchemaBase.from_dict`` (the classmethod), which :func:`install` replaces."""

_tables: dict[Callable[..., Any], schemapi._FromDict] = {}
_tables_lock = threading.Lock()


def deep_copy(obj: Any, by_ref: set[str]) -> Any:
    """What ``schemapi._deep_copy(obj, by_ref)`` returns, built with less overhead."""
    if isinstance(obj, SchemaBase):
        copier = getattr(type(obj), "__deepcopy__", None)
        if copier is not None:
            with schemapi.debug_mode(False):
                return copier(obj, obj)  # Altair passes the object as the memo too
        args = [deep_copy(arg, by_ref) for arg in obj._args]
        kwds = {key: value if value is Undefined or key in by_ref else deep_copy(value, by_ref)
                for key, value in obj._kwds.items()}
        if schemapi.DEBUG_MODE:
            with schemapi.debug_mode(False):
                return obj.__class__(*args, **kwds)
        return obj.__class__(*args, **kwds)
    if isinstance(obj, list):
        return [deep_copy(item, by_ref) for item in obj]
    if isinstance(obj, dict):
        return {key: value if key in by_ref else deep_copy(value, by_ref)
                for key, value in obj.items()}
    return obj


def class_table(cls: type[SchemaBase]) -> schemapi._FromDict:
    """Altair's ``_FromDict`` over ``cls``'s wrapper classes, built once per definition of
    ``_default_wrapper_classes``."""
    key = cls._default_wrapper_classes.__func__  # type: ignore[attr-defined]
    table = _tables.get(key)
    if table is None:
        with _tables_lock:
            table = _tables.get(key)
            if table is None:
                table = _tables[key] = schemapi._FromDict(cls._default_wrapper_classes())
    return table


def from_dict(cls: type[SchemaBase], dct: dict[str, Any], validate: bool = True) -> Any:
    """``SchemaBase.from_dict`` with the class table kept (Altair's body otherwise)."""
    if validate:
        cls.validate(dct)
    return class_table(cls).from_dict(dct, cls)


def install() -> None:
    """Use :func:`deep_copy` and :func:`from_dict` in Altair (idempotent)."""
    schemapi._deep_copy = deep_copy
    SchemaBase.from_dict = classmethod(from_dict)  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    """Altair's own functions again (for tests comparing the two)."""
    schemapi._deep_copy = ALTAIR_DEEP_COPY
    SchemaBase.from_dict = ALTAIR_FROM_DICT  # type: ignore[method-assign]
