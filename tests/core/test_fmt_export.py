"""German formatting and formula-safe exports."""

import datetime as dt
import io

import openpyxl
import pandas as pd

from sozdash.core import fmt
from sozdash.exports.tables import neutralise_formulas, to_csv_bytes, to_xlsx_bytes


def test_numbers_use_decimal_comma_and_thousands_dot() -> None:
    assert fmt.number(1234.5, 1) == "1.234,5"
    assert fmt.number(1234567) == "1.234.567"
    assert fmt.value_with_unit(12.345, "%", 1) == "12,3 %"
    assert fmt.number(None) == "–"
    assert fmt.number(float("nan"), 2) == "–"
    assert fmt.euro(167805.41, 2) == "167.805,41 €"
    assert fmt.signed(1.25, 1) == "+1,2"
    assert fmt.signed(-0.4, 1) == "−0,4"
    assert fmt.signed(-0.004, 2) == "0,00" and fmt.signed(0.0, 1) == "0,0"  # never "−0,00"


def test_dates_in_german_with_precision() -> None:
    assert fmt.date(dt.date(2024, 12, 31)) == "31.12.2024"
    assert fmt.date(dt.date(2014, 12, 1), "month") == "Dezember 2014"
    assert fmt.date(dt.date(2018, 1, 1), "year") == "2018"
    assert fmt.date(dt.date(2018, 4, 17), "after") == "frühestens 17.04.2018"


def test_formula_cells_are_neutralised_numbers_untouched() -> None:
    frame = pd.DataFrame(
        {"Name": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "Wiesdorf"], "Wert": [1, 2, 3, 4, 5]}
    )
    safe = neutralise_formulas(frame)
    assert list(safe["Name"]) == ['\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)", "Wiesdorf"]
    assert list(safe["Wert"]) == [1, 2, 3, 4, 5]
    assert b"'=HYPERLINK" in to_csv_bytes(frame)
    assert neutralise_formulas(pd.DataFrame({"Wert": ["-", "*", "-1+2"]}))["Wert"].tolist() == [
        "-",
        "*",
        "'-1+2",
    ]


def test_xlsx_keeps_numbers_and_has_no_formula() -> None:
    frame = pd.DataFrame({"Gebiet": ["=1+1", "Opladen"], "Quote": [12.5, 3.25]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    assert sheet["A2"].value == "'=1+1" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 12.5 and sheet["B3"].value == 3.25
