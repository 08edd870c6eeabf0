"""Small shared Streamlit pieces, written once and used by every page."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy import Engine
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit.runtime.pages_manager import PagesManager

from sozdash import auth, db, fmt, queries, refdate, saved_views
from sozdash.editing import FieldSpec
from sozdash.export import to_csv_bytes, to_xlsx_bytes
from sozdash.fmt import plain
from sozdash.permissions import ANONYMOUS, Actor, PermissionDenied, has_role
from sozdash.vocab import ROLES, VISIBILITY

log = logging.getLogger("sozdash")
T = TypeVar("T")

DEMO_NOTICE = (
    "**Beispieldaten** – die hier gezeigten Indikatorwerte sind erfunden (erzeugt von sozdash.demo) "
    "und keine amtlichen Zahlen. Sie ersetzen sich, sobald die Stadt ihre Daten importiert."
)
SCHEMATIC_NOTICE = (
    "**Schematische Karte** – die Stadtteilformen sind aus ungefähren Zentren konstruiert "
    "(Voronoi-Zellen) und keine amtlichen Grenzen."
)


@st.cache_resource(show_spinner="Datenbank wird vorbereitet …")
def _prepared_engine(url: str) -> Engine:
    engine = db.get_engine(url)
    db.ensure_database(engine)
    return engine


def enter_app() -> None:
    """Called first by app.py: from now on Streamlit always runs app.py (navigation by role,
    login checks) and never a ``pages/`` file on its own.

    Streamlit starts every process in its legacy multipage mode because a ``pages/`` folder
    exists, and leaves it only when ``st.navigation`` runs. Until then a direct link such as
    ``/protokoll`` would run that page without app.py.
    """
    PagesManager.uses_pages_directory = False


def engine() -> Engine:
    """The app's database, created and filled on first use; on failure a German page and stop.

    In a page run directly in Streamlit's legacy mode (see ``enter_app``) it leaves that mode
    and reruns, so that app.py handles the request."""
    if PagesManager.uses_pages_directory:
        enter_app()
        st.rerun()
    try:
        return _prepared_engine(db.database_url())
    except db.DatabaseError as exc:
        st.error(f"**{exc.message}**\n\n{exc.hint}", icon=":material/error:")
        st.stop()
        raise  # unreachable: st.stop() ends the run


def run_page(page: Callable[[], None], engine: Engine, url_path: str | None = None) -> None:
    """Show the sidebar data status (and "Ansicht speichern" for page ``url_path``) and run a
    page; an unexpected error becomes a German message (the trace goes to the log)."""
    try:
        sidebar_data_status(engine)
        if url_path is not None:
            save_view_control(engine, url_path)
        page()
    except db.DatabaseError as exc:
        st.error(f"**{exc.message}**\n\n{exc.hint}", icon=":material/error:")
    except Exception:
        log.exception("Fehler beim Anzeigen der Seite")
        st.error(
            "**Fehler in der Anwendung.** Diese Ansicht konnte nicht vollständig angezeigt werden. "
            "Bitte laden Sie die Seite neu; besteht das Problem weiter, melden Sie es der IT "
            "(Uhrzeit und Seite genügen).",
            icon=":material/error:",
        )


def demo_notice(is_demo: bool = True) -> None:
    """The visible "Beispieldaten" notice, shown wherever demo values appear."""
    if is_demo:
        st.warning(DEMO_NOTICE, icon=":material/science:")


def schematic_notice(is_schematic: bool = True) -> None:
    """The visible notice for maps drawn on schematic shapes."""
    if is_schematic:
        st.info(SCHEMATIC_NOTICE, icon=":material/map:")


def download_buttons(frame: pd.DataFrame, basename: str, key: str) -> None:
    """CSV and XLSX downloads of ``frame`` (formula-safe), built only when clicked."""
    left, right = st.columns(2)
    left.download_button(
        "CSV herunterladen", lambda: to_csv_bytes(frame), f"{basename}.csv", "text/csv", key=f"{key}-csv",
        icon=":material/download:",
    )  # fmt: skip
    right.download_button(
        "Excel herunterladen", lambda: to_xlsx_bytes(frame), f"{basename}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}-xlsx",
        icon=":material/download:",
    )  # fmt: skip


def data_table(frame: pd.DataFrame, basename: str, key: str, *, label: str = "Datentabelle") -> None:
    """An expandable data table with its downloads."""
    with st.expander(label):
        st.dataframe(frame, hide_index=True, key=f"{key}-table")
        download_buttons(frame, basename, key)


def chart(fig: go.Figure, summary: str, table: pd.DataFrame, *, key: str, basename: str) -> None:
    """A chart with its text summary and data table (every chart has both)."""
    fig.update_layout(separators=fmt.PLOTLY_SEPARATORS)
    st.plotly_chart(fig, key=f"{key}-chart", config={"displaylogo": False, "locale": "de"})
    st.markdown(f"**Kurz gesagt:** {plain(summary)}")
    data_table(table, basename, key)


def sidebar_data_status(engine: Engine) -> None:
    """Newest data per source in the sidebar, saying whether it is demo or official."""
    status = queries.data_status(engine)
    with st.sidebar.expander("Datenstand", icon=":material/database:"):
        if status.empty:
            st.caption("Noch keine Daten geladen.")
        for row in status.itertuples():
            label = (
                "Beispieldaten"
                if row.is_demo
                else ("Import" if row.kind == "import" else "Fakten mit Quelle")
            )
            st.caption(f"**{label}:** {plain(row.source)} – Stand {fmt.date(row.created_at.date())}")


def url_select(
    label: str, options: Sequence[T], param: str, *, default: T | None = None,
    format_func: Callable[[T], str] = str, widget: str = "selectbox", help: str | None = None,
) -> T:  # fmt: skip
    """A single choice kept in the URL (``?param=value``) so a copied link reopens the view.

    Only values among ``options`` are accepted from the URL; anything else falls back to
    ``default`` (URL parameters are never trusted blindly).
    """
    by_text = {str(option): option for option in options}
    raw = st.query_params.get(param)
    chosen = by_text.get(raw) if raw is not None else None
    if chosen is None:
        chosen = default if default in options else options[0]
    key = f"url-{param}"
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    if raw is not None and raw in by_text and st.session_state.get(f"{key}-seen") != raw:
        st.session_state[key] = chosen  # the URL changed from outside (link, saved view)
    render = st.radio if widget == "radio" else st.selectbox
    initial = {} if key in st.session_state else {"index": list(options).index(chosen)}
    value = render(label, options, format_func=format_func, key=key, help=help, **initial)
    st.query_params[param] = str(value)
    st.session_state[f"{key}-seen"] = str(value)
    return value


def url_multiselect(
    label: str, options: Sequence[T], param: str, *, default: Sequence[T] = (),
    format_func: Callable[[T], str] = str, max_selections: int | None = None,
) -> list[T]:  # fmt: skip
    """A multiple choice kept in the URL as a comma-separated list of known values."""
    by_text = {str(option): option for option in options}
    raw = st.query_params.get(param)
    chosen = (
        [by_text[v] for v in raw.split(",") if v in by_text] if raw else [d for d in default if d in options]
    )
    key = f"url-{param}"
    if raw is not None and st.session_state.get(f"{key}-seen") != raw:
        st.session_state[key] = chosen[:max_selections] if max_selections else chosen
    values = st.multiselect(
        label, options, default=None if key in st.session_state else chosen, format_func=format_func,
        key=key, max_selections=max_selections,
    )  # fmt: skip
    text = ",".join(str(v) for v in values)
    if values:
        st.query_params[param] = text
    elif param in st.query_params:
        del st.query_params[param]
    st.session_state[f"{key}-seen"] = text if values else None
    return values


def url_date(label: str, param: str, default: dt.date, *, help: str | None = None) -> dt.date:
    """A date kept in the URL as ``?param=YYYY-MM-DD``; an invalid value in the URL gets a
    German message and falls back to ``default``."""
    raw = st.query_params.get(param)
    chosen = refdate.parse(raw) if raw else None
    if raw and chosen is None:
        st.warning(
            f"Das Datum „{raw}“ in der Adresse ist ungültig (erwartet z. B. 2018-05-01 zwischen "
            f"{fmt.date(refdate.EARLIEST)} und {fmt.date(refdate.LATEST)}); gezeigt wird {fmt.date(default)}.",
            icon=":material/warning:",
        )  # fmt: skip
    chosen = chosen or default
    key = f"url-{param}"
    if raw and st.session_state.get(f"{key}-seen") != raw:
        st.session_state[key] = chosen  # the URL changed from outside (link, saved view)
    initial = {} if key in st.session_state else {"value": chosen}
    value = st.date_input(
        label, min_value=refdate.EARLIEST, max_value=refdate.LATEST, format="DD.MM.YYYY", key=key,
        help=help, **initial,
    )  # fmt: skip
    value = value or chosen
    if value == default and not raw:
        st.session_state[f"{key}-seen"] = None
    else:
        st.query_params[param] = value.isoformat()
        st.session_state[f"{key}-seen"] = value.isoformat()
    return value


def stichtag() -> dt.date:
    """The page's reference date (Stichtag) in the sidebar, default today, kept in the URL."""
    with st.sidebar:
        return url_date(
            "Stichtag", refdate.PARAM, dt.date.today(),
            help="Stand, zu dem Status, Laufzeiten und Ampeln berechnet werden (Standard: heute).",
        )  # fmt: skip


def current_actor() -> Actor:
    """The logged-in person from the session (set by the login), never from the URL."""
    return st.session_state.get("actor", ANONYMOUS)


def save_view_control(engine: Engine, url_path: str) -> None:
    """The sidebar control "Ansicht speichern": this page and its URL parameters, a title and a note."""
    page = saved_views.page_for(url_path)
    if page is None:
        return
    actor = current_actor()
    with st.sidebar.popover("Ansicht speichern", icon=":material/bookmark_add:", width="stretch"):
        if not has_role(actor, saved_views.EDIT_ROLE):
            st.caption("Ansichten speichern können angemeldete Nutzer ab der Rolle „Fachbereich“.")
            return
        with st.form("save-view", clear_on_submit=True, border=False):
            title = st.text_input("Titel", max_chars=saved_views.MAX_TITLE)
            note = st.text_area("Notiz (optional)")
            if not st.form_submit_button("Speichern", icon=":material/save:"):
                return
        try:
            saved_views.save_view(engine, actor, page, dict(st.query_params), title, note)
        except (saved_views.ViewError, PermissionDenied) as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            st.success(f"Gespeichert: „{plain(' '.join(title.split()))}“ (Seite *Gespeicherte Ansichten*).")


PRESENTATION_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stSidebarNav"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1rem 2.5rem 1rem 2.5rem; max-width: 100%; }
.stApp { background: #ffffff; color: #111111; }
.stApp p, .stApp li, .stApp label, .stApp button p { font-size: 28px !important; line-height: 1.35; color: #111111; }
.stApp h1 { font-size: 52px !important; color: #000000; }
.stApp [data-testid="stCaptionContainer"], .stApp [data-testid="stCaptionContainer"] * {
  font-size: 24px !important; color: #222222 !important; }
</style>"""
"""Projector layout: no sidebar or menus, large type (body ≥ 24 px), black on white (constant, no user text)."""


def presentation_style() -> None:
    """Switch the current page to the projector layout."""
    st.html(PRESENTATION_CSS)


def sso_mapping() -> Mapping[str, Any] | None:
    """The single-sign-on role mapping when ``.streamlit/secrets.toml`` configures it."""
    try:
        return auth.sso_settings(st.secrets)
    except StreamlitSecretNotFoundError:
        return None


def session_actor(engine: Engine) -> Actor:
    """The session's actor on every run: idle timeout, single-sign-on mapping, timeout notice.

    Identity comes from the login form or the identity provider only, never from the URL.
    """
    state = st.session_state
    auth.touch_session(state)
    actor = auth.refresh_session(engine, state)
    mapping = sso_mapping()
    if mapping is not None:
        if state.get("timed_out") and state.pop("sso", False) and st.user.is_logged_in:
            st.logout()
        elif actor == ANONYMOUS and st.user.is_logged_in and not state.get("sso_denied"):
            sso = auth.sso_actor(engine, st.user.to_dict(), mapping)
            if sso is None:
                state["sso_denied"] = True
            else:
                auth.login(state, sso)
                state["sso"], actor = True, sso
    if state.pop("account_closed", False):
        st.warning("Ihr Konto wurde deaktiviert; Sie sind abgemeldet.", icon=":material/person_off:")
    if state.pop("timed_out", False):
        st.info(
            f"Sie wurden nach {auth.SESSION_TIMEOUT.seconds // 60} Minuten ohne Aktivität abgemeldet. "
            "Bitte melden Sie sich erneut an (Seite *Anmeldung*).",
            icon=":material/timer_off:",
        )
    if actor != ANONYMOUS:
        name = plain(actor.display_name or actor.username)
        st.sidebar.caption(f"Angemeldet: {name} · Rolle {ROLES[actor.role]}")
    return actor


def annotations_block(target_type: str, target_id: int) -> None:
    """Notes on an area, indicator or project (plain text with author and date) and, for
    role Rat or higher, a form to add one."""
    from sozdash import annotations

    eng, actor = engine(), current_actor()
    st.subheader("Notizen")
    notes = annotations.for_target(eng, actor, target_type, target_id)
    if notes.empty:
        st.caption("Noch keine Notizen.")
    for note in notes.itertuples():
        with st.container(border=True):
            st.caption(
                f"{plain(note.author)} · {fmt.date(note.created_at.date())} · {VISIBILITY[note.visibility]}"
            )
            st.text(note.text)
    if not annotations.may_annotate(actor):
        return
    with st.form(f"note-{target_type}-{target_id}", clear_on_submit=True):
        text = st.text_area("Neue Notiz", max_chars=annotations.MAX_LENGTH)
        visibility = st.radio(
            "Sichtbarkeit", list(VISIBILITY), format_func=VISIBILITY.get, horizontal=True,
            help="„öffentlich“ sehen alle, auch ohne Anmeldung; „intern“ nur angemeldete Nutzer.",
        )  # fmt: skip
        if not st.form_submit_button("Notiz speichern", icon=":material/note_add:"):
            return
    try:
        annotations.add(eng, actor, target_type, target_id, text, visibility)
    except (ValueError, PermissionDenied) as exc:
        st.error(str(exc), icon=":material/error:")
    else:
        st.rerun()


def field_input(field: FieldSpec, value: Any, options: Mapping[int, str] | None, key: str) -> Any:
    """The input widget for one editable field (German labels; numbers as German text)."""
    label = f"{field.label} *" if field.required else field.label
    if field.kind == "bool":
        return st.checkbox(label, value=bool(value), key=key, help=field.help)
    if field.kind in ("choice", "ref"):
        labels = dict(field.choices or {}) if field.kind == "choice" else dict(options or {})
        keys: list[Any] = list(labels) if field.required else [None, *labels]
        return st.selectbox(
            label, keys, index=keys.index(value) if value in keys else None, key=key, help=field.help,
            format_func=lambda k: "– keine Angabe –" if k is None else labels[k], placeholder="Bitte wählen",
        )  # fmt: skip
    if field.kind == "date":
        return st.date_input(
            label, value=value, format="DD.MM.YYYY", min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31),
            key=key, help=field.help,
        )  # fmt: skip
    if field.kind == "longtext":
        return st.text_area(label, value=value or "", key=key, help=field.help, height=100)
    if field.kind in ("float", "decimal"):
        text = "" if value is None else fmt.number(float(value), 2).removesuffix(",00")
        return st.text_input(label, value=text, key=key, help=field.help or "Dezimalkomma, z. B. 1.234,50")
    if field.kind == "int":
        return st.number_input(label, value=value, step=1, format="%d", key=key, help=field.help)
    return st.text_input(label, value=value or "", max_chars=field.max_length, key=key, help=field.help)


def index_choice(engine: Engine) -> tuple[Any, str, str] | None:
    """Choice of index definition or published snapshot and year (kept in the URL as ``index``
    and ``jahr``); returns (IndexResult, German label, definition name) or ``None`` after a
    German message."""
    from sozdash import index_store

    definitions, snapshots = index_store.definitions(engine), index_store.snapshots(engine)
    labels = {f"d{r.id}": f"{r.name} (Version {r.version}, live berechnet)" for r in definitions.itertuples()}
    labels |= {f"s{r.id}": f"Veröffentlicht: {r.title}" for r in snapshots.itertuples()}
    if not labels:
        st.info("Es gibt noch keine Indexdefinition.", icon=":material/info:")
        return None
    left, right = st.columns([3, 1])
    with left:
        choice = url_select("Grundlage", list(labels), "index", format_func=labels.__getitem__)
    try:
        if choice.startswith("s"):
            snap = snapshots.set_index("id").loc[int(choice[1:])]
            right.metric("Bezugsjahr", str(snap["reference_year"]))
            st.caption(
                f"Eingefrorenes Ergebnis, veröffentlicht am {fmt.date(snap['published_at'].date())} von "
                f"{plain(snap['published_by'])}. Spätere Änderungen an Definition oder Daten ändern es nicht."
            )
            name = definitions.set_index("id").at[snap["definition_id"], "name"]
            return index_store.snapshot_result(engine, int(choice[1:])), labels[choice], name
        config = index_store.definition_config(engine, int(choice[1:]))
        with right:
            years = index_store.years(engine, config.level)
            year = url_select("Bezugsjahr", years, "jahr", default=config.reference_year)
        st.caption("Live aus den aktuellen Daten berechnet; eine Veröffentlichung friert das Ergebnis ein.")
        name = definitions.set_index("id").at[int(choice[1:]), "name"]
        return index_store.definition_result(engine, int(choice[1:]), year), labels[choice], name
    except ValueError as exc:
        st.warning(str(exc), icon=":material/warning:")
        return None


def index_planner(engine: Engine, result: Any, name: str) -> None:
    """Planning staff only: new definition version (with preview) and publishing a snapshot.
    The write functions check the role again on the server."""
    from sozdash import index_store, index_views

    actor = current_actor()
    if not has_role(actor, index_store.EDIT_ROLE):
        return
    cfg = result.config
    st.subheader("Indexdefinition anlegen und veröffentlichen (Planung)")
    with st.form("index-definition"):
        new_name = st.text_input("Name der Definition", value=name, max_chars=200)
        edited = st.data_editor(
            index_views.weights_frame(cfg, queries.indicators(engine)), hide_index=True, key="index-weights",
            disabled=["Indikator", "Schlüssel", "Lebenslage"],
        )  # fmt: skip
        cols = st.columns(4)
        params = {
            "reference_year": cols[0].number_input("Bezugsjahr", 1900, 2200, int(result.year)),
            "span": cols[1].number_input("Zeitraum der Dynamik (Jahre)", 1, 20, cfg.span),
            "min_population": cols[2].number_input("Mindest-Einwohnerzahl", 0, 1_000_000, cfg.min_population, 50),
            "min_coverage": cols[3].number_input("Mindestanteil Werte", 0.05, 1.0, cfg.min_coverage, 0.05),
            "status_high": cols[0].number_input("Status hoch ab Z", -5.0, 5.0, cfg.status_high, 0.1),
            "status_low": cols[1].number_input("Status niedrig unter Z", -5.0, 5.0, cfg.status_low, 0.1),
            "status_very_low": cols[2].number_input("Status sehr niedrig unter Z", -5.0, 5.0, cfg.status_very_low, 0.1),
            "dynamics_cutoff": cols[3].number_input("Dynamik-Schwelle ±D", 0.05, 5.0, cfg.dynamics_cutoff, 0.05),
            "level": cfg.level,
        }  # fmt: skip
        note = st.text_input("Notiz (optional)")
        preview = st.form_submit_button("Vorschau berechnen", icon=":material/visibility:")
        save = st.form_submit_button("Als neue Version speichern", icon=":material/save:")
    if preview or save:
        try:
            config = index_views.config_from_form(edited, **params)
            if save:
                index_store.create_definition(engine, actor, new_name, config, note)
                st.success(f"Gespeichert als neue Version von „{plain(new_name.strip())}“.")
            else:
                shown = index_store.compute(engine, config)
                st.markdown(f"**Vorschau (nicht gespeichert):** {index_views.summary(shown)}")
                st.dataframe(index_views.matrix_table(shown), hide_index=True, key="index-preview")
        except (ValueError, PermissionDenied) as exc:
            st.error(str(exc), icon=":material/error:")
    definitions = index_store.definitions(engine)
    with st.form("index-publish"):
        definition = st.selectbox(
            "Definition", list(definitions["id"]),
            format_func=lambda i: "{} (Version {})".format(*definitions.set_index("id").loc[i, ["name", "version"]]),
        )  # fmt: skip
        title = st.text_input("Titel der Veröffentlichung", placeholder="Sozialbericht 2019", max_chars=200)
        year = st.number_input("Bezugsjahr der Veröffentlichung", 1900, 2200, int(result.year))
        if st.form_submit_button("Veröffentlichen (einfrieren)", icon=":material/publish:"):
            try:
                index_store.publish_snapshot(engine, actor, int(definition), title, int(year))
                st.success(f"Veröffentlicht: „{plain(title.strip())}“ (Auswahl „Grundlage“ oben).")
            except (ValueError, PermissionDenied) as exc:
                st.error(str(exc), icon=":material/error:")


MIME_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file_export(
    label: str, build: Callable[[Callable[[float, str], None]], dict[str, bytes]], key: str
) -> None:
    """A button that builds files (name → bytes) with a progress bar, then offers each for download.
    ``key`` should name what is exported (e.g. session and Stichtag), so a changed choice starts afresh."""
    from sozdash.render import RenderError  # kaleido only where exports are offered

    if st.button(label, key=key, icon=":material/description:"):
        bar = st.progress(0.0, "Wird erstellt …")
        try:
            st.session_state[f"{key}-files"] = build(bar.progress)
        except RenderError as exc:
            st.error(str(exc), icon=":material/error:")
    files = st.session_state.get(f"{key}-files") or {}
    for column, (name, data) in zip(st.columns(max(len(files), 1)), files.items(), strict=False):
        column.download_button(f"{name} herunterladen", data, name, MIME_TYPES[name.rsplit(".", 1)[-1]],
                               key=f"{key}-{name}", icon=":material/download:")  # fmt: skip
