"""Lasting logins: signed session cookies, one-time tickets, idle timeout, logout everywhere,
the account re-checked on every run, the signing secret; and the same-origin check of the routes."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from starlette.requests import Request

from sozdash.access import auth, sessions
from sozdash.core.permissions import ANONYMOUS, Actor
from sozdash.store.db import session_scope
from sozdash.store.models import LoginSession

ADMIN = Actor("admin-test", "admin")
KEY = "k" * 40
T0 = dt.datetime(2025, 3, 1, 9, 0, 0)
MIN = dt.timedelta(minutes=1)


@pytest.fixture
def rat(engine: Engine) -> Actor:
    auth.create_user(engine, ADMIN, "ratsfrau", "Ratssitzung-2025", "rat", display_name="Ratsfrau")
    return auth.authenticate(engine, "ratsfrau", "Ratssitzung-2025")


def _cookie(engine: Engine, actor: Actor, now: dt.datetime = T0) -> tuple[dict, str]:
    """A tab's state after a login at ``now`` and the cookie its browser fetched with the ticket."""
    state: dict = {}
    cookie = sessions.redeem(engine, auth.login(engine, state, actor, now=now), KEY, now=now)
    assert cookie is not None
    return state, cookie


def test_cookie_restores_the_login_in_a_new_tab_and_is_stored_only_as_a_hash(
    engine: Engine, rat: Actor
) -> None:
    _state, cookie = _cookie(engine, rat)
    tab: dict = {}
    assert auth.resume(engine, tab, cookie, KEY, now=T0 + 5 * MIN) == rat
    assert tab["actor"] == rat
    token = cookie.split(".")[0]
    with session_scope(engine) as session:
        row = session.scalars(select(LoginSession)).one()
    assert token not in (row.token_hash, row.ticket_hash) and len(row.token_hash or "") == 64


def test_altered_cookie_other_secret_and_expired_signature_are_refused(engine: Engine, rat: Actor) -> None:
    _state, cookie = _cookie(engine, rat)
    token, stamp, signature = cookie.split(".")
    flipped = ("B" if signature[0] == "A" else "A") + signature[1:]
    for forged in (f"{token}.{stamp}.{flipped}", f"{token[::-1]}.{stamp}.{signature}", token, ""):
        assert auth.resume(engine, {}, forged, KEY, now=T0 + MIN) == ANONYMOUS, forged
    assert auth.resume(engine, {}, cookie, "x" * 40, now=T0 + MIN) == ANONYMOUS
    # active all day long, the signature still ends the login after MAX_AGE
    for minutes in range(50, int(sessions.MAX_AGE / MIN), 50):
        assert sessions.resume(engine, cookie, KEY, now=T0 + minutes * MIN)[2] == "live"  # type: ignore[index]
    assert sessions.resume(engine, cookie, KEY, now=T0 + sessions.MAX_AGE + MIN) is None


def test_ticket_works_once_and_only_while_fresh(engine: Engine, rat: Actor) -> None:
    ticket = auth.login(engine, {}, rat, now=T0)
    assert sessions.redeem(engine, ticket, KEY, now=T0 + sessions.TICKET_TTL + MIN) is None
    ticket = auth.login(engine, {}, rat, now=T0)
    assert sessions.redeem(engine, ticket, KEY, now=T0 + MIN) is not None
    assert sessions.redeem(engine, ticket, KEY, now=T0 + MIN) is None
    assert sessions.redeem(engine, "erfunden", KEY, now=T0) is None


def test_idle_timeout_slides_with_activity_and_ends_after_sixty_minutes(engine: Engine, rat: Actor) -> None:
    state, cookie = _cookie(engine, rat)
    assert auth.check_session(engine, state, now=T0 + 59 * MIN) == rat
    # activity at 09:59 restarts the clock (shared by every tab): 10:58 is 59 minutes later
    assert auth.resume(engine, {}, cookie, KEY, now=T0 + 118 * MIN) == rat
    assert auth.check_session(engine, state, now=T0 + 178 * MIN + MIN) == ANONYMOUS
    assert state["timed_out"] is True and "login_session" not in state
    reloaded: dict = {}
    assert auth.resume(engine, reloaded, cookie, KEY, now=T0 + 180 * MIN) == ANONYMOUS
    assert reloaded["timed_out"] is True


def test_logout_ends_the_session_in_every_tab(engine: Engine, rat: Actor) -> None:
    state, cookie = _cookie(engine, rat)
    other_tab: dict = {}
    assert auth.resume(engine, other_tab, cookie, KEY, now=T0 + MIN) == rat
    auth.logout(engine, state)
    assert state["actor"] == ANONYMOUS
    assert auth.check_session(engine, other_tab, now=T0 + 2 * MIN) == ANONYMOUS
    assert "timed_out" not in other_tab  # ended, not idle: no timeout notice
    assert auth.resume(engine, {}, cookie, KEY, now=T0 + 2 * MIN) == ANONYMOUS


def test_logout_through_the_cookie_route_function(engine: Engine, rat: Actor) -> None:
    state, cookie = _cookie(engine, rat)
    sessions.revoke_cookie(engine, cookie, KEY, now=T0 + MIN)
    assert auth.check_session(engine, state, now=T0 + 2 * MIN) == ANONYMOUS


def test_role_change_applies_to_the_restored_login(engine: Engine, rat: Actor) -> None:
    _state, cookie = _cookie(engine, rat)
    auth.set_role(engine, ADMIN, "ratsfrau", "planung")
    tab: dict = {}
    auth.resume(engine, tab, cookie, KEY, now=T0 + MIN)
    assert auth.refresh_session(engine, tab).role == "planung"


def test_deactivated_account_makes_its_cookie_dead(engine: Engine, rat: Actor) -> None:
    state, cookie = _cookie(engine, rat)
    auth.set_active(engine, ADMIN, "ratsfrau", False)
    assert auth.check_session(engine, state, now=T0 + MIN) == ANONYMOUS
    assert auth.resume(engine, {}, cookie, KEY, now=T0 + MIN) == ANONYMOUS
    auth.set_active(engine, ADMIN, "ratsfrau", True)  # reactivated: the old login stays over
    assert auth.resume(engine, {}, cookie, KEY, now=T0 + MIN) == ANONYMOUS


def test_password_reset_ends_every_session_of_the_account(engine: Engine, rat: Actor) -> None:
    first, _ = _cookie(engine, rat)
    second, _ = _cookie(engine, rat)
    auth.reset_password(engine, ADMIN, "ratsfrau", "Ganz-neues-Passwort")
    assert auth.check_session(engine, first, now=T0 + MIN) == ANONYMOUS
    assert auth.check_session(engine, second, now=T0 + MIN) == ANONYMOUS


def test_old_sessions_are_deleted_at_the_next_login(engine: Engine, rat: Actor) -> None:
    _cookie(engine, rat)
    _cookie(engine, rat, now=T0 + sessions.MAX_AGE + MIN)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_generated_secret_is_kept_private_and_stable(tmp_path: Path) -> None:
    first = sessions.secret(None, tmp_path / "daten")
    assert len(first) >= sessions.MIN_SECRET_LENGTH
    assert sessions.secret(None, tmp_path / "daten") == first
    path = tmp_path / "daten" / sessions.SECRET_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [sessions.SECRET_FILE]
    assert sessions.secret(KEY, tmp_path / "anders") == KEY and not (tmp_path / "anders").exists()
    with pytest.raises(sessions.SecretError, match="zu kurz"):
        sessions.secret("kurz", tmp_path)


def _request(**headers: str) -> Request:
    scope = {"type": "http", "method": "POST", "path": "/sitzung/start",
             "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]}  # fmt: skip
    return Request(scope)


def test_cookie_routes_accept_only_requests_from_the_app_itself() -> None:
    from serve import same_origin

    assert same_origin(_request(sec_fetch_site="same-origin", host="rat.example"))
    assert not same_origin(_request(sec_fetch_site="cross-site", host="rat.example"))
    assert not same_origin(_request(sec_fetch_site="same-site", host="rat.example"))
    assert same_origin(_request(origin="https://rat.example", host="rat.example"))
    assert not same_origin(_request(origin="https://boese.example", host="rat.example"))
    assert not same_origin(_request(host="rat.example"))


def test_a_cross_site_post_gets_no_cookie() -> None:
    from serve import start_session

    response = asyncio.run(start_session(_request(sec_fetch_site="cross-site")))
    assert response.status_code == 403 and "set-cookie" not in response.headers


def _form_request(body: bytes, **headers: str) -> Request:
    """A same-origin form POST to the cookie route with ``body``."""
    request = _request(sec_fetch_site="same-origin", content_type="application/x-www-form-urlencoded", **headers)

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, receive)


def test_cookie_routes_before_the_database_exists_answer_without_a_server_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A POST that arrives before the first page run has created the tables (or while the database
    is unreachable): 503 for the login, the cookie cleared on logout, no 500 and no cookie."""
    from serve import end_session, start_session

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/leer.sqlite")
    monkeypatch.setenv("SOZDASH_SESSION_SECRET", KEY)
    started = asyncio.run(start_session(_form_request(b"ticket=abc")))
    assert started.status_code == 503 and "set-cookie" not in started.headers
    ended = asyncio.run(end_session(_form_request(b"", cookie=f"{sessions.COOKIE}=wert")))
    assert ended.status_code == 204 and 'max-age=0' in ended.headers["set-cookie"].lower()
