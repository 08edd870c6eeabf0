"""All benchmarks, each part in its own process (so memory figures are per part). Prints figures
(ratios against floors measured in the same run); asserts nothing.

Usage: .venv/bin/python -m bench [PART ...] [--sessions N]
Parts: pages (AppTest, shipped data), large (AppTest, large database incl. the 1,000-area level),
gc, browser, concurrent (real server + Chromium), imports (heavy libraries per page), index,
import, export, city (the older single-purpose benchmarks). Default: all."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # also as bench/run.py

from bench.server import ROOT

PARTS = {
    "pages": ["bench.bench_pages", "--data", "seed"],
    "large": ["bench.bench_pages", "--data", "large"],
    "gc": ["bench.bench_server", "gc"],
    "browser": ["bench.bench_server", "browser"],
    "concurrent": ["bench.bench_server", "concurrent"],
    "imports": ["bench.bench_imports"],
    "index": ["bench.bench_index"],
    "import": ["bench.bench_import"],
    "export": ["bench.bench_export"],
    "city": ["bench.bench_city"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("parts", nargs="*", choices=list(PARTS), default=list(PARTS))
    parser.add_argument("--sessions", type=int, default=25, help="sessions of the concurrent part")
    args = parser.parse_args(argv)
    failed = 0
    for part in args.parts:
        print(f"\n===== {part} =====", flush=True)
        module, *rest = PARTS[part]
        if part == "concurrent":
            rest += ["--sessions", str(args.sessions)]
        failed += subprocess.run([sys.executable, "-m", module, *rest], cwd=ROOT, check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
