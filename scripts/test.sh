#!/usr/bin/env bash
# Run the whole test suite: lint, types, layer contracts, dead code, unit, AppTest, PostgreSQL and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-venv.sh requirements-dev.txt

if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium fehlt – wird mit apt-get installiert …"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
if ! command -v soffice >/dev/null; then
  echo "LibreOffice Impress fehlt (PPTX-Test) – wird mit apt-get installiert …"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq libreoffice-impress >/dev/null
fi

# PostgreSQL: use TEST_DATABASE_URL, else the local server if one answers (CI always has one).
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && command -v pg_ctlcluster >/dev/null && [ -n "${CI:-}" ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  fi
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || [ -n "${CI:-}" ]; then
    export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test"
  fi
fi

.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports --no-logo
.venv/bin/vulture
if [ "$#" -gt 0 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
# Everything but the browser tests on both cores (a test file stays on one worker, so a session
# fixture such as the Hamburg instance is built once), then the browser tests one at a time.
.venv/bin/python -m pytest -n 2 --dist loadfile -m "not e2e"
.venv/bin/python -m pytest -m e2e
