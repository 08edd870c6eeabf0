#!/usr/bin/env bash
# Create or reuse .venv and install the given requirements file when it changed.
# Usage: scripts/setup-venv.sh requirements.txt|requirements-dev.txt
set -euo pipefail
cd "$(dirname "$0")/.."
req="$1"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv || { echo "Fehler: python3 -m venv fehlt (Debian: apt-get install python3-venv)." >&2; exit 1; }
fi
stamp=".venv/.installed-$(basename "$req")"
want=$(cat "$req" requirements.txt constraints.txt 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$req" -c constraints.txt
  echo "$want" > "$stamp"
fi
