"""Who is using the app: the session's actor (login form or single sign-on) and the refusal of pages above the actor's role."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any, cast

import streamlit as st
from sqlalchemy import Engine
from streamlit.errors import StreamlitSecretNotFoundError

from sozdash.access import auth
from sozdash.core.fmt import plain
from sozdash.core.navigation import PAGES
from sozdash.core.permissions import ANONYMOUS, Actor, has_role, role_rank
from sozdash.core.vocab import ROLES


def current_actor() -> Actor:
    """The logged-in person from the session (set by the login), never from the URL."""
    return st.session_state.get("actor", ANONYMOUS)


def sso_mapping() -> Mapping[str, Any] | None:
    """The single-sign-on role mapping when ``.streamlit/secrets.toml`` configures it."""
    try:
        return auth.sso_settings(st.secrets)
    except StreamlitSecretNotFoundError:
        return None


def session_actor(engine: Engine) -> Actor:
    """The session's actor on every run: idle timeout, single-sign-on mapping, timeout notice.

    Identity comes from the login form or the identity provider only, never from the URL.
    """
    # the proxy also admits int keys; every key used here and in ``auth`` is a str
    state = cast(MutableMapping[str, Any], st.session_state)
    auth.touch_session(state)
    actor = auth.refresh_session(engine, state)
    mapping = sso_mapping()
    if mapping is not None:
        if state.get("timed_out") and state.pop("sso", False) and st.user.is_logged_in:
            st.logout()
        elif actor == ANONYMOUS and st.user.is_logged_in and not state.get("sso_denied"):
            sso = auth.sso_actor(engine, st.user.to_dict(), mapping)
            if sso is None:
                state["sso_denied"] = True
            else:
                auth.login(state, sso)
                state["sso"], actor = True, sso
    if state.pop("account_closed", False):
        st.warning("Ihr Konto wurde deaktiviert; Sie sind abgemeldet.", icon=":material/person_off:")
    if state.pop("timed_out", False):
        st.info(
            f"Sie wurden nach {auth.SESSION_TIMEOUT.seconds // 60} Minuten ohne Aktivität abgemeldet. "
            "Bitte melden Sie sich erneut an (Seite *Anmeldung*).",
            icon=":material/timer_off:",
        )
    if actor != ANONYMOUS:
        name = plain(actor.display_name or actor.username)
        st.sidebar.caption(f"Angemeldet: {name} · Rolle {ROLES[actor.role]}")
    return actor


def require_page_role(page_file: str) -> Actor:
    """The session's actor if its role may open the page ``page_file`` (pass ``__file__``), as set
    by ``min_role`` in ``navigation.PAGES``; otherwise a German refusal and the run stops.

    The navigation already hides such pages; this holds where a page is run on its own."""
    spec = next(p for p in PAGES if p.url_path == Path(page_file).stem)
    actor = current_actor()
    if not has_role(actor, spec.min_role):
        allowed = [f"„{label}“" for role, label in ROLES.items() if role_rank(role) >= role_rank(spec.min_role)]
        roles = (
            f"der Rolle {allowed[0]}"
            if len(allowed) == 1
            else f"den Rollen {', '.join(allowed[:-1])} und {allowed[-1]}"
        )
        st.error(f"Die Seite „{spec.title}“ ist nur nach Anmeldung mit {roles} zugänglich.", icon=":material/lock:")
        st.stop()
    return actor
