"""The real app server for the benchmarks: the one start command, process CPU and memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = [sys.executable, str(ROOT / "bench" / "launch.py"), "serve.py"]
"""How the benchmarks start the app, as ``scripts/start.sh`` does (the one place; ``launch.py`` runs
``streamlit run`` with an optional ``gc.freeze()`` after the first script run)."""
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(
    env: dict[str, str], args: Sequence[str] = (), script: str | None = None, log: Path | None = None
) -> Iterator[tuple[str, int]]:
    """The app (or ``script``) served on a free port; yields its URL and process id."""
    port = _free_port()
    command = [*START[:-1], script or START[-1], "--server.port", str(port), "--server.address", "127.0.0.1",
               "--server.headless", "true", *args]  # fmt: skip
    out = log.open("w") if log else subprocess.DEVNULL
    process = subprocess.Popen(  # PYTHONPATH: a script in bench/ imports sozdash too
        command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env}, stdout=out, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        raise RuntimeError(f"Server nicht gestartet: {' '.join(command)}")
    try:
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of process ``pid`` in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load_average() -> str:
    """The machine's 1-minute load and cores (the figures depend on other work running)."""
    return f"Last {os.getloadavg()[0]:.1f} auf {os.cpu_count()} Kernen"
