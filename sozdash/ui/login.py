"""Who is using the app: the session's actor (login form, lasting session cookie or single sign-on),
the login form, the pages of each role and the refusal of pages above the actor's role."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any, cast

import streamlit as st
from sqlalchemy import Engine
from streamlit.errors import StreamlitSecretNotFoundError

from sozdash.access import auth, sessions
from sozdash.core.fmt import plain
from sozdash.core.navigation import PAGES, PageSpec
from sozdash.core.permissions import ANONYMOUS, Actor, has_role, role_rank
from sozdash.core.vocab import ROLES
from sozdash.store import db

COOKIE_START = "sitzung/start"
"""Route of ``serve.py`` that exchanges a login's one-time ticket for the HttpOnly session cookie."""
COOKIE_END = "sitzung/ende"
"""Route of ``serve.py`` that ends the session of the cookie and clears it."""


def current_actor() -> Actor:
    """The logged-in person from the session (set by the login), never from the URL."""
    return st.session_state.get("actor", ANONYMOUS)


def _state() -> MutableMapping[str, Any]:
    # the proxy also admits int keys; every key used here and in ``auth`` is a str
    return cast(MutableMapping[str, Any], st.session_state)


def sso_mapping() -> Mapping[str, Any] | None:
    """The single-sign-on role mapping when ``.streamlit/secrets.toml`` configures it."""
    try:
        return auth.sso_settings(st.secrets)
    except StreamlitSecretNotFoundError:
        return None


def session_secret() -> str:
    """The key that signs session cookies: ``SOZDASH_SESSION_SECRET``, else ``[session] secret`` in
    ``.streamlit/secrets.toml``, else one generated on first start in the data directory."""
    configured = os.environ.get(sessions.SECRET_ENV)
    if not configured:
        try:
            configured = st.secrets.get("session", {}).get("secret")
        except StreamlitSecretNotFoundError:
            configured = None
    return sessions.secret(configured, db.data_dir())


def route_path(route: str) -> str:
    """The absolute URL path of a route of ``serve.py`` (below ``server.baseUrlPath``)."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/{route}" if base else f"/{route}"


def _cookie_request(engine: Engine, state: MutableMapping[str, Any]) -> None:
    """After a login, let the browser fetch its session cookie, on every run until it has (a run
    may be replaced by the next before the browser executes it); after a logout, clear it. Our own
    fixed script: a POST to a route of ``serve.py``; the ticket is URL-safe base64."""
    ticket, session_id = state.get("cookie_ticket"), state.get("login_session")
    if ticket is not None and (session_id is None or not sessions.awaiting_cookie(engine, session_id)):
        del state["cookie_ticket"]
        ticket = None
    if ticket is None and not state.pop("cookie_end", False):
        return
    url, body = (route_path(COOKIE_START), f"ticket={ticket}") if ticket else (route_path(COOKIE_END), "")
    st.sidebar.html(
        f"<script>fetch({json.dumps(url)}, {{method: 'POST', credentials: 'same-origin', headers: "
        f"{{'Content-Type': 'application/x-www-form-urlencoded'}}, body: {json.dumps(body)}}});</script>",
        unsafe_allow_javascript=True,
    )


def session_actor(engine: Engine) -> Actor:
    """The session's actor on every run: stored session (ended elsewhere, idle timeout), the session
    cookie after a reload or from a bookmark, single sign-on, the account re-checked, notices.

    Identity comes from the login form, the signed session cookie or the identity provider only,
    never from the URL."""
    state = _state()
    actor = auth.check_session(engine, state)
    if actor == ANONYMOUS and not state.get("cookie_checked"):
        state["cookie_checked"] = True  # the cookie of this tab's connection: tried once
        cookie = st.context.cookies.get(sessions.COOKIE)
        if cookie:
            try:
                auth.resume(engine, state, cookie, session_secret())
            except sessions.SecretError as exc:
                st.error(plain(exc), icon=":material/key_off:")
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
                auth.login(engine, state, sso)  # the provider's own cookie keeps it across reloads
                state["sso"], actor = True, sso
    _cookie_request(engine, state)
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


def login_box(engine: Engine) -> None:
    """The login form (and single sign-on when configured); after a login the run starts again,
    on the same page with the same URL parameters."""
    state = _state()
    with st.form("login"):
        username = st.text_input("Benutzername", autocomplete="username")
        password = st.text_input("Passwort", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Anmelden", icon=":material/login:", type="primary")
    if submitted:
        try:
            state["cookie_ticket"] = auth.login(engine, state, auth.authenticate(engine, username, password))
        except auth.LoginFailed as exc:
            st.error(plain(exc), icon=":material/error:")
        else:
            st.rerun()
    if sso_mapping() is not None:
        st.button(
            "Mit dem städtischen Konto anmelden (Single Sign-on)", on_click=st.login, icon=":material/key:"
        )
        if state.get("sso_denied"):
            st.warning(
                "Ihr städtisches Konto ist für das Sozialdashboard nicht freigeschaltet. "
                "Bitte wenden Sie sich an die Sozialplanung.",
                icon=":material/block:",
            )
    st.caption(
        f"Nach {auth.MAX_FAILED_ATTEMPTS} Fehlversuchen ist das Konto {auth.LOCKOUT.seconds // 60} Minuten "
        f"gesperrt. Die Anmeldung bleibt beim Neuladen und für Lesezeichen erhalten, bis Sie sich abmelden "
        f"oder {auth.SESSION_TIMEOUT.seconds // 60} Minuten nichts tun."
    )


def log_out(engine: Engine) -> None:
    """End the login in every tab and process, clear the browser's cookie, start the run again."""
    state = _state()
    state["cookie_end"] = True
    auth.logout(engine, state)
    if state.pop("sso", False):
        st.logout()
    st.rerun()


def _refusal(spec: PageSpec) -> str:
    allowed = [f"„{label}“" for role, label in ROLES.items() if role_rank(role) >= role_rank(spec.min_role)]
    roles = (
        f"der Rolle {allowed[0]}"
        if len(allowed) == 1
        else f"den Rollen {', '.join(allowed[:-1])} und {allowed[-1]}"
    )
    return f"Die Seite „{spec.title}“ ist nur nach Anmeldung mit {roles} zugänglich."


def _locked(spec: PageSpec, actor: Actor, engine: Engine) -> Callable[[], None]:
    """What a page above the actor's role shows at its own URL: for the public the login form
    (afterwards the page itself opens, with its URL parameters), for a lower role the refusal."""

    def show() -> None:
        if actor != ANONYMOUS:
            st.title(spec.title)
            st.error(_refusal(spec), icon=":material/lock:")
            return
        st.title("Bitte anmelden")
        st.info(f"{_refusal(spec)} Nach der Anmeldung öffnet sich die Seite hier.", icon=":material/lock:")
        login_box(engine)

    return show


def navigation_pages(actor: Actor, engine: Engine) -> dict[str, list[st.Page]]:
    """Every page of ``navigation.PAGES`` by section: those of the actor's role as listed, the
    others hidden from the sidebar and answering their URL with :func:`_locked`."""
    sections: dict[str, list[st.Page]] = {}
    for p in PAGES:
        page = (
            st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path, default=p.default)
            if has_role(actor, p.min_role)
            else st.Page(
                _locked(p, actor, engine),
                title=p.title,
                icon=p.icon,
                url_path=p.url_path,
                visibility="hidden",
            )
        )
        sections.setdefault(p.section, []).append(page)
    return sections


def require_page_role(page_file: str) -> Actor:
    """The session's actor if its role may open the page ``page_file`` (pass ``__file__``), as set
    by ``min_role`` in ``navigation.PAGES``; otherwise a German refusal and the run stops.

    The navigation already gives such pages only a login prompt; this holds where a page is run on its own."""
    spec = next(p for p in PAGES if p.url_path == Path(page_file).stem)
    actor = current_actor()
    if not has_role(actor, spec.min_role):
        st.error(_refusal(spec), icon=":material/lock:")
        st.stop()
    return actor
