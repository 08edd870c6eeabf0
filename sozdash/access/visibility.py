"""What each role may see: public readers (role Öffentlich) get only records marked public.

Pages read indicators, observations, projects and annotations through these functions (or
apply the SQL conditions to their own queries), so the rule lives in one place. Cached queries
take ``public_only`` (``not sees_internal(actor)``) instead of the actor, so that every reader of
one kind shares one cache entry:

- Öffentlich: only ``Indicator.is_public`` indicators and their values, ``Project.is_public``
  projects, annotations with visibility ``oeffentlich``.
- Every role: deleted projects, packages and annotations are not shown; suppressed values are
  withheld by ``sozdash.access.confidentiality.apply_confidentiality`` before anything is displayed.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import ColumnElement, Engine, and_, true

from sozdash.core.permissions import Actor, has_role
from sozdash.store import queries
from sozdash.store.models import Annotation, Project


def sees_internal(actor: Actor) -> bool:
    """Whether ``actor`` may see records not marked public (role Rat or higher)."""
    return has_role(actor, "rat")


def public_rows(frame: pd.DataFrame, public_only: bool, column: str = "is_public") -> pd.DataFrame:
    """``frame`` without rows whose ``column`` is false when ``public_only``."""
    if not public_only or frame.empty:
        return frame
    return frame[frame[column].astype(bool)].reset_index(drop=True)


def indicators(engine: Engine, actor: Actor) -> pd.DataFrame:
    """The indicator catalogue ``actor`` may see (``queries.indicators`` filtered)."""
    return public_rows(queries.indicators(engine), not sees_internal(actor))


def observations(
    engine: Engine, actor: Actor, indicator: str | None = None, level: str | None = None
) -> pd.DataFrame:
    """``queries.observations`` of the indicators ``actor`` may see. Suppression of small
    counts is ``confidentiality.apply_confidentiality`` (every role, before display)."""
    frame = queries.observations(engine, indicator, level)
    return frame[frame["indicator"].isin(indicators(engine, actor)["key"])].reset_index(drop=True)


def project_condition(public_only: bool) -> ColumnElement[bool]:
    """SQL condition for the projects a reader sees: not deleted, and only public ones when
    ``public_only`` (readers for whom ``sees_internal`` is false)."""
    visible = Project.deleted_at.is_(None)
    return and_(visible, Project.is_public.is_(True)) if public_only else visible


def annotation_condition(actor: Actor) -> ColumnElement[bool]:
    """SQL condition for annotations ``actor`` may see (not deleted; public ones for Öffentlich)."""
    visible = Annotation.deleted_at.is_(None)
    public = Annotation.visibility == "oeffentlich"
    return and_(visible, public if not sees_internal(actor) else true())
