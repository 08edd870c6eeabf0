"""The web server: Streamlit running ``app.py`` plus two routes for the lasting login.

Start it with ``streamlit run serve.py`` (Streamlit finds ``app`` below and serves it with its own
options, ``.streamlit/config.toml`` and secrets). A Streamlit script cannot set an HttpOnly
cookie, so after a login the page POSTs the login's one-time ticket to ``/sitzung/start``, which
answers with the signed session cookie; ``/sitzung/ende`` ends the cookie's session and clears
it. Both accept only same-origin requests (no login or logout forced from another site).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from urllib.parse import urlsplit

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sozdash.access import sessions
from sozdash.store import db
from sozdash.ui.login import COOKIE_END, COOKIE_START, route_path, session_secret


def same_origin(request: Request) -> bool:
    """Whether the request comes from a page of this server (Fetch Metadata, else ``Origin``)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    return origin is not None and urlsplit(origin).netloc == request.headers.get("host")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


async def start_session(request: Request) -> Response:
    """Exchange a fresh one-time ticket for the HttpOnly session cookie."""
    if not same_origin(request):
        return Response(status_code=403)
    ticket = str((await request.form()).get("ticket") or "")
    try:
        cookie = await run_in_threadpool(sessions.redeem, db.get_engine(), ticket, session_secret())
    except SQLAlchemyError:  # no database yet (before the first page run) or none reachable
        return Response(status_code=503)
    if cookie is None:
        return Response(status_code=403)
    response = Response(status_code=204)
    response.set_cookie(
        sessions.COOKIE, cookie, max_age=int(sessions.MAX_AGE.total_seconds()), path=route_path(""),
        secure=_secure(request), httponly=True, samesite="lax",
    )  # fmt: skip
    return response


async def end_session(request: Request) -> Response:
    """End the session of the cookie (if still live) and clear the cookie."""
    if not same_origin(request):
        return Response(status_code=403)
    cookie = request.cookies.get(sessions.COOKIE)
    if cookie:
        with contextlib.suppress(SQLAlchemyError):  # no database: the cookie is cleared all the same
            await run_in_threadpool(
                sessions.revoke_cookie, db.get_engine(), cookie, session_secret(), dt.datetime.now()
            )
    response = Response(status_code=204)
    response.delete_cookie(
        sessions.COOKIE, path=route_path(""), secure=_secure(request), httponly=True, samesite="lax"
    )
    return response


ROUTES = [
    Route(route_path(COOKIE_START), start_session, methods=["POST"]),
    Route(route_path(COOKIE_END), end_session, methods=["POST"]),
]
app = st.App("app.py", routes=ROUTES)
