"""The editable record families: fields, owning unit, date order and status transitions.

Status transitions allowed without a reason (any other change of status needs a written
reason, which the audit log keeps; a new record may start in any status):

========================  ==============================================================
Projekt                   geplant → beantragt, bewilligt, laufend, eingestellt;
                          beantragt → bewilligt, abgelehnt, eingestellt;
                          bewilligt → laufend, eingestellt; laufend → abgeschlossen, eingestellt;
                          abgelehnt → geplant, beantragt; abgeschlossen, eingestellt → (nur mit Begründung)
Antrag (Ergebnis)         offen → bewilligt, abgelehnt, nicht berücksichtigt, zurückgezogen; sonst mit Begründung
Wirkungspaket             in Planung → vereinbart → im Controlling → abgeschlossen (vorwärts)
Empfehlung                offen → in Umsetzung, umgesetzt, verworfen; in Umsetzung → umgesetzt,
                          verworfen, offen; verworfen → offen; umgesetzt → (nur mit Begründung)
========================  ==============================================================

Owning unit (``require_edit``): projects by their lead unit (sub-projects without one by the
parent's); events, applications and budget lines by their project's unit (otherwise the
event's organisation / the applicant); packages by the provider; measurements by their
package's provider; recommendations by the responsible unit; conference sessions by nobody
(only Planung and Admin).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from sozdash.core import fmt
from sozdash.core.vocab import (
    ANNOTATION_TARGETS,
    APPLICATION_OUTCOMES,
    CONTROLLING_STATUS,
    DATE_PRECISION,
    EVENT_KINDS,
    FUNDING_SOURCES,
    LEBENSLAGEN,
    PROJECT_STATUS,
    RECOMMENDATION_STATUS,
    ROLES,
    VISIBILITY,
)
from sozdash.editing.records import EntitySpec, FieldSpec
from sozdash.store.models import (
    AgendaItem,
    Application,
    Area,
    BudgetLine,
    Conference,
    ConferenceSession,
    Event,
    FundingRound,
    ImpactPackage,
    KeyFigure,
    KeyFigureMeasurement,
    Meeting,
    Organisation,
    Programme,
    Project,
    Recommendation,
    Report,
    SavedView,
)


def _t(*values: str) -> frozenset[str]:
    return frozenset(values)


PROJECT_TRANSITIONS = {
    "geplant": _t("beantragt", "bewilligt", "laufend", "eingestellt"),
    "beantragt": _t("bewilligt", "abgelehnt", "eingestellt"),
    "bewilligt": _t("laufend", "eingestellt"),
    "laufend": _t("abgeschlossen", "eingestellt"),
    "abgelehnt": _t("geplant", "beantragt"),
}
APPLICATION_TRANSITIONS = {"offen": _t("bewilligt", "abgelehnt", "nicht_beruecksichtigt", "zurueckgezogen")}
PACKAGE_TRANSITIONS = {
    "in_planung": _t("vereinbart"),
    "vereinbart": _t("im_controlling"),
    "im_controlling": _t("abgeschlossen"),
}
RECOMMENDATION_TRANSITIONS = {
    "offen": _t("in_umsetzung", "umgesetzt", "verworfen"),
    "in_umsetzung": _t("umgesetzt", "verworfen", "offen"),
    "verworfen": _t("offen"),
}

SOURCE = FieldSpec(
    "source", "Quelle", "longtext", required=True, help="z. B. Vorlage, Bescheid, Niederschrift"
)
NOTE = FieldSpec("note", "Hinweis", "longtext")


def _project_org(session: Session, project_id: int | None, depth: int = 0) -> int | None:
    """The lead unit of a project, else of its nearest parent with one (at most 5 levels up)."""
    project = session.get(Project, project_id) if project_id else None
    if project is None:
        return None
    if project.lead_org_id is None and project.parent_id is not None and depth < 5:
        return _project_org(session, project.parent_id, depth + 1)
    return project.lead_org_id


def _package_org(session: Session, package_id: int | None) -> int | None:
    package = session.get(ImpactPackage, package_id) if package_id else None
    return package.provider_org_id if package else None


def _project_owner(session: Session, v: Mapping[str, Any]) -> int | None:
    return v["lead_org_id"] if v["lead_org_id"] is not None else _project_org(session, v["parent_id"])


def _measurement_owner(session: Session, v: Mapping[str, Any]) -> int | None:
    figure = session.get(KeyFigure, v["key_figure_id"]) if v["key_figure_id"] else None
    return _package_org(session, figure.package_id) if figure else None


def _plausible(session: Session, v: dict[str, Any]) -> dict[str, str]:
    figure = session.get(KeyFigure, v["key_figure_id"])
    assert figure is not None  # checked by validate() before
    low, high = figure.plausible_min, figure.plausible_max
    if (low is None or v["value"] >= low) and (high is None or v["value"] <= high):
        return {}
    bounds = f"{'…' if low is None else fmt.number(low)} bis {'…' if high is None else fmt.number(high)}"
    return {
        "value": f"Der Wert liegt außerhalb des plausiblen Bereichs der Kennzahl ({bounds} {figure.unit})."
    }


def _project_label(session: Session, project_id: int | None) -> str:
    project = session.get(Project, project_id) if project_id else None
    return project.title if project else "ohne Projekt"


PROJECT = EntitySpec(
    "project", "Projekt", Project,
    fields=(
        FieldSpec("title", "Titel", "text", required=True, max_length=300),
        FieldSpec("motto", "Motto", "text", max_length=200),
        FieldSpec("status", "Status", "choice", required=True, choices=PROJECT_STATUS),
        FieldSpec("start_date", "Beginn", "date"),
        FieldSpec("end_date", "Ende", "date"),
        FieldSpec("lead_org_id", "Federführung", "ref", ref=Organisation),
        FieldSpec("parent_id", "Teilprojekt von", "ref", ref=Project),
        FieldSpec("programme_id", "Förderprogramm", "ref", ref=Programme),
        FieldSpec("funding_round_id", "Förderrunde", "ref", ref=FundingRound),
        FieldSpec("description", "Beschreibung", "longtext"),
        FieldSpec("is_public", "Öffentlich sichtbar", "bool"),
        SOURCE, NOTE,
    ),
    owner=_project_owner,
    describe=lambda s, r: r.title,
    date_order=(("start_date", "end_date"),),
    status_field="status", transitions=PROJECT_TRANSITIONS, soft_delete=True,
)  # fmt: skip

EVENT = EntitySpec(
    "event", "Ereignis / Meilenstein", Event,
    fields=(
        FieldSpec("title", "Titel", "text", required=True, max_length=300),
        FieldSpec("date", "Datum", "date", required=True),
        FieldSpec("date_precision", "Genauigkeit des Datums", "choice", required=True, choices=DATE_PRECISION),
        FieldSpec("kind", "Art", "choice", required=True, choices=EVENT_KINDS),
        FieldSpec("is_planned", "nur geplant", "bool"),
        FieldSpec("project_id", "Projekt", "ref", ref=Project),
        FieldSpec("programme_id", "Förderprogramm", "ref", ref=Programme),
        FieldSpec("organisation_id", "Organisation", "ref", ref=Organisation),
        FieldSpec("vorlage", "Vorlage-Nr.", "text", max_length=40),
        FieldSpec("description", "Beschreibung", "longtext"),
        SOURCE, NOTE,
    ),
    owner=lambda s, v: _project_org(s, v["project_id"]) if v["project_id"] else v["organisation_id"],
    describe=lambda s, r: f"{fmt.date(r.date, r.date_precision)} – {r.title}",
)  # fmt: skip

APPLICATION = EntitySpec(
    "application", "Antrag", Application,
    fields=(
        FieldSpec("title", "Titel", "text", required=True, max_length=300),
        FieldSpec("kind", "Art", "text", required=True, max_length=60, help="z. B. Antrag, Interessenbekundung"),
        FieldSpec("project_id", "Projekt", "ref", ref=Project),
        FieldSpec("funding_round_id", "Förderrunde", "ref", ref=FundingRound),
        FieldSpec("applicant_org_id", "Antragsteller", "ref", ref=Organisation),
        FieldSpec("submitted_on", "Eingereicht am", "date"),
        FieldSpec("submitted_precision", "Genauigkeit", "choice", required=True, choices=DATE_PRECISION),
        FieldSpec("decided_on", "Entschieden am", "date"),
        FieldSpec("outcome", "Ergebnis", "choice", required=True, choices=APPLICATION_OUTCOMES),
        FieldSpec("reason", "Begründung des Ergebnisses", "longtext"),
        SOURCE, NOTE,
    ),
    owner=lambda s, v: _project_org(s, v["project_id"]) if v["project_id"] else v["applicant_org_id"],
    describe=lambda s, r: r.title,
    date_order=(("submitted_on", "decided_on"),),
    status_field="outcome", transitions=APPLICATION_TRANSITIONS,
)  # fmt: skip

BUDGET_LINE = EntitySpec(
    "budget_line", "Budgetposten", BudgetLine,
    fields=(
        FieldSpec("project_id", "Projekt", "ref", required=True, ref=Project),
        FieldSpec("funding_source", "Mittelherkunft", "choice", required=True, choices=FUNDING_SOURCES),
        FieldSpec("year", "Jahr", "int", min=1990, max=2100, help="leer = gesamte Laufzeit"),
        FieldSpec("amount", "Betrag (€)", "decimal", required=True, min=0),
        FieldSpec("is_approximate", "Betrag ungefähr", "bool"),
        SOURCE, NOTE,
    ),
    owner=lambda s, v: _project_org(s, v["project_id"]),
    describe=lambda s, r: (
        f"{_project_label(s, r.project_id)}: {FUNDING_SOURCES[r.funding_source]} "
        f"{r.year or 'gesamte Laufzeit'} – {fmt.euro(float(r.amount))}"
    ),
)  # fmt: skip

IMPACT_PACKAGE = EntitySpec(
    "impact_package", "Wirkungspaket", ImpactPackage,
    fields=(
        FieldSpec("title", "Titel", "text", required=True, max_length=300),
        FieldSpec("provider_org_id", "Träger", "ref", required=True, ref=Organisation),
        FieldSpec("area_id", "Gebiet", "ref", ref=Area),
        FieldSpec("funding_round_id", "Förderperiode", "ref", ref=FundingRound),
        FieldSpec("start_year", "Erstes Jahr", "int", required=True, min=2000, max=2100),
        FieldSpec("end_year", "Letztes Jahr", "int", required=True, min=2000, max=2100),
        FieldSpec("controlling_status", "Controlling-Status", "choice", required=True, choices=CONTROLLING_STATUS),
        FieldSpec("target_group", "Zielgruppe", "longtext"),
        FieldSpec("impact_goal", "Wirkungsziel", "longtext"),
        FieldSpec("services", "Leistungen", "longtext"),
        SOURCE, NOTE,
    ),
    owner=lambda s, v: v["provider_org_id"],
    describe=lambda s, r: f"{r.title} ({r.start_year}–{r.end_year})",
    date_order=(("start_year", "end_year"),),
    status_field="controlling_status", transitions=PACKAGE_TRANSITIONS, soft_delete=True,
)  # fmt: skip

MEASUREMENT = EntitySpec(
    "key_figure_measurement", "Kennzahl-Messung", KeyFigureMeasurement,
    fields=(
        FieldSpec("key_figure_id", "Kennzahl", "ref", required=True, ref=KeyFigure),
        FieldSpec("measured_on", "Gemessen am", "date", required=True),
        FieldSpec("value", "Wert", "float", required=True),
        SOURCE, NOTE,
    ),
    owner=_measurement_owner,
    describe=lambda s, r: (
        f"{s.get_one(KeyFigure, r.key_figure_id).name}: {fmt.date(r.measured_on)} – {fmt.number(r.value, 1)}"
    ),
    check=_plausible,
)  # fmt: skip

CONFERENCE_SESSION = EntitySpec(
    "conference_session", "Konferenzsitzung", ConferenceSession,
    fields=(
        FieldSpec("conference_id", "Konferenz", "ref", required=True, ref=Conference),
        FieldSpec("title", "Titel", "text", required=True, max_length=300),
        FieldSpec("date", "Datum", "date", required=True),
        FieldSpec("date_precision", "Genauigkeit des Datums", "choice", required=True, choices=DATE_PRECISION),
        FieldSpec("is_planned", "nur geplant", "bool"),
        FieldSpec("results", "Ergebnisse", "longtext"),
        SOURCE, NOTE,
    ),
    owner=lambda s, v: None,
    describe=lambda s, r: f"{fmt.date(r.date, r.date_precision)} – {r.title}",
)  # fmt: skip

RECOMMENDATION = EntitySpec(
    "recommendation", "Handlungsempfehlung", Recommendation,
    fields=(
        FieldSpec("title", "Titel", "text", required=True, max_length=300),
        FieldSpec("text", "Text", "longtext"),
        FieldSpec("lebenslage", "Lebenslage", "choice", required=True, choices=LEBENSLAGEN),
        FieldSpec("status", "Status", "choice", required=True, choices=RECOMMENDATION_STATUS),
        FieldSpec("responsible_org_id", "Zuständig", "ref", ref=Organisation),
        FieldSpec("conference_id", "Konferenz", "ref", ref=Conference),
        FieldSpec("session_id", "Sitzung", "ref", ref=ConferenceSession),
        FieldSpec("report_id", "Eingegangen in Bericht", "ref", ref=Report),
        SOURCE, NOTE,
    ),
    owner=lambda s, v: v["responsible_org_id"],
    describe=lambda s, r: r.title,
    status_field="status", transitions=RECOMMENDATION_TRANSITIONS,
)  # fmt: skip

ENTITIES: dict[str, EntitySpec] = {
    spec.key: spec
    for spec in (
        PROJECT,
        EVENT,
        APPLICATION,
        BUDGET_LINE,
        IMPACT_PACKAGE,
        MEASUREMENT,
        CONFERENCE_SESSION,
        RECOMMENDATION,
    )
}
"""Every editable record family by key, in the order the editing page offers them."""

AUDIT_TABLES: dict[str, str] = {
    "users": "Benutzer", "annotations": "Notiz", "saved_views": "Gespeicherte Ansicht",
    "agenda_slides": "Folie", "import_batches": "Import", "import_templates": "Importvorlage",
    "indicators": "Indikator", "areas": "Gebiet", "area_levels": "Gebietsebene", "observations": "Werte",
    "organisations": "Organisation", "programmes": "Förderprogramm", "funding_rounds": "Förderrunde",
    "key_figures": "Kennzahl", "controlling_meetings": "Controllinggespräch", "conferences": "Konferenz",
    "reports": "Bericht", "package_funding": "Finanzierung eines Wirkungspakets", "facts": "Fakt",
    "area_name_mappings": "Zuordnung von Gebietsnamen", "area_parts": "Teil eines zusammengefassten Gebiets",
}  # fmt: skip
"""German names of the record families that are changed elsewhere than on the editing page (audit log)."""

AUDIT_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "users": (
        FieldSpec("username", "Benutzername", "text"),
        FieldSpec("display_name", "Anzeigename", "text"),
        FieldSpec("email", "E-Mail", "text"),
        FieldSpec("role", "Rolle", "choice", choices=ROLES),
        FieldSpec("org_id", "Organisationseinheit", "ref", ref=Organisation),
        FieldSpec("is_active", "Aktiv", "bool"),
        FieldSpec("failed_attempts", "Fehlversuche", "int"),
        FieldSpec("locked_until", "Gesperrt bis", "text"),
        FieldSpec("password", "Passwort", "text"),
    ),
    "annotations": (
        FieldSpec("text", "Text", "longtext"),
        FieldSpec("visibility", "Sichtbarkeit", "choice", choices=VISIBILITY),
        FieldSpec("target_type", "Notiz zu", "choice", choices=ANNOTATION_TARGETS),
        FieldSpec("target_id", "Notiz zu Nr.", "int"),
    ),
    "saved_views": (
        FieldSpec("title", "Titel", "text"),
        FieldSpec("note", "Notiz", "longtext"),
        FieldSpec("page", "Seite", "text"),
        FieldSpec("params", "Auswahl", "text"),
    ),
    "agenda_slides": (FieldSpec("saved_view_id", "Gespeicherte Ansicht", "ref", ref=SavedView),),
    "import_batches": (
        FieldSpec("status", "Status", "choice", choices={"committed": "gespeichert", "undone": "rückgängig gemacht"}),
        FieldSpec("report", "Bericht", "text"),
    ),
    "import_templates": (FieldSpec("layout", "Aufbau der Tabelle", "text"),),
    "": (
        FieldSpec("begruendung", "Begründung", "longtext"),
        FieldSpec("deleted_at", "Gelöscht am", "text"),
        FieldSpec("position", "Position", "int"),
        FieldSpec("key", "Kennung", "text"),
        FieldSpec("name", "Name", "text"),
        FieldSpec("title", "Titel", "text"),
        FieldSpec("agenda_item_id", "Tagesordnungspunkt", "ref", ref=AgendaItem),
        FieldSpec("meeting_id", "Sitzung", "ref", ref=Meeting),
    ),
}  # fmt: skip
"""Labels of the fields the audit log names beyond the editable ones (``""``: any record family)."""
