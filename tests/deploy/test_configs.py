"""The production files of docs/DEPLOYMENT.md: nginx accepts ``deploy/nginx.conf`` and, run in front
of two back ends, keeps each browser on one of them (route cookie), upgrades the WebSocket, fails
over and refuses uploads above 50 MB; systemd accepts the units; the Containerfile builds a
non-root image from a pinned base without secrets."""

from __future__ import annotations

import datetime as dt
import functools
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast
from wsgiref.simple_server import WSGIServer, make_server

import pytest
from sqlalchemy import Engine, func, select

from sozdash.importing.problems import MAX_FILE_BYTES
from sozdash.store.models import Project

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX_CONF = (DEPLOY / "nginx.conf").read_text()
UNITS = ("sozdash@.service", "sozdash-backup.service", "sozdash-backup.timer")


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} fehlt – diese Prüfung braucht es (apt-get install {package}, siehe scripts/test.sh)"
        )
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        [_tool("openssl", "openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=sozialdashboard.example.de", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _nginx_main(directory: Path, site: str) -> Path:
    """A main configuration around the site file (as Debian's nginx.conf includes conf.d/*.conf),
    with every path in ``directory``: one process in the foreground, no root needed."""
    cert, key = _certificate(directory)
    site = site.replace("/etc/ssl/sozdash/fullchain.pem", str(cert)).replace(
        "/etc/ssl/sozdash/privkey.pem", str(key)
    )
    (directory / "sozdash.conf").write_text(site)
    main = directory / "nginx.conf"
    main.write_text(
        f"daemon off;\nmaster_process off;\npid {directory}/nginx.pid;\nerror_log {directory}/error.log;\n"
        "events {}\nhttp {\n"
        f"  access_log off;\n  client_body_temp_path {directory}/body;\n  proxy_temp_path {directory}/proxy;\n"
        f"  fastcgi_temp_path {directory}/fastcgi;\n  uwsgi_temp_path {directory}/uwsgi;\n"
        f"  scgi_temp_path {directory}/scgi;\n  include {directory}/sozdash.conf;\n}}\n"
    )
    return main


def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    nginx = _tool("nginx", "nginx")
    main = _nginx_main(tmp_path, NGINX_CONF)
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_upload_limit_is_the_same_everywhere() -> None:
    [limit] = re.findall(r"^\s*client_max_body_size (\d+)m;", NGINX_CONF, re.M)
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert int(limit) == config["server"]["maxUploadSize"] == MAX_FILE_BYTES // 1024 // 1024


def _backend(name: str) -> WSGIServer:
    """A stand-in app process: answers every request with its name and the headers it got. HTTP/1.0,
    so every connection ends with its answer and a stopped back end answers nothing."""

    def echo(environ: dict[str, Any], start_response: Callable[..., object]) -> list[bytes]:
        headers = {k[5:].lower().replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"backend": name, "headers": headers}).encode()]

    return make_server("127.0.0.1", 0, echo)


Proxy = tuple[int, int, dict[str, WSGIServer]]
"""HTTPS port, HTTP port and the back ends by name."""


@contextmanager
def _proxy(directory: Path) -> Iterator[Proxy]:
    """nginx with deploy/nginx.conf on free ports (HTTPS, HTTP) in front of two back ends."""
    nginx = _tool("nginx", "nginx")
    backends = {name: _backend(name) for name in ("a", "b")}
    for backend in backends.values():
        threading.Thread(target=backend.serve_forever, daemon=True).start()
    https, plain = _free_port(), _free_port()
    site = NGINX_CONF
    upstream = "".join(
        f"    server 127.0.0.1:{b.server_address[1]} max_fails=1 fail_timeout=10s;\n"
        for b in backends.values()
    )
    site, count = re.subn(r"(    server 127\.0\.0\.1:\d+ .*\n)+", upstream, site)
    assert count == 1
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{plain};")
    site = re.sub(r"\n\s*listen \[::\]:\d+.*;", "", site)
    process = subprocess.Popen([nginx, "-p", str(directory), "-c", str(_nginx_main(directory, site))])
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", https), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("nginx startet nicht:\n" + (directory / "error.log").read_text())
            time.sleep(0.1)
    try:
        yield https, plain, backends
    finally:
        process.terminate()
        process.wait(timeout=10)
        for backend in backends.values():
            backend.shutdown()
            backend.server_close()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    with _proxy(tmp_path_factory.mktemp("nginx")) as running:
        yield running


@functools.cache
def _tls() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # the test certificate is self-signed
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _get(
    port: int, path: str = "/", headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=_tls(), timeout=10)
    connection.request("GET", path, headers={"Host": "sozialdashboard.example.de", **(headers or {})})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def _answer(port: int, path: str = "/", headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The back end's answer: its name and the request headers it got."""
    response, body = _get(port, path, headers)
    assert response.status == 200, body
    return cast(dict[str, Any], json.loads(body))


def test_a_browser_stays_on_its_process(proxy: Proxy) -> None:
    port, _, _ = proxy
    first, _ = _get(port)
    cookie = first.getheader("Set-Cookie") or ""
    assert re.fullmatch(r"sozdash_route=[0-9a-f]{32}; Path=/; Secure; HttpOnly; SameSite=Lax", cookie), cookie
    route = cookie.split(";")[0]
    seen = {_answer(port, path, {"Cookie": route})["backend"] for path in ("/", "/_stcore/health", "/x") * 4}
    assert len(seen) == 1
    again, _ = _get(port, headers={"Cookie": route})
    assert again.getheader("Set-Cookie") is None  # the cookie is given once
    spread = {_answer(port, headers={"Cookie": f"sozdash_route=browser{n}"})["backend"] for n in range(16)}
    assert spread == {"a", "b"}  # different browsers use both processes


def test_websocket_upgrade_and_forwarded_headers(proxy: Proxy) -> None:
    port, _, _ = proxy
    stream = _answer(port, "/_stcore/stream", {"Upgrade": "websocket", "Connection": "Upgrade"})["headers"]
    assert (stream["upgrade"], stream["connection"].lower()) == ("websocket", "upgrade")
    assert (stream["host"], stream["x-forwarded-proto"]) == ("sozialdashboard.example.de", "https")
    page = _answer(port, "/")["headers"]
    assert "upgrade" not in page and page.get("connection", "").lower() != "upgrade"


def test_http_redirects_to_https(proxy: Proxy) -> None:
    _, plain, _ = proxy
    connection = http.client.HTTPConnection("127.0.0.1", plain, timeout=10)
    connection.request("GET", "/indikatoren?ind=x", headers={"Host": "sozialdashboard.example.de"})
    response = connection.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == "https://sozialdashboard.example.de/indikatoren?ind=x"
    connection.close()


def test_uploads_above_the_limit_are_refused(proxy: Proxy) -> None:
    port, _, _ = proxy
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=_tls(), timeout=10)
    connection.putrequest("PUT", "/_stcore/upload_file/session/file", skip_host=True)
    connection.putheader("Host", "sozialdashboard.example.de")
    connection.putheader("Content-Length", str(MAX_FILE_BYTES + 1))
    connection.endheaders()  # nginx answers from the announced size, before any body
    assert connection.getresponse().status == 413
    connection.close()


def test_failover_to_the_other_process(tmp_path: Path) -> None:
    route = {"Cookie": "sozdash_route=failover-test"}
    with _proxy(tmp_path) as (port, _, backends):
        home = _answer(port, headers=route)["backend"]
        backends[home].shutdown()
        backends[home].server_close()
        assert _answer(port, headers=route)["backend"] != home  # no error page: the next process answers


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    analyze = _tool("systemd-analyze", "systemd")
    for name in UNITS:  # the units' paths point into this checkout instead of /opt/sozdash
        (tmp_path / name).write_text((DEPLOY / name).read_text().replace("/opt/sozdash", str(ROOT)))
    verify = subprocess.run(
        [analyze, "verify", "--man=no", "sozdash@8501.service", "sozdash-backup.service", "sozdash-backup.timer"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert (verify.returncode, verify.stdout + verify.stderr) == (0, "")  # warnings count as failures
    security = subprocess.run(
        [analyze, "security", "--offline=yes", "--threshold=30", "--no-pager", "sozdash@.service", "sozdash-backup.service"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert security.returncode == 0, security.stdout[-2000:] + security.stderr  # exposure ≤ 3.0 ("OK")


def test_unit_starts_the_served_app_with_its_port() -> None:
    unit = (DEPLOY / "sozdash@.service").read_text()
    [command] = re.findall(r"^ExecStart=(.*)$", unit, re.M)
    assert "-m streamlit run serve.py" in command and "--server.port %i" in command
    assert "--server.address 127.0.0.1" in command  # reachable through nginx only
    assert re.search(r"^User=sozdash$", unit, re.M) and re.search(
        r"^EnvironmentFile=/etc/sozdash/sozdash.env$", unit, re.M
    )
    ports = re.findall(r"^\s*server 127\.0\.0\.1:(\d+) ", NGINX_CONF, re.M)
    assert len(ports) >= 2 and len(set(ports)) == len(ports)


def _instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Containerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_containerfile() -> None:
    steps = _instructions()
    kinds = [kind for kind, _ in steps]
    [base] = [arg for kind, arg in steps if kind == "FROM"]
    assert re.fullmatch(r"(docker\.io/library/)?python:3\.11\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base), (
        base
    )
    copies = [arg.split() for kind, arg in steps if kind == "COPY"]
    install = kinds.index("RUN", kinds.index("COPY"))
    assert "requirements.txt" in copies[0] and "-r requirements.txt" in steps[install][1]
    sources = {source.rstrip("/") for parts in copies for source in parts[:-1]}
    for source in sources:
        assert (ROOT / source).exists(), source
    needed = {"app.py", "serve.py", "sozdash", "pages", "data/seed", ".streamlit/config.toml"}
    assert needed <= sources, needed - sources
    assert not {"data", ".", ".streamlit"} & sources  # never the database, the session key or secrets.toml
    users = [arg for kind, arg in steps if kind == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0") and kinds.index("USER") < kinds.index("CMD")
    [health] = [arg for kind, arg in steps if kind == "HEALTHCHECK"]
    assert "/_stcore/health" in health
    [command] = [arg for kind, arg in steps if kind == "CMD"]
    assert "serve.py" in command
    settings = " ".join(arg for kind, arg in steps if kind in ("ENV", "ARG"))
    assert not re.search(r"DATABASE_URL|SECRET|PASSWORD|PASSWORT", settings, re.I)


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_backup_script(engine: Engine, tmp_path: Path) -> None:
    _tool("pg_dump", "postgresql-client")
    old = tmp_path / "2000-01-01"
    old.mkdir()
    os.utime(old, (0, 0))  # a backup older than the 14 days kept
    env = os.environ | {
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "SOZDASH_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [str(DEPLOY / "sozdash-backup.sh"), str(tmp_path), "14"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    [made] = [p for p in tmp_path.iterdir() if p.name != "logs"]
    assert made.name == dt.date.today().isoformat() and not old.exists()
    listing = subprocess.run(
        [_tool("pg_restore", "postgresql-client"), "--list", str(made / "sozdash.pgdump")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert re.search(r"TABLE DATA public projects ", listing.stdout)
    with engine.connect() as conn:
        projects = conn.execute(select(func.count()).select_from(Project)).scalar_one()
    assert len((made / "jsonl" / "projects.jsonl").read_text().splitlines()) == projects > 0
    assert (made / "jsonl" / "manifest.json").exists()
