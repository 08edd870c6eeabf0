"""The documented commands that set up a new city (README "Eine neue Stadt einrichten"), run as a
user would run them: read from the README, with the file names pointing at the Hamburg fixtures."""

from __future__ import annotations

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


def set_up_city(env: dict[str, str]) -> list[str]:
    """Run every documented command on the database ``env`` points at; the outputs, in order."""
    outputs = []
    for command in documented_commands():
        done = subprocess.run(
            [sys.executable, "-m", "sozdash", *command], cwd=ROOT, env={**os.environ, **env},
            capture_output=True, text=True, check=False, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, (command, done.stdout[-3000:], done.stderr[-3000:])
        outputs.append(done.stdout)
    return outputs
