"""Markdown, HTML and formula payloads in every writable text field and every importable name
(issue 13): the seeding for the page tests in AppTest and in the browser, and the check whether a
markdown body would render any of them live."""

from __future__ import annotations

import datetime as dt
import re

from markdown_it import MarkdownIt
from sqlalchemy import Engine, String, Text, func, select, update
from sqlalchemy.orm import DeclarativeBase

from sozdash.access import auth
from sozdash.core.fmt import WORD_JOINER
from sozdash.core.permissions import Actor
from sozdash.social_index import snapshots
from sozdash.store import db
from sozdash.store import models as m

PAYLOADS = (
    "![x](http://evil.example/p.png)",
    "[klick](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    '<a href="http://evil.example/a">klick</a>',
    r"$\frac{1}{2}$",
    "https://evil.example/x",
    "www.evil.example",
    "javascript:alert(1)",
    "post@evil.example",
)
PAYLOAD = " ".join(PAYLOADS)
"""All payloads in one text, appended to every seeded field."""
FOREIGN = "evil.example"
"""The host the payloads point to: no request may go there, no link or image may name it."""

ADMIN, PASSWORD = "payload-admin", "payload-passwort-1"
"""The admin account :func:`seed_payloads` creates (its display name carries the payloads)."""

FREE_TEXT: dict[type[DeclarativeBase], tuple[str, ...]] = {
    m.City: ("name", "source"),
    m.AreaLevel: ("name", "source"),
    m.Area: ("name", "source", "note"),
    m.Indicator: ("name", "unit", "definition", "numerator_definition", "denominator_definition", "source", "note"),
    m.ImportBatch: ("source", "file_name"),
    m.Observation: ("source", "note"),
    m.Fact: ("statement", "unit", "as_of", "source", "note"),
    m.Organisation: ("name", "short_name", "source", "note"),
    m.Programme: ("name", "short_name", "description", "funder", "source", "note"),
    m.FundingRound: ("name", "description", "source", "note"),
    m.Project: ("title", "motto", "description", "source", "note"),
    m.ProjectPartner: ("role", "source"),
    m.ProjectFocus: ("text", "source"),
    m.BudgetLine: ("source", "note"),
    m.Application: ("title", "reason", "source", "note"),
    m.Report: ("title", "vorlage", "description", "source", "note"),
    m.Event: ("title", "description", "vorlage", "source", "note"),
    m.ImpactPackage: ("title", "target_group", "impact_goal", "services", "source", "note"),
    m.PackageFunding: ("source", "note"),
    m.KeyFigure: ("name", "unit", "source"),
    m.KeyFigureMeasurement: ("source", "note"),
    m.ControllingMeeting: ("outcome", "source"),
    m.Conference: ("name", "legal_basis", "description", "source", "note"),
    m.ConferenceSession: ("title", "results", "source", "note"),
    m.Recommendation: ("title", "text", "source", "note"),
    m.IndexDefinition: ("name", "note"),
    m.SavedView: ("title", "note"),
    m.Meeting: ("committee", "title", "source", "note"),
    m.AgendaItem: ("title", "speaker", "speaker_notes", "source"),
}  # fmt: skip
"""Every free text column, seeded by appending :data:`PAYLOAD` (users, annotations and the
snapshot title get theirs where :func:`seed_payloads` creates them)."""

CREATED = {m.User: ("username", "display_name", "email"), m.Annotation: ("text",), m.IndexSnapshot: ("title",),
           m.AuditEntry: ("old_value", "new_value")}  # fmt: skip
"""Free text written with payloads by the rows :func:`seed_payloads` creates."""

NOT_FREE_TEXT = {
    "key": "identifier in URLs and links, checked by the edit specs",
    "code": "area identifier in URLs, checked on import",
    "ags": "eight digits, checked",
    "topic": "fixed topic the pages filter facts by",
    "page": "url path of a known page",
    "symbol": "official mark of at most four characters, checked on import",
    "checksum": "hash of the imported file",
    "password_hash": "never shown",
    "created_by": "a username (seeded through the users)",
    "published_by": "a username (seeded through the users)",
    "username": "a username (seeded through the users)",
    "raw_name": "area name mapping, read only by an import in progress",
    "table_name": "model table name",
    "record_id": "record number",
    "field": "model column name",
}
"""Text columns that are no free text, with the reason; every other text column is vocabulary
(status, kind, role, precision …, checked against ``core.vocab`` by check constraints)."""
VOCABULARY = {
    "date_precision", "submitted_precision", "adopted_precision", "kind", "status", "level", "geometry_quality",
    "lebenslage", "polarity", "aggregation", "controlling_status", "target_type", "visibility", "role",
    "outcome", "funding_source", "quality", "action",
}  # fmt: skip
UNSEEDED_TABLES = {
    m.AreaNameMapping: "names of an import file, shown only while that import is previewed (escaped there)",
    m.ImportTemplate: "template names, shown only in a select box (plain text) and, during an upload, escaped",
    m.LoginSession: "hashes of login tokens and tickets, never shown",
}


def uncovered_text_columns() -> list[str]:
    """Text columns of the models that are neither seeded nor named as no free text (should be none)."""
    missing = []
    for mapper in m.Base.registry.mappers:
        model = mapper.class_
        if model in UNSEEDED_TABLES:
            continue
        for column in model.__table__.columns:
            if not isinstance(column.type, String | Text):
                continue
            name = column.name
            seeded = name in FREE_TEXT.get(model, ()) or name in CREATED.get(model, ())
            if not seeded and name not in NOT_FREE_TEXT and name not in VOCABULARY:
                missing.append(f"{model.__name__}.{name}")
    return missing


def seed_payloads(engine: Engine) -> None:
    """Append the payloads to every free text of the seeded database ``engine``, create an admin
    (:data:`ADMIN`, :data:`PASSWORD`) and a single-sign-on user with payload names, public and
    internal notes on every area and project, and a published index snapshot of payload areas."""
    setup = Actor("payload-setup", "admin")
    auth.create_user(engine, setup, ADMIN, PASSWORD, "admin", display_name=f"Admin {PAYLOAD}",
                     email="admin@evil.example")  # fmt: skip
    auth.create_user(engine, setup, f"sso {PAYLOAD}", None, "rat", display_name=f"Rat {PAYLOAD}",
                     email="rat@evil.example")  # fmt: skip
    with db.session_scope(engine) as session:
        for model, columns in FREE_TEXT.items():
            values = {
                c: func.coalesce(func.nullif(getattr(model, c), "") + " ", "") + PAYLOAD for c in columns
            }
            session.execute(update(model).values(values))
        author = session.scalar(select(m.User.id).where(m.User.username == ADMIN))
        now = dt.datetime.now().replace(microsecond=0)
        for target_type, model in (("area", m.Area), ("project", m.Project)):
            for target_id in session.scalars(select(model.id)):
                for visibility in ("oeffentlich", "intern"):
                    session.add(m.Annotation(target_type=target_type, target_id=target_id, author_id=author,
                                             text=f"Notiz ({visibility}) {PAYLOAD}", created_at=now,
                                             visibility=visibility))  # fmt: skip
    definition = snapshots.definitions(engine).iloc[0]
    year = snapshots.definition_config(engine, int(definition["id"])).reference_year
    admin = auth.authenticate(engine, ADMIN, PASSWORD)
    snapshot = snapshots.publish_snapshot(engine, admin, int(definition["id"]), "Sozialbericht", year)
    with db.session_scope(engine) as session:  # longer than the form allows: as a direct write could
        session.execute(
            update(m.IndexSnapshot)
            .where(m.IndexSnapshot.id == snapshot)
            .values(title=f"Sozialbericht {PAYLOAD}")
        )


_RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_AUTOLINK = re.compile(r"https?://|www\.|[-.\w+]+@[-\w]+(?:\.[-\w]+)+|mailto:|xmpp:", re.IGNORECASE)
"""What GitHub-flavoured markdown links in the text itself (after escapes are resolved)."""
_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)(?:\\\\)*\$")
"""A ``$`` not escaped by a backslash: it would open (or close) a KaTeX formula."""


def shown(body: str) -> str:
    """``body`` as the reader sees it, roughly: escapes resolved, word joiners removed."""
    return re.sub(r"\\(.)", r"\1", body).replace(WORD_JOINER, "")


def carries_payload(body: str) -> bool:
    """Whether a markdown body shows any payload."""
    text = shown(body)
    return any(p in text for p in PAYLOADS)


def live_markdown(body: str) -> list[str]:
    """What ``body`` would render live: images, links (also bare URLs and e-mail addresses), raw
    HTML, formulas; empty when it renders as literal text."""
    found = []
    html = _RENDERER.render(
        body.replace("javascript:", "https:")
    )  # markdown-it drops javascript: links, Streamlit not
    for tag in ("<img", "<a "):
        if tag in html:
            found.append(f"HTML {tag}")
    for token in _RENDERER.parse(body):
        if token.type != "inline":
            continue
        text = "".join(child.content for child in token.children or [] if child.type == "text")
        found += [f"Autolink {hit.group(0)}" for hit in _AUTOLINK.finditer(text)]
    if _UNESCAPED_DOLLAR.search(body):
        found.append("Formel $")
    return found
