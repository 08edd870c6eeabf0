"""Area levels and the city come from the database records, not from code: order, names, the
default level of a view, the city's own area (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, update

from sozdash.indicators import comparison, profile
from sozdash.indicators import explorer as iv
from sozdash.store.db import session_scope
from sozdash.store.models import Area, AreaLevel, Indicator, Observation


def _add_quartier(engine: Engine) -> None:
    """A finer level "Quartier" (rank 5) with one area below Rheindorf holding one value of
    sgb2_quote in 2024, and the level "stadtteil" renamed to "Ortsteil"."""
    with session_scope(engine) as session:
        session.add(AreaLevel(key="quartier", name="Quartier", rank=5, source="Test"))
        session.flush()
        rheindorf = session.scalars(select(Area).where(Area.code == "rheindorf")).one()
        area = Area(
            code="q-rheindorf-nord", name="Rheindorf-Nord", level="quartier", parent=rheindorf, source="Test"
        )
        session.add(area)
        session.flush()
        batch = session.scalars(select(Observation.batch_id).limit(1)).one()
        indicator = session.scalars(select(Indicator.id).where(Indicator.key == "sgb2_quote")).one()
        session.add(Observation(area_id=area.id, indicator_id=indicator, period=2024, value=20.0, numerator=200.0,
                                denominator=1000.0, status="ok", batch_id=batch))  # fmt: skip
        session.execute(update(AreaLevel).where(AreaLevel.key == "stadtteil").values(name="Ortsteil"))


def test_default_level_is_the_finest_with_values(engine: Engine) -> None:
    assert iv.default_level(engine, "sgb2_quote") == "stadtteil"
    assert iv.default_level(engine, "einwohner_melderegister") == "stadtbezirk"  # no Stadtteil values
    assert iv.city_code(engine) == "05316000"
    _add_quartier(engine)
    assert iv.levels(engine, "sgb2_quote") == ["stadtbezirk", "stadtteil", "quartier"]
    assert iv.default_level(engine, "sgb2_quote") == "quartier"
    assert iv.default_level(engine, "einwohner_melderegister") == "stadtbezirk"


def test_level_names_come_from_the_records(engine: Engine) -> None:
    _add_quartier(engine)
    catalogue = iv.catalogue(engine).set_index("Schlüssel")
    assert catalogue.loc["sgb2_quote", "Ebenen"] == "Stadt, Stadtbezirk, Ortsteil, Quartier"
    choices = profile.area_choices(engine)
    assert list(choices)[:2] == ["q-rheindorf-nord", "alkenrath"]  # finest level first, then by name
    assert choices["rheindorf"] == "Rheindorf (Ortsteil)"
    assert choices["bezirk-1"] == "Stadtbezirk I (Stadtbezirk)"
    assert "05316000" not in choices  # the city is no choice of its own


def test_area_choices_of_leverkusen_stadtteile_then_bezirke(engine: Engine) -> None:
    choices = list(profile.area_choices(engine).values())
    assert len(choices) == 16  # 13 Stadtteile and 3 Stadtbezirke (data/seed/areas.yaml)
    assert choices[0] == "Alkenrath (Stadtteil)" and choices[12] == "Wiesdorf (Stadtteil)"
    assert choices[13:] == ["Stadtbezirk I (Stadtbezirk)", "Stadtbezirk II (Stadtbezirk)",
                            "Stadtbezirk III (Stadtbezirk)"]  # fmt: skip


def test_the_city_is_the_area_of_the_top_level(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.execute(update(Area).where(Area.code == "05316000").values(name="Teststadt"))
    data = comparison.comparison_data(engine, ("rheindorf",), ("sgb2_quote",))
    assert set(data["area"]) == {"rheindorf", "05316000"}
    table = comparison.comparison_table(
        data, ["rheindorf"], {"sgb2_quote": "SGB II"}, 2024, iv.city_code(engine)
    )
    assert table.columns.tolist() == ["Indikator", "Rheindorf", "Teststadt (Stadt)"]
    view = iv.level_view(engine, "sgb2_quote", 2024, "stadtteil")
    city_value = data.query("area == '05316000' and period == 2024")["value"].iloc[0]
    assert view["city_value"].eq(city_value).all()


def test_profile_reference_is_the_value_of_the_city_level(engine: Engine) -> None:
    city = iv.series(engine, "sgb2_quote", "stadtteil").query("area == '05316000' and period == 2024")
    for area in ("rheindorf", "bezirk-1"):  # a Stadtteil and a Stadtbezirk
        quote = profile.area_profile(engine, area, 2024, False).set_index("indicator").loc["sgb2_quote"]
        assert quote["reference_kind"] == "stadt"
        assert quote["reference"] == pytest.approx(float(city["value"].iloc[0]))
