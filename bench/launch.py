"""``streamlit run`` for the benchmarks; with ``BENCH_GC_FREEZE=1`` the collector is frozen
(``gc.freeze()``) once after the first script run, i.e. after every import of the app."""

from __future__ import annotations

import gc
import os
import sys
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

if __name__ == "__main__":
    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    sys.exit(cli.main())
