"""Heavy libraries per page: which sozdash modules import them at module top (static), and what
importing each page's own imports costs in a fresh process (time, RSS, heavy libraries loaded),
next to a bare ``import streamlit`` (the floor). Prints figures; asserts nothing."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from bench.server import ROOT

HEAVY = ["geopandas", "mapclassify", "sklearn", "scipy", "kaleido", "pptx", "fpdf", "openpyxl", "pyproj",
         "shapely", "plotly.express", "statsmodels", "matplotlib"]  # fmt: skip
PROBE = """
import ast, json, resource, sys, time
sys.path.insert(0, {root!r})
started = time.perf_counter()
import streamlit
tree = ast.parse(open({file!r}, encoding="utf-8").read()) if {file!r} else ast.Module(body=[], type_ignores=[])
code = compile(ast.Module(body=[n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))], type_ignores=[]), "imports", "exec")
exec(code, {{}})
rss = int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) / 1024
import gc
print(json.dumps({{"s": time.perf_counter() - started, "rss": rss, "objects": len(gc.get_objects()),
                   "heavy": [m for m in {heavy!r} if m in sys.modules]}}))
"""


def top_level_heavy() -> dict[str, list[str]]:
    """sozdash module → heavy libraries it imports at module top."""
    found = {}
    for path in sorted((ROOT / "sozdash").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names]
        names += [node.module or "" for node in tree.body if isinstance(node, ast.ImportFrom)]
        heavy = sorted({h for h in HEAVY for n in names if n == h or n.startswith(h + ".")})
        if heavy:
            found[str(path.relative_to(ROOT))] = heavy
    return found


def probe(file: str) -> dict[str, object]:
    code = PROBE.format(root=str(ROOT), file=file, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    return (
        json.loads(out.stdout.strip().splitlines()[-1])
        if out.returncode == 0
        else {"error": out.stderr[-300:]}
    )


def main() -> None:
    print("## Schwere Bibliotheken, oben im Modul importiert")
    for module, heavy in top_level_heavy().items():
        print(f"  {module:45} {', '.join(heavy)}")
    floor = probe("")
    print(f"\n## Importe je Seite in frischem Prozess (Boden: import streamlit {floor['s']:.1f} s, "
          f"{floor['rss']:.0f} MB, {floor['objects']:,} Objekte)")  # fmt: skip
    files = ["app.py", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))]
    for file in files:
        result = probe(str(ROOT / file))
        if "error" in result:
            print(f"  {file:32} Fehler: {result['error']}")
            continue
        print(f"  {file:32} {result['s']:5.1f} s {result['rss']:5.0f} MB {result['objects']:>9,} Obj.  "
              f"{', '.join(result['heavy']) or '–'}")  # fmt: skip


if __name__ == "__main__":
    main()
