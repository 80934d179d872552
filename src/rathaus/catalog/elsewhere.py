"""Matters another authority handles, or that no longer exist (``data/elsewhere.json``).

Citizens ask the town hall about child benefit, pensions or the vehicle tax. The
town's catalog rightly has no service for them, and a search then offers the
nearest town service ("Wohngeld" for a pension): wrong and confusing. This list
lets the assistant say who is responsible instead. It is installation-wide
(federal and Land matters), kept as data, and matched by phrases: every word of
one of an entry's phrases must occur in the question (stemmed, so "Rente
beantragen" also matches "meine Rente beantragt").
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import search

DATA = Path(__file__).resolve().parent / "data" / "elsewhere.json"


@dataclass(frozen=True)
class Elsewhere:
    slug: str
    name: str
    name_en: str
    authority: str
    authority_en: str
    url: str = ""
    phone: str = ""
    note: str = ""
    note_en: str = ""
    phrases: tuple[frozenset[str], ...] = ()
    # Stems that rule the entry out: "Visum" for a trip abroad is the destination's
    # embassy, but a visitor's visa with an invitation ("Einladung") is the town's.
    unless: frozenset[str] = frozenset()

    def localised(self, language: str) -> tuple[str, str, str]:
        """(name, authority, note) in the asker's language."""
        if language == "en":
            return (
                self.name_en or self.name,
                self.authority_en or self.authority,
                self.note_en or self.note,
            )
        return self.name, self.authority, self.note


# A compound's first part counts as a word of its own when it has at least this many
# letters: "Handwerksrolleneintrag" and "Kindergeldantrag" contain the phrases
# "Handwerksrolle" and "Kindergeld". Shorter heads would match by accident ("Patent" in
# "Patentante", "Zoll" in "Zollstock").
COMPOUND_HEAD = 7


def _stems(text: str) -> frozenset[str]:
    found = set()
    for word in search.words(text):
        stem = search.stem_de(word)
        found.add(search.fold(word))
        found.add(stem)
        found.add(search.stem_en(word))
        found.update(stem[:end] for end in range(COMPOUND_HEAD, len(stem)))
    return frozenset(found)


# A phrase word "{land}" stands for any country the data lists ("visum {land}": a visa
# for Thailand is a matter of Thailand's embassy).
COUNTRY = "{land}"


def _phrase(text: str) -> frozenset[str]:
    """A phrase as stems (one German stem per word; English phrases stem alike)."""
    stems = {
        search.stem_de(w) for w in search.words(text.replace(COUNTRY, " ")) if not search.is_stop(w)
    }
    if COUNTRY in text:
        stems.add(COUNTRY)
    return frozenset(stems)


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    """Stems of the country names in the data (for "{land}" in phrases)."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return frozenset(
        search.stem_de(w) for name in data.get("countries", ()) for w in search.words(name)
    )


@lru_cache(maxsize=1)
def entries() -> tuple[Elsewhere, ...]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return tuple(
        Elsewhere(
            slug=row["slug"],
            name=row["name"],
            name_en=row.get("name_en", ""),
            authority=row["authority"],
            authority_en=row.get("authority_en", ""),
            url=row.get("url", ""),
            phone=row.get("phone", ""),
            note=row.get("note", ""),
            note_en=row.get("note_en", ""),
            phrases=tuple(p for p in (_phrase(t) for t in row["terms"]) if p),
            unless=frozenset(
                search.stem_de(w) for t in row.get("unless", ()) for w in search.words(t)
            ),
        )
        for row in data["entries"]
    )


MIN_SHARE = 0.5


def match(question: str, topic_words=()) -> Elsewhere | None:
    """The entry whose longest phrase the question contains, or None.

    With the question's ``topic_words``, the phrase must also be what the question
    is about: at least half of them. "Unser Hausarzt sagt, mein Sohn hat eine
    Behinderung" mentions a doctor but asks about a disability.
    """
    if not topic_words:
        return _longest(question, lambda phrase: True)
    return _longest(
        question, lambda phrase: _share(phrase, topic_words) >= MIN_SHARE, also=topic_words
    )


def match_unnamed(question: str, named: frozenset[str]) -> Elsewhere | None:
    """The entry whose longest phrase the question contains, when no word of that phrase
    names any of the town's services (``named``: stems of their names and synonyms).

    "Ich will mein Auto beim TÜV anmelden" is about the inspection whatever else it
    says: the town has no service that "TÜV" could mean, so the share rule of
    :func:`match` does not apply.
    """
    return _longest(question, lambda phrase: not phrase & named)


def _longest(question: str, accept, also=()) -> Elsewhere | None:
    """The entry with the longest phrase the question contains that ``accept`` allows
    (``also``: the question's words as the assistant reads them, e.g. split verbs
    rejoined: "melde … an" is "anmelden")."""
    asked = _stems(question).union(*(_stems(word) for word in also))
    if asked & countries():
        asked = asked | {COUNTRY}
    best, best_length = None, 0
    for entry in entries():
        if entry.unless & asked:
            continue
        for phrase in entry.phrases:
            if phrase <= asked and len(phrase) > best_length and accept(phrase):
                best, best_length = entry, len(phrase)
    return best


def _share(phrase: frozenset[str], topic_words) -> float:
    land = countries() if COUNTRY in phrase else frozenset()
    inside = sum(1 for word in topic_words if _stems(word) & (phrase | land))
    return inside / len(topic_words)
