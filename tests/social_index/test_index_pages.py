"""AppTest of the pages Sozialindex, Handlungsbedarfe and Methode (URL state, notices, planner form)."""

from __future__ import annotations

from sqlalchemy import Engine

from sozdash.core.permissions import Actor
from sozdash.social_index import snapshots as index_store
from tests.apptest import assert_clean, open_page

PLANNER = Actor("planerin", "planung")
PUBLISH = "Veröffentlichen (einfrieren)"


def texts(at) -> str:
    """Visible text with markdown escapes removed (user text is escaped with ``ui.plain``)."""
    return "\n".join(e.value for e in [*at.markdown, *at.info, *at.warning, *at.caption]).replace("\\", "")


def test_sozialindex_shows_maps_legend_matrix_and_notices(app_env: Engine) -> None:
    at = open_page("pages/sozialindex.py")
    assert_clean(at)
    shown = texts(at)
    assert "Ein Index ersetzt keine Ortskenntnis" in shown
    assert "Beispieldaten" in shown and "Schematische Karte" in shown
    assert at.selectbox(key="url-jahr").value == 2024
    legends = [d.value for d in at.dataframe if "Klasse" in d.value.columns]
    assert len(legends) == 2
    status_legend = legends[0].set_index("Klasse")["Gebiete"]
    assert status_legend.sum() == 13  # all 13 Stadtteile counted once, class word beside the colour
    matrix = next(d.value for d in at.dataframe if "Status \\ Dynamik" in d.value.columns).set_index(
        "Status \\ Dynamik"
    )
    assert list(matrix.index) == ["Status hoch", "Status mittel", "Status niedrig", "Status sehr niedrig"]
    assert list(matrix.columns) == ["Dynamik positiv", "Dynamik stabil", "Dynamik negativ"]
    listed = ", ".join(matrix.to_numpy().ravel())
    assert all(name in listed for name in ("Rheindorf", "Wiesdorf", "Opladen", "Hitdorf"))
    table = next(d.value for d in at.dataframe if "Rang Status" in d.value.columns)
    assert len(table) == 13 and table["Rang Status"].str.fullmatch(r"Rang \d+ von 13").all()  # ranks, not z
    figures = next(d.value for d in at.dataframe if "Teilindex Bildung" in d.value.columns)  # „Wie berechnet?“
    assert len(figures) == 13 and figures["Statusindex"].str.contains(",").all()  # German decimals
    assert PUBLISH not in [b.label for b in at.button]  # no planner controls for the public


def test_sozialindex_year_comes_from_the_url_and_bad_values_fall_back(app_env: Engine) -> None:
    at = open_page("pages/sozialindex.py", query={"jahr": "2019"})
    assert_clean(at)
    assert at.selectbox(key="url-jahr").value == 2019
    assert "Bezugsjahr 2019, Dynamik 2017–2019" in texts(at)
    assert at.query_params["jahr"] == "2019"
    at = open_page("pages/sozialindex.py", query={"jahr": "1800", "index": "d999"})
    assert_clean(at)
    assert at.selectbox(key="url-jahr").value == 2024
    assert (at.query_params["jahr"], at.query_params["index"]) == ("2024", "d1")  # unknown values replaced


def test_published_snapshot_is_shown_frozen(app_env: Engine) -> None:
    definition = index_store.latest_definition_id(app_env, "Sozialindex Standard")
    snap = index_store.publish_snapshot(
        app_env, PLANNER, definition, "Sozialbericht 2019 (Beispieldaten)", 2019
    )
    at = open_page("pages/sozialindex.py", query={"index": f"s{snap}"})
    assert_clean(at)
    assert at.selectbox(key="url-index").value == f"s{snap}"
    assert "Eingefrorenes Ergebnis" in texts(at)
    assert "Bezugsjahr 2019" in texts(at)


def test_handlungsbedarfe_names_needs_drivers_and_measures(app_env: Engine) -> None:
    at = open_page("pages/handlungsbedarfe.py", query={"jahr": "2016"})
    assert_clean(at)
    shown = texts(at)
    assert "Rheindorf: Einkommen und Armut deutlich ungünstiger" in shown
    assert "Am stärksten tragen dazu bei" in shown
    table = next(d.value for d in at.dataframe if "Einordnung" in d.value.columns).set_index("Gebiet")
    # 2016: BIWAQ RHEINDORFerLEBEN (2014–2018) runs in Rheindorf.
    assert table.at["Rheindorf", "Einordnung"] == "Bedarf mit Maßnahme"
    assert "RHEINDORFerLEBEN" in table.at["Rheindorf", "Aktive Maßnahmen"]
    assert len(at.get("download_button")) >= 2


def test_methode_worked_example_follows_the_url(app_env: Engine) -> None:
    at = open_page("pages/methode.py", query={"gebiet": "rheindorf"})
    assert_clean(at)
    assert at.selectbox(key="url-gebiet").value == "rheindorf"
    example = next(d.value for d in at.dataframe if "z = (x − Mittel) / SD" in d.value.columns)
    assert len(example) == 18  # the default definition's 18 indicators
    assert "Statusindex: gewichtetes Mittel der Beiträge" in texts(at)
    assert "→ Status sehr niedrig" in texts(at)
    parameters = next(d.value for d in at.dataframe if "Parameter" in d.value.columns).set_index("Parameter")
    assert parameters.at["Mindest-Einwohnerzahl", "Wert"] == "300"
    assert parameters.at["Status sehr niedrig", "Wert"] == "Z < −1,5"
    assert PUBLISH not in [b.label for b in at.button]


def test_planner_sees_the_form_and_publishes(app_env: Engine) -> None:
    at = open_page("pages/methode.py")
    at.session_state["actor"] = PLANNER
    at.run()
    assert_clean(at)
    assert PUBLISH in [b.label for b in at.button]
    title = next(t for t in at.text_input if t.label == "Titel der Veröffentlichung")
    title.input("Sozialbericht 2019 (Beispieldaten)")
    at.number_input[-1].set_value(2019)
    next(b for b in at.button if b.label == PUBLISH).click()
    at.run()
    assert_clean(at)
    assert any("Veröffentlicht" in s.value for s in at.success)
    snaps = index_store.snapshots(app_env)
    assert list(snaps["title"]) == ["Sozialbericht 2019 (Beispieldaten)"]
    assert list(snaps["reference_year"]) == [2019] and list(snaps["published_by"]) == ["planerin"]


def test_planner_previews_and_saves_a_new_version(app_env: Engine) -> None:
    at = open_page("pages/sozialindex.py")
    at.session_state["actor"] = PLANNER
    at.run()
    assert PUBLISH in [b.label for b in at.button]
    next(n for n in at.number_input if n.label == "Zeitraum der Dynamik (Jahre)").set_value(3)
    next(b for b in at.button if b.label == "Vorschau berechnen").click()
    at.run()
    assert_clean(at)
    assert any(
        "Vorschau (nicht gespeichert)" in m.value and "Dynamik 2021–2024" in m.value for m in at.markdown
    )
    assert len(index_store.definitions(app_env)) == 1  # a preview stores nothing
    next(b for b in at.button if b.label == "Als neue Version speichern").click()
    at.run()
    assert_clean(at)
    versions = index_store.definitions(app_env)
    assert list(versions["version"]) == [2, 1]
    assert index_store.definition_config(app_env, int(versions.iloc[0]["id"])).span == 3


def test_planner_chooses_the_area_level(app_env: Engine) -> None:
    at = open_page("pages/sozialindex.py", actor=PLANNER)
    level = next(s for s in at.selectbox if s.label == "Gebietsebene")
    assert level.value == "stadtteil" and level.options[:2] == ["Stadtbezirk", "Stadtteil"]
    assert "Stadt" not in level.options  # the whole city is no level to compare areas on
    level.set_value("stadtbezirk")
    next(b for b in at.button if b.label == "Als neue Version speichern").click()
    at.run()
    assert_clean(at)
    versions = index_store.definitions(app_env)
    assert index_store.definition_config(app_env, int(versions.iloc[0]["id"])).level == "stadtbezirk"
