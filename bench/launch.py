"""``streamlit run`` for the benchmarks; with ``BENCH_GC_FREEZE=1`` the collector is frozen
(``gc.freeze()``) once after the first script run, i.e. after every import of the app; with
``BENCH_RUN_LOG`` set to a file, the wall time of every script run (seconds) is appended to it."""

from __future__ import annotations

import gc
import os
import sys
import time
from typing import Any

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web import cli

if os.environ.get("BENCH_GC_FREEZE") == "1":
    finished = script_runner.ScriptRunner._on_script_finished

    def _freeze_once(self: Any, *args: Any, **kwargs: Any) -> None:
        finished(self, *args, **kwargs)
        if not gc.get_freeze_count():
            gc.freeze()

    script_runner.ScriptRunner._on_script_finished = _freeze_once  # type: ignore[method-assign]

if log := os.environ.get("BENCH_RUN_LOG"):
    run_script = script_runner.ScriptRunner._run_script

    def _timed(self: Any, *args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        try:
            run_script(self, *args, **kwargs)
        finally:
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"{time.perf_counter() - started:.4f}\n")

    script_runner.ScriptRunner._run_script = _timed  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    sys.exit(cli.main())
