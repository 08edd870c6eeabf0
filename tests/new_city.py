"""The documented commands that set up a new city (README "Eine neue Stadt einrichten"), run as a
user would run them: read from the README, with the file names pointing at the Hamburg fixtures."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HAMBURG = ROOT / "tests" / "fixtures" / "hamburg"


def documented_commands() -> list[list[str]]:
    """The ``$P …`` (``python -m sozdash …``) lines of the README's new-city block, continuations joined."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Eine neue Stadt einrichten", 1)[1]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    lines = re.sub(r"\\\n\s*", " ", block).splitlines()
    commands = []
    for line in lines:
        words = shlex.split(line.split("#", 1)[0]) if line.strip().startswith("$P ") else []
        if words and words[1:3] != ["user", "add"]:  # the password prompt needs a person
            commands.append([str(HAMBURG / w) if (HAMBURG / w).is_file() else w for w in words[1:]])
    return commands


def set_up_city(env: dict[str, str], *, in_process: bool = False) -> list[str]:
    """Run every documented command on the database ``env`` points at; the outputs, in order.

    Each command runs as its own ``python -m sozdash`` process, as a user runs it; ``in_process``
    calls the same entry point with the same arguments in this process instead (for a second
    database, where the process start-ups would only repeat what the first set-up proved).
    """
    outputs = []
    for command in documented_commands():
        if in_process:
            returncode, stdout, stderr = _run_in_process(command, env)
        else:
            done = subprocess.run(
                [sys.executable, "-m", "sozdash", *command], cwd=ROOT, env={**os.environ, **env},
                capture_output=True, text=True, check=False, timeout=600,
            )  # fmt: skip
            returncode, stdout, stderr = done.returncode, done.stdout, done.stderr
        assert returncode == 0, (command, stdout[-3000:], stderr[-3000:])
        outputs.append(stdout)
    return outputs


def _run_in_process(command: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    from sozdash.cli.main import main

    saved = {key: os.environ.get(key) for key in env}
    stdout, stderr = io.StringIO(), io.StringIO()
    os.environ.update(env)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                returncode = main(command)
            except SystemExit as exit_:
                returncode = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return returncode, stdout.getvalue(), stderr.getvalue()
