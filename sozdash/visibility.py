"""What each role may see: public readers (role Öffentlich) get only records marked public.

Pages read indicators, observations, projects and annotations through these functions (or
apply the SQL conditions to their own queries), so the rule lives in one place:

- Öffentlich: only ``Indicator.is_public`` indicators and their values, ``Project.is_public``
  projects, annotations with visibility ``oeffentlich``.
- Every role: suppressed values stay hidden (value and numerator blank, symbol ``*``), also
  when an import stored a numerator below the indicator's suppression threshold; deleted
  projects and packages are not shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Engine, and_, true

from sozdash import queries
from sozdash.models import Annotation, ImpactPackage, Project
from sozdash.permissions import Actor, has_role


def sees_internal(actor: Actor) -> bool:
    """Whether ``actor`` may see records not marked public (role Rat or higher)."""
    return has_role(actor, "rat")


def public_rows(frame: pd.DataFrame, actor: Actor, column: str = "is_public") -> pd.DataFrame:
    """``frame`` without rows whose ``column`` is false, unless ``actor`` sees internal records."""
    if sees_internal(actor) or frame.empty:
        return frame
    return frame[frame[column].astype(bool)].reset_index(drop=True)


def indicators(engine: Engine, actor: Actor) -> pd.DataFrame:
    """The indicator catalogue ``actor`` may see (``queries.indicators`` filtered)."""
    return public_rows(queries.indicators(engine), actor)


def mask_suppressed(observations: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Blank value and numerator where the status is ``suppressed`` or the numerator is below
    the indicator's suppression threshold (status set to ``suppressed``, symbol ``*``)."""
    threshold = observations["indicator"].map(catalogue.set_index("key")["suppression_threshold"])
    small = observations["numerator"].astype(float) < threshold.astype(float)
    hidden = small | (observations["status"] == "suppressed")
    if not hidden.any():
        return observations
    out = observations.copy()
    out.loc[hidden, ["value", "numerator"]] = np.nan
    out.loc[small, "status"] = "suppressed"
    out.loc[small, "symbol"] = "*"
    return out


def observations(
    engine: Engine, actor: Actor, indicator: str | None = None, level: str | None = None
) -> pd.DataFrame:
    """``queries.observations`` as ``actor`` may see them: only visible indicators, suppressed
    values masked."""
    catalogue = indicators(engine, actor)
    frame = queries.observations(engine, indicator, level)
    frame = frame[frame["indicator"].isin(catalogue["key"])].reset_index(drop=True)
    return mask_suppressed(frame, catalogue)


def project_condition(actor: Actor) -> ColumnElement[bool]:
    """SQL condition for the projects ``actor`` may see (not deleted; public for Öffentlich)."""
    visible = Project.deleted_at.is_(None)
    return visible if sees_internal(actor) else and_(visible, Project.is_public.is_(True))


def package_condition(actor: Actor) -> ColumnElement[bool]:
    """SQL condition for impact packages ``actor`` may see (not deleted)."""
    return ImpactPackage.deleted_at.is_(None)


def annotation_condition(actor: Actor) -> ColumnElement[bool]:
    """SQL condition for annotations ``actor`` may see (not deleted; public ones for Öffentlich)."""
    visible = Annotation.deleted_at.is_(None)
    public = Annotation.visibility == "oeffentlich"
    return and_(visible, public if not sees_internal(actor) else true())
