"""Import templates: a confirmed table layout, saved under a name and followed again by the next
file of the same shape (the same column names once their years are set aside).

A template keeps the choices that fix the layout (header row, area column, skipped rows and
columns, chosen years and names, row levels) and the years its column names had; a later file
with other years shifts the chosen years by the same amount. Rows are kept relative to the
header row, so one more title row does not move them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, Engine, select, update

from sozdash.access import audit
from sozdash.core.permissions import Actor, require_role
from sozdash.importing.layout import (
    Header,
    LayoutChoice,
    TableLayout,
    column_label,
    find_header,
    header_block,
    numbered,
)
from sozdash.importing.levels import RowLevel
from sozdash.importing.problems import ImportProblem
from sozdash.store import db
from sozdash.store.models import ImportTemplate


class Template(BaseModel):
    """What is stored in ``import_templates.layout`` for kind ``table``."""

    shape: list[str]
    header_years: dict[str, int]
    """Column number → the year its name had when the template was saved."""
    choice: LayoutChoice


def template_of(layout: TableLayout) -> Template:
    """The template that reads files of this shape the way ``layout`` was confirmed."""

    choice = numbered(layout.choice, layout.headers).model_copy(
        update={"header_row": layout.header_row, "area_column": str(layout.area_column)}
    )
    years = {str(v.column): v.year for v in layout.values if v.year_from == "header" and v.year is not None}
    return Template(shape=layout.shape, header_years=years, choice=choice)


def pick_template(
    cells: pd.DataFrame, filled: np.ndarray, header: Header, user: LayoutChoice,
    templates: Mapping[str, Template], name: str,
) -> tuple[str, LayoutChoice] | None:  # fmt: skip
    """The template to follow and the choice it makes (the user's own choices win): the one
    named, else one whose shape is the file's; None when none applies.

    Raises ``ImportProblem`` for a named template that does not exist or does not fit.
    """
    if name and name not in templates:
        known = ", ".join(sorted(templates)) or "keine"
        raise ImportProblem(f"Vorlage „{name}“ gibt es nicht (vorhanden: {known}).")
    block = header_block(cells, filled, header)
    if not name:
        name = next((n for n, t in templates.items() if t.shape == block.shape()), "")
        if not name:
            return None
    template = templates[name]
    if block.shape() != template.shape and template.choice.header_row is not None:
        try:
            at_saved = find_header(cells, filled, template.choice.header_row)
        except ImportProblem:
            at_saved = header
        if header_block(cells, filled, at_saved).shape() == template.shape:
            header, block = at_saved, header_block(cells, filled, at_saved)
    if block.shape() != template.shape:
        raise ImportProblem(
            f"Die Vorlage „{name}“ passt nicht zu dieser Datei: {_difference(template.shape, block.shape())}."
        )
    row = 0 if header.row is None else header.row + 1
    shift = row - (template.choice.header_row or 0) if template.choice.header_row else 0
    years = block.own_years()
    changes = Counter(years[int(c)] - y for c, y in template.header_years.items() if int(c) in years)
    year_shift = changes.most_common(1)[0][0] if changes else 0
    base = template.choice
    moved = {
        "header_row": row if base.header_row else base.header_row,
        "skip_rows": [r + shift for r in base.skip_rows],
        "years": {c: y + year_shift for c, y in base.years.items()},
        "row_levels": [
            RowLevel(first_row=r.first_row + shift, last_row=r.last_row + shift, level=r.level)
            for r in base.row_levels
        ],
    }
    merged = {**base.model_dump(), **moved, **user.model_dump(exclude_defaults=True)}
    return name, LayoutChoice.model_validate(merged)


def _difference(expected: list[str], found: list[str]) -> str:
    """The first column whose name differs, in German."""
    for i, (want, have) in enumerate(zip(expected, found, strict=False), start=1):
        if want != have:
            return f"Spalte {column_label(i, '')} heißt „{have}“ statt „{want}“ (Jahre nicht verglichen)"
    return f"die Datei hat {len(found)} statt {len(expected)} benannte Spalten"


def stored_templates(conn: Connection) -> dict[str, Template]:
    """All table templates by name (stored ones that no longer validate are left out)."""
    out = {}
    rows = conn.execute(
        select(ImportTemplate.name, ImportTemplate.layout).where(ImportTemplate.kind == "table")
    ).all()
    for template_name, layout in rows:
        try:
            out[template_name] = Template.model_validate(layout)
        except ValidationError:
            continue
    return out


def template_name(name: str) -> str:
    """The name a template is saved under (stripped); raises ``ImportProblem`` unless 1–200 characters."""
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise ImportProblem(
            f"Der Name der Vorlage muss 1 bis 200 Zeichen lang sein (angegeben: {len(name)})."
        )
    return name


def save_template(engine: Engine, actor: Actor, name: str, layout: TableLayout) -> int:
    """Save (or replace) the template ``name`` from a confirmed layout; returns its id.

    Needs role Planung; audited.
    """
    require_role(actor, "planung")
    name = template_name(name)
    stored: dict[str, Any] = template_of(layout).model_dump()
    now = dt.datetime.now().replace(microsecond=0)
    with db.session_scope(engine) as session:
        existing = session.scalars(select(ImportTemplate).where(ImportTemplate.name == name)).first()
        if existing is None:
            existing = ImportTemplate(name=name, kind="table", layout=stored, created_by=actor.username,
                                      created_at=now, updated_at=now)  # fmt: skip
            session.add(existing)
            session.flush()
            audit.record(session, actor, "create", "import_templates", existing.id, "layout", None, stored)
        else:
            audit.record(
                session, actor, "update", "import_templates", existing.id, "layout", existing.layout, stored
            )
            session.execute(
                update(ImportTemplate)
                .where(ImportTemplate.id == existing.id)
                .values(layout=stored, kind="table", updated_at=now)
            )
        return existing.id
