"""AppTest of the indicator explorer and the indicator catalogue."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.apptest import assert_clean, open_page

EXPLORER = "pages/indikatoren.py"
CATALOGUE = "pages/katalog.py"


def widget(at, label_start: str):
    return next(w for w in [*at.selectbox, *at.radio] if w.label.startswith(label_start))


def summaries(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**Kurz gesagt:**")]


def test_explorer_restores_indicator_year_and_level_from_the_url(app_env: Engine) -> None:
    at = open_page(EXPLORER, query={"ind": "sgb2_quote", "jahr": "2020", "ebene": "stadtbezirk"})
    assert_clean(at)
    assert widget(at, "Lebenslage").value == "einkommen"  # derived from the indicator
    assert widget(at, "Indikator").value == "sgb2_quote"
    assert widget(at, "Jahr").value == 2020
    assert widget(at, "Gebietsebene").value == "stadtbezirk"
    assert "SGB-II-Quote" in at.subheader[0].value and "2020" in at.subheader[0].value
    assert all("Stadtbezirk" in s for s in summaries(at)[:2])
    assert any("Beispieldaten" in w.value for w in at.warning)
    assert any("Schematische Karte" in i.value for i in at.info)
    ranking = next(df.value for df in at.dataframe if "Rang" in df.value.columns)
    assert sorted(ranking["Rang"]) == ["Rang 1 von 3", "Rang 2 von 3", "Rang 3 von 3"]
    assert at.query_params["ind"] == "sgb2_quote"
    # user-supplied metadata is escaped for markdown (fmt.plain); compare the text as shown
    about = next(
        m.value.replace("\\", "")
        for m in at.sidebar.markdown
        if m.value.replace("\\", "").startswith("**SGB-II-Quote**")
    )
    for part in (
        "**Definition:**",
        "**Formel:**",
        "× 100",
        "**Einheit:** %",
        "**Quelle:**",
        "**Stand:** 31.12.2020",
    ):
        assert part in about
    assert "**Herkunft:** Beispieldaten" in about and "geladen am" in about


def test_explorer_never_shows_suppressed_values(app_env: Engine) -> None:
    # Seed values 2014: Manfort 6 / 61 = 9,8 % would reveal the suppressed Hitdorf (45 − 17 − 19 − 6 = 3)
    at = open_page(EXPLORER, query={"ind": "ohne_schulabschluss", "jahr": "2014", "ebene": "stadtteil"})
    assert_clean(at)
    ranking = next(df.value for df in at.dataframe if "Rang" in df.value.columns).set_index("Gebiet")
    assert ranking.loc["Manfort", "Wert"] == "." and ranking.loc["Hitdorf", "Wert"] == "*"
    text = " ".join(summaries(at))
    assert "9,8 %" not in text and "Geheim gehalten (sonst aus der Summe errechenbar): Manfort." in text
    legend = next(df.value for df in at.dataframe if "Klasse" in df.value.columns)
    withheld = legend[legend["Klasse"].str.startswith("geheim gehalten")]
    assert list(withheld["Gebiete"]) == [7]


def test_selected_area_from_url_offers_its_profile_and_time_series(app_env: Engine) -> None:
    at = open_page(EXPLORER, query={"ind": "abiturquote", "jahr": "2024", "gebiet": "rheindorf"})
    assert_clean(at)
    assert widget(at, "Gebiet auswählen").value == "rheindorf"
    links = at.get("page_link")
    assert any(
        "Rheindorf" in link.proto.label
        and "gebiet=rheindorf" in link.proto.query_string
        and "jahr=2024" in link.proto.query_string
        for link in links
    )
    assert at.multiselect[0].value == ["rheindorf"]
    changes = next(
        df.value
        for df in at.dataframe
        if "Gebiet" in df.value.columns and "Trend seit 2023" in df.value.columns
    )
    assert list(changes["Gebiet"]) == ["Rheindorf", "Leverkusen"]
    assert all(t.split(" ")[0] in {"↑", "↓", "→"} for t in changes["Trend seit 2023"])


def test_changing_the_lebenslage_switches_indicator_and_url(app_env: Engine) -> None:
    at = open_page(EXPLORER, query={"ind": "sgb2_quote"})
    widget(at, "Lebenslage").set_value("bildung").run()
    assert_clean(at)
    assert widget(at, "Indikator").value in {
        "abiturquote",
        "ohne_schulabschluss",
        "uebergangsquote_gymnasium",
    }
    assert at.query_params["lage"] == "bildung"
    assert at.query_params["ind"] == widget(at, "Indikator").value


def test_classification_and_deviation_choices_change_the_legend(app_env: Engine) -> None:
    at = open_page(
        EXPLORER, query={"ind": "sgb2_quote", "jahr": "2024", "darstellung": "abweichung", "klassen": "3"}
    )
    assert_clean(at)
    legend = next(df.value for df in at.dataframe if "Klasse" in df.value.columns)
    assert len(legend) == 3 and legend["Gebiete"].sum() == 13
    assert all("Prozentpunkte" in label for label in legend["Klasse"])
    widget(at, "Klassifizierung").set_value("equal_interval").run()
    assert at.query_params["methode"] == "equal_interval"


def test_unknown_url_values_fall_back_without_error(app_env: Engine) -> None:
    at = open_page(
        EXPLORER, query={"ind": "gibt_es_nicht", "jahr": "1800", "ebene": "mond", "gebiet": "<b>x</b>"}
    )
    assert_clean(at)
    assert widget(at, "Jahr").value == 2024
    assert widget(at, "Gebietsebene").value == "stadtteil"
    assert widget(at, "Gebiet auswählen").value == ""


def test_catalogue_lists_searches_and_offers_downloads(app_env: Engine) -> None:
    at = open_page(CATALOGUE)
    assert_clean(at)
    table = at.dataframe[0].value
    assert {
        "Lebenslage",
        "Definition",
        "Formel",
        "Einheit",
        "Quelle",
        "Richtung",
        "Jahre",
        "Abdeckung",
    } <= set(table.columns)
    total = len(table)
    at.text_input[0].set_value("Schulabschluss").run()
    assert list(at.dataframe[0].value["Schlüssel"]) == ["ohne_schulabschluss"]
    assert any(c.value == f"1 von {total} Indikatoren" for c in at.caption)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "CSV herunterladen" in labels and "Excel herunterladen" in labels
    at.text_input[0].set_value("Kaffeesatz").run()
    assert_clean(at)
    assert any("Kein Indikator passt" in i.value for i in at.info)
