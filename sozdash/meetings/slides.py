"""Slide content for saved views: one builder per page, as of a reference date (Stichtag).

A builder ``(engine, params, as_of) -> SlideContent`` is a thin adapter over the functions that
draw the page itself (explorer, profile, index, projects, funding, Altenhilfe, Sozialbericht
process); it never computes figures of its own. A page without a builder, or a builder that
fails, yields an honest "Folie nicht verfügbar" slide without numbers.

Texts are plain (no markdown: escaping belongs to the Streamlit page that shows them). The slide
itself carries at most ``MAX_SENTENCES`` sentences (``summary``); the whole generated text goes to
the speaker notes and the handout (``notes``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from sqlalchemy import Engine

from sozdash.access import visibility
from sozdash.core import fmt, maps, refdate
from sozdash.core.permissions import ANONYMOUS, Actor
from sozdash.indicators import charts, classify, profile
from sozdash.indicators import explorer as iv
from sozdash.meetings.saved_views import View, deep_link, page_titles
from sozdash.programmes import altenhilfe, funding, projects
from sozdash.programmes import sozialbericht as process
from sozdash.social_index import snapshots as index_store
from sozdash.social_index import views as index_views
from sozdash.social_index.compute import IndexResult
from sozdash.store import queries

log = logging.getLogger("sozdash")
DEMO_SHORT = "Beispieldaten – erfundene Werte, keine amtlichen Zahlen"
MAX_SENTENCES = 3
"""Sentences of text on a slide; the rest is in the speaker notes and the handout."""
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^\sa-zäöüß])")
"""A sentence ends at . ! or ? before a space and a word that does not start in lower case
(so dates such as 16.04.2018 and "z. B. der" stay inside their sentence)."""


@dataclass
class SlideContent:
    """What one slide shows: a chart (plotly figure) or a map (pydeck deck), a plain-German
    summary, the data table, the source line and whether demo values appear."""

    title: str
    summary: str
    """The slide's text: at most ``MAX_SENTENCES`` sentences (``build`` shortens it)."""
    source: str
    figure: go.Figure | None = None
    deck: pdk.Deck | None = None
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    legend: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    """Map legend (label, RGB) for the exported map image."""
    is_demo: bool = False
    is_schematic: bool = False
    link: str = ""
    available: bool = True
    resolved: dict[str, str] = field(default_factory=dict)
    """Parameters the builder chose (e.g. the data year as of the Stichtag), added to the deep link."""
    notes: str = ""
    """The whole generated text, for the speaker notes and the handout (``build``: the summary
    when the builder gives none)."""


Builder = Callable[[Engine, dict[str, str], dt.date, Actor], SlideContent]
"""``(engine, params, as_of, actor)``: the actor decides what is visible (``sozdash.access.visibility``)."""
BUILDERS: dict[str, Builder] = {}


def builder(page: str) -> Callable[[Builder], Builder]:
    """Register a slide builder for the page with url path ``page``."""

    def register(fn: Builder) -> Builder:
        BUILDERS[page] = fn
        return fn

    return register


def params_as_of(params: dict[str, str], as_of: dt.date) -> dict[str, str]:
    """The view's parameters with the Stichtag set to ``as_of``."""
    return {**params, refdate.PARAM: as_of.isoformat()}


def unavailable(title: str, reason: str) -> SlideContent:
    """An honest slide without content: no numbers, only why."""
    return SlideContent(title=title, summary=f"Folie nicht verfügbar: {reason}", source="–", available=False)


def build(engine: Engine, view: View, as_of: dt.date, actor: Actor = ANONYMOUS) -> SlideContent:
    """The slide of ``view`` as of ``as_of`` with what ``actor`` may see (public records only for
    readers who are not logged in), titled with the view's title and carrying its deep link."""
    params = params_as_of(view.params, as_of)
    make = BUILDERS.get(view.page)
    if make is None:
        page = page_titles().get(view.page, view.page)
        content = unavailable(view.title, f"Für die Seite „{page}“ gibt es (noch) keine Folienvorlage.")
    else:
        try:
            content = make(engine, params, as_of, actor)
        except Exception:
            log.exception("Folie %s konnte nicht erstellt werden", view.page)
            content = unavailable(view.title, "Die Daten dieser Ansicht konnten nicht geladen werden.")
    content.title = view.title
    content.link = deep_link(view.page, {**params, **content.resolved})
    content.notes = strip_emphasis(content.notes or content.summary)
    content.summary = lead(strip_emphasis(content.summary))
    return content


def strip_emphasis(text: str) -> str:
    """Text without markdown emphasis (the generated texts' only markdown), plain for slides and exports."""
    return text.replace("**", "")


def sentences(text: str) -> list[str]:
    """``text`` split into its sentences (see ``_SENTENCE_END``)."""
    return [part for part in _SENTENCE_END.split(text.strip()) if part]


def lead(text: str, count: int = MAX_SENTENCES) -> str:
    """The first ``count`` sentences of ``text``."""
    return " ".join(sentences(text)[:count])


def data_year(wanted: str | None, years: list[int], as_of: dt.date) -> int | None:
    """The year a slide shows: the view's year if it had ended by the Stichtag, else the newest
    year that had (``refdate.newest_data_year``)."""
    newest = refdate.newest_data_year(years, as_of)
    if wanted and wanted.isdigit() and int(wanted) in years and newest is not None and int(wanted) <= newest:
        return int(wanted)
    return newest


def _no_year(title: str, as_of: dt.date) -> SlideContent:
    return unavailable(title, f"Zum Stichtag {fmt.date(as_of)} lag noch kein abgeschlossenes Datenjahr vor.")


@builder("indikatoren")
def indicator_slide(engine: Engine, params: dict[str, str], as_of: dt.date, actor: Actor) -> SlideContent:
    """The explorer's map of one indicator with its ranking table (newest year as of ``as_of``)."""
    key = params.get("ind", "")
    visible = key in set(visibility.indicators(engine, actor)["key"])
    level = params.get("ebene") or (iv.default_level(engine, key) if visible else None) or ""
    if not visible or level not in iv.levels(engine, key):
        return unavailable(
            "Indikator", "Die Ansicht nennt keinen bekannten Indikator oder keine Gebietsebene mit Werten."
        )
    year = data_year(params.get("jahr"), iv.years(engine, key, level), as_of)
    if year is None:
        return _no_year("Indikator", as_of)
    meta = iv.indicator_row(engine, key)
    view = iv.level_view(engine, key, year, level)
    deviation = params.get("darstellung") == "abweichung"
    method = params.get("methode", "")
    method = method if method in classify.METHODS else next(iter(classify.METHODS))
    k = int(params["klassen"]) if params.get("klassen", "").isdigit() else 5
    k = k if k in classify.CLASS_COUNTS else 5
    view = charts.compared(view, meta)  # a count's deviation is from the areas' mean
    classes, legend = charts.map_classes(view, meta, method, k, deviation)
    geometries = queries.area_geometries(engine, level)
    head = f"{meta['name']} {year} nach {queries.area_levels(engine)[level]}. "
    return SlideContent(
        title=str(meta["name"]),
        summary=head + charts.ranking_summary(view, meta),
        notes=head + (charts.map_summary(view, meta, legend, deviation) if geometries else charts.ranking_summary(view, meta)),
        source=f"{meta['source']}; Datenjahr {year}",
        deck=charts.map_deck(view, geometries, meta, classes, deviation, params.get("gebiet") or None)
        if geometries else None,
        figure=None if geometries else charts.ranking_figure(view, meta, None),
        table=charts.ranking_table(view, meta).merge(
            view[["name", "value"]].round({"value": int(meta["decimals"])})  # as shown, no raw floats
            .rename(columns={"name": "Gebiet", "value": f"Wert als Zahl ({meta['unit']})"}),
            on="Gebiet", how="left",
        ),
        legend=maps.legend_entries(legend),
        is_demo=bool(view["is_demo"].any()),
        is_schematic=iv.is_schematic(engine, level),
        resolved={"jahr": str(year)},
    )  # fmt: skip


@builder("stadtteilprofil")
def profile_slide(engine: Engine, params: dict[str, str], as_of: dt.date, actor: Actor) -> SlideContent:
    """A district profile: all indicators as a spine chart, the clearest deviations in words."""
    areas = queries.areas(engine).set_index("code")
    area = params.get("gebiet", "")
    if area not in areas.index:
        return unavailable("Stadtteilprofil", "Die Ansicht nennt kein bekanntes Gebiet.")
    year = data_year(params.get("jahr"), profile.area_years(engine, area), as_of)
    if year is None:
        return _no_year("Stadtteilprofil", as_of)
    data = profile.area_profile(engine, area, year, not visibility.sees_internal(actor))
    name = str(areas.loc[area, "name"])
    highlights = profile.highlights(data)
    return SlideContent(
        title=name, figure=profile.spine_figure(data),
        summary=profile.spine_summary(data, f"{name} {year}") + " " + " ".join(highlights),
        source=f"Indikatoren des Sozialdashboards, Datenjahr {year} (Quellen je Indikator im Katalog)",
        table=profile.profile_table(data), is_demo=bool(data["is_demo"].any()), resolved={"jahr": str(year)},
    )  # fmt: skip


@builder("projekte")
def project_slide(engine: Engine, params: dict[str, str], as_of: dt.date, actor: Actor) -> SlideContent:
    """One project: status on the Stichtag, runtime and the timeline of its events."""
    public_only = not visibility.sees_internal(actor)
    everything = projects.projects(engine, public_only)
    key = params.get("projekt", "")
    if key not in set(everything["key"]):
        return unavailable("Projekt", "Die Ansicht nennt kein bekanntes Projekt.")
    detail = projects.with_status(
        everything[everything["key"] == key], projects.applications(engine, public_only), as_of
    ).iloc[0]
    fig, summary, table = projects.project_timeline_figure(engine, key, as_of, public_only)
    soon = " Förderende in Sicht (innerhalb von 12 Monaten)." if detail["ends_soon"] else ""
    return SlideContent(
        title=str(detail["title"]), figure=fig, table=table,
        summary=f"Status am {fmt.date(as_of)}: {detail['status_label']}; Laufzeit {detail['period']}; "
        f"Programm {detail['programme'] or '–'}.{soon} {summary}",
        source=str(detail["source"]),
    )  # fmt: skip


@builder("foerderprogramme")
def funding_slide(engine: Engine, params: dict[str, str], as_of: dt.date, actor: Actor) -> SlideContent:
    """Programmes and funding rounds on one timeline, with the city's success rate."""
    public_only = not visibility.sees_internal(actor)
    fig, summary, table = funding.funding_timeline_figure(engine, as_of, public_only)
    success = funding.success_text(engine, as_of, public_only)
    return SlideContent(
        title="Förderprogramme und Förderrunden", figure=fig, table=table,
        summary=f"{lead(summary, 1)} {success}", notes=f"{summary} {success}",
        source="Förderrunden und Anträge mit Einzelquellen (Spalte „Quelle“ der Datentabelle)",
    )  # fmt: skip


def stichtag_line(as_of: dt.date) -> str:
    """``Stand: 16.04.2018``"""
    return f"Stand: {fmt.date(as_of)}"


@builder("altenhilfe")
def altenhilfe_slide(engine: Engine, params: dict[str, str], as_of: dt.date, actor: Actor) -> SlideContent:
    """A package's key figures with traffic lights (view with ``paket``), else the five-year
    planning cycle with the packages of the period."""
    packages = altenhilfe.packages(engine)
    if params.get("paket") in set(packages["key"]):
        fig, summary, table = altenhilfe.key_figures_figure(engine, params["paket"], as_of)
        title = str(packages.set_index("key").at[params["paket"], "title"])
        demo = altenhilfe.key_figures_demo(engine, params["paket"], as_of)
        return SlideContent(
            title=title, figure=fig, summary=f"{summary} {altenhilfe.LIGHT_RULE}", table=table, is_demo=demo,
            source=altenhilfe.demo_label("Kennzahlen der Wirkungspakete", demo) + "; Zielwerte laut Wirkungsvereinbarung",
        )  # fmt: skip
    periods = altenhilfe.periods(engine).set_index("key").to_dict("index")
    period = params.get("periode", "")
    period = period if period in periods else altenhilfe.default_period(engine, as_of)
    fig, summary, table = altenhilfe.planning_figure(engine, as_of)
    count = int((packages["round_key"] == period).sum())
    return SlideContent(
        title="Wirkungspakete der Altenhilfe", figure=fig, table=table,
        summary=f"Periode {periods[period]['name']}: "
        + (f"{count} Wirkungspakete erfasst. " if count else "keine einzelnen Pakete in den Daten erfasst. ")
        + summary,
        source=f"{periods[period]['source']}; Ereignisse mit Einzelquellen (Spalte „Quelle“)",
        is_demo=altenhilfe.controlling_demo(engine, as_of), resolved={"periode": period},
    )  # fmt: skip


@builder("sozialbericht")
def process_slide(engine: Engine, params: dict[str, str], as_of: dt.date, actor: Actor) -> SlideContent:
    """Milestones of the Sozialbericht and how the conferences feed it."""
    fig, summary, table = process.milestones_figure(engine, as_of)
    return SlideContent(
        title="Sozialbericht", figure=fig, table=table,
        summary=summary, notes=f"{summary} Ablauf: " + "; ".join(process.flow_lines(engine)) + ".",
        source="Meilensteine mit Einzelquellen (Spalte „Quelle“ der Datentabelle)",
    )  # fmt: skip


def _index_result(
    engine: Engine, params: dict[str, str], as_of: dt.date
) -> tuple[IndexResult, dict[str, str]]:
    """The published snapshot (``index=s<id>``) or live definition (``index=d<id>``, default the
    first) the view names, the live one for its year as of the Stichtag; raises ``ValueError``."""
    definitions, snapshots = index_store.definitions(engine), index_store.snapshots(engine)
    choice = params.get("index") or (f"d{definitions['id'].iloc[0]}" if not definitions.empty else "")
    kind, number = choice[:1], int(choice[1:]) if choice[1:].isdigit() else -1
    if kind == "s" and number in set(snapshots["id"]):
        return index_store.snapshot_result(engine, number), {}
    if kind != "d" or number not in set(definitions["id"]):
        raise ValueError("Die Ansicht nennt keine bekannte Indexdefinition oder Veröffentlichung.")
    config = index_store.definition_config(engine, number)
    year = data_year(params.get("jahr"), index_store.years(engine, config.level), as_of)
    if year is None:
        raise ValueError(f"Zum Stichtag {fmt.date(as_of)} lag noch kein abgeschlossenes Datenjahr vor.")
    return index_store.definition_result(engine, number, year), {"index": choice, "jahr": str(year)}


@builder("sozialindex")
def index_slide(engine: Engine, params: dict[str, str], as_of: dt.date, actor: Actor) -> SlideContent:
    """Map of the status classes with the status × dynamics matrix and the note on local knowledge."""
    try:
        result, resolved = _index_result(engine, params, as_of)
    except ValueError as exc:
        return unavailable("Sozialindex", str(exc))
    geometries = queries.area_geometries(engine, result.config.level)
    note = strip_emphasis(index_views.LOCAL_KNOWLEDGE_NOTE)
    return SlideContent(
        title="Sozialindex", deck=index_views.class_deck(result, geometries, "status") if geometries else None,
        summary=f"{lead(index_views.summary(result), MAX_SENTENCES - 1)} {lead(note, 1)}",
        notes=f"{index_views.summary(result)} {note}",
        source=f"Sozialindex aus den Indikatoren des Dashboards, Bezugsjahr {result.year} (Methode: Seite Methode)",
        table=index_views.matrix_table(result), is_demo=bool(result.is_demo),
        legend=index_views.legend_entries(result, "status"),
        is_schematic=iv.is_schematic(engine, result.config.level), resolved=resolved,
    )  # fmt: skip
