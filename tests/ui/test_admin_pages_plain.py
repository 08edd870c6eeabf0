"""Admin pages in plain German: names instead of ids and field names, "–" instead of None,
dd.mm.yyyy dates; file sizes in German units."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from sozdash.access import auth
from sozdash.core import fmt
from sozdash.core.permissions import Actor
from sozdash.editing import records
from sozdash.editing.specs import PROJECT
from sozdash.store import db
from sozdash.store.models import Organisation, Project
from sozdash.ui import import_flow
from tests.apptest import assert_clean, open_page
from tests.conftest import ROOT

ADMIN = Actor("admin-test", "admin")
PAGES = ["bearbeiten", "benutzer", "protokoll", "datenstand", "ansichten", "datenimport"]
RAW = re.compile(
    r"\b(?:None|nan|NaT)\b|org_id|display_name|created_at|_id\b|is_public|begruendung|\d{4}-\d{2}-\d{2}"
)
"""What a reader must not see: Python's missing values, field names, ISO dates."""
URL = re.compile(r"https?://\S+")
"""A link to share (its parameters are the app's URL format, not text to read)."""


class _Bar:
    def progress(self, value: float, text: str = "") -> None:
        """A progress bar that shows nothing."""


@pytest.fixture(scope="module")
def admin_app(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One seeded database for the module with accounts, a changed project and an import, the app pointed at it."""
    path = tmp_path_factory.mktemp("admin-pages") / "sozdash.sqlite"
    shutil.copy(sqlite_template, path)
    engine = db.get_engine(f"sqlite:///{path}")
    auth.create_user(
        engine, ADMIN, ADMIN.username, "Rathaus-Leverkusen-1", "admin", display_name="Anna Admin"
    )
    auth.create_user(engine, ADMIN, "ohne-mail", None, "rat")  # no e-mail, no unit, single sign-on
    with db.read_session(engine) as session:
        project = session.scalars(
            select(Project).where(Project.title == "Soziale Stadt Rheindorf-Nord")
        ).one()
        awo = session.scalars(
            select(Organisation).where(Organisation.name == "Arbeiterwohlfahrt (AWO)")
        ).one()
        project_id, awo_id = project.id, awo.id
    values, version = records.load(engine, PROJECT, project_id)
    records.update(engine, ADMIN, PROJECT, project_id, version, values | {"lead_org_id": awo_id})
    state = {
        "key": "k",
        "data": b"Gebiet;Indikator;Jahr;Wert\nOpladen;sgb2_quote;2024;3\n",
        "file_name": "opladen.csv",
    }
    preview = import_flow.preview(engine, state, source="Test", level=None, indicator="", period="", crs=None,
                                  skip=False, mapping={}, progress=_Bar())  # fmt: skip
    assert import_flow.commit(engine, ADMIN, preview, _Bar()).startswith("Gespeichert als Import")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", f"sqlite:///{path}")
        patch.chdir(ROOT)
        yield engine
    engine.dispose()


def _page(name: str) -> AppTest:
    at = open_page(f"pages/{name}.py", actor=ADMIN)
    assert_clean(at)
    return at


def _visible(at: AppTest) -> list[str]:
    """Every text a reader sees: texts, labels, choices, table headers and cells."""
    seen = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info",
                                 "success", "warning", "error") for e in getattr(at, kind)]  # fmt: skip
    for widget in (*at.selectbox, *at.text_input, *at.checkbox, *at.button, *at.date_input, *at.radio):
        seen.append(widget.label)
    for box in (*at.selectbox, *at.radio):
        seen.extend(str(o) for o in box.options)
    for frame in (*(d.value for d in at.dataframe), *(t.value for t in at.table)):
        seen.extend(str(c) for c in frame.columns)
        texts = frame.select_dtypes(exclude=["datetime", "number", "bool"])
        seen.extend(str(v) for v in texts.to_numpy().ravel())
    return seen


@pytest.mark.usefixtures("admin_app")
@pytest.mark.parametrize("name", PAGES)
def test_admin_page_shows_no_none_field_names_or_iso_dates(name: str) -> None:
    shown = [t for t in _visible(_page(name)) if RAW.search(URL.sub("", t))]
    assert not shown, shown


def _table(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_audit_log_names_people_records_fields_and_values(admin_app: Engine) -> None:
    log = _table(_page("protokoll"), "Feld")
    change = log[log["Feld"] == "Federführung"].iloc[0].to_dict()
    assert change["Benutzer"] == "Anna Admin" and change["Art"] == "Projekt"
    assert change["Datensatz"] == "Soziale Stadt Rheindorf-Nord"
    assert change["Neuer Wert"] == "Arbeiterwohlfahrt (AWO)"
    assert change["Zeitpunkt"].date() == dt.date.today()
    with admin_app.connect() as conn:
        number = conn.scalar(select(Project.id).where(Project.title == change["Datensatz"]))
    assert f"Nr. {number}" not in " ".join(log["Datensatz"])  # names, not record numbers
    created = log[(log["Art"] == "Benutzer") & (log["Feld"] == "Rolle") & (log["Datensatz"] == "ohne-mail")]
    assert list(created["Neuer Wert"]) == ["Rat"] and list(created["Alter Wert"]) == ["–"]


@pytest.mark.usefixtures("admin_app")
def test_user_and_import_tables_put_names_first_and_dash_for_missing() -> None:
    users = _table(_page("benutzer"), "Benutzername")
    assert list(users.columns[:3]) == ["Name", "Benutzername", "Rolle"]
    row = users.set_index("Benutzername").loc["ohne-mail"]
    assert (row["E-Mail"], row["Organisationseinheit"], row["Gesperrt bis"]) == ("–", "–", "–")
    imports = _table(_page("datenimport"), "Datei")
    assert imports.columns[0] == "Datei"
    assert imports.iloc[0][["Datei", "Von", "Status"]].tolist() == [
        "opladen.csv",
        "Anna Admin",
        "gespeichert",
    ]


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (275, "275 B"), (1250, "1,2 kB"), (3_565_158, "3,4 MB"), (50 * 1024 * 1024, "50 MB"),
     (1_610_612_736, "1,5 GB")],
)  # fmt: skip
def test_file_size_in_german_units(size: int, text: str) -> None:
    assert fmt.file_size(size) == text
