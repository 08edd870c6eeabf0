#!/usr/bin/env bash
# Start the dashboard on the embedded SQLite database (created and filled on first start).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-venv.sh requirements.txt
exec .venv/bin/streamlit run serve.py --server.port "${PORT:-8501}" "$@"
