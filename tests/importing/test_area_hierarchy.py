"""The area hierarchy from boundary files and tables, combined statistical areas, rejections and
undo – on an empty Hamburg instance and the seeded Leverkusen default, SQLite and PostgreSQL.

Expected values come from the Hamburg files themselves (``district_id`` of each Stadtteil) or
were looked up by hand in them (e.g. Cranz 0717 and the Stadtteil Harburg 0701 in Bezirk Harburg 07).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import Engine, func, select

from sozdash.core.permissions import Actor
from sozdash.importing.areas import commit_areas, prepare_areas
from sozdash.importing.boundaries import commit_boundaries, prepare_boundaries
from sozdash.importing.commit import commit_import
from sozdash.importing.hierarchy import split_parts
from sozdash.importing.pipeline import prepare
from sozdash.importing.problems import ImportProblem
from sozdash.importing.undo import undo_batch
from sozdash.importing.validate import ImportOptions, IndicatorSpec
from sozdash.indicators.explorer import parent_map
from sozdash.store import bootstrap, db, queries
from sozdash.store.dump import dump
from sozdash.store.models import Area, AreaLevel, AreaPart, ImportBatch, Observation
from tests.conftest import own_database

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hamburg"
PLANNER = Actor("planerin", "planung")
HAMBURG_AGS = "02000000"
_counter = itertools.count()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hamburg(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty instance for Hamburg (``init --empty``), once on SQLite and once on PostgreSQL."""
    with own_database(request.param, tmp_path, "hh") as engine:
        bootstrap.ensure_database(engine, bootstrap.EmptyCity("Hamburg", HAMBURG_AGS))
        yield engine


@pytest.fixture
def hamburg_sqlite(tmp_path: Path) -> Engine:
    """An empty Hamburg instance on SQLite only (for the rejection cases)."""
    engine = db.get_engine(f"sqlite:///{tmp_path / 'hamburg.sqlite'}")
    bootstrap.ensure_database(engine, bootstrap.EmptyCity("Hamburg", HAMBURG_AGS))
    return engine


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def features(name: str) -> list[dict]:
    return json.loads(fixture_bytes(name))["features"]


def collection(items: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": items}).encode()


def import_boundaries(engine: Engine, data: bytes, level: str, name: str = "", **extra: object) -> int | None:
    """Import and commit a boundary file; Hamburg's Neuwerk lies beyond the district outlines, so the
    location is confirmed (``test_hamburg_hierarchy_from_boundary_files`` shows the question)."""
    options = ImportOptions(
        source="LGV Hamburg", level=level, level_names=[name] if name else [], confirm_outside=True, **extra
    )
    preview = prepare_boundaries(engine, data, "grenzen.geojson", options)
    assert not preview.blocking, preview.blocking
    return commit_boundaries(engine, PLANNER, preview)


def areas_by_code(engine: Engine) -> dict[str, dict]:
    parent = Area.__table__.alias("parent")
    statement = select(Area.code, Area.name, Area.level, Area.geometry_quality, parent.c.code.label("parent")).outerjoin(
        parent, Area.parent_id == parent.c.id
    )  # fmt: skip
    with engine.connect() as conn:
        return {row.code: dict(row._mapping) for row in conn.execute(statement)}


def table_hashes(engine: Engine, directory: Path, names: tuple[str, ...]) -> dict[str, str]:
    dump(engine, directory)
    return {n: hashlib.sha256((directory / f"{n}.jsonl").read_bytes()).hexdigest() for n in names}


def db_checksum(engine: Engine, directory: Path) -> dict[str, str]:
    dump(engine, directory)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.glob("*.jsonl"))}


# --- boundary files --------------------------------------------------------------------------


def test_hamburg_hierarchy_from_boundary_files(hamburg: Engine) -> None:
    city_batch = import_boundaries(hamburg, fixture_bytes("hamburg-city.geojson"), "stadt")
    districts = prepare_boundaries(
        hamburg, fixture_bytes("hamburg-districts.geojson"), "bezirke.geojson",
        ImportOptions(source="LGV Hamburg", level="bezirk", level_names=["Bezirk"]),
    )  # fmt: skip
    assert districts.columns == {"Code": "id", "Name": "name"}
    assert districts.level is not None and (districts.level.name, districts.level.rank, districts.level.is_new) == (
        "Bezirk", 1, True,
    )  # fmt: skip
    assert "Hamburg" in districts.parent_rule
    commit_boundaries(hamburg, PLANNER, districts)
    asked = prepare_boundaries(
        hamburg, fixture_bytes("hamburg-district-regions.geojson"), "stadtteile.geojson",
        ImportOptions(source="LGV Hamburg", level="stadtteil", level_names=["Stadtteil"]),
    )  # fmt: skip
    # the island Neuwerk (an exclave of Bezirk Hamburg-Mitte) lies far beyond the district outlines
    assert asked.beyond == ["Neuwerk (82 km)"] and "ausdrücklich bestätigen" in asked.blocking[0]
    regions = prepare_boundaries(
        hamburg, fixture_bytes("hamburg-district-regions.geojson"), "stadtteile.geojson",
        ImportOptions(source="LGV Hamburg", level="stadtteil", level_names=["Stadtteil"], confirm_outside=True),
    )  # fmt: skip
    assert regions.columns == {"Code": "id", "Name": "name", "übergeordnetes Gebiet": "district_id"}
    assert regions.counts == {"total": 104, "new": 104, "changed": 0, "unchanged": 0, "rejected": 0}
    regions_batch = commit_boundaries(hamburg, PLANNER, regions)

    stored = areas_by_code(hamburg)
    assert stored[HAMBURG_AGS]["geometry_quality"] == "official"  # the city's own outline
    bezirke = {c: a for c, a in stored.items() if a["level"] == "bezirk"}
    stadtteile = {c: a for c, a in stored.items() if a["level"] == "stadtteil"}
    assert len(bezirke) == 7 and {a["parent"] for a in bezirke.values()} == {HAMBURG_AGS}
    assert len(stadtteile) == 104
    # Parents against the file's own district_id, and some by hand.
    expected = {
        f["properties"]["id"]: f["properties"]["district_id"]
        for f in features("hamburg-district-regions.geojson")
    }
    assert {c: a["parent"] for c, a in stadtteile.items()} == expected
    assert (stored["0717"]["name"], stored["0717"]["parent"], stored["07"]["name"]) == (
        "Cranz",
        "07",
        "Harburg",
    )
    assert (stored["0701"]["name"], stored["0701"]["parent"]) == (
        "Harburg",
        "07",
    )  # Stadtteil and Bezirk alike named
    assert (stored["0101"]["name"], stored["0101"]["parent"]) == ("Hamburg-Altstadt", "01")
    assert Counter(a["parent"] for a in stadtteile.values())["07"] == 17
    assert {a["geometry_quality"] for a in [*bezirke.values(), *stadtteile.values()]} == {"official"}
    assert queries.area_levels(hamburg) == {"stadt": "Stadt", "bezirk": "Bezirk", "stadtteil": "Stadtteil"}

    again = prepare_boundaries(
        hamburg, fixture_bytes("hamburg-district-regions.geojson"), "stadtteile.geojson",
        ImportOptions(source="LGV Hamburg", level="stadtteil", confirm_outside=True),
    )  # fmt: skip
    assert again.counts["unchanged"] == 104 and commit_boundaries(hamburg, PLANNER, again) is None

    assert regions_batch is not None and city_batch is not None
    assert undo_batch(hamburg, PLANNER, regions_batch)["Gebiete"] == 104
    undo_batch(hamburg, PLANNER, city_batch)
    stored = areas_by_code(hamburg)
    assert len(stored) == 8 and stored[HAMBURG_AGS]["geometry_quality"] == "none"
    with hamburg.connect() as conn:
        assert conn.execute(select(AreaLevel.key).order_by(AreaLevel.rank)).scalars().all() == [
            "stadt",
            "bezirk",
        ]
        assert conn.execute(select(Area.geometry).where(Area.code == HAMBURG_AGS)).scalar_one() is None


def test_parents_by_largest_overlap_when_the_file_names_none(hamburg_sqlite: Engine) -> None:
    import_boundaries(hamburg_sqlite, fixture_bytes("hamburg-districts.geojson"), "bezirk", "Bezirk")
    originals = features("hamburg-district-regions.geojson")
    stripped = [
        f | {"properties": {"id": f["properties"]["id"], "name": f["properties"]["name"]}} for f in originals
    ]
    options = ImportOptions(source="LGV", level="stadtteil", level_names=["Stadtteil"], confirm_outside=True)
    preview = prepare_boundaries(hamburg_sqlite, collection(stripped), "stadtteile.geojson", options)
    assert "größten Überlappung" in preview.parent_rule and "übergeordnetes Gebiet" not in preview.columns
    # The island Neuwerk (feature 19) lies outside the Bezirk shapes of the districts file.
    assert preview.rejected.to_dict("records") == [
        {"Objekt": 19, "Name": "Neuwerk", "Grund": "liegt in keinem Gebiet der Ebene Bezirk"}
    ]
    preview.options.skip_rejected = True
    commit_boundaries(hamburg_sqlite, PLANNER, preview)
    stored = areas_by_code(hamburg_sqlite)
    inland = [f["properties"] for f in originals if f["properties"]["name"] != "Neuwerk"]
    assert len(inland) == 103 and "Neuwerk" not in {a["name"] for a in stored.values()}
    assert {p["id"]: stored[p["id"]]["parent"] for p in inland} == {p["id"]: p["district_id"] for p in inland}


def test_chosen_properties_and_a_projected_file(hamburg_sqlite: Engine) -> None:
    from pyproj import Transformer

    to_utm = Transformer.from_crs(4326, 25832, always_xy=True)
    projected = []
    for number, feature in enumerate(features("hamburg-districts.geojson"), start=1):
        geometry = shape(feature["geometry"])
        utm = shapely.transform(geometry, lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1])))
        projected.append({"type": "Feature", "geometry": json.loads(json.dumps(utm.__geo_interface__)),
                          "properties": {"BEZ_SCHL": f"B{number}", "BEZ_NAME": feature["properties"]["name"]}})  # fmt: skip
    data = json.dumps({"type": "FeatureCollection", "features": projected,
                       "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}}).encode()  # fmt: skip
    options = ImportOptions(source="LGV", level="bezirk", level_names=["Bezirk"], code_column="BEZ_SCHL",
                            name_column="BEZ_NAME")  # fmt: skip
    preview = prepare_boundaries(hamburg_sqlite, data, "bezirke.geojson", options)
    assert "25832" in preview.source_crs and preview.columns == {"Code": "BEZ_SCHL", "Name": "BEZ_NAME"}
    commit_boundaries(hamburg_sqlite, PLANNER, preview)
    stored = areas_by_code(hamburg_sqlite)
    assert stored["B7"]["name"] == "Harburg" and stored["B7"]["parent"] == HAMBURG_AGS
    with hamburg_sqlite.connect() as conn:
        lat, lon = conn.execute(select(Area.centroid_lat, Area.centroid_lon).where(Area.code == "B7")).one()
    assert 53.41 < lat < 53.55 and 9.76 < lon < 10.06  # within Harburg's bounding box of the source file


# --- tables ----------------------------------------------------------------------------------

KEY_TABLE = """Schlüsselverzeichnis der Planungsräume (eigene Testtabelle nach dem Berliner Muster)
Planungsraum (Nummer);Planungsraum (Name);Bezirksregion (Nummer);Bezirksregion (Name);Bezirk
P01;Hafenrand;R1;Nordufer;Mitte
P02;Altmarkt;R1;Nordufer;Mitte
P03;Kirchplatz;R2;Südufer;Mitte
P04;Am Deich;R3;Marsch;Harburg
P05;Harburg;R3;Marsch;Harburg
Quelle: eigene Zusammenstellung
"""


def test_key_table_with_three_levels_then_shapes_by_code(hamburg: Engine, tmp_path: Path) -> None:
    data = KEY_TABLE.encode("cp1252")
    preview = prepare_areas(
        hamburg, data, "schluessel.csv", ImportOptions(source="Statistikamt", skip_rejected=False)
    )
    assert preview.shape == "key table"
    assert list(preview.level_table["Name"]) == ["Bezirk", "Bezirksregion", "Planungsraum"]
    assert list(preview.level_table["Gebiete"]) == [2, 3, 5] and list(preview.level_table["Rang"]) == [
        1,
        2,
        3,
    ]
    assert preview.counts == {"total": 5, "new": 10, "changed": 0, "unchanged": 0, "rejected": 0}
    named = prepare_areas(hamburg, data, "schluessel.csv", ImportOptions(
        source="Statistikamt", level_names=["Bezirk", "Bezirksregion", "Planungsraum (LOR)"]))  # fmt: skip
    assert list(named.level_table["Name"]) == ["Bezirk", "Bezirksregion", "Planungsraum (LOR)"]
    batch = commit_areas(hamburg, PLANNER, named)
    stored = areas_by_code(hamburg)
    harburg = next(c for c, a in stored.items() if a["level"] == "bezirk" and a["name"] == "Harburg")
    assert (stored["P05"]["name"], stored["P05"]["parent"], stored["R3"]["parent"]) == (
        "Harburg",
        "R3",
        harburg,
    )
    assert stored[harburg]["parent"] == HAMBURG_AGS and stored["P03"]["parent"] == "R2"
    assert {a["geometry_quality"] for c, a in stored.items() if c != HAMBURG_AGS} == {"none"}
    assert queries.area_levels(hamburg)["planungsraum_lor"] == "Planungsraum (LOR)"
    again = prepare_areas(hamburg, data, "schluessel.csv", ImportOptions(source="Statistikamt"))
    assert again.counts["unchanged"] == 10 and commit_areas(hamburg, PLANNER, again) is None

    square = {
        "type": "Polygon",
        "coordinates": [[[10.0, 53.5], [10.01, 53.5], [10.01, 53.51], [10.0, 53.51], [10.0, 53.5]]],
    }
    shapes = collection(
        [{"type": "Feature", "properties": {"code": "P01", "name": "Hafenrand"}, "geometry": square}]
    )
    before = table_hashes(hamburg, tmp_path / "vorher", ("areas", "area_levels"))
    shaped = prepare_boundaries(
        hamburg, shapes, "plr.geojson", ImportOptions(source="LGV", level="planungsraum_lor")
    )
    assert shaped.counts == {"total": 1, "new": 0, "changed": 1, "unchanged": 0, "rejected": 0}
    shape_batch = commit_boundaries(hamburg, PLANNER, shaped)
    assert areas_by_code(hamburg)["P01"]["geometry_quality"] == "official"
    assert shape_batch is not None and batch is not None
    undo_batch(hamburg, PLANNER, shape_batch)
    assert table_hashes(hamburg, tmp_path / "nachher", ("areas", "area_levels")) == before  # restored exactly
    undo_batch(hamburg, PLANNER, batch)
    assert set(areas_by_code(hamburg)) == {HAMBURG_AGS}
    assert list(queries.area_levels(hamburg)) == ["stadt"]


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_parent_code_table_asks_for_level_names(hamburg: Engine) -> None:
    data = _xlsx([
        ["Gebietsliste Testtabelle"], [],
        ["Code", "Name", "Übergeordnet"],
        ["01", "Hamburg-Mitte", ""], ["07", "Harburg", HAMBURG_AGS],
        ["0101", "Hamburg-Altstadt", "01"], ["0701", "Harburg", "07"], ["0717", "Cranz", "07"],
    ])  # fmt: skip
    preview = prepare_areas(hamburg, data, "liste.xlsx", ImportOptions(source="Statistikamt"))
    assert preview.shape == "parent codes" and list(preview.level_table["Gebiete"]) == [2, 3]
    assert any("keinen Namen" in reason for reason in preview.blocking)
    with pytest.raises(ImportProblem):
        commit_areas(hamburg, PLANNER, preview)
    with pytest.raises(ImportProblem, match="2 Ebene"):
        prepare_areas(
            hamburg, data, "liste.xlsx", ImportOptions(source="Statistikamt", level_names=["Bezirk"])
        )
    named = prepare_areas(hamburg, data, "liste.xlsx", ImportOptions(source="Statistikamt",
                                                                   level_names=["Bezirk", "Stadtteil"]))  # fmt: skip
    assert not named.blocking and named.counts["new"] == 5
    commit_areas(hamburg, PLANNER, named)
    stored = areas_by_code(hamburg)
    assert {c: (a["level"], a["parent"]) for c, a in stored.items() if c != HAMBURG_AGS} == {
        "01": ("bezirk", HAMBURG_AGS), "07": ("bezirk", HAMBURG_AGS), "0101": ("stadtteil", "01"),
        "0701": ("stadtteil", "07"), "0717": ("stadtteil", "07"),
    }  # fmt: skip
    # Shapes follow later, matched by code: the boundary file's Stadtteile 0701 and 0717 get theirs.
    regions = [
        f for f in features("hamburg-district-regions.geojson") if f["properties"]["id"] in {"0701", "0717"}
    ]
    shaped = prepare_boundaries(
        hamburg, collection(regions), "st.geojson", ImportOptions(source="LGV", level="stadtteil")
    )
    assert shaped.counts["changed"] == 2 and shaped.counts["new"] == 0


def test_parent_code_table_rejections_name_the_row(hamburg_sqlite: Engine, tmp_path: Path) -> None:
    data = (
        "code;name;parent\n"
        "01;Hamburg-Mitte;\n"
        "0101;Hamburg-Altstadt;01\n"
        "0101;Doppelt;01\n"
        "0999;Nirgendwo;99\n"
        "A;Kreis A;B\n"
        "B;Kreis B;A\n"
        f"{HAMBURG_AGS};Stadt;\n"
    ).encode()
    before = db_checksum(hamburg_sqlite, tmp_path / "vorher")
    preview = prepare_areas(
        hamburg_sqlite, data, "liste.csv", ImportOptions(source="Test", level_names=["Bezirk", "Stadtteil"])
    )
    reasons = dict(zip(preview.rejected["Zeile"], preview.rejected["Grund"], strict=True))
    assert "kommt mehrfach vor (zuerst Zeile 3)" in reasons[4]
    assert (
        "übergeordneter Code „99“ (Spalte „parent“) steht weder in der Tabelle noch in der Datenbank"
        in reasons[5]
    )
    assert "Kreis" in reasons[6] and "Kreis" in reasons[7]
    assert 8 not in reasons  # the city's own row is the city, not a new area
    assert preview.counts["rejected"] == 4 and preview.blocking
    assert set(preview.areas["code"]) == {"01", "0101"}
    with pytest.raises(ImportProblem, match="abgelehnt"):
        commit_areas(hamburg_sqlite, PLANNER, preview)
    assert db_checksum(hamburg_sqlite, tmp_path / "nachher") == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Wert;Zahl\n1;2\n3;4\n", "nicht erkannt"),
        ("01;Mitte;\n02;Nord;\n", "keine Kopfzeile"),
        (
            KEY_TABLE.replace("Quelle:", "P01;Hafenrand;R2;Südufer;Mitte\nQuelle:"),
            "liegt in Zeile 3 unter „R1“, hier unter „R2“",
        ),
        (KEY_TABLE.replace("P05;Harburg", "P04;Harburg"), "heißt in Zeile"),
    ],
)
def test_area_table_rejections(hamburg_sqlite: Engine, tmp_path: Path, content: str, message: str) -> None:
    before = db_checksum(hamburg_sqlite, tmp_path / "vorher")
    try:
        preview = prepare_areas(hamburg_sqlite, content.encode(), "gebiete.csv", ImportOptions(source="Test"))
    except ImportProblem as exc:
        assert message in str(exc)
    else:
        assert any(message in reason for reason in preview.rejected["Grund"]), preview.rejected
        with pytest.raises(ImportProblem):
            commit_areas(hamburg_sqlite, PLANNER, preview)
    assert db_checksum(hamburg_sqlite, tmp_path / "nachher") == before


def test_boundary_rejections_name_feature_and_property(hamburg_sqlite: Engine, tmp_path: Path) -> None:
    import_boundaries(hamburg_sqlite, fixture_bytes("hamburg-districts.geojson"), "bezirk", "Bezirk")
    before = db_checksum(hamburg_sqlite, tmp_path / "vorher")
    regions = features("hamburg-district-regions.geojson")[:4]
    regions[1] = regions[1] | {"properties": regions[1]["properties"] | {"district_id": "99"}}
    regions[2] = regions[2] | {
        "properties": regions[2]["properties"] | {"id": regions[0]["properties"]["id"]}
    }
    regions[3] = regions[3] | {"properties": regions[3]["properties"] | {"id": "01"}}
    options = ImportOptions(source="LGV", level="stadtteil", level_names=["Stadtteil"])
    preview = prepare_boundaries(hamburg_sqlite, collection(regions), "st.geojson", options)
    reasons = dict(zip(preview.rejected["Objekt"], preview.rejected["Grund"], strict=True))
    assert (
        reasons[2]
        == "übergeordnetes Gebiet (Eigenschaft „district_id“) „99“ gibt es auf der Ebene Bezirk nicht"
    )
    assert reasons[3] == "„0101“ kommt mehrfach vor (zuerst Objekt 1)"
    assert reasons[4] == "Code (Eigenschaft „id“) „01“ ist schon an „Hamburg-Mitte“ (Ebene bezirk) vergeben"
    assert preview.counts["new"] == 1 and preview.blocking
    with pytest.raises(ImportProblem, match="abgelehnt"):
        commit_boundaries(hamburg_sqlite, PLANNER, preview)

    with pytest.raises(ImportProblem, match="--level-name"):
        prepare_boundaries(
            hamburg_sqlite, collection(regions), "st.geojson", ImportOptions(source="LGV", level="stadtteil")
        )
    with pytest.raises(ImportProblem, match="Schlüssel einer Gebietsebene"):
        prepare_boundaries(hamburg_sqlite, collection(regions), "st.geojson",
                           ImportOptions(source="LGV", level="Stadt-Teil", level_names=["Stadtteil"]))  # fmt: skip
    with pytest.raises(ImportProblem, match=r"keine Eigenschaft „STT_ID“.*Vorhanden: id, name, district_id"):
        prepare_boundaries(hamburg_sqlite, collection(regions), "st.geojson",
                           ImportOptions(source="LGV", level="stadtteil", level_names=["Stadtteil"], code_column="STT_ID"))  # fmt: skip
    two = prepare_boundaries(
        hamburg_sqlite, collection(regions[:2]), "stadt.geojson", ImportOptions(source="LGV", level="stadt")
    )
    assert all("nur die Stadt selbst" in reason for reason in two.rejected["Grund"])
    assert db_checksum(hamburg_sqlite, tmp_path / "nachher") == before


def test_boundaries_of_existing_areas_are_restored_exactly_by_undo(engine: Engine, tmp_path: Path) -> None:
    """Leverkusen default: official shapes for two seeded Stadtteile, a new Sozialraum inside one."""
    before = table_hashes(engine, tmp_path / "vorher", ("areas", "area_levels", "area_parts"))
    with engine.connect() as conn:
        wiesdorf = shape(conn.execute(select(Area.geometry).where(Area.code == "wiesdorf")).scalar_one())
    inner = wiesdorf.representative_point().buffer(0.002)
    items = [
        {"type": "Feature", "properties": {"name": "Wiesdorf"}, "geometry": json.loads(json.dumps(wiesdorf.__geo_interface__))},
        {"type": "Feature", "properties": {"name": "Sozialraum Rathaus"}, "geometry": json.loads(json.dumps(inner.__geo_interface__))},
    ]  # fmt: skip
    preview = prepare_boundaries(
        engine, collection(items[:1]), "st.geojson", ImportOptions(source="Amt", level="stadtteil")
    )
    assert preview.counts["changed"] == 1
    first = commit_boundaries(engine, PLANNER, preview)
    second = import_boundaries(engine, collection(items[1:]), "sozialraum")
    stored = areas_by_code(engine)
    new = next(a for a in stored.values() if a["name"] == "Sozialraum Rathaus")
    assert (new["level"], new["parent"]) == ("sozialraum", "wiesdorf")
    assert first is not None and second is not None
    undo_batch(engine, PLANNER, second)
    undo_batch(engine, PLANNER, first)
    assert table_hashes(engine, tmp_path / "nachher", ("areas", "area_levels", "area_parts")) == before


# --- combined statistical areas ----------------------------------------------------------------


def test_split_parts_of_combined_names() -> None:
    assert split_parts("Kleiner Grasbrook und Steinwerder") == ["Kleiner Grasbrook", "Steinwerder"]
    assert split_parts("Moorburg/Altenwerder") == ["Moorburg", "Altenwerder"]
    assert split_parts("A, B und C") == ["A", "B", "C"]
    assert split_parts("Neugraben-Fischbek") == [] and split_parts("Hamburg-Altstadt") == []


EINWOHNER = IndicatorSpec(
    key="einwohner", name="Einwohnerinnen und Einwohner", lebenslage="bevoelkerung", unit="Personen",
    polarity="neutral", source="Statistikamt Nord, Stadtteilprofile 2014", aggregation="sum", decimals=0,
)  # fmt: skip
# Values of the Stadtteilprofile 2014 (31.12.2013), as in tests/fixtures/hamburg/stadtteilprofile_2014.xlsx.
VALUES = (
    b"Gebiet;Indikator;Jahr;Wert\n"
    b"Hamburg-Altstadt;einwohner;2013;1675\n"
    b"Kleiner Grasbrook und Steinwerder;einwohner;2013;1259\n"
    b"Waltershof und Finkenwerder;einwohner;2013;11662\n"
)


def test_combined_areas_offered_created_left_out_and_undone(hamburg: Engine) -> None:
    import_boundaries(hamburg, fixture_bytes("hamburg-districts.geojson"), "bezirk", "Bezirk")
    mitte = [
        f for f in features("hamburg-district-regions.geojson") if f["properties"]["district_id"] == "01"
    ]
    import_boundaries(hamburg, collection(mitte), "stadtteil", "Stadtteil")

    asked = prepare(hamburg, VALUES, "profile.csv", ImportOptions(source="Nord", new_indicators=[EINWOHNER]))
    offers = asked.combined_table.set_index("Name in der Datei")
    assert offers.at["Kleiner Grasbrook und Steinwerder", "Teile"] == "Kleiner Grasbrook, Steinwerder"
    assert offers.at["Waltershof und Finkenwerder", "Entscheidung"] == "offen"
    assert asked.unmatched_areas.empty and any("zusammengefasste Gebiete" in r for r in asked.blocking)

    left = prepare(
        hamburg,
        VALUES,
        "profile.csv",
        ImportOptions(source="Nord", new_indicators=[EINWOHNER], combine="leave_out"),
    )
    assert not left.blocking and left.counts["new"] == 1
    left_batch = commit_import(hamburg, PLANNER, left)
    with hamburg.connect() as conn:
        report = conn.execute(select(ImportBatch.report).where(ImportBatch.id == left_batch)).scalar_one()
    assert report["left_out"] == [
        {"Name": "Kleiner Grasbrook und Steinwerder", "Zeilen": 1}, {"Name": "Waltershof und Finkenwerder", "Zeilen": 1},
    ]  # fmt: skip
    assert left_batch is not None
    undo_batch(hamburg, PLANNER, left_batch)

    created = prepare(
        hamburg,
        VALUES,
        "profile.csv",
        ImportOptions(source="Nord", new_indicators=[EINWOHNER], combine="create"),
    )
    assert not created.blocking and created.counts["new"] == 3
    batch = commit_import(hamburg, PLANNER, created)
    stored = areas_by_code(hamburg)
    combined = next(c for c, a in stored.items() if a["name"] == "Kleiner Grasbrook und Steinwerder")
    assert (stored[combined]["level"], stored[combined]["parent"], stored[combined]["geometry_quality"]) == (
        "stadtteil", "01", "official",
    )  # fmt: skip
    parts = {f["properties"]["name"]: shape(f["geometry"]) for f in mitte}
    with hamburg.connect() as conn:
        combined_id, geometry = conn.execute(
            select(Area.id, Area.geometry).where(Area.code == combined)
        ).one()
        part_codes = (
            conn.execute(
                select(Area.code)
                .join(AreaPart, AreaPart.part_id == Area.id)
                .where(AreaPart.combined_id == combined_id)
            )
            .scalars()
            .all()
        )
        value = conn.execute(select(Observation.value).where(Observation.area_id == combined_id)).scalar_one()
    assert sorted(part_codes) == ["0117", "0118"] and value == 1259
    expected_area = parts["Kleiner Grasbrook"].area + parts["Steinwerder"].area  # the two do not overlap
    assert shape(geometry).area == pytest.approx(expected_area, rel=1e-6)
    # Sums to the parent count a part through its combined area: the Bezirk has the combined area
    # once, never together with its parts.
    parents = parent_map(queries.areas(hamburg))
    assert parents["0117"] == parents["0118"] == combined and parents[combined] == "01"
    assert stored["0117"]["parent"] == "01"  # the geographic parent stays

    again = prepare(hamburg, VALUES, "profile.csv", ImportOptions(source="Nord", new_indicators=[EINWOHNER]))
    assert again.combined_table.empty and again.counts["unchanged"] == 3 and not again.blocking
    assert batch is not None
    undo_batch(hamburg, PLANNER, batch)
    with hamburg.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AreaPart)).scalar_one() == 0
        assert conn.execute(select(Area.id).where(Area.code == combined)).first() is None


def test_cli_creates_levels_areas_and_combined_areas(hamburg_sqlite: Engine, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from sozdash.cli.main import main

    monkeypatch.setenv("DATABASE_URL", hamburg_sqlite.url.render_as_string(hide_password=False))
    districts = FIXTURES / "hamburg-districts.geojson"
    assert main(["import", str(districts), "--level", "bezirk", "--source", "LGV"]) == 2
    assert "--level-name" in capsys.readouterr().err
    assert (
        main(["import", str(districts), "--level", "bezirk", "--level-name", "Bezirk", "--source", "LGV"])
        == 0
    )
    out = capsys.readouterr().out
    assert "Eigenschaften: Code = id, Name = name" in out and "Bezirk (bezirk, Rang 1, wird angelegt)" in out
    mitte = [
        f for f in features("hamburg-district-regions.geojson") if f["properties"]["district_id"] == "01"
    ]
    (tmp_path / "mitte.geojson").write_bytes(collection(mitte))
    assert main(["import", str(tmp_path / "mitte.geojson"), "--level", "stadtteil", "--level-name", "Stadtteil",
                 "--source", "LGV"]) == 1  # fmt: skip
    assert "Neuwerk (82 km)" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "mitte.geojson"), "--level", "stadtteil", "--level-name", "Stadtteil",
                 "--source", "LGV", "--confirm-outside"]) == 0  # fmt: skip
    assert "übergeordnetes Gebiet = district_id" in capsys.readouterr().out
    (tmp_path / "werte.csv").write_bytes(VALUES)
    (tmp_path / "neu.csv").write_text(
        "key;name;lebenslage;unit;polarity;source;aggregation;decimals\n"
        "einwohner;Einwohner;bevoelkerung;Personen;neutral;Statistikamt Nord;sum;0\n"
    )
    common = [
        "import",
        str(tmp_path / "werte.csv"),
        "--source",
        "Nord",
        "--new-indicators",
        str(tmp_path / "neu.csv"),
    ]
    assert main(common) == 1
    captured = capsys.readouterr()
    assert "Kleiner Grasbrook und Steinwerder" in captured.out and "--combine" in captured.out
    assert main([*common, "--combine"]) == 0
    assert "wird angelegt" in capsys.readouterr().out
    assert sum(1 for a in areas_by_code(hamburg_sqlite).values() if " und " in a["name"]) == 2

    (tmp_path / "liste.csv").write_text("code;name;parent\nX1;Neu;01\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "liste.csv"), "--areas", "--source", "Amt"]) == 0
    assert areas_by_code(hamburg_sqlite)["X1"] == {
        "code": "X1", "name": "Neu", "level": "stadtteil", "geometry_quality": "none", "parent": "01",
    }  # fmt: skip


def test_import_page_logic_for_areas_new_levels_and_combined(hamburg_sqlite: Engine) -> None:
    from sozdash.ui import import_flow as page

    class Bar:
        def progress(self, value: float, text: str = "") -> None:
            """Progress is not checked here."""

    common = dict(source="LGV", indicator="", period="", crs=None, skip=False, mapping={}, progress=Bar())
    districts = {"data": fixture_bytes("hamburg-districts.geojson"), "file_name": "bezirke.geojson"}
    assert "Namen der neuen Gebietsebene" in page.preview(
        hamburg_sqlite, districts, level=page.NEW_LEVEL, **common
    )
    preview = page.preview(
        hamburg_sqlite,
        districts,
        level=page.NEW_LEVEL,
        areas=page.AreaInputs(new_level_name="Bezirk"),
        **common,
    )
    assert preview.level.key == "bezirk" and preview.counts["new"] == 7
    assert page.commit(hamburg_sqlite, PLANNER, preview, Bar()).startswith("Gespeichert als Import")

    table = {"data": KEY_TABLE.encode(), "file_name": "schluessel.csv"}
    preview = page.preview(hamburg_sqlite, table, level=None, areas=page.AreaInputs(table=True), **common)
    assert not isinstance(preview, str) and preview.level_table["Name"].iloc[0] == "Bezirk"
    edited = preview.level_table.assign(Name=["Bezirk", "Region", "Planungsraum"])
    names = page.level_names_from_editor(edited)
    assert names == ("Bezirk", "Region", "Planungsraum")
    preview = page.preview(
        hamburg_sqlite, table, level=None, areas=page.AreaInputs(table=True, level_names=names), **common
    )
    assert list(preview.level_table["Name"]) == ["Bezirk", "Region", "Planungsraum"]
    assert list(preview.level_table["neu"]) == ["nein", "ja", "ja"]
    assert "Geodatei" in page.preview(
        hamburg_sqlite, districts, level=None, areas=page.AreaInputs(table=True), **common
    )
