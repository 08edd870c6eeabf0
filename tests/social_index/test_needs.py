"""Handlungsbedarfe: needs per Lebenslage with their drivers (hand example) and active measures
from the shipped project and Wirkungspaket facts (SQLite and PostgreSQL); the cached views of the
index pages follow edits."""

from __future__ import annotations

from collections import Counter

import pandas as pd
from sqlalchemy import Engine, update

from sozdash.social_index import needs, snapshots, views
from sozdash.social_index.compute import compute_index
from sozdash.store import db
from sozdash.store.models import Area, Indicator, Project
from tests.social_index.test_social_index import CATALOGUE, CONFIG, observations

NAMES = CATALOGUE.assign(
    name=["Armutsquote", "Kinderarmut", "Abiturquote", "Einwohner", "Anzahl"], unit="%", decimals=1
)


def test_needs_and_drivers_by_hand():
    # Standardised sub-indices (see test_social_index): einkommen F −1,019 (< −1 → need);
    # bildung F −1,5 (need), E exactly −1,0 (not below −1 → no need).
    # Drivers = largest negative weight · score: F einkommen: armut 1 · (−1,5); kinderarmut
    # 1 · 0 is no negative contribution. F bildung: abitur 2 · (−1,5).
    result = compute_index(observations(), CATALOGUE, CONFIG)
    found = needs.lebenslage_needs(result, NAMES)
    assert sorted(zip(found["area"], found["lebenslage"], strict=True)) == [
        ("F", "bildung"),
        ("F", "einkommen"),
    ]
    drivers = dict(zip(found["lebenslage"], found["drivers"], strict=True))
    assert drivers == {"einkommen": ["armut"], "bildung": ["abitur"]}
    sentence = found.set_index("lebenslage").at["einkommen", "sentence"]
    assert sentence.startswith("Gebiet F: Einkommen und Armut deutlich ungünstiger")
    assert "Armutsquote 13,0 % (Mittel der Gebiete 10,0 %)" in sentence


def test_need_and_measure_categories_per_district():
    # E: attention (niedrig + negativ) and no measure; F: needs and a Wirkungspaket; A: a project
    # but no need; B: neither. G is not rated and not listed.
    result = compute_index(observations(), CATALOGUE, CONFIG)
    measures = pd.DataFrame({
        "area": ["A", "F"], "kind": ["Projekt", "Wirkungspaket"], "title": ["Quartiersbüro", "Seniorentreff"],
        "status": ["laufend", "Periode 2024–2028"],
    })  # fmt: skip
    table = needs.districts(result, needs.lebenslage_needs(result, NAMES), measures).set_index("Gebiet")
    assert table.at["Gebiet E", "Einordnung"] == needs.NEED_WITHOUT_MEASURE
    assert table.at["Gebiet E", "Ausgewiesener Bedarf"] == "besonderer Aufmerksamkeitsbedarf (Gesamtindex)"
    assert table.at["Gebiet F", "Einordnung"] == needs.NEED_WITH_MEASURE
    assert table.at["Gebiet F", "Aktive Maßnahmen"] == "Wirkungspaket: Seniorentreff"
    assert table.at["Gebiet A", "Einordnung"] == needs.MEASURE_WITHOUT_NEED
    assert table.at["Gebiet B", "Einordnung"] == needs.NO_NEED
    assert "Gebiet G" not in table.index


def test_active_measures_follow_the_reference_date(engine: Engine):
    # Seed facts: BIWAQ RHEINDORFerLEBEN ran 01.04.2014–31.12.2018 in Rheindorf (4 sub-projects
    # without own dates inherit them); Wirkungspakete Wiesdorf and Hitdorf cover 2019–2023.
    in_2016 = needs.active_measures(engine, 2016)
    assert set(in_2016["area"]) == {"rheindorf"}
    assert len(in_2016) == 5 and set(in_2016["kind"]) == {"Projekt"}
    in_2019 = needs.active_measures(engine, 2019)
    assert sorted(in_2019["area"]) == ["hitdorf", "wiesdorf"]
    assert set(in_2019["kind"]) == {"Wirkungspaket"}
    assert needs.active_measures(engine, 2024).empty


def test_the_cached_views_of_the_index_pages_follow_edited_projects_and_areas(
    engine: Engine, query_runs: Counter[str]
) -> None:
    # 2016: the BIWAQ projects run in Rheindorf (seed facts), so its row lists them as active measures.
    definition = int(snapshots.definitions(engine)["id"].iloc[0])
    source = snapshots.IndexSource(published=False, id=definition, year=2016)
    view, panels = needs.needs_view(engine, source), views.index_panels(engine, source)
    needs.needs_view(engine, source), views.index_panels(engine, source)
    assert query_runs["needs_view"] == query_runs["index_panels"] == 1  # the second calls came from the cache
    measures = view.districts.set_index("Gebiet").at["Rheindorf", "Aktive Maßnahmen"]
    assert "Projekt: " in measures and "(geändert)" not in measures
    with db.session_scope(engine) as session:
        session.execute(update(Project).values(title=Project.title + " (geändert)"))
        session.execute(update(Area).where(Area.code == "hitdorf").values(name="Hitdorf am Rhein"))
    changed = needs.needs_view(engine, source).districts.set_index("Gebiet")
    assert "(geändert)" in changed.at["Rheindorf", "Aktive Maßnahmen"]
    assert "Hitdorf am Rhein" in set(views.index_panels(engine, source).overview[0]["Gebiet"])
    assert "Hitdorf am Rhein" not in set(panels.overview[0]["Gebiet"])


def test_the_cached_method_panels_follow_a_renamed_indicator_and_hide_internal_ones_from_the_public(
    engine: Engine, query_runs: Counter[str]
) -> None:
    definition = int(snapshots.definitions(engine)["id"].iloc[0])
    source = snapshots.IndexSource(published=False, id=definition, year=2024)
    panels = views.method_panels(engine, source, "rheindorf", False)
    views.method_panels(engine, source, "rheindorf", False)
    assert query_runs["method_panels"] == 1  # the second call came from the cache
    assert "Indikator: SGB-II-Quote" in set(panels.parameters["Parameter"])
    assert "SGB-II-Quote" in set(panels.example["Indikator"])
    with db.session_scope(engine) as session:
        session.execute(update(Indicator).where(Indicator.key == "sgb2_quote").values(name="SGB-II-Quote (neu)"))
    renamed = views.method_panels(engine, source, "rheindorf", False)
    assert "Indikator: SGB-II-Quote (neu)" in set(renamed.parameters["Parameter"])
    with db.session_scope(engine) as session:
        session.execute(update(Indicator).where(Indicator.key == "sgb2_quote").values(is_public=False))
    public = views.method_panels(engine, source, "rheindorf", True)
    staff = views.method_panels(engine, source, "rheindorf", False)
    assert not any("SGB-II-Quote" in p for p in public.parameters["Parameter"])
    assert "SGB-II-Quote (neu)" not in set(public.example["Indikator"]) and len(public.example) > 0
    assert public.steps[0].startswith("Ein nicht öffentlicher Indikator geht ebenfalls in den Index ein")
    assert public.parameters.set_index("Parameter").at["Weitere Indikatoren", "Wert"].startswith("einer nicht öffentlich")
    assert "Indikator: SGB-II-Quote (neu)" in set(staff.parameters["Parameter"])
