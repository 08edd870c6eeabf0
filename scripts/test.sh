#!/usr/bin/env bash
# Run the whole test suite: lint, types, layer contracts, dead code, unit, AppTest, PostgreSQL and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-venv.sh requirements-dev.txt

# Debian packages the tests drive: Chromium (browser tests, chart images), LibreOffice Impress (PPTX
# check), nginx, openssl and systemd-analyze (deployment configs), pg_dump (backup script).
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v soffice >/dev/null || missing="$missing libreoffice-impress"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$missing nginx"
command -v openssl >/dev/null || missing="$missing openssl"
command -v systemd-analyze >/dev/null || missing="$missing systemd"
command -v pg_dump >/dev/null || missing="$missing postgresql-client"
if [ -n "$missing" ]; then
  echo "Fehlende Pakete werden mit apt-get installiert:$missing"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  # shellcheck disable=SC2086
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq $missing >/dev/null
fi

# axe-core for the accessibility browser test, pinned by package-lock.json; once installed, no network.
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  if ! command -v npm >/dev/null; then
    echo "npm fehlt (axe-core für den Barrierefreiheitstest) – wird mit apt-get installiert …"
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq npm >/dev/null
  fi
  npm ci --no-audit --no-fund --loglevel=error
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
# fixture such as the Hamburg instance is built once), then the browser tests one at a time (in
# parallel, their timeouts are hit on two cores).
.venv/bin/python -m pytest -n 2 --dist loadfile -m "not e2e"
.venv/bin/python -m pytest -m e2e
