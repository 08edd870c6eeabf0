"""AppTest of the district profile and the comparison page, including state from the URL and
user text shown as literal text."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from sozdash.core.permissions import Actor
from sozdash.core.vocab import LEBENSLAGEN
from sozdash.store import db
from sozdash.store.models import Annotation, Area, User
from tests.apptest import APP, assert_clean, open_page

XSS = "<script>alert(1)</script>"


def _tables(at: AppTest, column: str) -> list:
    """The displayed tables having ``column`` (st.dataframe exposes no key to AppTest)."""
    return [d.value for d in at.dataframe if column in d.value.columns]


def _annotate(engine: Engine, text: str, visibility: str) -> None:
    with db.session_scope(engine) as session:
        user = User(username=f"notes-{visibility}", display_name="Sozialplanung", role="planung")
        session.add(user)
        session.flush()
        area_id = session.scalar(select(Area.id).where(Area.code == "rheindorf"))
        session.add(Annotation(target_type="area", target_id=area_id, text=text, author_id=user.id,
                               created_at=dt.datetime(2025, 3, 1, 10, 0), visibility=visibility))  # fmt: skip


def test_profile_from_url_shows_rheindorf_with_all_lebenslagen(app_env: Engine) -> None:
    at = open_page("pages/stadtteilprofil.py", query={"gebiet": "rheindorf"})
    assert_clean(at)
    assert at.selectbox(key="url-gebiet").value == "rheindorf"
    assert at.query_params["jahr"] == "2024"
    headers = [h.value for h in at.subheader]
    assert headers[0] == "Rheindorf – Auf einen Blick (2024)"
    assert set(LEBENSLAGEN.values()) <= set(headers)
    assert any("Beispieldaten" in w.value for w in at.warning)
    shown = [m.value.replace("\\", "") for m in at.markdown]  # names in sentences are markdown-escaped
    assert any("SGB-II-Quote" in m and "über dem städtischen Wert" in m for m in shown)
    income = next(t for t in _tables(at, "Rang") if "SGB-II-Quote" in set(t["Indikator"]))
    sgb2 = income[income["Indikator"] == "SGB-II-Quote"].iloc[0]
    assert sgb2["Wert"].endswith(" %") and "," in sgb2["Wert"]
    assert sgb2["Rang"].endswith("von 13")
    assert "BIWAQ Rheindorf-Nord – RHEINDORFerLEBEN" in set(_tables(at, "Titel")[0]["Titel"])


def test_profile_year_and_bezirk_from_url(app_env: Engine) -> None:
    at = open_page("pages/stadtteilprofil.py", query={"gebiet": "bezirk-2", "jahr": "2019"})
    assert_clean(at)
    assert at.subheader[0].value == "Stadtbezirk II – Auf einen Blick (2019)"
    ranks = _tables(at, "Trend")  # one table per Lebenslage
    assert len(ranks) == len(LEBENSLAGEN)
    assert all(t["Rang"].str.fullmatch(r"Rang [123] von 3").all() for t in ranks)


def test_unknown_area_in_url_falls_back(app_env: Engine) -> None:
    at = open_page("pages/stadtteilprofil.py", query={"gebiet": "<b>nirgendwo</b>"})
    assert_clean(at)
    assert at.query_params["gebiet"] != "<b>nirgendwo</b>"
    assert at.subheader[0].value.endswith("Auf einen Blick (2024)")


def test_annotation_text_is_literal_and_internal_notes_stay_hidden(app_env: Engine) -> None:
    _annotate(app_env, XSS, "oeffentlich")
    _annotate(app_env, "nur intern", "intern")
    at = open_page("pages/stadtteilprofil.py", query={"gebiet": "rheindorf"})
    assert_clean(at)
    texts = [t.value for t in at.text]
    assert XSS in texts
    assert "nur intern" not in texts
    assert not any("<script>" in m.value for m in at.markdown)


def test_council_member_sees_internal_notes(app_env: Engine) -> None:
    _annotate(app_env, "nur intern", "intern")
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["actor"] = Actor(username="ratsmitglied", role="rat")
    at.query_params["gebiet"] = "rheindorf"
    at.run()
    at.switch_page("pages/stadtteilprofil.py")
    at.run()
    assert_clean(at)
    assert "nur intern" in [t.value for t in at.text]


def test_comparison_from_url(app_env: Engine) -> None:
    at = open_page(
        "pages/vergleich.py", query={"gebiete": "rheindorf,opladen", "ind": "sgb2_quote,beschaeftigungsquote"}
    )
    assert_clean(at)
    assert at.multiselect(key="url-gebiete").value == ["rheindorf", "opladen"]
    (table,) = _tables(at, "Leverkusen (Stadt)")
    assert table.columns.tolist() == ["Indikator", "Rheindorf", "Opladen", "Leverkusen (Stadt)"]
    assert table["Indikator"].tolist() == [
        "SGB-II-Quote",
        "Beschäftigungsquote (sozialversicherungspflichtig, Wohnort)",
    ]
    assert all(v.endswith(" %") for v in table["Rheindorf"])
    (similar,) = _tables(at, "SGB-II-Quote")  # the similar areas, the indicators as columns
    assert similar.iloc[0].tolist()[:2] == ["Rheindorf", "Referenzgebiet"]
    assert len(similar) == 6
    (method,) = [e for e in at.expander if e.label == "Wie berechnet?"]
    assert any("euklidische Distanz" in m.value for m in method.markdown)
    assert any("Beispieldaten" in w.value for w in at.warning)


def test_comparison_needs_two_areas(app_env: Engine) -> None:
    at = open_page("pages/vergleich.py", query={"gebiete": "rheindorf"})
    assert_clean(at)
    assert any("mindestens zwei Gebiete" in i.value for i in at.info)
    assert not _tables(at, "Leverkusen (Stadt)")
    assert len(_tables(at, "Ähnlichkeit")) == 2  # similar areas (and their method) still work with one area


def test_profile_pdf_report_is_built_on_the_page(app_env: Engine) -> None:
    at = open_page("pages/stadtteilprofil.py", query={"gebiet": "opladen", "jahr": "2023"}, timeout=120)
    next(b for b in at.button if b.label == "Profil als PDF-Bericht").click()
    at.run(timeout=120)
    assert_clean(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "stadtteilprofil-opladen-2023.pdf herunterladen" in labels
