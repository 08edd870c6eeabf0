"""One hostile or malformed input and what the import must say about it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FuzzCase:
    """``make()`` builds the file's bytes (generated, never committed); ``kind`` is ``"table"``,
    ``"boundaries"`` or ``"areas"``; ``message`` a fragment of the German message the import must
    give (case-insensitive), or ``""`` when the file must be accepted."""

    name: str
    file_name: str
    kind: str
    make: Callable[[], bytes]
    message: str
