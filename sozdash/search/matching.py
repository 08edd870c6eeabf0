"""Words of a text and of a query, tolerant of case, umlauts and ß, matched by word prefix."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})

TITLE_WORD, TITLE_PREFIX, TEXT_PREFIX = 4, 3, 1
"""Score of a query word found as a whole title word, as the start of a title word, in the text."""


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def forms(word: str) -> frozenset[str]:
    """Spellings of one lower-cased word: umlauts written out ("kueppersteg") and dropped
    ("kuppersteg"), so that "Kuppersteg", "Kueppersteg" and "Küppersteg" meet."""
    lower = word.casefold()
    return frozenset({_strip_accents(lower.translate(_UMLAUTS)), _strip_accents(lower).replace("ß", "ss")})


def words(text: str) -> list[frozenset[str]]:
    """The words of ``text`` (split at everything that is not a letter or digit), each as its
    spellings (``forms``); "SGB-II-Quote" gives sgb, ii, quote."""
    return [forms(w) for w in _WORD.findall(unicodedata.normalize("NFC", text or "").replace("_", " "))]


def index_words(text: str) -> tuple[str, ...]:
    """Every spelling of every word of ``text``, for an index row."""
    return tuple(sorted({f for spellings in words(text) for f in spellings}))


def _starts(query_word: frozenset[str], spellings: tuple[str, ...]) -> bool:
    return any(s.startswith(q) for q in query_word for s in spellings)


def score(query: list[frozenset[str]], title: tuple[str, ...], text: tuple[str, ...]) -> int:
    """How well ``query`` (``words`` of the search text) fits a record with ``index_words`` of its
    title and of its description: 0 unless every query word starts a word of either; more for
    words of the title, most for whole title words."""
    total = 0
    for query_word in query:
        if not query_word.isdisjoint(title):
            total += TITLE_WORD
        elif _starts(query_word, title):
            total += TITLE_PREFIX
        elif _starts(query_word, text):
            total += TEXT_PREFIX
        else:
            return 0
    return total
