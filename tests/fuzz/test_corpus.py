"""The fuzz corpus of issue 13: every hostile or malformed file gives its German message and
changes nothing; every file that must be accepted is committed.

Each case runs as the page and the CLI run it (``runner.outcome``: preview, then commit when the
preview allows it). The import's own limits (sizes, rows, columns, cells, time budget) must
bound every case; none may hang or raise anything but an ``ImportProblem``.
"""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import Engine, func, select

from sozdash.store.models import Area, Base, ImportBatch, Observation
from tests.fuzz import limits_cases, value_cases
from tests.fuzz.case import FuzzCase
from tests.fuzz.runner import outcome

CASES = [*limits_cases.CASES, *value_cases.CASES]
HASHED = {
    "areas": (Area.id, Area.code, Area.name, Area.level, Area.parent_id, Area.geometry),
    "observations": (Observation.id, Observation.value, Observation.numerator, Observation.status,
                     Observation.symbol, Observation.batch_id),
    "import_batches": (ImportBatch.id, ImportBatch.status),
}  # fmt: skip


def fingerprint(engine: Engine) -> dict[str, object]:
    """Row counts of every table and a hash of the areas, observations and import batches."""
    with engine.connect() as conn:
        counts: dict[str, object] = {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }
        for name, columns in HASHED.items():
            rows = conn.execute(select(*columns).order_by(columns[0])).all()
            counts[f"{name}#"] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return counts


def test_case_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


@pytest.mark.parametrize("case", limits_cases.CASES, ids=[case.name for case in limits_cases.CASES])
def test_limit_case(sqlite_engine: Engine, case: FuzzCase) -> None:
    """Limits refuse while reading, before the database is touched: SQLite alone suffices."""
    check_case(sqlite_engine, case)


@pytest.mark.parametrize("case", value_cases.CASES, ids=[case.name for case in value_cases.CASES])
def test_value_case(engine: Engine, case: FuzzCase) -> None:
    """Values are checked against the database and written by it: both databases."""
    check_case(engine, case)


def check_case(engine: Engine, case: FuzzCase) -> None:
    """``case`` gives its message and changes nothing, or (message "") is committed."""
    before = fingerprint(engine)
    texts, committed = outcome(engine, case)
    if not case.message:
        assert committed, f"{case.name} must be accepted, got: {texts}"
        return
    assert case.message.lower() in texts.lower(), texts
    assert "Traceback" not in texts
    assert not committed
    assert fingerprint(engine) == before
