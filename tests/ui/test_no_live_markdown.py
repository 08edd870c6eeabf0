"""No user or imported text is ever live markdown (issue 13): every page, as anonymous visitor and
as admin, on a database whose every free text carries markdown, HTML, KaTeX and URL payloads."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Table

from sozdash.core.fmt import plain
from sozdash.core.navigation import PAGES, pages_for
from sozdash.core.permissions import ANONYMOUS, Actor
from sozdash.store import db
from sozdash.store import models as m
from tests.apptest import assert_clean, open_page
from tests.payloads import (
    ADMIN,
    PAYLOAD,
    PAYLOADS,
    carries_payload,
    live_markdown,
    seed_payloads,
    shown,
    uncovered_text_columns,
)

ROOT = Path(__file__).resolve().parents[2]
ADMIN_ACTOR = Actor(ADMIN, "admin")
MARKDOWN_FIELDS = ("body", "label", "help", "delta")
"""Proto fields Streamlit renders as markdown (texts, titles, alerts, captions, labels, tooltips)."""
PLAIN_PROTOS = {"Text", "Html", "Code", "Json", "Exception", "TextInput", "TextArea"}
"""Elements whose ``body`` is shown as plain text (st.text, st.code …) or is no user text."""


@pytest.fixture(scope="module")
def payload_db(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("payloads") / "sozdash.sqlite"
    shutil.copy(sqlite_template, path)
    engine = db.get_engine(f"sqlite:///{path}")
    seed_payloads(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def payload_app(payload_db: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("DATABASE_URL", payload_db.url.render_as_string(hide_password=False))
    monkeypatch.chdir(ROOT)
    return payload_db


def markdown_bodies(at: AppTest) -> list[tuple[str, str]]:
    """(where, text) of every text of the rendered page that Streamlit renders as markdown."""
    found: list[tuple[str, str]] = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if isinstance(node, Block) and proto is not None and proto.DESCRIPTOR.name == "Block":
            kind = proto.WhichOneof("type")  # expander, tab, popover … (some blocks keep only that)
            proto = getattr(proto, kind) if kind else None
        if proto is None or not hasattr(proto, "DESCRIPTOR"):
            continue
        name = proto.DESCRIPTOR.name
        if name in PLAIN_PROTOS or (name == "Markdown" and node.type == "latex"):
            continue
        for field in MARKDOWN_FIELDS:
            value = getattr(proto, field, None)
            if isinstance(value, str) and value:
                found.append((f"{name}.{field}", value))
        if name == "Radio":  # radio options render markdown; select box options are plain text
            found += [("Radio.options", option) for option in proto.options]
        if isinstance(node, Table):  # st.table renders markdown in its cells
            frame = pd.DataFrame(node.value)
            found += [("Table.cell", str(v)) for v in frame.to_numpy().ravel() if isinstance(v, str)]
    return found


def offenders(at: AppTest) -> tuple[int, list[tuple[str, str, list[str]]]]:
    """How many markdown texts show payloads, and those that would render one live."""
    bearing = [(where, body) for where, body in markdown_bodies(at) if carries_payload(body)]
    return len(bearing), [
        (where, body[:120], live) for where, body in bearing if (live := live_markdown(body))
    ]


def test_plain_neutralises_every_payload_and_keeps_it_readable() -> None:
    for payload in PAYLOADS:
        if payload != "javascript:alert(1)":  # a bare scheme is no link even unescaped
            assert live_markdown(payload), payload  # the check sees each payload live when unescaped
        assert live_markdown(plain(payload)) == [], payload
        assert shown(plain(payload)) == payload
    assert live_markdown(plain(PAYLOAD)) == []
    ordinary = "Quelle: Stadt, 1.234 Personen (2020) – SGB-II-Quote in %"
    assert plain(ordinary) == ordinary  # nothing to escape, no joiner where nothing would turn live


@pytest.mark.parametrize("text", [
    "1. eins\n2) zwei", "- a\n+ b\n* c", "# Titel\n## Unter", "Titel\n===", "Titel\n---", "> Zitat",
    "| a | b |\n|---|---|\n| 1 | 2 |", "```\ncode\n```", "~~~\ncode\n~~~", "**fett** _kursiv_ ~~weg~~ `code`",
    "<b>fett</b>", "&lt;b&gt; &#42;", "[a]: http://evil.example/\n[a]", "<http://evil.example>", "a\r# b",
    ":red[rot] :material/home: :smile:", "\\$x$", "1\\. eins",
])  # fmt: skip
def test_plain_text_renders_as_one_plain_paragraph(text: str) -> None:
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(plain(text))
    assert set(re.findall(r"</?(\w+)", html)) <= {"p", "br"}, html
    assert shown(plain(text)) == text


def test_every_text_column_is_seeded_or_named_as_no_free_text() -> None:
    assert uncovered_text_columns() == []


@pytest.mark.parametrize("actor", [ANONYMOUS, ADMIN_ACTOR], ids=["anonym", "admin"])
def test_every_page_shows_payloads_only_as_literal_text(payload_app: Engine, actor: Actor) -> None:
    pages = [p for specs in pages_for(actor.role).values() for p in specs]
    assert len(pages) == (len(PAGES) if actor.role == "admin" else 18)
    problems, silent = {}, []
    for spec in pages:
        at = open_page(spec.file, actor=None if actor == ANONYMOUS else actor, timeout=60)
        assert_clean(at)
        bearing, live = offenders(at)
        if not bearing:
            silent.append(spec.file)
        if live:
            problems[spec.file] = live
    assert problems == {}
    assert silent == []  # every page shows payload text (at least the sidebar's data status)


def _project_with_budget_and_vorlage(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.scalar(
            select(m.Project.key).join(m.BudgetLine, m.BudgetLine.project_id == m.Project.id)
            .join(m.Event, m.Event.project_id == m.Project.id).where(m.Event.vorlage.is_not(None)).limit(1)
        ))  # fmt: skip


def _bearing(at: AppTest, where: str) -> list[str]:
    return [body for w, body in markdown_bodies(at) if w == where and carries_payload(body)]


def test_the_five_known_places_show_their_payload_escaped(payload_app: Engine) -> None:
    """Meeting title, saved-view titles (Sitzungen), budget-line notes and Vorlage (Projekte), and
    the indicator name in the Indikatoren subheader."""
    at = open_page("pages/sitzungen.py", actor=ADMIN_ACTOR, timeout=60)
    assert_clean(at)
    titles = [b for b in _bearing(at, "Heading.body") if shown(b).startswith("Sitzung 2018")]
    slide_lists = [b for b in _bearing(at, "Markdown.body") if b.startswith("1. ")]  # the slides of an item
    project = _project_with_budget_and_vorlage(payload_app)
    at = open_page("pages/projekte.py", query={"projekt": project}, timeout=60)
    assert_clean(at)
    notes = [b for b in _bearing(at, "Markdown.body") if shown(b).startswith("Hinweise der Quellen")]
    vorlagen = [b for b in _bearing(at, "Markdown.body") if b.startswith("**Ratsvorlagen:**")]
    at = open_page("pages/indikatoren.py", timeout=60)
    assert_clean(at)
    subheaders = [b for b in _bearing(at, "Heading.body") if shown(b).startswith("Karte: ")]
    for place in (titles, slide_lists, notes, vorlagen, subheaders):
        assert place and all(PAYLOAD in shown(b) and live_markdown(b) == [] for b in place), place


def test_presentation_slides_show_payloads_only_as_literal_text(payload_app: Engine) -> None:
    with payload_app.connect() as conn:
        count = len(conn.scalars(select(m.AgendaSlide.id)).all())
    assert count > 1
    problems = {}
    for number in range(1, count + 1):
        at = open_page("pages/sitzungen.py", actor=ADMIN_ACTOR, timeout=60,
                       query={"modus": "praesentation", "folie": str(number)})  # fmt: skip
        assert_clean(at)
        bearing, live = offenders(at)
        assert bearing, number
        if live:
            problems[number] = live
    assert problems == {}
