"""The page registry: which pages exist, in which section, and who may open them."""

from __future__ import annotations

from dataclasses import dataclass

from sozdash.core.permissions import role_rank


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    section: str
    icon: str
    min_role: str = "oeffentlich"
    default: bool = False

    @property
    def url_path(self) -> str:
        return self.file.removeprefix("pages/").removesuffix(".py")


PAGES: list[PageSpec] = [
    PageSpec("pages/ueberblick.py", "Überblick", "Überblick", ":material/home:", default=True),
    PageSpec("pages/indikatoren.py", "Indikatoren", "Sozialbericht", ":material/map:"),
    PageSpec("pages/stadtteilprofil.py", "Stadtteilprofil", "Sozialbericht", ":material/location_city:"),
    PageSpec("pages/vergleich.py", "Vergleich", "Sozialbericht", ":material/compare_arrows:"),
    PageSpec("pages/katalog.py", "Indikatorenkatalog", "Sozialbericht", ":material/menu_book:"),
    PageSpec("pages/sozialindex.py", "Sozialindex", "Sozialbericht", ":material/grid_view:"),
    PageSpec("pages/handlungsbedarfe.py", "Handlungsbedarfe", "Sozialbericht", ":material/priority_high:"),
    PageSpec("pages/methode.py", "Methode", "Sozialbericht", ":material/functions:"),
    PageSpec("pages/sozialbericht.py", "Sozialbericht-Prozess", "Sozialbericht", ":material/groups:"),
    PageSpec("pages/projekte.py", "Projekte", "Projekte & Förderung", ":material/work:"),
    PageSpec("pages/foerderprogramme.py", "Förderprogramme", "Projekte & Förderung", ":material/euro:"),
    PageSpec("pages/altenhilfe.py", "Wirkungspakete", "Altenhilfe", ":material/elderly:"),
    PageSpec("pages/sitzungen.py", "Sitzungen", "Ausschuss", ":material/co_present:"),
    PageSpec("pages/ansichten.py", "Gespeicherte Ansichten", "Ausschuss", ":material/bookmarks:"),
    PageSpec("pages/datenstand.py", "Datenstand", "Verwaltung", ":material/database:"),
    PageSpec(
        "pages/datenimport.py", "Datenimport", "Verwaltung", ":material/upload_file:", min_role="planung"
    ),
    PageSpec("pages/bearbeiten.py", "Bearbeiten", "Verwaltung", ":material/edit:", min_role="fachbereich"),
    PageSpec(
        "pages/protokoll.py", "Änderungsprotokoll", "Verwaltung", ":material/history:", min_role="planung"
    ),
    PageSpec("pages/benutzer.py", "Benutzer", "Verwaltung", ":material/manage_accounts:", min_role="admin"),
    PageSpec("pages/anmeldung.py", "Anmeldung", "Verwaltung", ":material/login:"),
    PageSpec("pages/barrierefreiheit.py", "Barrierefreiheit", "Hilfe", ":material/accessibility_new:"),
    PageSpec("pages/leichte_sprache.py", "Leichte Sprache", "Hilfe", ":material/auto_stories:"),
]


def pages_for(role: str) -> dict[str, list[PageSpec]]:
    """Pages a user with ``role`` may open, grouped by section in registry order."""
    sections: dict[str, list[PageSpec]] = {}
    for page in PAGES:
        if role_rank(role) >= role_rank(page.min_role):
            sections.setdefault(page.section, []).append(page)
    return sections
