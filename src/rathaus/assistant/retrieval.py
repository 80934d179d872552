"""Finding the service a question is about: the catalog's search plus a plausibility check.

Ranking is the catalog's job (``rathaus.catalog.search``: stemming, compounds,
synonyms). The assistant adds what a chat needs on top: *how sure* it may be. A
search engine always returns its best guess; the assistant must not. So we check
how many of the question's topic words the top service actually explains (its
name, synonyms, texts): a question about pizza that only shares "bestellen" with
"Geburtsurkunde bestellen" is not about that service.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count, Max

from rathaus.catalog.models import Service

from .intents import intent_words
from .text import FILLER, GENERIC, light_stem, tokens


@dataclass(frozen=True)
class Candidate:
    service: Service
    score: float
    coverage: float  # share of the topic words this service's texts explain


@dataclass(frozen=True)
class Retrieval:
    topic_words: tuple[str, ...]
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def topic_words(question: str) -> tuple[str, ...]:
    """Words that can tell services apart (no function words, intent words or generic verbs)."""
    skip = FILLER | GENERIC | intent_words(question)
    return tuple(dict.fromkeys(w for w in tokens(question) if w not in skip and len(w) >= 3))


def service_text(service: Service) -> str:
    return " ".join(
        [
            service.name,
            service.name_en,
            service.synonyms,
            service.keywords_en,
            service.summary,
            service.summary_en,
        ]
    )


class Vocabulary:
    """Stems of a text, matching inflections and compound parts."""

    def __init__(self, text: str):
        words = {w for w in tokens(text) if len(w) >= 3}
        parts = set()
        for w in words:
            parts.update(p for p in w.split("-") if len(p) >= 3)
        self.stems = frozenset(light_stem(w) for w in words | parts)
        self.long = tuple(s for s in self.stems if len(s) >= 5)

    def knows(self, word: str) -> bool:
        stem = light_stem(word)
        if stem in self.stems:
            return True
        if len(stem) < 4:
            return False
        # Compounds: "Personalausweis" explains "ausweis"; "Hundesteuer" explains "hund".
        return any(stem in long or (long in stem and len(long) >= 5) for long in self.long)


def coverage(words: tuple[str, ...], vocabulary: Vocabulary) -> float:
    if not words:
        return 0.0
    return sum(1 for w in words if vocabulary.knows(w)) / len(words)


@lru_cache(maxsize=4096)
def _service_vocabulary(service_id: int, version: str, text: str) -> Vocabulary:
    return Vocabulary(text)


def vocabulary_of(service: Service) -> Vocabulary:
    return _service_vocabulary(service.pk, service.updated_at.isoformat(), service_text(service))


def catalog_version(municipality) -> tuple:
    row = Service.objects.for_municipality(municipality).aggregate(n=Count("id"), t=Max("updated_at"))
    return row["n"], row["t"]


def search_hits(municipality, question: str, limit: int):
    from rathaus.catalog.search import search

    return search(municipality, question, limit=limit)


def retrieve(municipality, question: str, limit: int = 5) -> Retrieval:
    words = topic_words(question)
    hits = search_hits(municipality, question, limit)
    by_id = (
        Service.objects.for_municipality(municipality)
        .filter(is_published=True, pk__in=[h.service_id for h in hits])
        .select_related("office")
        .in_bulk()
    )
    candidates = []
    for hit in hits:
        service = by_id.get(hit.service_id)
        if service is None:  # never trust a hit from elsewhere
            continue
        candidates.append(
            Candidate(service, float(hit.score), coverage(words, vocabulary_of(service)))
        )
    return Retrieval(words, tuple(candidates))
