"""Each import limit on its own (issue 13): sizes before reading, real (not declared) rows,
columns and cells of XLSX and CSV, damaged and encrypted ZIPs, files without data rows, the
time budget, and the upload widget's limit. Limits too large to reach cheaply are lowered with
``monkeypatch`` on the reader; the corpus in ``tests/fuzz`` runs the real limits end to end."""

from __future__ import annotations

import builtins
import io
import os
import time
import tomllib
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sozdash.importing import problems, readers
from sozdash.importing.areas import prepare_areas
from sozdash.importing.boundaries import prepare_boundaries
from sozdash.importing.pipeline import prepare
from sozdash.importing.problems import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    ImportProblem,
    check_deadline,
    check_file_size,
    check_size,
    import_budget,
    open_zip,
)
from sozdash.importing.readers import read_cells, read_table
from sozdash.importing.validate import ImportOptions
from tests.fuzz.limits_cases import crc_broken, number_row, patched, xlsx, zip_of
from tests.fuzz.test_corpus import fingerprint

ROOT = Path(__file__).resolve().parents[2]
LONG = b"Gebiet;Indikator;Jahr;Wert\nwiesdorf;sgb2_quote;2021;9,5\n"


def cells_of(data: bytes, name: str = "t.xlsx") -> list[list[str]]:
    return read_cells(data, name)[0].to_numpy().tolist()


# --- sizes ----------------------------------------------------------------------------------


def test_check_size_accepts_the_limit_and_refuses_one_byte_more() -> None:
    check_size(b"x" * MAX_FILE_BYTES)
    with pytest.raises(ImportProblem, match=r"zu groß \(höchstens 50 MB\)"):
        check_size(b"x" * (MAX_FILE_BYTES + 1))
    with pytest.raises(ImportProblem, match="leer"):
        check_size(b" \n ")


def test_check_file_size_refuses_a_sparse_3_4_gb_file_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = tmp_path / "riesig.csv"
    with huge.open("wb") as file:
        file.truncate(int(3.4 * 1024**3))
    assert huge.stat().st_size > 3 * 1024**3 and huge.stat().st_blocks < 100  # sparse: nothing written

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(builtins, "open", no_reading)
    monkeypatch.setattr(os, "open", no_reading)
    with pytest.raises(ImportProblem, match=r"mit 3481,6 MB zu groß \(höchstens 50 MB\)"):
        check_file_size(huge)


def test_check_file_size_names_missing_empty_and_non_files(tmp_path: Path) -> None:
    with pytest.raises(ImportProblem, match="gibt es nicht"):
        check_file_size(tmp_path / "fehlt.csv")
    with pytest.raises(ImportProblem, match="keine Datei"):
        check_file_size(tmp_path)
    (tmp_path / "leer.csv").write_bytes(b"")
    with pytest.raises(ImportProblem, match="leer"):
        check_file_size(tmp_path / "leer.csv")
    (tmp_path / "klein.csv").write_bytes(LONG)
    check_file_size(tmp_path / "klein.csv")


def test_upload_widget_limit_matches_the_file_limit() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES


# --- XLSX: real, not declared size ----------------------------------------------------------


def test_xlsx_declared_dimension_is_ignored_and_only_real_cells_read() -> None:
    data = xlsx(number_row(1, range(1, 3)) + number_row(3, range(2, 3)), "A1:XFD1048576")
    assert cells_of(data) == [["1", "1"], ["", ""], ["", "1"]]


def test_xlsx_dimension_bomb_is_refused_by_its_one_real_cell() -> None:
    data = xlsx(number_row(1_048_576, range(16_384, 16_385)), "A1:XFD1048576")
    assert len(data) < 5_000
    with pytest.raises(ImportProblem, match=r"mehr als 1\.000 Spalten"):
        read_cells(data, "bombe.xlsx")


def test_xlsx_columns_up_to_the_limit_are_read_one_more_is_refused() -> None:
    assert len(cells_of(xlsx(number_row(1, range(1, MAX_COLUMNS + 1))))[0]) == MAX_COLUMNS
    with pytest.raises(ImportProblem, match=r"mehr als 1\.000 Spalten"):
        read_cells(xlsx(number_row(1, range(1, MAX_COLUMNS + 2))), "t.xlsx")


def test_xlsx_styled_empty_cells_do_not_widen_the_table() -> None:
    row = '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c><c r="XFD1" s="1"/><c r="ZZ1"><v></v></c></row>'
    assert cells_of(xlsx(row + '<row r="1048576"><c r="A1048576" s="1"/></row>')) == [["1", "2"]]
    with pytest.raises(ImportProblem, match="keine Tabelle"):
        read_cells(xlsx('<row r="1048576"><c r="XFD1048576" s="1"/></row>', "A1:XFD1048576"), "leer.xlsx")


def test_xlsx_cells_without_references_are_placed_as_openpyxl_places_them() -> None:
    rows = (
        '<row><c><v>1</v></c><c t="inlineStr"><is><t>zwei</t></is></c></row>'
        '<row r="4"><c r="B4"><v>3</v></c><c><v>4</v></c></row>'
    )
    assert cells_of(xlsx(rows)) == [["1", "zwei", ""], ["", "", ""], ["", "", ""], ["", "3", "4"]]


def test_xlsx_rows_cells_and_shared_texts_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_ROWS", 5)
    monkeypatch.setattr(readers, "MAX_CELLS", 12)
    assert len(cells_of(xlsx(number_row(1, range(1, 3)) + number_row(5, range(1, 2))))) == 5
    with pytest.raises(ImportProblem, match="mehr als 5 Zeilen"):
        read_cells(xlsx(number_row(1, range(1, 3)) + number_row(6, range(1, 2))), "t.xlsx")
    assert len(cells_of(xlsx(number_row(1, range(1, 5)) + number_row(3, range(1, 2))))) == 3  # 3 × 4 = 12
    with pytest.raises(ImportProblem, match="mehr als 12 Zellen"):
        read_cells(xlsx(number_row(1, range(1, 6)) + number_row(3, range(1, 2))), "t.xlsx")  # 3 × 5
    empty_cells = '<row r="1">' + '<c s="1"/>' * 13 + "</row>"
    with pytest.raises(ImportProblem, match="mehr als 12 Zellen"):
        read_cells(xlsx(empty_cells), "t.xlsx")
    with pytest.raises(ImportProblem, match="mehr als 12 Zellen"):
        read_cells(xlsx(number_row(1, range(1, 3)), strings=[f"t{i}" for i in range(13)]), "t.xlsx")


# --- CSV ------------------------------------------------------------------------------------


def test_csv_columns_up_to_the_limit_are_read_one_more_is_refused() -> None:
    assert read_cells(b";" * (MAX_COLUMNS - 1) + b"\n", "t.csv")[0].shape == (1, MAX_COLUMNS)
    with pytest.raises(ImportProblem, match=r"mehr als 1\.000 Spalten"):
        read_cells(b"a;b\n" + b";" * MAX_COLUMNS + b"\n", "t.csv")


def test_csv_separators_inside_quotes_are_not_columns() -> None:
    data = b'Gebiet;Notiz\nwiesdorf;"' + b";" * 5_000 + b'"\n'
    assert read_cells(data, "t.csv")[0].shape == (2, 2)


def test_csv_cells_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_CELLS", 12)
    assert read_cells(b"a;b;c\n" * 3 + b"a;b;c", "t.csv")[0].shape == (4, 3)
    with pytest.raises(ImportProblem, match="mehr als 12 Zellen"):
        read_cells(b"a;b;c\n" * 4 + b"a;b;c", "t.csv")


def test_csv_rows_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_ROWS", 3)
    assert read_cells(b"a;b\n" * 3, "t.csv")[0].shape[0] == 3
    with pytest.raises(ImportProblem, match="mehr als 3 Zeilen"):
        read_cells(b"a;b\n" * 4, "t.csv")


@pytest.mark.parametrize(
    ("data", "row"),
    [
        (b'Gebiet;Wert\n"wiesdorf;1\nmanfort;2\n', 2),
        (b'Gebiet;Wert\nwiesdorf;1;9;9\nmanfort;2\nopladen;"3\n', 4),  # ragged rows: read by the csv module
        (b'Gebiet;Notiz\nwiesdorf;"zwei\nZeilen"\nmanfort;"offen\n', 4),
        (b'Gebiet;Wert\n"a"b;1\n"offen;2\n', 3),  # the csv module stops earlier: pandas' record number
    ],
)
def test_csv_unbalanced_quote_names_its_line(data: bytes, row: int) -> None:
    with pytest.raises(
        ImportProblem, match=f"Anführungszeichen ohne Gegenstück: Das Feld, das in Zeile {row} "
    ):
        read_cells(data, "t.csv")


def test_csv_quote_inside_a_field_is_text() -> None:
    assert cells_of(b'Gebiet;Name\n1;12" Zoll\n', "t.csv")[1] == ["1", '12" Zoll']


@pytest.mark.parametrize(
    "data",
    [b"Gebiet;Indikator;Jahr;Wert\n", b"Gebiet;Indikator;Jahr;Wert\n\nQuelle: Amt\n", b"Gebiet;2020;2021\n"],
)
def test_header_only_files_say_they_have_no_data_rows(data: bytes) -> None:
    with pytest.raises(ImportProblem, match=r"keine Datenzeilen: unter den Spaltennamen \(Zeile 1\)"):
        read_table(data, "t.csv", indicator="sgb2_quote")


# --- ZIP ------------------------------------------------------------------------------------

MEMBERS = {"a.txt": b"Inhalt " * 50, "b.txt": b"mehr"}


def test_zip_encrypted_and_unsupported_method_refused_on_opening() -> None:
    with pytest.raises(ImportProblem, match="verschlüsselt"):
        open_zip(patched(zip_of(MEMBERS), flag=0x1))
    with pytest.raises(
        ImportProblem,
        match=r"„a\.txt“ im Archiv ist mit einem nicht unterstützten Verfahren gepackt \(Methode 9;",
    ):
        open_zip(patched(zip_of(MEMBERS), method=9))
    with pytest.raises(ImportProblem, match="kein lesbares ZIP"):
        open_zip(b"PK\x03\x04 kaputt")


def test_zip_member_with_wrong_checksum_or_broken_data_refused_when_read() -> None:
    with open_zip(crc_broken(MEMBERS, "a.txt")) as archive:
        assert archive.read("b.txt") == b"mehr"
        with pytest.raises(ImportProblem, match=r"„a\.txt“ im Archiv ist beschädigt \(Prüfsumme falsch\)"):
            archive.read("a.txt")
    deflated = bytearray(zip_of(MEMBERS))
    header = deflated.find(b"a.txt") + len("a.txt")
    deflated[header : header + 8] = b"\xff" * 8
    with (
        open_zip(bytes(deflated)) as archive,
        pytest.raises(ImportProblem, match=r"„a\.txt“ im Archiv ist beschädigt"),
    ):
        archive.read("a.txt")


def test_xlsx_zip_bomb_refused_before_inflating() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (5 * 1024 * 1024))
    with pytest.raises(ImportProblem, match=r"ZIP-Bombe.*höchstens das 200-Fache"):
        read_cells(buffer.getvalue(), "bombe.xlsx")


# --- time budget ----------------------------------------------------------------------------


def test_deadline_only_inside_a_budget_and_never_extended() -> None:
    check_deadline()
    with import_budget(0.001):
        time.sleep(0.01)
        with pytest.raises(ImportProblem, match="Zeitgrenze von 0,001 Sekunden"):
            check_deadline()
        with import_budget(100), pytest.raises(ImportProblem, match="Zeitgrenze"):
            check_deadline()
    with import_budget(100):
        check_deadline()


def test_prepare_stops_at_the_time_budget_and_changes_nothing(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(problems, "MAX_SECONDS", 0.005)
    steps: list[str] = []

    def slow(fraction: float, text: str) -> None:
        steps.append(text)
        time.sleep(0.01)

    before = fingerprint(sqlite_engine)
    with pytest.raises(ImportProblem, match="Zeitgrenze von 0,005 Sekunden überschritten"):
        prepare(sqlite_engine, LONG, "t.csv", ImportOptions(source="Test"), slow)
    assert steps == ["Datei wird gelesen …"]
    assert fingerprint(sqlite_engine) == before


def test_boundary_and_area_imports_have_the_same_budget(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(problems, "MAX_SECONDS", 0.0)
    shapes = (
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "wiesdorf"}, '
        b'"geometry": {"type": "Polygon", "coordinates": [[[6.97, 51.03], [6.98, 51.03], [6.98, 51.04], [6.97, 51.03]]]}}]}'
    )
    with pytest.raises(ImportProblem, match="Zeitgrenze von 0 Sekunden"):
        prepare_boundaries(sqlite_engine, shapes, "grenzen.geojson", ImportOptions(source="Test"))
    with pytest.raises(ImportProblem, match="Zeitgrenze von 0 Sekunden"):
        prepare_areas(sqlite_engine, b"code;name;parent\nx1;Neu;wiesdorf\n", "gebiete.csv", ImportOptions(source="Test"))
