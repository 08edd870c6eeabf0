"""The search index (every findable record with the page and URL parameters that open it) and
the search over it. Readers who see only public records get an index without the others."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, select

from sozdash.access.visibility import public_rows
from sozdash.core import vocab
from sozdash.core.navigation import PAGES
from sozdash.indicators.profile import area_choices
from sozdash.meetings.saved_views import list_views
from sozdash.programmes import altenhilfe, projects
from sozdash.search.matching import index_words, score, words
from sozdash.store import queries
from sozdash.store.cache import cached_query
from sozdash.store.models import Programme

KINDS: dict[str, str] = {
    "area": "Gebiet", "indicator": "Indikator", "project": "Projekt", "package": "Wirkungspaket",
    "programme": "Förderprogramm", "view": "Gespeicherte Ansicht",
}  # fmt: skip
"""Kinds of records in the order results of equal fit are listed, with their German names."""
PAGE_OF_KIND = {
    "area": "stadtteilprofil", "indicator": "indikatoren", "project": "projekte", "package": "altenhilfe",
    "programme": "foerderprogramme",
}  # fmt: skip
"""The page that shows a record of each kind (a saved view opens its own page)."""
COLUMNS = ["kind", "key", "title", "detail", "page", "params", "title_words", "text_words"]
LIMIT = 25
MAX_QUERY = 200
"""Characters of a query that are read (longer ones are cut)."""


@dataclass(frozen=True)
class Hit:
    """One search result: what was found and the page (file and url path) with the URL
    parameters that show it."""

    kind: str
    title: str
    detail: str
    page: str
    file: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The kind and title, e.g. "Indikator: SGB-II-Quote" (plain text: escape it for markdown)."""
        return f"{KINDS[self.kind]}: {self.title}"


def _text(*parts: object) -> str:
    return " ".join(str(p) for p in parts if isinstance(p, str) and p.strip())


def _row(kind: str, key: object, title: object, detail: object, params: Mapping[str, object], text: str, page: str = "") -> dict[str, object]:  # fmt: skip
    return {
        "kind": kind, "key": str(key), "title": str(title), "detail": str(detail), "page": page or PAGE_OF_KIND[kind],
        "params": {k: str(v) for k, v in params.items()}, "title_words": index_words(str(title)),
        "text_words": index_words(text),
    }  # fmt: skip


def _areas(engine: Engine) -> list[dict[str, object]]:
    levels = queries.area_levels(engine)
    areas = queries.areas(engine)
    names: dict[str, str] = dict(zip(areas["code"], areas["name"], strict=True))
    rows = []
    offered = set(area_choices(engine))  # exactly the areas the Stadtteilprofil offers
    for code, level_key, parent_code in zip(areas["code"], areas["level"], areas["parent_code"], strict=True):
        if code in offered:
            level = levels.get(level_key, level_key)
            detail = f"{level} in {names[parent_code]}" if parent_code in names else level
            rows.append(_row("area", code, names[code], detail, {"gebiet": code}, level))
    return rows


def _indicators(catalogue: pd.DataFrame) -> list[dict[str, object]]:
    return [
        _row("indicator", r.key, r.name, vocab.LEBENSLAGEN.get(str(r.lebenslage), r.lebenslage),
             {"ind": r.key, "lage": r.lebenslage},
             _text(r.definition, r.numerator_definition, r.denominator_definition))
        for r in catalogue.itertuples()
    ]  # fmt: skip


def _projects(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [
        _row("project", r.key, r.title, _text(r.round) or _text(r.programme) or "ohne Förderprogramm",
             {"projekt": r.key}, _text(r.motto, r.description, r.programme))
        for r in frame.itertuples()
    ]  # fmt: skip


def _packages(engine: Engine) -> list[dict[str, object]]:
    return [
        _row("package", r.key, r.title, " · ".join(p for p in (r.provider, r.area_name, r.round) if isinstance(p, str)),
             {"paket": r.key} | ({"periode": r.round_key} if isinstance(r.round_key, str) else {}),
             _text(r.target_group, r.impact_goal, r.services, r.provider, r.area_name))
        for r in altenhilfe.packages(engine).itertuples()
    ]  # fmt: skip


def _programmes(engine: Engine) -> list[dict[str, object]]:
    statement = select(Programme.key, Programme.name, Programme.short_name, Programme.description)
    return [
        _row("programme", r.key, r.name, r.short_name, {}, _text(r.short_name, r.description))
        for r in queries.read_frame(engine, statement.order_by(Programme.id)).itertuples()
    ]


def _views(engine: Engine, indicators: set[str], visible_projects: set[str], public_only: bool) -> list[dict[str, object]]:  # fmt: skip
    pages = {p.url_path for p in PAGES}
    rows = []
    for v in list_views(engine).to_dict("records"):
        params = {str(k): str(val) for k, val in v["params"].items()}
        hidden = ("ind" in params and params["ind"] not in indicators) or (
            "projekt" in params and params["projekt"] not in visible_projects
        )
        if v["page"] in pages and not (public_only and hidden):
            rows.append(
                _row("view", v["id"], v["Titel"], v["Seite"], params, _text(v["Notiz"]), page=v["page"])
            )
    return rows


@cached_query
def search_index(engine: Engine, public_only: bool) -> pd.DataFrame:
    """Every findable record: kind, key, title, detail (a short German context line), the page
    (url path) and URL parameters that open it, and the words of its title and its description.
    With ``public_only`` no record a public reader may not see (``access.visibility``), nor a
    saved view that shows one."""
    catalogue = public_rows(queries.indicators(engine), public_only)
    portfolio = projects.projects(engine, public_only)
    rows = [
        *_areas(engine), *_indicators(catalogue), *_projects(portfolio), *_packages(engine),
        *_programmes(engine), *_views(engine, set(catalogue["key"]), set(portfolio["key"]), public_only),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def find(index: pd.DataFrame, query: str, pages: Collection[str], limit: int = LIMIT) -> list[Hit]:
    """Records of ``index`` (``search_index``) whose title or description has a word starting with
    each word of ``query`` (case, umlauts and ß do not matter), best fit first (words of the title
    before words of the description, then by kind and title), only on ``pages`` (url paths the
    reader may open)."""
    wanted = words(query[:MAX_QUERY])
    if not wanted:
        return []
    index = index[index["page"].isin(set(pages))]
    scores = pd.Series(
        [score(wanted, t, x) for t, x in zip(index["title_words"], index["text_words"], strict=True)],
        index=index.index, dtype=int,
    )  # fmt: skip
    found = index.assign(score=scores, order=index["kind"].map(list(KINDS).index))[scores > 0]
    found = found.sort_values(["score", "order", "title"], ascending=[False, True, True]).head(limit)
    files = {p.url_path: p.file for p in PAGES}
    return [
        Hit(r["kind"], r["title"], r["detail"], r["page"], files[r["page"]], dict(r["params"]))
        for r in found.to_dict("records")
    ]


def search(engine: Engine, query: str, public_only: bool, pages: Collection[str]) -> list[Hit]:
    """``find`` in the index of what a reader sees (public records only with ``public_only``)."""
    return find(search_index(engine, public_only), query, pages) if words(query[:MAX_QUERY]) else []
