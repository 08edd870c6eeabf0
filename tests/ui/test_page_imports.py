"""Heavy libraries stay out of the app's pages until a file is built or read (issue 16: RSS and start
time): the imports of every page but Datenimport, run together in a fresh process, load none of them."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILE_LIBRARIES = ["fpdf", "pptx", "openpyxl", "kaleido", "geopandas", "pyproj", "sklearn", "scipy", "alembic"]
"""Libraries for building (PDF, PPTX, XLSX, PNG) and reading (shapes, spreadsheets) files, and for
migrating the schema (a current database is recognised without it)."""
READING_PAGE = "datenimport.py"
"""Reads spreadsheets and shapes as soon as a file is dropped: its libraries are its job."""


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [ast.unparse(node) for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]


def test_pages_load_no_file_library_before_a_file_is_built() -> None:
    pages = [ROOT / "app.py", *sorted(p for p in (ROOT / "pages").glob("*.py") if p.name != READING_PAGE)]
    lines = sorted({line for page in pages for line in _imports(page)})
    probe = "\n".join([*lines, "import json, sys", f"print(json.dumps(sorted(m for m in {FILE_LIBRARIES!r} if m in sys.modules)))"])
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert len(pages) > 20 and any("sozdash.indicators" in line for line in lines)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
