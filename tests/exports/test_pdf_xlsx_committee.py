"""Council-ready PDF and XLSX (issue 14): PDF tables without broken words, sized columns, landscape
for wide tables, repeated headers, page numbers, source line, title and language; XLSX with numbers,
dates and symbols in typed cells, units in the header, widths, frozen header, formula-safe text.

Each export is built once per module, without chart rendering (a plain PNG stands in for charts).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.workbook.workbook import Workbook
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import Engine, select

from sozdash.core.permissions import Actor
from sozdash.exports import all_data, tables
from sozdash.exports import pdf as pdf_export
from sozdash.exports.render import RenderedSlide
from sozdash.meetings import agenda, slides
from sozdash.store import db
from sozdash.store.models import Indicator

SESSION_DATE = dt.date(2018, 4, 16)
COUNCILLOR = Actor(username="rat.mitglied", role="rat")
LONG_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{12,}")


@pytest.fixture(scope="module")
def seeded(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("committee") / "sozdash.sqlite"
    path.write_bytes(sqlite_template.read_bytes())
    engine = db.get_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def session_slides(seeded: Engine) -> list[RenderedSlide]:
    """The 2018 session's slides as the councillor sees them, each with a 16:9 stand-in chart."""
    image = io.BytesIO()
    Image.new("RGB", (160, 90), "white").save(image, format="PNG")
    info = agenda.meeting(seeded, "sozialausschuss-2018")
    return [
        RenderedSlide(ref, slides.build(seeded, ref.view, SESSION_DATE, COUNCILLOR), image.getvalue())
        for ref in agenda.slides(seeded, info.id)
    ]


@pytest.fixture(scope="module")
def handout(seeded: Engine, session_slides: list[RenderedSlide]) -> PdfReader:
    info = agenda.meeting(seeded, "sozialausschuss-2018")
    return PdfReader(io.BytesIO(pdf_export.handout_pdf(info, session_slides, SESSION_DATE, "Leverkusen")))


@pytest.fixture(scope="module")
def profile(seeded: Engine) -> PdfReader:
    return PdfReader(io.BytesIO(pdf_export.profile_pdf(seeded, "rheindorf", 2017, COUNCILLOR, charts=False)))


@pytest.fixture(scope="module")
def slide_book(session_slides: list[RenderedSlide]) -> Workbook:
    sheets = {f"Folie {s.ref.number}": s.content.table for s in session_slides}
    return openpyxl.load_workbook(io.BytesIO(tables.workbook_bytes(sheets)))


@pytest.fixture(scope="module")
def data_book(seeded: Engine) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(all_data.export_file(seeded, "sozialdashboard_daten.xlsx")))


def _pages(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def _table_words(frame: pd.DataFrame) -> set[str]:
    """Long words in the cells and headers a PDF table shows (its first rows)."""
    shown = frame.head(pdf_export.MAX_TABLE_ROWS)
    texts = [str(c) for c in shown.columns] + [pdf_export.cell_text(v) for v in shown.to_numpy().ravel()]
    return {word for text in texts for word in LONG_WORD.findall(text)}


def test_pdf_tables_never_break_a_word(handout: PdfReader, profile: PdfReader, session_slides: list[RenderedSlide]) -> None:
    # line breaks are kept: a word split over two lines would not be found
    profile_text = "\n".join(_pages(profile))
    assert "Arbeitslose unter 25 Jahren (Bevölkerungsbezug)" in " ".join(profile_text.split())
    assert "Bevölkerungsbezug" in profile_text and "Bevölkerungsbezu\n" not in profile_text
    handout_text = "\n".join(_pages(handout))
    words = set().union(*(_table_words(s.content.table) for s in session_slides))
    assert {"Quartiershausmeister", "Bevölkerungsbezug", "Interessenbekundung"} <= words
    assert sorted(w for w in words if w not in handout_text) == []


def test_pdf_every_page_has_number_and_source_line(handout: PdfReader, profile: PdfReader) -> None:
    for reader, source in (
        (handout, "Quelle: Sozialdashboard Leverkusen, Folien Stand: 16.04.2018"),
        (profile, "Quelle: Indikatoren des Sozialdashboards Leverkusen, Datenjahr 2017"),
    ):
        pages = [" ".join(text.split()) for text in _pages(reader)]
        for number, text in enumerate(pages, start=1):
            assert f"Seite {number} von {len(pages)}" in text and source in text


def test_pdf_has_title_language_and_outline(handout: PdfReader, profile: PdfReader) -> None:
    for reader, title in (
        (handout, "Sitzung 2018 – Mitteilungen der Verwaltung – Tischvorlage"),
        (profile, "Stadtteilprofil Rheindorf 2017"),
    ):
        catalog = reader.trailer["/Root"]
        assert reader.metadata.title == title and catalog["/Lang"] == "de"
        assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
        assert reader.outline  # headings as bookmarks
    catalog = handout.trailer["/Root"]  # charts are figures with alt text in the structure tree
    assert bool(catalog["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in catalog


def _lowest_text(page: object) -> float:
    """The lowest body text on a page (points from the bottom), the footer left out."""
    heights: list[float] = []
    page.extract_text(visitor_text=lambda text, _cm, tm, _fd, _fs: heights.append(tm[5]) if text.strip() else None)  # type: ignore[attr-defined]
    return min(h for h in heights if h > 20 * 72 / 25.4)


def test_pdf_pages_are_filled_and_counted_sanely(handout: PdfReader, profile: PdfReader) -> None:
    # the profile starts no page per Lebenslage: every page but the last is filled past its middle
    assert 2 <= len(profile.pages) <= 5
    for page in profile.pages[:-1]:
        assert _lowest_text(page) < page.mediabox.height / 2
    # the handout: cover, 3 agenda items, 7 slides; at most a page for each slide and its table
    assert 4 <= len(handout.pages) <= 1 + 2 * 7


def test_wide_table_goes_landscape_with_repeated_header_and_whole_words() -> None:
    # ten long words side by side do not fit even a landscape page at 7 pt: the font shrinks
    columns = [f"Spalte{i}" for i in range(1, 11)]
    frame = pd.DataFrame(
        [[f"Zeile {r} Sozialraumorientierung Kinder- und Jugendhilfeplanung {c}" for c in range(10)] for r in range(40)],
        columns=columns,
    )
    doc = pdf_export.Document("Breit", "Teststadt")
    doc.add_page()
    doc.paragraph("Vorher")
    doc.data_table(frame)
    reader = PdfReader(io.BytesIO(doc.bytes()))
    table_pages = [p for p in reader.pages if "Zeile" in p.extract_text()]
    assert len(table_pages) > 1
    for page in table_pages:
        assert page.mediabox.width > page.mediabox.height  # landscape
        assert " ".join(columns) in " ".join(page.extract_text().split())  # header row repeated
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert text.count("Sozialraumorientierung") == 40 * 10 and text.count("Jugendhilfeplanung") == 40 * 10


def test_table_columns_are_sized_to_their_content() -> None:
    doc = pdf_export.Document("Test", "Teststadt")
    doc.add_page()
    texts = [["Nr", "Beschreibung"], ["1", "Ein langer Text über die Angebote im Quartier " * 4], ["2", "kurz"]]
    layout = doc.table_layout(texts, 8, doc.epw)
    assert sum(layout.widths) == pytest.approx(doc.epw) and layout.size == 8
    assert layout.widths[1] > 5 * layout.widths[0]
    doc.set_font(pdf_export.FAMILY, "B", 8)
    assert layout.widths[0] >= doc.get_string_width("Nr") + 2 * pdf_export.PADDING


def _header(sheet: object) -> list[str]:
    return [c.value for c in sheet[1]]  # type: ignore[index]


def test_xlsx_slide_tables_hold_numbers_with_units_and_formats(slide_book: Workbook) -> None:
    sheet = next(s for s in slide_book if "Gebiet" in _header(s) and "Wert (%)" in _header(s))  # SGB-II-Quote
    header = _header(sheet)
    rows = {r[header.index("Gebiet")].value: r for r in sheet.iter_rows(min_row=2) if r[1].value}
    value = rows["Rheindorf"][header.index("Wert (%)")]
    assert value.data_type == "n" and value.value == round(2806 / 13720 * 100, 1) == 20.5  # demo_observations.csv
    assert value.number_format == '#,##0.0" %"'
    deviation = rows["Rheindorf"][header.index("Abweichung vom Stadtwert (Prozentpunkte)")]
    city = rows["Rheindorf"][header.index("Stadtwert (%)")]
    assert deviation.data_type == "n" and deviation.value == pytest.approx(value.value - city.value, abs=0.11)
    assert deviation.number_format.startswith("+#,##0.0;")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert not (isinstance(cell.value, str) and re.fullmatch(r"'?[+\-−]?[\d.]+(,\d+)?( %)?", cell.value))


def test_xlsx_dates_are_dates_and_other_dates_stay_text(slide_book: Workbook) -> None:
    sheet = next(s for s in slide_book if "Projekt" in _header(s))  # BIWAQ timeline
    dates = [row[0] for row in sheet.iter_rows(min_row=2) if row[0].value is not None]
    first = dates[0]
    assert first.is_date and first.value == dt.datetime(2014, 4, 1) and first.number_format == "DD.MM.YYYY"
    assert "Dezember 2014" in [c.value for c in dates]  # month precision stays as written


def test_xlsx_sheets_have_frozen_header_widths_and_bold_header(slide_book: Workbook, data_book: Workbook) -> None:
    for sheet in [*slide_book, *data_book]:
        assert sheet.freeze_panes == "A2"
        assert all(sheet[1][i].font.b for i in range(sheet.max_column))
        for letter in "ABC"[: sheet.max_column]:
            assert sheet.column_dimensions[letter].width >= tables.MIN_WIDTH


def test_xlsx_all_data_values_rounded_symbols_text_and_explained(seeded: Engine, data_book: Workbook) -> None:
    with seeded.connect() as conn:
        decimals = dict(conn.execute(select(Indicator.key, Indicator.decimals)).all())
    sheet = data_book["Werte"]
    header = _header(sheet)
    wert, key, status = header.index("Wert"), header.index("Indikator"), header.index("Status")
    symbols, checked = set(), 0
    for row in sheet.iter_rows(min_row=2):
        if row[key].value is None:
            break  # the explanation below the table
        cell = row[wert]
        if row[status].value in {"suppressed", "missing"}:
            assert cell.data_type == "s"
            symbols.add(cell.value)
        elif isinstance(cell.value, float):
            places = decimals[row[key].value]
            assert cell.value == round(cell.value, places) and cell.number_format == tables.number_format(places)
            checked += 1
    assert checked > 1000 and "*" in symbols
    notes = [c.value for c in sheet["A"] if isinstance(c.value, str) and " = " in c.value]
    assert "* = Wert unter der Geheimhaltungsschwelle" in notes
    assert sheet.cell(row=2, column=header.index("Jahr") + 1).number_format == "0"  # a year, not 2.012


def test_xlsx_text_stays_inert_and_display_numbers_become_numbers() -> None:
    frame = pd.DataFrame({
        "Text": ['=HYPERLINK("http://x")', "@SUM(A1)", "+A1", "-", "05316000", "normal"],
        "Anzahl": ["−1.234,5 Personen", "+8,3 Personen", "*", "12 Personen", None, "2 Personen"],
        "Zahl": [1.5, -2.0, 3.25, 4.0, 5.0, 6.0],
    })  # fmt: skip
    sheet = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx_bytes(frame))).active
    assert [c.value for c in sheet[1]] == ["Text", "Anzahl (Personen)", "Zahl"]
    texts = [c for c in sheet["A"][1:7]]
    assert [c.value for c in texts] == ['\'=HYPERLINK("http://x")', "'@SUM(A1)", "'+A1", "-", "05316000", "normal"]
    assert all(c.data_type == "s" for c in texts)
    counts = [c.value for c in sheet["B"][1:7]]
    assert counts == [-1234.5, 8.3, "*", 12, None, 2]
    assert sheet["B2"].data_type == "n" and sheet["B2"].number_format == '#,##0.0" Personen"'
    assert sheet["B4"].data_type == "s"
    assert [c.value for c in sheet["C"][1:7]] == [1.5, -2.0, 3.25, 4.0, 5.0, 6.0]
    assert sheet["C2"].number_format == "#,##0.00"
    assert [c.value for c in sheet["A"][7:]] == [None, "Zeichenerklärung:", "- = nichts vorhanden", "* = Wert unter der Geheimhaltungsschwelle"]


def test_handout_carries_the_full_text_the_slides_shorten(handout: PdfReader, session_slides: list[RenderedSlide]) -> None:
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in handout.pages)
    shortened = [s.content for s in session_slides if s.content.notes and s.content.notes != s.content.summary]
    assert shortened  # the 2018 session has slides whose text is cut to three sentences
    for content in shortened:
        last_words = " ".join(content.notes.split()[-6:])  # from the part the slide leaves out
        assert last_words in text, content.title
