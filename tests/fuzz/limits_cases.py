"""Files that once exhausted the server or read as nothing (issue 13, points 1, 6 and 7), made in
memory: each small, each still reproducing its case."""

from __future__ import annotations

import io
import struct
import zipfile

from tests.fuzz.case import FuzzCase

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Tabelle1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        '<Relationship Id="rId2" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
        "</Relationships>"
    ),
}


def xlsx(rows: str, dimension: str = "A1", strings: list[str] | None = None) -> bytes:
    """A minimal workbook whose first sheet holds ``rows`` (the XML inside ``<sheetData>``)."""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )
    shared = "".join(f"<si><t>{text}</t></si>" for text in strings or [])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{shared}</sst>')
    return buffer.getvalue()


def number_row(row: int, columns: range) -> str:
    """One sheet row with the value 1 in each of ``columns`` (1-based), cells named ``A1`` …"""
    from openpyxl.utils import get_column_letter

    cells = "".join(f'<c r="{get_column_letter(c)}{row}"><v>1</v></c>' for c in columns)
    return f'<row r="{row}">{cells}</row>'


def dimension_bomb() -> bytes:
    """A sheet declaring ``A1:XFD1048576`` with one cell in the last row and column (4.7 kB in the
    issue: openpyxl padded every row to the declared size)."""
    return xlsx(number_row(1_048_576, range(16_384, 16_385)), "A1:XFD1048576")


def tall_dimension() -> bytes:
    """Declared ``A1:XFD1048576``; real content a small long table. Must be read as what it holds."""
    header = '<row r="1">' + "".join(
        f'<c r="{col}1" t="s"><v>{i}</v></c>' for i, col in enumerate("ABCD")
    ) + "</row>"  # fmt: skip
    data = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>wiesdorf</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>sgb2_quote</t></is></c><c r="C2"><v>2021</v></c><c r="D2"><v>9.5</v></c></row>'
    )
    return xlsx(header + data, "A1:XFD1048576", ["Gebiet", "Indikator", "Jahr", "Wert"])


def zip_of(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


SHAPEFILE = {"grenzen.shp": b"\x00\x00\x27\x0a" + b"\x00" * 96, "grenzen.shx": b"\x00" * 100,
             "grenzen.dbf": b"\x03" + b"\x00" * 40, "grenzen.prj": b'GEOGCS["WGS 84"]'}  # fmt: skip


def patched(data: bytes, *, flag: int = 0, method: int | None = None) -> bytes:
    """``data`` (a ZIP) with general-purpose ``flag`` bits set and the compression ``method``
    replaced in every local and central header (what other packers write)."""
    out = bytearray(data)
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = out.find(signature)
        while start >= 0:
            old = struct.unpack_from("<H", out, start + flag_at)[0]
            struct.pack_into("<H", out, start + flag_at, old | flag)
            if method is not None:
                struct.pack_into("<H", out, start + method_at, method)
            start = out.find(signature, start + 4)
    return bytes(out)


def crc_broken(members: dict[str, bytes], victim: str) -> bytes:
    """Stored (uncompressed) members, one byte of ``victim``'s content changed after packing."""
    data = bytearray(zip_of(members, zipfile.ZIP_STORED))
    at = data.find(members[victim])
    data[at] ^= 0xFF
    return bytes(data)


def _sheet_members() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(tall_dimension())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


OLE_ENCRYPTED = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 400
)
"""The start of a password-protected Excel file (an OLE container with an EncryptionInfo stream)."""

CASES: list[FuzzCase] = [
    FuzzCase("xlsx_dimension_bomb", "bombe.xlsx", "table", dimension_bomb, "mehr als 1.000 Spalten"),
    FuzzCase("xlsx_declared_huge_but_small", "gross_erklaert.xlsx", "table", tall_dimension, ""),
    FuzzCase(
        "xlsx_16384_real_columns",
        "breit.xlsx",
        "table",
        lambda: xlsx(number_row(1, range(1, 16_385)), "A1:XFD1"),
        "mehr als 1.000 Spalten",
    ),
    FuzzCase(
        "xlsx_row_beyond_limit",
        "tief.xlsx",
        "table",
        lambda: xlsx(number_row(1, range(1, 3)) + number_row(2_000_001, range(1, 2))),
        "mehr als 2.000.000 Zeilen",
    ),
    FuzzCase(
        "xlsx_cells_beyond_limit",
        "flaeche.xlsx",
        "table",
        lambda: xlsx(number_row(1, range(1, 1_001)) + number_row(5_001, range(1, 2))),
        "mehr als 5.000.000 Zellen",
    ),
    FuzzCase(
        "csv_100000_empty_columns",
        "spalten.csv",
        "table",
        lambda: (b";" * 99_999 + b"\n") * 2,
        "mehr als 1.000 Spalten",
    ),
    FuzzCase(
        "csv_too_many_rows",
        "zeilen.csv",
        "table",
        lambda: b"Gebiet;Wert\n" + b"a;1\n" * 2_000_001,
        "mehr als 2.000.000 Zeilen",
    ),
    FuzzCase(
        "csv_unbalanced_quote",
        "anfuehrung.csv",
        "table",
        lambda: (
            b'Gebiet;Indikator;Jahr;Wert\nwiesdorf;sgb2_quote;2021;9,5\n"manfort;sgb2_quote;2021;8,1\n'
            b"opladen;sgb2_quote;2021;7,0\n"
        ),
        "Anführungszeichen ohne Gegenstück: Das Feld, das in Zeile 3",
    ),
    FuzzCase(
        "csv_header_only",
        "nur_kopf.csv",
        "table",
        lambda: b"Gebiet;Indikator;Jahr;Wert\r\n",
        "keine Datenzeilen: unter den Spaltennamen (Zeile 1)",
    ),
    FuzzCase(
        "csv_wide_header_only",
        "nur_kopf_breit.csv",
        "table",
        lambda: b"Gebiet;2020;2021\n\n\n",
        "keine Datenzeilen",
    ),
    FuzzCase(
        "oversized_file",
        "riesig.csv",
        "table",
        lambda: b"Gebiet;Wert\n" + b" " * (50 * 1024 * 1024),
        "zu groß (höchstens 50 MB)",
    ),
    FuzzCase(
        "shapefile_zip_encrypted",
        "grenzen.zip",
        "boundaries",
        lambda: patched(zip_of(SHAPEFILE), flag=0x1),
        "verschlüsselt",
    ),
    FuzzCase(
        "xlsx_zip_encrypted",
        "verschluesselt.xlsx",
        "table",
        lambda: patched(tall_dimension(), flag=0x1),
        "verschlüsselt",
    ),
    FuzzCase("xlsx_password_protected", "kennwort.xlsx", "table", lambda: OLE_ENCRYPTED, "Kennwort"),
    FuzzCase(
        "shapefile_zip_crc_broken",
        "grenzen.zip",
        "boundaries",
        lambda: crc_broken(SHAPEFILE, "grenzen.shp"),
        "„grenzen.shp“ im Archiv ist beschädigt (Prüfsumme falsch)",
    ),
    FuzzCase(
        "xlsx_sheet_crc_broken",
        "pruefsumme.xlsx",
        "table",
        lambda: crc_broken(_sheet_members(), "xl/worksheets/sheet1.xml"),
        "Prüfsumme falsch",
    ),
    FuzzCase(
        "shapefile_zip_unsupported_method",
        "grenzen.zip",
        "boundaries",
        lambda: patched(zip_of(SHAPEFILE), method=9),
        "nicht unterstützten Verfahren gepackt (Methode 9",
    ),
    FuzzCase(
        "xlsx_zip_aes_method",
        "aes.xlsx",
        "table",
        lambda: patched(tall_dimension(), method=99),
        "nicht unterstützten Verfahren gepackt (Methode 99",
    ),
]
