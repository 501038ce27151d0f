"""Vague goods descriptions and party names, judged on the whole field, never a substring.

The stop list (``data/stopwords.csv``) records which authority lists each term: US CBP
(CSMS #60011750, #62081967), EU ICS2, Transport Canada PACT, UPU CN 23 guidance.
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache
from typing import NamedTuple

from .._data import package_file

AUTHORITIES = {"cbp": "US CBP", "eu": "EU ICS2", "ca_pact": "Canada PACT",
               "upu_cn23": "UPU CN 23"}

#: Words that add nothing to a description: a description made only of these and of stop
#: words says nothing ("various gifts", "parts and accessories").
FILLERS = frozenset({
    "and", "or", "&", "of", "for", "the", "a", "an", "with", "etc", "other", "others",
    "assorted", "mixed", "misc", "various", "general", "some", "new", "used", "personal",
    "kind", "kinds", "all", "item", "items", "stuff", "things", "set", "lot", "pcs",
})
FILE_EXTENSIONS = frozenset({
    "pdf", "doc", "docx", "xls", "xlsx", "csv", "txt", "jpg", "jpeg", "png", "gif", "zip",
    "xml", "json", "htm", "html", "exe", "dat", "tif", "tiff", "bmp", "ppt", "pptx", "rar",
})
#: The right description for a documents item, although stop words for goods.
DOCUMENT_WORDS = frozenset({"documents", "document", "docs", "dox", "papers", "letters"})

_SPACES = re.compile(r"\s+")
_TRAILING = re.compile(r"[\s.,;:!?]+$")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_REPEATED = re.compile(r"(.)\1{2,}")
_LONGEST_PARTY_TERM = 24
_PLACEHOLDERS = frozenset({"na", "n.a", "none", "unknown", "test", "xxx", "-", "?", "tbd",
                           "nil"})


class Verdict(NamedTuple):
    """Why a text is vague, in words a user can act on."""

    reason: str


def normalise(text: str) -> str:
    """Lower case, trimmed, inner spaces collapsed, trailing punctuation dropped."""
    return _TRAILING.sub("", _SPACES.sub(" ", text.strip().lower()))


@cache
def stop_terms() -> dict[tuple[str, str], tuple[str, ...]]:
    """(term, scope) → the authorities that list it."""
    table: dict[tuple[str, str], tuple[str, ...]] = {}
    with package_file("data/stopwords.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            listed = tuple(AUTHORITIES[k] for k in AUTHORITIES if row.get(k) == "yes")
            table[(row["term"], row["applies_to"])] = listed
    return table


@cache
def _party_terms() -> frozenset[str]:
    """Every placeholder a party name is compared with, normalised."""
    listed = {term for (term, scope) in stop_terms() if scope == "party"}
    return frozenset(listed | _PLACEHOLDERS)


@cache
def _stop_words() -> frozenset[str]:
    """Single-word description stop terms, for the "every word is a stop word" rule."""
    return frozenset(t for (t, scope) in stop_terms() if scope == "description" and " " not in t)


def _plural_free(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


@lru_cache(maxsize=1 << 16)
def vague_description(text: str, documents_item: bool) -> Verdict | None:
    """A :class:`Verdict` when ``text`` does not describe goods well enough, else None."""
    norm = normalise(text)
    if documents_item and norm in DOCUMENT_WORDS:
        return None
    if not norm or not any(ch.isalnum() for ch in norm):
        return Verdict("only blanks or punctuation")
    compact = norm.replace(" ", "")
    if compact.isdigit():
        return Verdict("only digits")
    if not _WORD.search(norm):
        return Verdict("only special characters and digits")
    if _REPEATED.fullmatch(compact):
        return Verdict("one character repeated")
    if norm.lstrip(".") in FILE_EXTENSIONS and (norm.startswith(".") or len(norm) <= 4):
        return Verdict("only a file extension")
    listed = stop_terms().get((norm, "description"))
    if listed is not None:
        by = f" (listed by {', '.join(listed)})" if listed else ""
        return Verdict(f"a term customs reject when it stands alone{by}")
    words = _WORD.findall(norm)
    stops = _stop_words()
    if words and all(
        w in FILLERS or w in stops or _plural_free(w) in stops or w + "s" in stops
        for w in words
    ) and any(w in stops or _plural_free(w) in stops or w + "s" in stops for w in words):
        return Verdict("every word is a stop word or a filler")
    return None


def vague_party_name(text: str) -> Verdict | None:
    """A :class:`Verdict` when a party name is a placeholder ("unknown", "N/A", "private")."""
    if len(text) > _LONGEST_PARTY_TERM and any(ch.isalpha() for ch in text):
        return None  # longer than any placeholder: a name
    plain = text.strip().lower()
    if plain.replace(" ", "").isalpha() and "  " not in plain and plain not in _party_terms():
        return None  # letters and single spaces only, and not a listed placeholder
    norm = normalise(text)
    listed = stop_terms().get((norm, "party"))
    if listed is not None:
        by = f" (listed by {', '.join(listed)})" if listed else ""
        return Verdict(f"a placeholder, not a name{by}")
    if norm in _PLACEHOLDERS:
        return Verdict("a placeholder, not a name")
    if not any(ch.isalpha() for ch in norm):
        return Verdict("no letters")
    return None
