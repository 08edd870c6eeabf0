"""Non-finite numbers: ``check`` reports them, the dump writes strict JSON and restores them exactly."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from sozdash.cli.main import main
from sozdash.store import bootstrap
from sozdash.store.dump import dump, restore
from sozdash.store.integrity import check
from tests.conftest import own_database


def _strict(line: str) -> object:
    """Parse one dump line as strict JSON (``Infinity``/``NaN`` tokens are refused)."""

    def refuse(token: str) -> object:
        raise AssertionError(f"non-JSON token {token} in {line[:120]}")

    return json.loads(line, parse_constant=refuse)


def _spoil(engine: Engine) -> dict[str, float]:
    """Store non-finite values in three number columns; returns column → value stored."""
    bad = {"observations.value": math.inf, "areas.centroid_lat": -math.inf}
    if engine.dialect.name == "postgresql":  # SQLite stores NaN as NULL: it cannot hold one
        bad["areas.centroid_lon"] = math.nan
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE observations SET value = :v WHERE id = (SELECT MIN(id) FROM observations)"),
            {"v": bad["observations.value"]},
        )
        conn.execute(
            text("UPDATE areas SET centroid_lat = :lat, centroid_lon = :lon WHERE code = 'rheindorf'"),
            {"lat": bad["areas.centroid_lat"], "lon": bad.get("areas.centroid_lon", 7.0)},
        )
    return bad


def test_check_reports_non_finite_numbers_and_the_dump_restores_them_exactly(
    engine: Engine, tmp_path: Path
) -> None:
    assert check(engine).ok
    bad = _spoil(engine)
    problems = check(engine).problems
    for column in bad:
        assert any(p.startswith(f"{column}: 1 nicht endliche Werte") for p in problems), (column, problems)
    with engine.connect() as conn:
        first_id = conn.execute(text("SELECT MIN(id) FROM observations")).scalar_one()
    assert (
        f"observations.value: 1 nicht endliche Werte (unendlich oder NaN), z. B. Zeile {first_id}" in problems
    )
    assert len(problems) == len(bad), problems
    first = tmp_path / "first"
    dump(engine, first)
    for path in first.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            _strict(line)
    with own_database(engine.dialect.name, tmp_path, "restored") as target:
        with target.begin() as conn:
            bootstrap.migrate(conn)
        restore(target, first)
        second = tmp_path / "second"
        dump(target, second)
        with target.connect() as conn:
            value = conn.execute(text("SELECT value FROM observations ORDER BY id LIMIT 1")).scalar_one()
            lat, lon = conn.execute(
                text("SELECT centroid_lat, centroid_lon FROM areas WHERE code = 'rheindorf'")
            ).one()
    assert {p.name: p.read_bytes() for p in first.iterdir()} == {
        p.name: p.read_bytes() for p in second.iterdir()
    }
    assert value == math.inf and lat == -math.inf
    assert math.isnan(lon) if "areas.centroid_lon" in bad else lon == 7.0


def test_dump_refuses_a_non_finite_number_inside_a_json_column(sqlite_engine: Engine, tmp_path: Path) -> None:
    """A JSON document cannot hold Infinity at all: the dump stops with a German message naming the row."""
    with sqlite_engine.begin() as conn:
        area_id = conn.execute(text("SELECT id FROM areas WHERE code = 'rheindorf'")).scalar_one()
        conn.execute(
            text("UPDATE areas SET display_geometry = :g WHERE id = :id"),
            {"g": '{"type": "Point", "coordinates": [Infinity, 51.0]}', "id": area_id},
        )
    with pytest.raises(ValueError, match=rf"Tabelle areas, Nr\. {area_id}: .*keine endliche Zahl"):
        dump(sqlite_engine, tmp_path / "d")


def test_cli_check_fails_on_a_non_finite_value(app_env: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    _spoil(app_env)
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "PROBLEM: observations.value: 1 nicht endliche Werte" in out
    assert "Keine Probleme" not in out
