"""Chart images for exports: one persistent kaleido renderer (system Chromium) for all charts,
and maps drawn as plotly polygons from the deck's own GeoJSON (no tile service, offline).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import kaleido
import plotly.graph_objects as go
import pydeck as pdk

from sozdash import fmt

CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1600, 900
FONT = "DejaVu Sans, Arial, sans-serif"
_lock = threading.Lock()


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
    kaleido.start_sync_server(mathjax=False, silence_warnings=True)


def stop() -> None:
    """Close the renderer's browser."""
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
    styled = go.Figure(fig)
    styled.update_layout(
        separators=fmt.PLOTLY_SEPARATORS, template="plotly_white", font={"family": FONT, "size": 22},
        width=width, height=height, margin={"l": 80, "r": 40, "t": 80, "b": 80},
    )  # fmt: skip
    opts = {"format": "png", "width": width, "height": height, "scale": 1}
    with _lock:  # the renderer answers one request at a time, in order
        return kaleido.calc_fig_sync(styled.to_dict(), opts=opts)


def _rings(geometry: dict) -> list[list[list[float]]]:
    """Outer rings of a Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def deck_figure(deck: pdk.Deck, title: str = "") -> go.Figure:
    """The deck's polygon layer as a plotly figure: the same features, fills and outlines, each
    area labelled with its name (words, not only colour). No basemap."""
    fig = go.Figure()
    for layer in deck.layers:
        data = layer.data if isinstance(layer.data, dict) else {}
        for feature in data.get("features", []):
            props = feature.get("properties", {})
            r, g, b, *alpha = [*props.get("fill", [200, 200, 200]), 255][:4]
            line = props.get("line", [60, 60, 60])
            for ring in _rings(feature["geometry"]):
                lons, lats = zip(*[(p[0], p[1]) for p in ring], strict=True)
                fig.add_trace(go.Scatter(
                    x=lons, y=lats, fill="toself", mode="lines", fillcolor=f"rgba({r},{g},{b},{alpha[0] / 255:.2f})",
                    line={"color": f"rgb({line[0]},{line[1]},{line[2]})", "width": 1 + (props.get("width", 1) > 1) * 3},
                    hoverinfo="skip", showlegend=False,
                ))  # fmt: skip
            rings = _rings(feature["geometry"])
            if rings:
                ring = max(rings, key=len)
                fig.add_annotation(
                    x=sum(p[0] for p in ring) / len(ring), y=sum(p[1] for p in ring) / len(ring),
                    text=str(props.get("name", "")), showarrow=False, font={"size": 14, "color": "black"},
                    bgcolor="rgba(255,255,255,0.7)",
                )  # fmt: skip
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.55)  # ~1/cos(51° N)
    fig.update_layout(title=title, plot_bgcolor="white")
    return fig
