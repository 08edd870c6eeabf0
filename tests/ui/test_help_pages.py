"""AppTest of the help pages: the accessibility statement and the page in Leichter Sprache."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine, update
from streamlit.testing.v1 import AppTest

from sozdash.core import accessibility
from sozdash.core.navigation import pages_for
from sozdash.store.models import City
from tests.apptest import assert_clean, open_page

STATEMENT, EASY = "pages/barrierefreiheit.py", "pages/leichte_sprache.py"
ABBREVIATIONS = re.compile(r"z\.\s?B\.|bzw\.|usw\.|d\.\s?h\.|ca\.|ggf\.|etc\.|u\.\s?a\.|\b[A-ZÄÖÜ]{2,}\b")


def _text(at: AppTest) -> str:
    return "\n".join(e.value for e in [*at.title, *at.header, *at.markdown, *at.warning])


def test_both_pages_are_public_in_the_help_section() -> None:
    public = pages_for("oeffentlich")
    assert [p.file for p in public["Hilfe"]] == [STATEMENT, EASY]


def test_statement_gives_status_gaps_contact_date_and_arbitration(
    app_env: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(accessibility.CONTACT_SETTING, "Sozialplanung, Telefon 0214 406-0")
    monkeypatch.setenv(accessibility.DATE_SETTING, "2026-03-01")
    at = open_page(STATEMENT)
    assert_clean(at)
    text = _text(at)
    assert "teilweise vereinbar" in text
    for topic in ("Seitennavigation", "Karten", "Diagramme", "PDF/UA", "Gebärdensprache"):
        assert topic in text, topic
    assert "Sozialplanung, Telefon 0214 406-0" in text
    assert "Stand der Erklärung:** 01.03.2026" in text
    assert "Schlichtungsstelle nach § 16 BGG" in text
    assert "Mauerstraße 53, 10117 Berlin" in text
    assert "https://www.schlichtungsstelle-bgg.de" in text
    assert not at.warning


def test_statement_without_settings_says_what_the_city_must_set(
    app_env: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(accessibility.CONTACT_SETTING, raising=False)
    monkeypatch.setenv(accessibility.DATE_SETTING, "kein Datum")
    at = open_page(STATEMENT)
    assert_clean(at)
    [warning] = at.warning
    assert "noch keine Kontaktstelle" in warning.value and "SOZDASH_ACCESSIBILITY_CONTACT" in warning.value
    assert "Stand der Erklärung:** noch nicht eingetragen" in _text(at)
    assert "@" not in _text(at)  # no made-up address


def test_help_pages_name_the_city_of_the_data(app_env: Engine) -> None:
    with app_env.begin() as conn:
        conn.execute(update(City).values(name="Musterstadt am See"))
    for page in (STATEMENT, EASY):
        at = open_page(page)
        assert_clean(at)
        text = _text(at)
        assert "Musterstadt am See" in text, page
        assert "Leverkusen" not in text, page


def test_leichte_sprache_has_short_plain_sentences_and_explains_hard_words(app_env: Engine) -> None:
    at = open_page(EASY)
    assert_clean(at)
    text = _text(at).replace("**", "").replace("- ", "")
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]
    assert len(sentences) > 40
    long = [s for s in sentences if len(s.split()) > 15]
    assert not long, long
    assert not ABBREVIATIONS.findall(text), ABBREVIATIONS.findall(text)
    for word in ("Dashboard", "Stadt-Teil", "Indikator", "Anteil", "Sozial-Index", "Passwort"):
        assert re.search(rf"{word}( ist ein englisches Wort|:| ist)", text), word
