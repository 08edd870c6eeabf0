"""plotly figures built from plain dicts in one step, and cached figures that load unvalidated.

plotly validates every property of a figure when it is built (for a 200-indicator spine chart
12 ms of 13.5) and again when a pickled figure is loaded (a cached figure: on every rerun), while
Streamlit trusts a built ``go.Figure`` without validating it again. So the app builds and loads its
figures unvalidated, and the tests, which build every figure of every page, validate them:
``VALIDATE_ENV=1`` (set by ``tests/conftest.py``) makes a wrong property name or value an error
there instead of a silently ignored setting in the browser.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

VALIDATE_ENV = "SOZDASH_VALIDATE_FIGURES"


class Figure(go.Figure):  # type: ignore[misc]
    """A ``go.Figure`` that is pickled as its dict and loaded again through ``figure``."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return figure, _parts(self)


def figure(data: Sequence[Mapping[str, Any]], layout: Mapping[str, Any]) -> Figure:
    """The figure of ``data`` (traces as dicts) and ``layout``, validated only under ``VALIDATE_ENV``."""
    validate = os.environ.get(VALIDATE_ENV) == "1"
    return Figure(data=list(data), layout=dict(layout), _validate=validate)


def cacheable(fig: go.Figure) -> Figure:
    """``fig`` as a ``Figure`` (for the query cache, ``sozdash.store.cache``)."""
    return fig if isinstance(fig, Figure) else figure(*_parts(fig))


def _parts(fig: go.Figure) -> tuple[list[Any], dict[str, Any]]:
    props = fig.to_dict()
    return props.get("data", []), props.get("layout", {})
