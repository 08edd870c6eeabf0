"""Chart images for exports: one persistent kaleido renderer (system Chromium) for all charts,
and maps drawn as plotly polygons from the deck's own GeoJSON (no tile service, offline).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import plotly.graph_objects as go
import pydeck as pdk
from sqlalchemy import Engine

from sozdash.core import fmt, maps
from sozdash.core.axes import german_axes
from sozdash.core.permissions import Actor
from sozdash.meetings import slides
from sozdash.meetings.agenda import SlideRef
from sozdash.meetings.slides import SlideContent, strip_emphasis

CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1600, 900
MAP_FRAME_PX = (WIDTH - 440, HEIGHT - 160)
"""The map's share of the image (the legend takes the right-hand side); labels are placed for it."""
MAP_FONT_PX = 20
FONT = "DejaVu Sans, Arial, sans-serif"
_lock = threading.Lock()
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]<>&~$|#+\-=.)!])")
"""A markdown backslash escape (``fmt.plain``, the app's own markdown): the character without it."""
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
LOCALHOST_NOTICE = "Links zeigen auf localhost – SOZDASH_BASE_URL setzen"


class RenderError(RuntimeError):
    """Chart images cannot be made (no Chromium); message in German."""


def start() -> None:
    """Start the one renderer of this process (a headless Chromium kept open between charts).

    MathJax is switched off: kaleido would otherwise load it from a CDN (we stay offline).
    """
    os.environ.setdefault("BROWSER_PATH", CHROMIUM)
    if not os.path.exists(os.environ["BROWSER_PATH"]):
        raise RenderError(
            f"Für Diagrammbilder fehlt der Browser {os.environ['BROWSER_PATH']} (Chromium). "
            "Bitte lassen Sie ihn von der IT installieren oder BROWSER_PATH setzen."
        )
    import kaleido  # a page needs the renderer only when it exports

    kaleido.start_sync_server(mathjax=False, silence_warnings=True)


def stop() -> None:
    """Close the renderer's browser."""
    import kaleido

    kaleido.stop_sync_server(silence_warnings=True)


@contextmanager
def renderer() -> Iterator[None]:
    """The renderer for a batch run (CLI, benchmark, tests): started once, closed afterwards."""
    start()
    try:
        yield
    finally:
        stop()


def figure_png(fig: go.Figure, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """PNG of ``fig`` in German number format, white background, large type for projectors."""
    start()  # no-op when running
    styled = german_axes(go.Figure(fig))
    styled.update_layout(
        separators=fmt.PLOTLY_SEPARATORS, template="plotly_white", font={"family": FONT, "size": 22},
        width=width, height=height, margin={"l": 80, "r": 40, "t": 80, "b": 80},
    )  # fmt: skip
    opts = {"format": "png", "width": width, "height": height, "scale": 1}
    import kaleido

    with _lock:  # the renderer answers one request at a time, in order
        return kaleido.calc_fig_sync(styled.to_dict(), opts=opts)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """Outer rings of a Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def _labels(deck: pdk.Deck) -> list[tuple[list[float], str, float]]:
    """Positions, texts and font sizes of the deck's text layers (names or numbers of the areas)."""
    return [
        (item["position"], str(item["text"]), float(getattr(layer, "get_size", MAP_FONT_PX)))
        for layer in deck.layers
        if layer.type == "TextLayer" and isinstance(layer.data, list)
        for item in layer.data
    ]


def deck_figure(deck: pdk.Deck, legend: Sequence[tuple[str, Sequence[int]]] = ()) -> go.Figure:
    """The deck's polygons as a plotly figure: the same features, fills and outlines, the deck's
    labels (or else the area names) so colour is not the only carrier, the map legend and the key of
    the areas shown by a number ("3 = Manfort: 9,8 %"). No basemap."""
    fig = go.Figure()
    names = []
    for layer in deck.layers:
        data = layer.data if isinstance(layer.data, dict) else {}
        for feature in data.get("features", []):
            props = feature.get("properties", {})
            r, g, b, alpha = [*props.get("fill", [200, 200, 200]), 255][:4]
            line = props.get("line", [60, 60, 60])
            for ring in _rings(feature["geometry"]):
                fig.add_trace(go.Scatter(
                    x=[p[0] for p in ring], y=[p[1] for p in ring], fill="toself", mode="lines",
                    fillcolor=f"rgba({r},{g},{b},{alpha / 255:.2f})", hoverinfo="skip", showlegend=False,
                    line={"color": f"rgb({line[0]},{line[1]},{line[2]})", "width": 4 if props.get("width", 1) > 1 else 1},
                ))  # fmt: skip
            rings = _rings(feature["geometry"])
            if rings:
                ring = max(rings, key=len)
                centre = [sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)]
                names.append((centre, str(props.get("name", ""))))
    for (x, y), text, size in _labels(deck) or [(centre, name, MAP_FONT_PX) for centre, name in names]:
        fig.add_annotation(x=x, y=y, text=text.replace("\n", "<br>"), showarrow=False, font={"size": size},
                           bgcolor="rgba(255,255,255,0.75)")  # fmt: skip
    for label, colour in legend:
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=label, showlegend=True,
            marker={"symbol": "square", "size": 18, "color": f"rgb({colour[0]},{colour[1]},{colour[2]})",
                    "line": {"color": "black", "width": 1}},
        ))  # fmt: skip
    for number, name in maps.label_key(deck)[["Nr.", "Gebiet"]].itertuples(index=False):  # numbered areas
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"{number} = {name}", showlegend=True,
                                 marker={"opacity": 0}))  # fmt: skip
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.55)  # ~1/cos(51° N)
    fig.update_layout(plot_bgcolor="white", legend={"title": {"text": "Legende"}, "x": 1.0, "y": 1.0})
    return fig


def slide_png(content: SlideContent) -> bytes | None:
    """The slide's chart, or its map drawn from the deck's data; ``None`` without either."""
    if content.figure is not None:
        return figure_png(content.figure)
    if content.deck is not None:  # labels placed anew for the image's map area and font
        return figure_png(deck_figure(maps.refit(content.deck, MAP_FRAME_PX, MAP_FONT_PX), content.legend))
    return None


def file_text(text: str) -> str:
    """Text for a file (PPTX, PDF) as it reads: no markdown emphasis, no backslash escapes and no
    invisible word joiners (they only guard text shown as markdown)."""
    return _ESCAPE.sub(r"\1", strip_emphasis(text)).replace(fmt.WORD_JOINER, "")


def links_to_localhost(links: Iterable[str]) -> bool:
    """Whether any of ``links`` points to this computer (``SOZDASH_BASE_URL`` left at its default)."""
    return any(urlsplit(link).hostname in LOCAL_HOSTS for link in links)


@dataclass
class RenderedSlide:
    ref: SlideRef
    content: SlideContent
    image: bytes | None


Progress = Callable[[float, str], None]


def session_slides(
    engine: Engine, refs: Sequence[SlideRef], as_of: dt.date, actor: Actor, progress: Progress | None = None
) -> list[RenderedSlide]:
    """Build every slide of a session as ``actor`` may see it and render it (one renderer for all charts)."""
    rendered = []
    for done, ref in enumerate(refs):
        if progress:
            progress(done / max(len(refs), 1), f"Folie {done + 1} von {len(refs)}: {ref.view.title}")
        content = slides.build(engine, ref.view, as_of, actor)
        rendered.append(RenderedSlide(ref, content, slide_png(content)))
    if progress:
        progress(1.0, "Datei wird geschrieben …")
    return rendered
