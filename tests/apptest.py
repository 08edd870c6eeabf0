"""Helpers for Streamlit AppTest: open a page of the real app and check it rendered cleanly."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from sozdash.core.permissions import Actor

APP = str(Path(__file__).resolve().parent.parent / "app.py")
APP_ERROR = "Fehler in der Anwendung"


def open_page(
    page: str, *, query: dict[str, str] | None = None, timeout: float = 30, actor: Actor | None = None
) -> AppTest:
    """Run ``app.py`` (signed in as ``actor`` if given) and switch to ``page`` (e.g. ``pages/indikatoren.py``)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if actor is not None:
        at.session_state["actor"] = actor
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page != "pages/ueberblick.py":
        at.switch_page(page)
        at.run()
    return at


def assert_clean(at: AppTest) -> None:
    """No exception element and no German app-error box."""
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error if APP_ERROR in e.value]
    assert not errors, errors
