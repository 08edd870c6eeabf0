"""Every expected CLI failure is a German message on stderr with exit code ≠ 0 and no traceback;
unexpected ones name the log file that holds the traceback."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from sozdash.cli import errors
from sozdash.cli.main import main
from sozdash.core.permissions import Actor, UnknownRole, has_role
from sozdash.core.vocab import ROLES
from sozdash.importing.problems import MAX_FILE_BYTES
from sozdash.store import bootstrap, db
from sozdash.store.dump import restore
from tests.conftest import ROOT

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
TECHNICAL = ("Traceback", "sqlalche.me", "[SQL:", "Error:", "usage:", "error:")
"""What must never reach the user's terminal (a German message may name an error class, not print one)."""


@pytest.fixture
def cli(app_env: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The CLI on this test's seeded SQLite database, its log in this test's data directory."""
    monkeypatch.setenv("SOZDASH_DATA_DIR", str(tmp_path / "data"))
    return app_env


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and stderr of one in-process CLI call (argparse refusals exit via SystemExit)."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    for token in TECHNICAL:
        assert token not in err, err
    return code, err


def _archive(flag: int = 0, method: int | None = None, corrupt: bool = False) -> bytes:
    """A small shapefile ZIP, then damaged: encryption ``flag`` bit, compression ``method`` or a changed byte."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for ext in ("shp", "shx", "dbf", "prj"):
            archive.writestr(f"grenzen.{ext}", b"x" * 200)
    data = bytearray(buffer.getvalue())
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = data.find(signature)
        while start >= 0:
            data[start + flag_at] |= flag
            if method is not None:
                data[start + method_at] = method
            start = data.find(signature, start + 4)
    if corrupt:
        data[data.find(b"x" * 200)] = ord("y")
    return bytes(data)


ARCHIVES = {
    "verschlüsselt": _archive(flag=1),
    "beschädigt": _archive(corrupt=True),
    "Verfahren": _archive(method=9),  # Deflate64: not readable by Python's zipfile
}


@pytest.mark.parametrize("cause", list(ARCHIVES))
def test_broken_zip_archives_get_a_german_message(
    cli: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str], cause: str
) -> None:
    path = tmp_path / "grenzen.zip"
    path.write_bytes(ARCHIVES[cause])
    code, err = run(["import", str(path), "--level", "stadtteil", "--dry-run"], capsys)
    assert code == 2
    assert cause in err


@pytest.mark.parametrize("cause", list(ARCHIVES))
def test_zipfile_errors_left_over_are_explained_in_german(cause: str) -> None:
    """What Python's zipfile raises itself (RuntimeError, BadZipFile, NotImplementedError) is German too."""
    with pytest.raises(Exception) as info:  # each damage raises another class
        zipfile.ZipFile(io.BytesIO(ARCHIVES[cause])).read("grenzen.shp")
    message, code = errors.explain(info.value)
    assert code == errors.REFUSED
    assert "ZIP-Archiv" in message and cause in message


def test_deeply_nested_geojson_is_refused_in_german(
    cli: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tief.geojson"
    depth = 50_000
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": '
        '{"type": "Polygon", "coordinates": ' + "[" * depth + "]" * depth + "}}]}"
    )
    code, err = run(["import", str(path), "--level", "stadtteil", "--dry-run"], capsys)
    assert code == 2
    assert err.splitlines()[-1].startswith("Fehler: ") and "Datei" in err and "RecursionError" not in err


def test_recursion_and_memory_errors_are_explained_in_german() -> None:
    with pytest.raises(RecursionError) as info:
        json.loads("[" * 100_000 + "]" * 100_000)
    assert "verschachtelt" in errors.explain(info.value)[0]
    message, code = errors.explain(MemoryError())
    assert "Arbeitsspeicher" in message and code == errors.REFUSED


def test_os_errors_name_the_file_in_german() -> None:
    message, _ = errors.explain(PermissionError(13, "Permission denied", "/srv/x.csv"))
    assert message == "„/srv/x.csv“ darf nicht gelesen oder geschrieben werden (keine Berechtigung)."
    message, _ = errors.explain(OSError(28, "No space left on device", "/srv/dump"))
    assert "kein Speicherplatz" in message and "No space" not in message


def test_a_refused_database_write_is_unexpected_but_german() -> None:
    """A constraint violation means a check was missing: German, but logged for the IT."""
    message, code = errors.explain(IntegrityError("INSERT …", {}, Exception("CHECK constraint failed")))
    assert code == errors.UNEXPECTED
    assert "Regel des Datenmodells" in message and "CHECK" not in message


def test_english_value_errors_of_libraries_are_not_shown_as_they_are() -> None:
    with pytest.raises(ValueError) as info:
        int("zwölf")
    message, code = errors.explain(info.value)
    assert code == errors.UNEXPECTED and "invalid literal" not in message


def test_german_value_errors_of_our_code_are_shown(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"schema_revision": "0001"}')
    with pytest.raises(ValueError) as info:
        restore(db.get_engine(UNREACHABLE), tmp_path)
    assert errors.explain(info.value) == (str(info.value), errors.REFUSED)
    assert "Schemastand 0001" in str(info.value)


def test_an_oversized_file_is_refused_before_it_is_read(
    cli: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "riesig.csv"
    with path.open("wb") as handle:  # sparse: nothing is written but the size
        handle.truncate(MAX_FILE_BYTES + 1)
    code, err = run(["import", str(path), "--dry-run"], capsys)
    assert code == 2
    assert "zu groß" in err and "50 MB" in err


@pytest.fixture
def values_csv(tmp_path: Path) -> Path:
    path = tmp_path / "werte.csv"
    path.write_text("Gebiet;Jahr;Wert\nRheindorf;2021;5\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "gibt es nicht"),
        ("name\nRheindorf\n", "braucht zwei Spalten"),
        ("\n \n", "ist leer"),
    ],
    ids=["missing", "one-column", "blank"],
)
def test_a_bad_mapping_file_is_named_in_german(
    cli: Engine,
    values_csv: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    expected: str,
) -> None:
    mapping = tmp_path / "zuordnung.csv"
    if content is not None:
        mapping.write_text(content, encoding="utf-8")
    code, err = run(
        ["import", str(values_csv), "--mapping", str(mapping), "--indicator", "x", "--dry-run"], capsys
    )
    assert code == 2
    assert "Zuordnungsdatei" in err and expected in err
    assert "No columns" not in err


def test_pydantic_messages_reach_the_user_in_german(
    cli: Engine, values_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(["import", str(values_csv), "--source", "x", "--dry-run"], capsys)
    assert code == 2
    assert "Quelle: muss mindestens 2 Zeichen lang sein" in err and "String should" not in err
    specs = tmp_path / "neu.csv"
    specs.write_text(
        "key;name;lebenslage;unit;polarity;source\nquote_x;Q;arm;%;neutral;Amt\n", encoding="utf-8"
    )
    code, err = run(["import", str(values_csv), "--new-indicators", str(specs), "--dry-run"], capsys)
    assert code == 2
    assert "Zeile 2" in err and "Name: muss mindestens 2 Zeichen lang sein" in err
    assert "Lebenslage: unbekannte Lebenslage 'arm'" in err and "Value error" not in err


def test_an_unknown_role_lists_the_valid_roles(cli: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["user", "add", "chef", "--role", "boss", "--sso"], ["user", "set-role", "chef", "boss"]):
        code, err = run(argv, capsys)
        assert code == 2
        assert "Die Rolle „boss“ gibt es nicht" in err
        assert all(f"{key} ({label})" in err for key, label in ROLES.items())


def test_an_unknown_role_in_code_is_a_german_error() -> None:
    with pytest.raises(UnknownRole, match=r"Die Rolle „boss“ gibt es nicht\. Gültige Rollen: oeffentlich"):
        has_role(Actor(username="x", role="boss"), "rat")


def test_argparse_refusals_are_german(cli: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["undo", "drei"], capsys)
    assert code == 2 and "Aufruf:" in err and "drei ist keine ganze Zahl" in err
    code, err = run(["gibtsnicht"], capsys)
    assert code == 2 and "„gibtsnicht“ ist nicht möglich (möglich: init" in err


def _outdated(path: Path) -> None:
    engine = db.get_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(bootstrap._alembic_config(conn), "0001")


def _newer(path: Path, seeded: Engine) -> None:
    path.write_bytes(Path(seeded.url.database or "").read_bytes())
    with db.get_engine(f"sqlite:///{path}").begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff0099'"))


def _foreign(path: Path) -> None:
    with db.get_engine(f"sqlite:///{path}").begin() as conn:
        conn.execute(text("CREATE TABLE kunden (id INTEGER PRIMARY KEY)"))


def _downgraded_to_base(path: Path) -> None:
    with db.get_engine(f"sqlite:///{path}").begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))


DATABASES = {
    "unreachable": ("nicht erreichbar", None),
    "corrupt": ("beschädigt", "umbenannt"),
    "outdated": ("älteren Stand des Datenmodells (0001", "migrate"),
    "newer": ("neueren Version des Sozialdashboards angelegt (Stand ffff0099", "aktualisieren"),
    "foreign": ("gehört nicht zum Sozialdashboard", "DATABASE_URL"),
    "downgraded-to-base": ("leer", "init"),
}


@pytest.mark.parametrize("state", list(DATABASES))
def test_check_and_dump_explain_an_unusable_database(
    state: str, sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    path = tmp_path / f"{state}.sqlite"
    url = UNREACHABLE if state == "unreachable" else f"sqlite:///{path}"
    if state == "corrupt":
        path.write_bytes(random.Random(13).randbytes(8192))
    make = {"outdated": _outdated, "foreign": _foreign, "downgraded-to-base": _downgraded_to_base}
    if state in make:
        make[state](path)
    elif state == "newer":
        _newer(path, sqlite_engine)
    before = path.read_bytes() if path.exists() else b""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SOZDASH_DATA_DIR", str(tmp_path / "data"))
    message, hint = DATABASES[state]
    for argv in (["check"], ["dump", str(tmp_path / "sicherung")]):
        code, err = run(argv, capsys)
        assert code == 2, argv
        assert message in err and (hint is None or hint in err), err
    assert not (tmp_path / "sicherung").exists()
    if state in ("newer", "foreign"):
        code, err = run(["migrate"], capsys)
        assert code == 2 and message in err and "bleibt unverändert" in err
        assert path.read_bytes() == before


def test_an_unexpected_error_names_the_log_file_holding_the_traceback(
    cli: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def broken(_engine: Engine) -> None:
        raise RuntimeError("interner Zustand kaputt")

    monkeypatch.setattr("sozdash.store.integrity.check", broken)
    code, err = run(["check"], capsys)
    log = tmp_path / "data" / "logs" / "sozdash-cli.log"
    assert code == errors.UNEXPECTED
    assert f"Unerwarteter Fehler (RuntimeError). Einzelheiten für die IT stehen in {log}." in err
    assert "interner Zustand kaputt" not in err
    logged = log.read_text(encoding="utf-8")
    assert (
        "python -m sozdash check" in logged and "Traceback" in logged and "interner Zustand kaputt" in logged
    )
    assert main(["--debug", "check"]) == errors.UNEXPECTED
    assert "Traceback" in capsys.readouterr().err


def test_no_traceback_reaches_the_terminal_of_a_real_process(sqlite_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "tief.geojson"
    path.write_text('{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{sqlite_engine.url.database}",
        "SOZDASH_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "sozdash", "import", str(path), "--level", "stadtteil", "--dry-run"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Fehler:" in result.stderr and "Traceback" not in result.stderr


def test_a_damaged_backup_is_refused_and_nothing_is_restored(tmp_path: Path, monkeypatch, capsys) -> None:
    backup = tmp_path / "sicherung"
    backup.mkdir()
    (backup / "manifest.json").write_text(json.dumps({"schema_revision": bootstrap.HEAD_REVISION}))
    (backup / "city.jsonl").write_text('{"ags": "05316000", "id": 1, "name": "Leverkusen", "source": "s"}\n')
    (backup / "area_levels.jsonl").write_text('{"id": 1, "key": "stadt", "name": "Stadt", "rank": 0, "sou\n')
    target = tmp_path / "ziel.sqlite"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{target}")
    monkeypatch.setenv("SOZDASH_DATA_DIR", str(tmp_path / "data"))
    code, err = run(["restore", str(backup)], capsys)
    assert code == 2
    assert "Die Sicherung ist beschädigt: area_levels.jsonl, Zeile 1" in err
    with db.get_engine(f"sqlite:///{target}").connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM city")).scalar_one() == 0
    (backup / "manifest.json").write_text("[]")
    code, err = run(["restore", str(backup)], capsys)
    assert code == 2 and "ist keine Beschreibung einer Sicherung" in err
