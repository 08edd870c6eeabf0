"""Hamburg from scratch with the README's commands only: an empty instance, its own area
hierarchy from its boundary files, and its published Stadtteilprofile imported as they come.
Expected figures are read off the files (tests/fixtures/hamburg, source in its README)."""

from __future__ import annotations

import json

from sqlalchemy import Engine, text

from sozdash.indicators import charts, explorer
from sozdash.store import queries
from tests.new_city import documented_commands

AGS = "02000000"


def _value(engine: Engine, indicator_name: str, area_name: str, level: str, year: int) -> float | None:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT o.value FROM observations o JOIN areas a ON a.id = o.area_id"
                " JOIN indicators i ON i.id = o.indicator_id"
                " WHERE i.name = :indicator AND a.name = :area AND a.level = :level AND o.period = :year"
            ),
            {"indicator": indicator_name, "area": area_name, "level": level, "year": year},
        ).scalar_one_or_none()


def test_the_readme_documents_every_step() -> None:
    steps = [" ".join(c[:2]) for c in documented_commands()]
    assert steps[0] == "init --empty"
    assert sum(step.startswith("import ") for step in steps) >= 4


def test_hamburg_has_its_own_city_levels_and_areas(hamburg: Engine) -> None:
    assert queries.city(hamburg) == queries.CityInfo(name="Hamburg", ags=AGS)
    assert list(queries.area_levels(hamburg).values()) == ["Stadt", "Bezirk", "Stadtteil"]
    areas = queries.areas(hamburg)
    counts = areas.groupby("level")["code"].count()
    assert counts["stadt"] == 1 and counts["bezirk"] == 7
    with hamburg.connect() as conn:
        parts = set(conn.execute(text("SELECT part_id FROM area_parts")).scalars())
        combined = set(conn.execute(text("SELECT combined_id FROM area_parts")).scalars())
    stadtteile = areas[(areas["level"] == "stadtteil") & ~areas["id"].isin(combined)]
    assert len(stadtteile) == 104
    by_code = areas.set_index("code")
    bezirke = set(areas.loc[areas["level"] == "bezirk", "code"])
    assert set(stadtteile["parent_code"]) <= bezirke
    harburg = by_code.loc[by_code["level"].eq("bezirk") & by_code["name"].eq("Harburg")].index[0]
    assert stadtteile.set_index("name").loc["Cranz", "parent_code"] == harburg
    assert (areas.loc[areas["level"] != "stadt", "geometry_quality"] == "official").all()
    assert parts, "combined Stadtteile such as „Kleiner Grasbrook und Steinwerder“ are created"


def test_the_stadtteilprofile_values_match_the_file(hamburg: Engine) -> None:
    assert _value(hamburg, "Bevölkerung", "Hamburg-Altstadt", "stadtteil", 2013) == 1675
    assert _value(hamburg, "Bevölkerung", "Hamburg", "stadt", 2013) == 1788994
    # Eimsbüttel is both a Bezirk and a Stadtteil: each row lands on its own level.
    assert _value(hamburg, "Bevölkerung", "Eimsbüttel", "bezirk", 2013) == 252340
    assert _value(hamburg, "Bevölkerung", "Eimsbüttel", "stadtteil", 2013) == 56097
    assert _value(hamburg, "Bevölkerung", "Kleiner Grasbrook und Steinwerder", "stadtteil", 2013) == 1259
    assert _value(hamburg, "Anteil der unter 18-Jährigen in %", "Hamburg-Altstadt", "stadtteil", 2013) == 9.7


def test_no_leverkusen_and_no_example_data(hamburg: Engine) -> None:
    with hamburg.connect() as conn:
        demo = conn.execute(text("SELECT count(*) FROM observations WHERE is_demo")).scalar_one()
        leverkusen = conn.execute(text("SELECT count(*) FROM areas WHERE name LIKE '%Leverkusen%'")).scalar_one()
        projects = conn.execute(text("SELECT count(*) FROM projects")).scalar_one()
        withheld = conn.execute(text("SELECT count(*) FROM observations WHERE status = 'suppressed'")).scalar_one()
        templates = conn.execute(text("SELECT name FROM import_templates")).scalars().all()
    assert (demo, leverkusen, projects) == (0, 0, 0)
    assert withheld > 0  # the file's "." marks are stored as withheld, never as numbers
    assert templates == ["stadtteilprofile"]
    assert len(queries.indicators(hamburg)) >= 68


def test_the_stadtteil_map_draws_all_104_stadtteile(hamburg: Engine) -> None:
    key = str(queries.indicators(hamburg).set_index("name").loc["Bevölkerung", "key"])
    view = explorer.level_view(hamburg, key, 2013, "stadtteil")
    meta = explorer.indicator_row(hamburg, key)
    classes, _legend = charts.map_classes(view, meta, "quantiles", 5, False)
    geometries = queries.area_geometries(hamburg, "stadtteil")
    deck = json.loads(charts.map_deck(view, geometries, meta, classes, False, None).to_json())
    shapes = next(layer for layer in deck["layers"] if layer["@@type"] == "GeoJsonLayer")["data"]["features"]
    with hamburg.connect() as conn:
        combined = set(conn.execute(text("SELECT a.code FROM area_parts p JOIN areas a ON a.id = p.combined_id")).scalars())
    codes = [feature["properties"]["code"] for feature in shapes]
    assert len(combined) == 4
    assert len(codes) == len(set(codes)) == 104 + 4
    assert len(set(codes) - combined) == 104
