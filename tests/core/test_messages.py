"""pydantic's validation errors in German, with the fields' German labels."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pytest
from pydantic import BaseModel, Field, ValidationError

from sozdash.core.messages import validation_message
from sozdash.importing.validate import ImportOptions


class _Form(BaseModel):
    source: str = Field(min_length=2, max_length=5)
    decimal: Literal["auto", ",", "."] = "auto"
    decimals: int = Field(default=1, ge=0, le=6)
    period: dt.date | None = None
    create_indicators: bool = False
    level_names: list[str] = Field(default=[], max_length=1)


def _message(**values: object) -> str:
    with pytest.raises(ValidationError) as info:
        _Form.model_validate(values)
    return validation_message(info.value)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, "Ungültige Angabe: Quelle: fehlt."),
        ({"source": "x"}, "Ungültige Angabe: Quelle: muss mindestens 2 Zeichen lang sein."),
        ({"source": "x" * 6}, "Ungültige Angabe: Quelle: darf höchstens 5 Zeichen lang sein."),
        ({"source": 5}, "Ungültige Angabe: Quelle: muss ein Text sein."),
        (
            {"source": "ab", "decimal": ";"},
            "Ungültige Angabe: Dezimaltrennzeichen: muss einer dieser Werte sein: 'auto', ',' oder '.'.",
        ),
        (
            {"source": "ab", "decimals": "zwei"},
            "Ungültige Angabe: Nachkommastellen: muss eine ganze Zahl sein.",
        ),
        ({"source": "ab", "decimals": 1.5}, "Ungültige Angabe: Nachkommastellen: muss eine ganze Zahl sein."),
        ({"source": "ab", "decimals": -1}, "Ungültige Angabe: Nachkommastellen: muss mindestens 0 sein."),
        ({"source": "ab", "decimals": 7}, "Ungültige Angabe: Nachkommastellen: darf höchstens 6 sein."),
        (
            {"source": "ab", "period": "2022-13-45"},
            "Ungültige Angabe: Jahr: muss ein Datum sein (JJJJ-MM-TT).",
        ),
        (
            {"source": "ab", "create_indicators": "vielleicht"},
            "Ungültige Angabe: Indikatoren anlegen: muss ja oder nein sein.",
        ),
        (
            {"source": "ab", "level_names": ["a", "b"]},
            "Ungültige Angabe: Namen der Gebietsebenen: darf höchstens 1 Einträge haben.",
        ),
        (
            {"source": "ab", "level_names": "a"},
            "Ungültige Angabe: Namen der Gebietsebenen: muss eine Liste sein.",
        ),
    ],
)
def test_each_error_type_is_german(values: dict[str, object], expected: str) -> None:
    assert _message(**values) == expected


def test_nested_fields_and_own_validators_of_the_import_options() -> None:
    with pytest.raises(ValidationError) as info:
        ImportOptions.model_validate({
            "source": "Amt",
            "layout": {"header_row": -1, "years": {"3": 1800}, "row_levels": [{"first_row": 0, "last_row": 2, "level": "x"}]},
            "new_indicators": [{"key": "Quote", "name": "Q", "lebenslage": "arm", "unit": "%", "polarity": "neutral",
                                "source": "Amt"}],
        })  # fmt: skip
    message = validation_message(info.value)
    assert "Aufbau der Tabelle › Zeile der Spaltennamen: muss mindestens 0 sein" in message
    assert "Aufbau der Tabelle › Jahre der Spalten: Jahr außerhalb 1900–2200: 3=1800" in message
    assert "Aufbau der Tabelle › Ebenen der Zeilen Nr. 1 › erste Zeile: muss mindestens 1 sein" in message
    assert "Neue Indikatoren Nr. 1 › Schlüssel: hat nicht die erwartete Form" in message
    assert "Neue Indikatoren Nr. 1 › Lebenslage: unbekannte Lebenslage 'arm'" in message
    for english in ("should", "Input", "Value error", "Field required"):
        assert english not in message
