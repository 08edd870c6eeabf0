"""Run every benchmark one after the other, each in its own process (so that peak memory
figures are per benchmark). Prints figures; asserts nothing.

Usage: .venv/bin/python bench/run.py [--skip-large]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = ["bench_pages.py", "bench_index.py", "bench_import.py", "bench_export.py", "bench_city.py"]


def main() -> int:
    failed = 0
    for script in SCRIPTS:
        print(f"\n===== {script} =====", flush=True)
        args = [sys.executable, str(BENCH / script)]
        if script == "bench_pages.py" and "--skip-large" in sys.argv:
            args.append("--skip-large")
        failed += subprocess.run(args, cwd=BENCH.parent, check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
