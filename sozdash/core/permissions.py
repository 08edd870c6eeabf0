"""Who may do what: the one place that knows the roles. Every write function calls
``require_role`` (or ``require_edit``) itself, whatever the page showed."""

from __future__ import annotations

from dataclasses import dataclass

from sozdash.core.vocab import ROLES


class PermissionDenied(Exception):
    """Raised by write functions for an actor without the needed role (message in German)."""


class UnknownRole(ValueError):
    """A role string that is none of ``ROLES``; the German message lists the valid ones."""


@dataclass(frozen=True)
class Actor:
    """The person acting: from the login, never from URL parameters."""

    username: str
    role: str
    org_id: int | None = None
    display_name: str | None = None


ANONYMOUS = Actor(username="öffentlich", role="oeffentlich", display_name="Öffentlich (nicht angemeldet)")


def known_role(role: str) -> str:
    """``role`` if it is one of ``ROLES``, else :class:`UnknownRole`."""
    if role not in ROLES:
        valid = ", ".join(f"{key} ({label})" for key, label in ROLES.items())
        raise UnknownRole(f"Die Rolle „{role}“ gibt es nicht. Gültige Rollen: {valid}.")
    return role


def role_rank(role: str) -> int:
    """Position of ``role`` in the hierarchy (Öffentlich lowest, Admin highest)."""
    return list(ROLES).index(known_role(role))


def has_role(actor: Actor, role: str) -> bool:
    """Whether ``actor`` has ``role`` or a higher one."""
    return role_rank(actor.role) >= role_rank(role)


def require_role(actor: Actor, role: str) -> None:
    """Refuse unless ``actor`` has at least ``role``."""
    if not has_role(actor, role):
        raise PermissionDenied(
            f"Keine Berechtigung: Diese Aktion erfordert die Rolle „{ROLES[role]}“ "
            f"(angemeldet als „{ROLES[actor.role]}“)."
        )


def require_edit(actor: Actor, record_org_id: int | None) -> None:
    """Fachbereich may edit records of its own unit; Planung and Admin any record."""
    require_role(actor, "fachbereich")
    if not has_role(actor, "planung") and (record_org_id is None or record_org_id != actor.org_id):
        raise PermissionDenied(
            "Keine Berechtigung: Dieser Datensatz gehört zu einer anderen Organisationseinheit."
        )
