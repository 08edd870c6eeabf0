"""Export of a 10-slide session to PPTX and PDF (goal ≤ 20 s): time and peak memory, next to the
floors of the same run (browser start, building the slides without images, one trivial chart).
Prints figures; asserts nothing. Usage: .venv/bin/python bench/bench_export.py"""

from __future__ import annotations

import datetime as dt
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import plotly.graph_objects as go

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sozdash.core.permissions import Actor
from sozdash.exports import pdf as pdf_export
from sozdash.exports import pptx as pptx_export
from sozdash.exports import render
from sozdash.meetings import agenda, saved_views, slides
from sozdash.store import bootstrap, db, queries
from sozdash.store.db import session_scope
from sozdash.store.models import AgendaItem, AgendaSlide

GOAL_S = 20.0
ADMIN = Actor(username="bench", role="admin")
EXTRA_VIEWS = [  # three more views make the shipped 7-slide session a 10-slide one
    ("indikatoren", {"ind": "kinderarmut_sgb2_u15", "ebene": "stadtteil"}, "Kinderarmut nach Stadtteilen"),
    ("stadtteilprofil", {"gebiet": "wiesdorf"}, "Stadtteilprofil Wiesdorf"),
    ("projekte", {"projekt": "soziale-stadt-rheindorf-nord"}, "Soziale Stadt Rheindorf-Nord"),
]


def _ten_slide_session(engine) -> agenda.MeetingInfo:
    info = agenda.meeting(engine, "sozialausschuss-2018")
    ids = [saved_views.save_view(engine, ADMIN, page, params, title) for page, params, title in EXTRA_VIEWS]
    with session_scope(engine) as session:
        item = session.query(AgendaItem).filter_by(meeting_id=info.id, position=3).one()
        for position, view_id in enumerate(ids, start=10):
            session.add(AgendaSlide(agenda_item_id=item.id, position=position, saved_view_id=view_id))
    return info


def _timed(run):
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.get_engine(f"sqlite:///{tmp}/bench.sqlite")
        bootstrap.ensure_database(engine)
        info = _ten_slide_session(engine)
        refs = agenda.slides(engine, info.id)
        as_of = info.date
        city = queries.city(engine).name
        build_s, _ = _timed(lambda: [slides.build(engine, ref.view, as_of, ADMIN) for ref in refs])
        start_s, _ = _timed(lambda: render.figure_png(go.Figure(go.Bar(x=["a"], y=[1]))))
        trivial_s, _ = _timed(lambda: render.figure_png(go.Figure(go.Bar(x=["a"], y=[2]))))
        render_s, rendered = _timed(lambda: render.session_slides(engine, refs, as_of, ADMIN))
        pptx_s, pptx = _timed(lambda: pptx_export.session_pptx(info, rendered, as_of))
        pdf_s, pdf = _timed(lambda: pdf_export.handout_pdf(info, rendered, as_of, city))
        tracemalloc.start()  # a second, traced pass for the Python heap peak (slower, not timed)
        pdf_export.handout_pdf(info, rendered, as_of, city)
        pptx_export.session_pptx(info, rendered, as_of)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        render.stop()
    total = render_s + pptx_s + pdf_s
    images = sum(r.image is not None for r in rendered)
    print(f"Export einer Sitzung mit {len(refs)} Folien ({images} Diagrammbilder), Stand {as_of:%d.%m.%Y}")
    print(f"  Browserstart + 1. Diagramm (einmal) {start_s:7.2f} s")
    print(f"  ein triviales Diagramm (Boden)      {trivial_s:7.2f} s")
    print(f"  Folien bauen ohne Bilder (Boden)    {build_s:7.2f} s")
    print(
        f"  Folien bauen + Bilder rendern       {render_s:7.2f} s  ({render_s / max(images, 1):.2f} s je Bild)"
    )
    print(f"  PPTX schreiben                      {pptx_s:7.2f} s  ({len(pptx) / 1e6:.1f} MB)")
    print(f"  PDF schreiben                       {pdf_s:7.2f} s  ({len(pdf) / 1e6:.1f} MB)")
    print(
        f"  gesamt (ohne Browserstart)          {total:7.2f} s  = {total / GOAL_S:.0%} des Ziels {GOAL_S:.0f} s"
    )
    print(f"  gesamt inkl. Browserstart           {total + start_s:7.2f} s")
    print(f"  Spitzenspeicher Python beim Schreiben {peak / 1e6:5.1f} MB (tracemalloc, eigener Durchlauf)")
    print(
        f"  max. RSS dieses Prozesses           {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:7.1f} MB"
    )
    print(
        f"  (Stand {dt.datetime.now():%d.%m.%Y %H:%M}; Chromium läuft als eigener Prozess, nicht mitgezählt)"
    )


if __name__ == "__main__":
    main()
