"""Whether building and converting a chart check it against the Vega-Lite schema: in the
test suite yes, in the server no.

Streamlit converts every Altair chart with ``chart.to_dict()``, whose default validates
the whole spec against the Vega-Lite JSON schema (jsonschema, in Python) on every draw.
The app's charts are built by its own code from its own frames, and that code is what
the suite exercises: every page runs there with this check on (``tests/conftest.py``
sets :data:`VALIDATE`), so an invalid spec fails a test instead of reaching a browser.
In the server the check only costs time, on every page run and every frame of a lesson's
live charts: measured on the Dead ReLU page's "units die" scene (AppTest, best of 5 page
runs), 0.60 s with it, 0.47 s without; a layered chart's ``to_dict`` 9.9 ms against
2.8 ms.

Altair has no switch for it, so :func:`install` makes ``validate`` of ``to_dict`` default
to :data:`VALIDATE` (an explicit ``validate=`` still decides) on Altair's two
definitions of it, the top-level charts' and ``Chart``'s own.

Altair also checks every schema object it builds (a mark, an encoding, a layer, ...) as
it is made, while its "debug mode" is on, which it is by default: 325 extra conversions
and checks in six frames of the Dead ReLU monitor, a tenth of their drawing time.
:func:`check_charts` switches both together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
from altair.utils import schemapi

VALIDATE = False
"""Read at every conversion; set it with :func:`check_charts`, which also sets Altair's
check of every object it builds."""

_INSTALLED = "_activation_lab_schema_check"


def _default_from_flag(to_dict: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def converted(self: Any, validate: bool | None = None, **kwargs: Any) -> dict[str, Any]:
        return to_dict(self, VALIDATE if validate is None else validate, **kwargs)

    converted.__doc__ = to_dict.__doc__
    setattr(converted, _INSTALLED, True)
    return converted


def check_charts(on: bool) -> None:
    """Check every chart against the schema as it is built and converted (the suite), or
    never unless a caller asks (the server)."""
    global VALIDATE
    VALIDATE = on
    schemapi.DEBUG_MODE = on


def install() -> None:
    """Make chart conversion validate only when :data:`VALIDATE` says so, and Altair's
    objects check themselves as they are built only then (idempotent)."""
    for cls in (alt.TopLevelMixin, alt.Chart):
        original = cls.__dict__["to_dict"]
        if not getattr(original, _INSTALLED, False):
            cls.to_dict = _default_from_flag(original)
    check_charts(VALIDATE)
