"""The one query cache: results keyed by database URL, data version and arguments.

Every write bumps the data version (``db.bump_data_version``), so every app process sees
new data on its next query, not only the process that wrote it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy import Engine

from sozdash.db import data_version

F = TypeVar("F", bound=Callable[..., Any])
_QUERIES: dict[str, Callable[..., Any]] = {}


@st.cache_data(show_spinner=False, max_entries=1024)
def _run(_engine: Engine, name: str, url: str, version: int, args: tuple, kwargs: dict) -> Any:
    return _QUERIES[name](_engine, *args, **kwargs)


def cached_query(fn: F) -> F:
    """Cache ``fn(engine, *args)`` until the data version changes; ``fn.uncached`` bypasses it."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    _QUERIES[name] = fn

    @functools.wraps(fn)
    def wrapper(engine: Engine, *args: Any, **kwargs: Any) -> Any:
        return _run(engine, name, engine.url.render_as_string(), data_version(engine), args, kwargs)

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
