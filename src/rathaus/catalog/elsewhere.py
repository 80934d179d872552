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
import re
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


def _stems(text: str, heads: bool = True) -> frozenset[str]:
    """The forms of the words of ``text`` (folded, German and English stem) and, with
    ``heads``, the first parts of its compounds."""
    found = set()
    for word in search.words(text):
        stem = search.stem_de(word)
        found.add(search.fold(word))
        found.add(stem)
        found.add(search.stem_en(word))
        if heads:
            found.update(stem[:end] for end in range(COMPOUND_HEAD, len(stem)))
    return frozenset(found)


# A phrase word "{land}" stands for any country the data lists ("visum {land}": a visa
# for Thailand is a matter of Thailand's embassy).
COUNTRY = "{land}"


def _phrase(text: str) -> frozenset[str]:
    """A phrase as stems (one German stem per word; English phrases stem alike). Numbers
    stay although one digit counts as a stop word: "9 Euro Ticket" is no ticket in euros."""
    stems = {
        search.stem_de(w)
        for w in search.words(text.replace(COUNTRY, " "))
        if w.isdigit() or not search.is_stop(w)
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


def match(
    question: str,
    topic_words=(),
    named: frozenset[str] | None = None,
    background: frozenset[str] = frozenset(),
) -> Elsewhere | None:
    """The entry whose longest phrase the question contains, or None.

    With the question's ``topic_words``, the phrase must also be what the question
    is about: at least half of them. "Unser Hausarzt sagt, mein Sohn hat eine
    Behinderung" mentions a doctor but asks about a disability.

    With ``named`` (stems of the town's service names), words the town has no service
    for do not argue against the phrase: "Meine Kfz-Steuer ist diesen Monat doppelt
    abgebucht worden" is about the vehicle tax. The phrase must then explain more of
    the question's words than those that name a town service outside it (words of
    ``background``, such as family members and days, and numbers name none).
    """
    if not topic_words:
        return _longest(question, lambda phrase: True)

    def about(phrase) -> bool:
        if _share(phrase, topic_words) >= MIN_SHARE:
            return True
        if named is None:
            return False
        inside, town = _weigh(phrase, topic_words, named, background)
        return inside > town

    return _longest(question, about, also=topic_words)


# A phrase that names no town service is not outweighed by up to this many town words per
# word of its own ("Ich will mein Auto beim TÜV anmelden": 1 against "Auto", "anmelden"), but
# a passing mention in a long story is (a funeral bill told with "Heim", "verstorben",
# "außer", "Bestatter" that mentions a mini-job).
UNNAMED_ODDS = 3


def match_unnamed(
    question: str, named: frozenset[str], topic_words=(), background: frozenset[str] = frozenset()
) -> Elsewhere | None:
    """The entry whose longest phrase the question contains, when no word of that phrase
    names any of the town's services (``named``: stems of their names and synonyms).

    "Ich will mein Auto beim TÜV anmelden" is about the inspection whatever else it
    says: the town has no service that "TÜV" could mean, so the share rule of
    :func:`match` does not apply; with ``topic_words``, the words that name town services
    outside the phrase must not outnumber its own by more than ``UNNAMED_ODDS`` to one.
    """

    def accept(phrase) -> bool:
        if phrase & named:
            return False
        if not topic_words:
            return True
        inside, town = _weigh(phrase, topic_words, named, background)
        return town <= UNNAMED_ODDS * inside

    return _longest(question, accept)


def _longest(question: str, accept, also=()) -> Elsewhere | None:
    """The entry with the longest phrase the question contains that ``accept`` allows
    (``also``: the question's words as the assistant reads them, e.g. split verbs
    rejoined: "melde … an" is "anmelden")."""
    asked = _stems(question).union(*(_stems(word) for word in also))
    if asked & countries():
        asked = asked | {COUNTRY}
    best, best_length = None, (0, 0)
    for entry in entries():
        if entry.unless & asked:
            continue
        for phrase in entry.phrases:
            # More words first, then longer ones: "Lohnsteuerkarte" is the abolished card,
            # though its first part "Lohnsteuer" is a phrase of the tax office's entry.
            length = (len(phrase), sum(map(len, phrase)))
            if phrase <= asked and length > best_length and accept(phrase):
                best, best_length = entry, length
    return best


def _share(phrase: frozenset[str], topic_words) -> float:
    land = countries() if COUNTRY in phrase else frozenset()
    inside = sum(1 for word in topic_words if _stems(word) & (phrase | land))
    return inside / len(topic_words)


def _weigh(phrase: frozenset[str], topic_words, named, background) -> tuple[int, int]:
    """(words of the phrase among the topic words, topic words outside the phrase that
    name a town service). Phrase words are counted, not topic words: "Kfz-Steuer" is one
    topic word but both words of the phrase "Kfz Steuer"."""
    land = countries() if COUNTRY in phrase else frozenset()
    stems = {word: _stems(word) for word in topic_words}
    asked = frozenset().union(*stems.values())
    inside = len(phrase & asked) + (COUNTRY in phrase and bool(asked & land))
    town = sum(
        1
        for word, forms in stems.items()
        if not forms & (phrase | land)
        and word not in background
        and not word.isdigit()
        and _stems(word, heads=False) & named
    )
    return inside, town


# Context and matter (ADR 0069). A citizen often names another authority only as the
# purpose or the background of what they want from the town: "eine Geburtsurkunde … für
# die Familienkasse", "die Prüfung bei der IHK bestanden, jetzt …", "die Kinderärztin
# meint …". Those words are *context*; the matter is the rest. The markers are grammar,
# not topics: a purpose ("für …"), a speaker ("X sagt/meint/verlangt …", "X hat gesagt"),
# a step already taken at X ("bei X bestanden/eingereicht"), and whom the citizen wants to
# keep out ("ohne dass X …").
def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


PURPOSE = _word_set("für fürs for")
SPEECH = {
    "de": _word_set(
        """sagt sagte sagen meint meinte meinen verlangt verlangte verlangen fordert forderte
        schreibt schrieb will wollte möchte empfiehlt empfahl rät riet"""
    ),
    # English "will" is the future, not a demand.
    "en": _word_set("says said say wants wanted requires required asks asked recommends"),
}
SPOKEN = _word_set("gesagt gemeint verlangt gefordert geschrieben empfohlen geraten told")
DONE = _word_set(
    """bestanden durchgefallen eingereicht abgegeben abgelegt abgeschlossen
    passed failed submitted"""
)
WITHOUT = ("ohne", "without")
# A speaker is a short noun phrase ("die Kinderärztin", "das Konsulat"); a personal pronoun
# is the citizen or someone named before, not another authority.
SPEAKER_WORDS = 4
PRONOUNS = _word_set("ich wir du sie er es man i we you he she they it")
PURPOSE_WORDS = 3

_PIECE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*|[,.;:!?]")
_BOUNDARY = frozenset(",.;:!?")


def _clauses(question: str) -> list[list[str]]:
    """The question's words, cut into clauses at punctuation and at "dass" and "und"."""
    clauses: list[list[str]] = [[]]
    for piece in _PIECE.findall(question):
        lower = piece.lower()
        if lower in ("dass", "that") and clauses[-1] and clauses[-1][-1].lower() in WITHOUT:
            clauses[-1].append(piece)  # "ohne dass …" stays one clause
        elif piece in _BOUNDARY or lower in ("dass", "that", "und", "and"):
            clauses.append([])
        else:
            clauses[-1].append(piece)
    return [c for c in clauses if c]


def _context_span(clause: list[str], capitals: bool, speech: frozenset[str]) -> set[int]:
    """Positions of the words of one clause that are context (see the markers above)."""
    lower = [w.lower() for w in clause]
    span: set[int] = set()
    for i, word in enumerate(lower):
        if word in PURPOSE:
            span.update(_purpose(clause, i, capitals))
        elif word in speech and 0 < i <= SPEAKER_WORDS and not set(lower[:i]) & PRONOUNS:
            span.update(range(i + 1))  # "die Kinderärztin meint …": the speaker
        elif word in SPOKEN or word in DONE:
            # "hat mir die Sozialarbeiterin gesagt", "die Prüfung bei der IHK bestanden":
            # what was said or done before, back to the clause's start.
            span.update(range(i + 1))
        elif word in WITHOUT:
            span.update(range(i, len(clause)))  # "ohne dass die Krankenkasse es erfährt"
    return span


def _purpose(clause: list[str], start: int, capitals: bool) -> range:
    """ "für" and its noun phrase: up to the first capitalised word in German written with
    capitals ("für die neue Familienkasse"), else a few words."""
    end = min(len(clause), start + 1 + PURPOSE_WORDS)
    if capitals:
        end = next((j + 1 for j in range(start + 1, end) if clause[j][:1].isupper()), end)
    if any(search.stem_de(word) in countries() for word in clause[start + 1 : end]):
        return range(0)  # "ein Visum für Thailand": a destination, no one's purpose
    return range(start, end)


def matter(question: str, language: str = "de") -> str:
    """The question without its context (who said it, what for, what was done where): the
    part that says what the citizen wants. Unchanged when nothing is marked as context."""
    speech = SPEECH.get(language, SPEECH["de"])
    clauses = _clauses(question)
    capitals = any(w[:1].isupper() for c in clauses for w in c[1:])
    kept: list[str] = []
    for clause in clauses:
        span = _context_span(clause, capitals, speech)
        # A country is where, not who: "ein Visum für Thailand" is the visa for Thailand.
        kept.extend(
            w for i, w in enumerate(clause) if i not in span or search.stem_de(w) in countries()
        )
    return " ".join(kept)


def match_matter(
    question: str,
    topic_words_of,
    named: frozenset[str],
    background: frozenset[str] = frozenset(),
    language: str = "de",
) -> Elsewhere | None:
    """The entry for ``question`` as :func:`match` and :func:`match_unnamed` find it, read
    with its context left out when the rest is a town matter: at least half of its words
    (words of ``background`` and numbers aside) name the town's services. "Ich brauche eine
    neue Geburtsurkunde für die Familienkasse" is the town's birth certificate; "Zulagen
    für den Riester-Vertrag" stay the pension authority's, "Ich will Kindergeld für meinen
    Sohn beantragen" child benefit. ``topic_words_of`` reads a text's topic words as the
    assistant does."""
    entry = _match_both(question, topic_words_of(question), named, background)
    if entry is None:
        return None
    rest = matter(question, language)
    if rest == " ".join(w for w in _PIECE.findall(question) if w not in _BOUNDARY):
        return entry  # no context marked
    words = topic_words_of(rest)
    matter_words = [w for w in words if w not in background and not w.isdigit()]
    town = [w for w in matter_words if _stems(w, heads=False) & named]
    if not town or len(town) < MIN_SHARE * len(matter_words):
        return entry  # "Was sagt die Familienkasse?": the context was all there was
    return _match_both(rest, words, named, background)


def _match_both(question, words, named, background) -> Elsewhere | None:
    return match(question, words, named, background) or match_unnamed(
        question, named, words, background
    )
