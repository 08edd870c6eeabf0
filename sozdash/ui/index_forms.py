"""Sozialindex forms: the choice of index basis and year, and the planners' definition and publishing forms."""

from __future__ import annotations

from typing import Any, NamedTuple, cast

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from sozdash.core import fmt
from sozdash.core.fmt import plain
from sozdash.core.permissions import PermissionDenied, has_role
from sozdash.social_index import snapshots as index_store
from sozdash.social_index import views
from sozdash.social_index.compute import IndexResult
from sozdash.store import queries
from sozdash.ui.login import current_actor
from sozdash.ui.url_state import url_select

LIVE_HELP = (
    "„live berechnet“: aus den aktuellen Daten, ändert sich mit jedem Import. „Veröffentlicht“: ein "
    "eingefrorenes Ergebnis, das sich nicht mehr ändert."
)


class IndexChoice(NamedTuple):
    """The chosen index result, its German label, the definition's name and where it comes from."""

    result: IndexResult
    label: str
    name: str
    source: index_store.IndexSource


def index_choice(engine: Engine) -> IndexChoice | None:
    """Choice of index definition or published snapshot and year (kept in the URL as ``index``
    and ``jahr``); ``None`` after a German message."""
    definitions, snapshots = index_store.definitions(engine), index_store.snapshots(engine)
    names = {int(key): str(name) for key, name in zip(definitions["id"], definitions["name"], strict=True)}
    labels = {f"d{r.id}": f"{r.name} (Version {r.version}, live berechnet)" for r in definitions.itertuples()}
    labels |= {f"s{r.id}": f"Veröffentlicht: {r.title}" for r in snapshots.itertuples()}
    if not labels:
        st.info("Es gibt noch keine Indexdefinition.", icon=":material/info:")
        return None
    left, right = st.columns([3, 1])
    with left:
        choice = url_select(
            "Grundlage", list(labels), "index", format_func=labels.__getitem__, help=LIVE_HELP
        )
    try:
        if choice.startswith("s"):
            # ids are unique, so ``.loc`` gives one row
            snap = cast("pd.Series[Any]", snapshots.set_index("id").loc[int(choice[1:])])
            right.metric("Bezugsjahr", str(snap["reference_year"]))
            st.caption(
                f"Eingefrorenes Ergebnis, veröffentlicht am {fmt.date(snap['published_at'].date())} von "
                f"{plain(snap['published_by'])}. Spätere Änderungen an Definition oder Daten ändern es nicht."
            )
            name = names[int(snap["definition_id"])]
            source = index_store.IndexSource(published=True, id=int(choice[1:]))
            return IndexChoice(index_store.result_of(engine, source), labels[choice], name, source)
        config = index_store.definition_config(engine, int(choice[1:]))
        with right:
            years = index_store.years(engine, config.level)
            if not years:
                st.info("Für die Gebietsebene des Index liegen noch keine Indikatorwerte vor; der Index "
                        "lässt sich erst nach einem Import berechnen.", icon=":material/info:")  # fmt: skip
                return None
            year = url_select("Bezugsjahr", years, "jahr", default=config.reference_year)
        name = names[int(choice[1:])]
        source = index_store.IndexSource(published=False, id=int(choice[1:]), year=year)
        return IndexChoice(index_store.result_of(engine, source), labels[choice], name, source)
    except ValueError as exc:
        st.warning(plain(exc), icon=":material/warning:")
        return None


SD_HELP = "In Standardabweichungen vom Durchschnitt der bewerteten Gebiete (Seite Methode)."


def index_planner(engine: Engine, result: IndexResult, name: str) -> None:
    """Planning staff only: new definition version (with preview) and publishing a snapshot.
    The write functions check the role again on the server."""
    actor = current_actor()
    if not has_role(actor, index_store.EDIT_ROLE):
        return
    cfg = result.config
    levels = queries.area_levels(engine)
    choices = list(levels)[1:] or list(levels)  # every level below the whole city
    st.subheader("Indexdefinition anlegen und veröffentlichen (Planung)")
    with st.form("index-definition"):
        left, right = st.columns([3, 1])
        new_name = left.text_input("Name der Definition", value=name, max_chars=200)
        level = right.selectbox(
            "Gebietsebene", choices, choices.index(cfg.level) if cfg.level in choices else 0,
            format_func=lambda k: levels.get(k, k), help="Die Gebiete, die der Index miteinander vergleicht.",
        )  # fmt: skip
        edited = st.data_editor(
            views.weights_frame(cfg, queries.indicators(engine)), hide_index=True, key="index-weights",
            disabled=["Indikator", "Schlüssel", "Lebenslage"],
        )  # fmt: skip
        cols = st.columns(4)
        params: dict[str, float | str] = {
            "reference_year": cols[0].number_input("Bezugsjahr", 1900, 2200, int(result.year)),
            "span": cols[1].number_input("Zeitraum der Dynamik (Jahre)", 1, 20, cfg.span),
            "min_population": cols[2].number_input("Mindest-Einwohnerzahl", 0, 1_000_000, cfg.min_population, 50),
            "min_coverage": cols[3].number_input("Mindestanteil Werte", 0.05, 1.0, cfg.min_coverage, 0.05),
            "status_high": cols[0].number_input("Status hoch ab", -5.0, 5.0, cfg.status_high, 0.1, help=SD_HELP),
            "status_low": cols[1].number_input("Status niedrig unter", -5.0, 5.0, cfg.status_low, 0.1, help=SD_HELP),
            "status_very_low": cols[2].number_input("Status sehr niedrig unter", -5.0, 5.0, cfg.status_very_low, 0.1, help=SD_HELP),
            "dynamics_cutoff": cols[3].number_input("Dynamik-Schwelle (±)", 0.05, 5.0, cfg.dynamics_cutoff, 0.05, help=SD_HELP),
            "level": level,
        }  # fmt: skip
        note = st.text_input("Notiz (optional)")
        preview = st.form_submit_button("Vorschau berechnen", icon=":material/visibility:")
        save = st.form_submit_button("Als neue Version speichern", icon=":material/save:")
    if preview or save:
        try:
            config = views.config_from_form(edited, **params)
            if save:
                index_store.create_definition(engine, actor, new_name, config, note)
                st.success(f"Gespeichert als neue Version von „{plain(new_name.strip())}“.")
            else:
                shown = index_store.compute(engine, config)
                st.markdown(f"**Vorschau (nicht gespeichert):** {plain(views.summary(shown))}")
                st.dataframe(views.matrix_table(shown), hide_index=True, key="index-preview")
        except (ValueError, PermissionDenied) as exc:
            st.error(plain(exc), icon=":material/error:")
    definitions = index_store.definitions(engine)
    columns = zip(definitions["id"], definitions["name"], definitions["version"], strict=True)
    versions = {int(key): f"{name} (Version {version})" for key, name, version in columns}
    with st.form("index-publish"):
        definition = st.selectbox("Definition", list(versions), format_func=versions.__getitem__)
        title = st.text_input("Titel der Veröffentlichung", placeholder="Sozialbericht 2019", max_chars=200)
        year = st.number_input("Bezugsjahr der Veröffentlichung", 1900, 2200, int(result.year))
        if st.form_submit_button("Veröffentlichen (einfrieren)", icon=":material/publish:"):
            try:
                index_store.publish_snapshot(engine, actor, int(definition), title, int(year))
                st.success(f"Veröffentlicht: „{plain(title.strip())}“ (Auswahl „Grundlage“ oben).")
            except (ValueError, PermissionDenied) as exc:
                st.error(plain(exc), icon=":material/error:")
