"""Texts that name the city take it from the city record (funding timeline, PDF creator)."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader
from sqlalchemy import Engine, update

from sozdash.core.permissions import Actor
from sozdash.exports import pdf as pdf_export
from sozdash.programmes import funding
from sozdash.store.db import session_scope
from sozdash.store.models import City

COUNCILLOR = Actor(username="rat.mitglied", role="rat")


def _rename_city(engine: Engine, name: str) -> None:
    with session_scope(engine) as session:
        session.execute(update(City).values(name=name))


def test_funding_timeline_names_the_city_of_the_record(engine: Engine) -> None:
    _rename_city(engine, "Teststadt")
    _, summary, table = funding.funding_timeline_figure(engine, dt.date(2018, 5, 1))
    assert "Leverkusen" not in table.columns and "Teststadt" in table.columns
    part = dict(zip(table["Förderrunde"], table["Teststadt"], strict=True))
    assert part["Soziale Stadt Rheindorf-Nord 2007–2013"] == "✓ Teststadt gefördert"
    assert "Teststadt wurde gefördert in: " in summary and "Leverkusen" not in summary


def test_involvement_labels_name_the_city() -> None:
    labels = funding.involvement_labels("Hamburg")
    assert labels == {
        "gefoerdert": "✓ Hamburg gefördert", "beantragt": "◔ Hamburg hat beantragt (offen)",
        "nicht": "✗ Hamburg nicht berücksichtigt", "kommunal": "■ kommunales Programm (Wirkungspakete)",
        "keine": "– keine Beteiligung von Hamburg erfasst",
    }  # fmt: skip
    assert set(labels) == set(funding.INVOLVEMENT_COLOURS)


def test_pdf_creator_is_the_dashboard_of_the_city(sqlite_engine: Engine) -> None:
    pdf = pdf_export.profile_pdf(sqlite_engine, "rheindorf", 2017, COUNCILLOR, charts=False)
    assert PdfReader(io.BytesIO(pdf)).metadata.creator == "Sozialdashboard Leverkusen"
    _rename_city(sqlite_engine, "Teststadt")
    pdf = pdf_export.profile_pdf(sqlite_engine, "rheindorf", 2017, COUNCILLOR, charts=False)
    assert PdfReader(io.BytesIO(pdf)).metadata.creator == "Sozialdashboard Teststadt"
