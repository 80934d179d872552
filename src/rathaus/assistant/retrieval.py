"""Finding the service a question is about: the catalog's search plus a plausibility check.

Ranking is the catalog's job (``rathaus.catalog.search``: stemming, compounds,
synonyms, typos). The assistant adds what a chat needs on top: *how sure* it may
be. A search engine always returns its best guess; a chat must not. So for the top
services we check how many of the question's topic words the service's *own*
descriptive fields explain (name, synonyms, English keywords, summaries), using the
catalog's analysis of those words. A question about pizza that shares only the full
text of some service, or only the verb "bestellen" with "Geburtsurkunde bestellen",
is not about that service.
"""

import math
from dataclasses import dataclass
from functools import lru_cache

from rathaus.catalog import search as catalog_search
from rathaus.catalog.models import Service

from .intents import intent_words
from .text import CONTEXT, CONTEXT_WORDS, FILLER, GENERIC, tokens

# A service "means" a word when its name, synonyms or English keywords contain it;
# its summaries only half-mean it (they mention neighbouring services, too).
NAME_FIELDS = ("name", "name_en", "synonyms", "keywords_en")
SUMMARY_FIELDS = ("summary", "summary_en")
# The service's full texts: what it is for, who may use it, how it goes. They say in
# everyday words what the name does not ("Geld", "Schulden", "selbstständig"), but they
# also mention neighbouring matters, so they only back a decision (second stage).
FULL_FIELDS = (
    "description",
    "description_en",
    "requirements",
    "requirements_en",
    "procedure",
    "hints",
)
# Short words the catalog does not know at all ("mal", "gar") weigh little; longer unknown
# words ("Pizza", "Aktien") count fully: a question about them is not about a service.
SHORT_WORD = 3
UNKNOWN_SHORT_WEIGHT = 0.25
# Weights the catalog gives a word's own stems (1.0), typo corrections (0.9), lexicon
# expansions (0.8) and compound parts (0.75); below are parts of expansions (0.6).
STRONG_WEIGHT = 0.7
# Typo corrections of words up to this length are guesses ("bread" -> "breed").
GUESS_WORD = 6
# Words of circumstance (who, when: "Vater", "seit Tagen", "80") weigh this much: a story's
# background must not outvote the one word that says what happened ("verstorben").
CONTEXT_WEIGHT = 0.3
# Words this long may be compounds a service names only in parts.
COMPOUND_WORD = 10


@dataclass(frozen=True)
class Candidate:
    service: Service
    score: float
    coverage: float  # share of the topic words this service's own fields explain
    precision: float = 0.0  # share of the service's name the question contains
    # Per topic word: how well this service explains it, and whether its name fields name it.
    explains: tuple[float, ...] = ()
    names: tuple[bool, ...] = ()
    known: tuple[bool, ...] = ()  # per topic word: does the catalog know it at all
    # per topic word: does any service's name field name it (else it is background:
    # "Krankenhaus", "Sommer" – or "Pizza")
    naming: tuple[bool, ...] = ()
    # per topic word: how well the service's name fields *or* its full texts and
    # Lebenslagen explain it (second stage, see dialogue._second_stage)
    full: tuple[float, ...] = ()


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
    generic = generic_stems()
    return tuple(
        dict.fromkeys(
            w
            for w in tokens(question)
            if w not in skip
            and len(w) >= 2
            and not catalog_search.is_stop(w)
            and catalog_search.stem_de(w) not in generic
        )
    )


@dataclass(frozen=True)
class WordSense:
    """The catalog's reading of one topic word: index terms, and whether it is a compound
    the index only knows in parts ("Wohngeld" -> wohn + geld)."""

    terms: frozenset[str]
    parts: tuple[str, ...] = ()
    # Terms the word only reaches as a compound part of a lexicon expansion ("Sofa" ->
    # Sperrmüll -> "sperr"): evidence only in part.
    weak: frozenset[str] = frozenset()
    guessed: bool = False  # a short word the catalog only knows after a typo correction
    weight: float = 1.0  # short words the catalog does not know weigh little
    context: bool = False  # a word of circumstance (text.CONTEXT, numbers): background
    # A compound the index knows whole from some text ("Straßenlaterne") but that a
    # service only names in parts ("Straßen…", "Laterne kaputt").
    pieces: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def generic_stems() -> frozenset[str]:
    """Stems of generic verbs: a lexicon expansion to "nutzen" identifies no service."""
    return frozenset(
        stem
        for word in GENERIC
        for stem in (catalog_search.stem_de(word), catalog_search.stem_en(word))
    )


def word_senses(index, words: tuple[str, ...]) -> list[WordSense]:
    senses = []
    for word in words:
        groups, suggestion, _unknown = index.analyse(word)
        group = groups[0] if groups else {}
        parts = ()
        if group and max(group.values()) <= catalog_search.COMPOUND_WEIGHT:
            split = tuple(index.split_compound(catalog_search.stem_de(word)))
            if split and set(group) <= set(split):
                parts = split
        weight = 1.0 if group or len(word) > SHORT_WORD else UNKNOWN_SHORT_WEIGHT
        context = word in CONTEXT or word.isdigit()
        if context:
            weight = CONTEXT_WEIGHT
        terms = frozenset(group) - generic_stems()
        if group and not terms:  # "Anmeldung" is as generic as "anmelden"
            continue
        guessed = bool(suggestion) and len(word) <= GUESS_WORD
        weak = frozenset(t for t in terms if group[t] < STRONG_WEIGHT)
        pieces = ()
        if not parts and len(word) >= COMPOUND_WORD:
            split = tuple(index.split_compound(catalog_search.stem_de(word), min_part=4))
            pieces = split if len(split) > 1 else ()
        senses.append(WordSense(terms - weak, parts, weak, guessed, weight, context, pieces))
    return senses


@dataclass(frozen=True)
class Terms:
    direct: frozenset[str]  # stems of the service's name, synonyms and keywords
    parts: frozenset[str]  # compound parts of them (Baumfällgenehmigung -> genehm)
    summary: frozenset[str] = frozenset()  # stems of the summaries


def stems_of(text: str, index=None) -> Terms:
    """German and English stems of a text's words, plus compound parts the index knows."""
    direct: set[str] = set()
    parts: set[str] = set()
    for word in catalog_search.words(text):
        if catalog_search.is_stop(word):
            continue
        for term in (catalog_search.stem_de(word), catalog_search.stem_en(word)):
            direct.add(term)
            if index is not None:
                parts.update(index.split_compound(term, min_part=4))
    return Terms(frozenset(direct), frozenset(parts - direct))


def strong_terms(service: Service, index) -> Terms:
    """Stems of the service's descriptive fields, memoised on the (immutable) index."""
    memo = index.__dict__.setdefault("_assistant_strong_terms", {})
    key = (service.pk, service.updated_at)
    if key not in memo:
        names = stems_of(" ".join(getattr(service, f) or "" for f in NAME_FIELDS), index)
        summary = stems_of(" ".join(getattr(service, f) or "" for f in SUMMARY_FIELDS))
        memo[key] = Terms(
            names.direct,
            frozenset(names.parts - names.direct),
            frozenset(summary.direct - names.direct - names.parts),
        )
    return memo[key]


def full_terms(service: Service, index) -> Terms:
    """The service's name terms plus the stems of its full texts and Lebenslagen."""
    memo = index.__dict__.setdefault("_assistant_full_terms", {})
    key = (service.pk, service.updated_at)
    if key not in memo:
        text = " ".join(str(getattr(service, f) or "") for f in FULL_FIELDS)
        text += " " + " ".join(
            f"{s.name} {s.name_en} {s.description}" for s in service.life_situations.all()
        )
        full = stems_of(text)
        names = strong_terms(service, index)
        memo[key] = Terms(names.direct | names.summary | full.direct, names.parts)
    return memo[key]


def explained(sense: WordSense, terms: Terms) -> float:
    """1 if the service's own words mean this word, 0.5 if only in part, else 0."""
    if not sense.terms and not sense.weak:
        return 0.0
    if sense.parts:  # a compound known only in parts must be named in all parts
        named = terms.direct | terms.parts
        if len(sense.parts) > 1 and all(p in named for p in sense.parts):
            return 1.0
        return 0.5 if any(p in named | terms.summary for p in sense.parts) else 0.0
    full = 0.5 if sense.guessed else 1.0
    if sense.terms & terms.direct:
        return full
    if sense.pieces and all(p in terms.direct | terms.parts for p in sense.pieces):
        return full
    everything = sense.terms | sense.weak
    return 0.5 if everything & (terms.direct | terms.parts | terms.summary) else 0.0


def names_it(sense: WordSense, terms: Terms) -> bool:
    """The service's name, synonyms or keywords contain the word, if only as a part
    ("Genehmigung" in "Baumfällgenehmigung"): enough to stay with a focused service."""
    return bool(sense.terms & (terms.direct | terms.parts))


def coverage(senses: list[WordSense], terms: Terms) -> float:
    total = sum(sense.weight for sense in senses)
    if not total:
        return 0.0
    return sum(explained(sense, terms) * sense.weight for sense in senses) / total


def question_terms(index, question: str) -> frozenset[str]:
    """Every index term the question stands for (its stems and their expansions)."""
    groups, _suggestion, _unknown = index.analyse(question)
    terms = {t for group in groups for t in group}
    for word in tokens(question):
        terms.update((catalog_search.stem_de(word), catalog_search.stem_en(word)))
    return frozenset(terms)


def name_precision(service: Service, terms: frozenset[str], english: bool = False) -> float:
    """Share of the service name's words that the question contains.

    Tells "Personalausweis beantragen" from "Vorläufigen Personalausweis beantragen"
    when a citizen asks for the first: both explain the question, one says more.
    """
    name = service.name_en if english and service.name_en else service.name
    generic = generic_stems()
    words = [
        w
        for w in catalog_search.words(name)
        if not catalog_search.is_stop(w) and catalog_search.stem_de(w) not in generic
    ]
    if not words:
        return 0.0
    found = sum(
        1 for w in words if catalog_search.stem_de(w) in terms or catalog_search.stem_en(w) in terms
    )
    return found / len(words)


def mentions(words: tuple[str, ...], text: str) -> int:
    """How many of ``words`` a short text (an office or location name) contains."""
    terms = stems_of(text)
    count = 0
    for word in words:
        stem = catalog_search.stem_de(word)
        if stem in terms.direct or any(
            len(s) >= 5 and (s in stem or stem in s) for s in terms.direct
        ):
            count += 1
    return count


def warm(municipality, index) -> None:
    """Compute every service's terms once per index (like the index build itself),
    so answering never pays for stemming a service's texts."""
    if index.__dict__.get("_assistant_warm"):
        return
    services = (
        Service.objects.for_municipality(municipality)
        .filter(is_published=True)
        .only("pk", "updated_at", *NAME_FIELDS, *SUMMARY_FIELDS, *FULL_FIELDS)
        .prefetch_related("life_situations")
    )
    names: set[str] = set()
    for service in services:
        terms = strong_terms(service, index)
        names |= terms.direct | terms.parts
        full_terms(service, index)
    index.__dict__["_assistant_names"] = frozenset(names)
    index.__dict__["_assistant_warm"] = True


def rarest_word_weight(municipality) -> float:
    """The search's weight (idf) of a word that only one published service has: the unit
    in which the assistant reads the search's scores, so that a threshold does not
    depend on the size of the town's catalog."""
    documents = len(catalog_search.get_index(municipality).docs)
    return math.log(1 + (max(documents, 1) - 0.5) / 1.5)


def _without_context(question: str, words: tuple[str, ...]) -> str:
    """The question without its words of circumstance, for ranking: "Meine Mutter ist
    dement" must rank care services, not those whose synonyms say "Mutter". Unchanged
    when nothing else is left to rank by."""
    if not any(w not in CONTEXT for w in words):
        return question
    # Countries stay: "Führerschein für die USA" is ranked by them.
    return " ".join(w for w in tokens(question) if w not in CONTEXT_WORDS and not w.isdigit())


def service_names(municipality) -> frozenset[str]:
    """Stems of every published service's name fields (name, synonyms, keywords)."""
    index = catalog_search.get_index(municipality)
    warm(municipality, index)
    return index.__dict__.get("_assistant_names", frozenset())


def _rejoined(index, question: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """Topic words with split separable verbs rejoined as the search reads them:
    "Ich wandere nach Kanada aus" is about "auswandern", not about "wandern"."""
    if not words:
        return words
    asked = set(tokens(question))
    joined: dict[str, str] = {}
    for term in index._join_separable_verbs(question[:500]):
        if term in asked:
            continue
        for particle in catalog_search.SEPARABLE_PARTICLES:
            rest = term[len(particle) :]
            if term.startswith(particle) and rest in words:
                joined[rest] = term
    return tuple(joined.get(w, w) for w in words)


def retrieve(municipality, question: str, limit: int = 5) -> Retrieval:
    index = catalog_search.get_index(municipality)
    warm(municipality, index)
    words = _rejoined(index, question, topic_words(question))
    hits = (
        index.query(_without_context(question, words)[:500], limit).hits if question.strip() else []
    )
    senses = word_senses(index, words) if words else []
    by_id = (
        Service.objects.for_municipality(municipality)
        .filter(is_published=True, pk__in=[h.service_id for h in hits])
        .select_related("office")
        .prefetch_related("life_situations")
        .defer("legal_basis")
        .in_bulk()
    )
    asked = question_terms(index, question) if hits else frozenset()
    names = index.__dict__.get("_assistant_names", frozenset())
    candidates = []
    for hit in hits:
        service = by_id.get(hit.service_id)
        if service is None:  # never trust a hit from elsewhere
            continue
        terms = strong_terms(service, index)
        everything = full_terms(service, index)
        precision = max(name_precision(service, asked), name_precision(service, asked, True))
        candidates.append(
            Candidate(
                service,
                float(hit.score),
                coverage(senses, terms),
                precision,
                tuple(explained(sense, terms) for sense in senses),
                tuple(names_it(sense, terms) for sense in senses),
                tuple(bool(sense.terms or sense.weak) for sense in senses),
                tuple(bool(sense.terms & names) and not sense.context for sense in senses),
                tuple(explained(sense, everything) for sense in senses),
            )
        )
    return Retrieval(words, tuple(candidates))


def explains(service: Service, municipality, words: tuple[str, ...]) -> bool:
    """True when the service's name fields contain every topic word (at least as a part)."""
    index = catalog_search.get_index(municipality)
    senses = word_senses(index, words)
    terms = strong_terms(service, index)
    return bool(senses) and all(names_it(sense, terms) for sense in senses)


def among(municipality, question: str, services) -> list[Candidate]:
    """Candidates for ``question`` restricted to ``services`` (the choices just offered),
    best first; lets a citizen answer a counter-question in words ("abmelden")."""
    words = topic_words(question)
    if not words:
        return []
    index = catalog_search.get_index(municipality)
    senses = word_senses(index, words)
    asked = question_terms(index, question)
    found = []
    for service in services:
        terms = strong_terms(service, index)
        share = coverage(senses, terms)
        if share > 0:
            precision = name_precision(service, asked)
            found.append(Candidate(service, share, share, precision))
    return sorted(found, key=lambda c: (-c.coverage, -c.precision))


def name_spread(municipality, words: tuple[str, ...]) -> tuple[int, ...]:
    """Per sense of ``words`` (aligned with `Candidate.explains`): how many published
    services name it in their name fields; 0 for a word of circumstance or one no service
    names. A word few services name is the question's matter ("Hornissen"), one that many
    name is its setting ("Garten", "Kinder"); the catalog itself tells which, so no word
    list is needed (ADR 0107)."""
    index = catalog_search.get_index(municipality)
    naming = _services_naming(municipality, index)
    spread = []
    for sense in word_senses(index, words):
        named: set[int] = set()
        if not sense.context:
            for term in sense.terms:
                named |= naming.get(term, frozenset())
        spread.append(len(named))
    return tuple(spread)


def rarest_explained(spread: tuple[int, ...], candidates) -> int | None:
    """The fewest services naming a word (``spread``, from `name_spread`) that one of
    ``candidates`` fully explains; None when they fully explain no word that names
    services."""
    counts = [
        count
        for candidate in candidates
        for count, share in zip(spread, candidate.explains, strict=False)
        if count and share == 1.0
    ]
    return min(counts, default=None)


def _services_naming(municipality, index) -> dict[str, frozenset[int]]:
    """Index term -> the published services whose name fields contain it (whole or as a
    compound part), memoised on the index like the services' terms."""
    memo = index.__dict__.get("_assistant_naming")
    if memo is not None:
        return memo
    warm(municipality, index)
    services = (
        Service.objects.for_municipality(municipality)
        .filter(is_published=True)
        .only("pk", "updated_at", *NAME_FIELDS, *SUMMARY_FIELDS)
    )
    naming: dict[str, set[int]] = {}
    for service in services:
        terms = strong_terms(service, index)
        for term in terms.direct | terms.parts:
            naming.setdefault(term, set()).add(service.pk)
    memo = {term: frozenset(pks) for term, pks in naming.items()}
    index.__dict__["_assistant_naming"] = memo
    return memo
