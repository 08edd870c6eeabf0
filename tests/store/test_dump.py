"""CLI: dump → restore → dump is byte-identical, on SQLite and PostgreSQL; check finds problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from sozdash.cli.main import main
from sozdash.store import bootstrap, db
from sozdash.store.dump import dump, restore
from sozdash.store.integrity import check


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_dump_restore_dump_is_byte_identical(engine: Engine, tmp_path: Path) -> None:
    first = tmp_path / "first"
    dump(engine, first)
    target = db.get_engine(f"sqlite:///{tmp_path / 'restored.sqlite'}")
    with target.begin() as conn:
        bootstrap.migrate(conn)
    assert restore(target, first) > 5000
    second = tmp_path / "second"
    dump(target, second)
    assert _files(first) == _files(second)
    assert len(first.joinpath("observations.jsonl").read_text().splitlines()) > 5000


def test_restore_refuses_a_filled_database(sqlite_engine: Engine, tmp_path: Path) -> None:
    dump(sqlite_engine, tmp_path / "d")
    with pytest.raises(ValueError, match="nicht leer"):
        restore(sqlite_engine, tmp_path / "d")


def test_cli_dump_and_restore_round_trip(app_env: Engine, tmp_path: Path, monkeypatch, capsys) -> None:
    assert main(["dump", str(tmp_path / "a")]) == 0
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'b.sqlite'}")
    assert main(["restore", str(tmp_path / "a")]) == 0
    assert main(["dump", str(tmp_path / "b")]) == 0
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert "wiederhergestellt" in capsys.readouterr().out


def test_check_reports_clean_seed_and_finds_a_broken_quota(sqlite_engine: Engine) -> None:
    report = check(sqlite_engine)
    assert report.ok, report.problems
    assert report.counts["davon Beispieldaten"] > 0
    assert report.counts["davon geheim gehalten"] > 0
    with sqlite_engine.begin() as conn:
        conn.execute(text(
            "UPDATE observations SET value = value + 1 WHERE id = (SELECT o.id FROM observations o "
            "JOIN indicators i ON i.id = o.indicator_id WHERE i.aggregation = 'ratio' AND o.value IS NOT NULL LIMIT 1)"
        ))  # fmt: skip
    assert any("Quoten" in p for p in check(sqlite_engine).problems)
