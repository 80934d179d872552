"""Catalog search that understands citizens' words. Also the engine of the chat assistant.

Public interface::

    search(municipality, text, limit=10) -> list[Hit]
    query(municipality, text, limit=10) -> Result      # hits plus "did you mean"
    invalidate(municipality_id)                         # after a catalog change

``Hit(service_id, slug, name, score)``; scores are comparable within one query.

How a question is understood (each step is general language handling, no
per-question rules):

1. Tokenise, drop stop words and question phrasing ("Wie viel kostet ...").
2. Each remaining word becomes a *group* of weighted alternative index terms:
   its German and English Snowball stems; lexicon expansions (colloquial and
   English words -> administrative terms, see ``lexicon.py``); for words the
   index does not know, compound parts found in the index vocabulary
   ("Müllcontainer" -> Müll + Container) or, failing that, the closest
   vocabulary word within a small edit distance (typos).
3. Services are ranked with BM25F over weighted fields (name > synonyms >
   English keywords > summary > taxonomy > full text), multiplied by how many
   of the question's groups a service matches, with a small popularity prior.

The index is built in memory per municipality from the database and rebuilt
when its version counter (in the shared cache, bumped by signals on every
catalog change) moves, so queries never touch the database except for one
cache read. A process keeps the indexes of the few towns it served last
(``CATALOG_SEARCH_INDEXES``); a built index is also put into the shared cache,
compressed, under its town and version, so another process (or this one after
dropping it) loads it in milliseconds instead of rebuilding it from the
database (ADR 0216).
"""

from __future__ import annotations

import contextlib
import heapq
import math
import pickle
import re
import threading
import zlib
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from django.conf import settings
from django.core.cache import cache

from .lexicon import ENGLISH, STOP_WORDS_DE, STOP_WORDS_EN, SYNONYMS

# Field weights and length normalisation (BM25F).
FIELDS: dict[str, tuple[float, float]] = {
    # field: (weight, b)
    "name": (6.0, 0.4),
    "synonyms": (4.0, 0.3),
    "name_en": (3.5, 0.4),
    "keywords_en": (3.0, 0.3),
    "summary": (1.5, 0.75),
    "summary_en": (1.0, 0.75),
    "taxonomy": (0.8, 0.5),
    "text": (0.35, 0.75),
}
ENGLISH_FIELDS = {"name_en", "keywords_en", "summary_en"}
TITLE_FIELDS = {"name", "synonyms", "name_en", "keywords_en"}
TITLE_BONUS = 1.0  # up to double when every word of the question is in the title fields
K1 = 1.2
COMPOUND_PART_TF = 0.5  # an index word's compound part counts half an occurrence
LEXICON_WEIGHT = 0.8  # weight of a lexicon expansion relative to the word itself
COMPOUND_WEIGHT = 0.75
POPULARITY_PRIOR = 0.15
MAX_WORDS = 30  # longer questions are cut (bounds the work per query)
MIN_RELATIVE_SCORE = 0.08  # drop hits scoring under 8 % of the best one

_GERMAN = snowballstemmer.stemmer("german")
_ENGLISH = snowballstemmer.stemmer("english")
_lock = threading.Lock()
_TOKEN = re.compile(r"[0-9a-zäöüß]+", re.IGNORECASE)
_CLAUSE = re.compile(r"[,.;:!?]+")
SEPARABLE_PARTICLES = {
    "an",
    "ab",
    "um",
    "aus",
    "auf",
    "ein",
    "zu",
    "nach",
    "vor",
    "mit",
    "weg",
    "zurück",
}
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "s"})


@dataclass(frozen=True)
class Hit:
    service_id: int
    slug: str
    name: str
    score: float


@dataclass
class Result:
    hits: list[Hit]
    #: The question with typos corrected, when a correction was made ("did you mean").
    suggestion: str = ""
    #: Words that matched nothing in the catalog.
    unknown: list[str] = field(default_factory=list)


# --- text processing -----------------------------------------------------------------


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower-case without umlauts/ß and with ae/oe/ue spelled umlauts folded too."""
    word = word.lower().translate(_FOLD)
    return word.replace("ae", "a").replace("oe", "o").replace("ue", "u")


_STOP = {fold(w) for w in STOP_WORDS_DE | STOP_WORDS_EN}


@lru_cache(maxsize=200_000)
def stem_de(word: str) -> str:
    return _GERMAN.stemWord(word.lower())


@lru_cache(maxsize=200_000)
def stem_en(word: str) -> str:
    return _ENGLISH.stemWord(word.lower())


def words(text: str) -> list[str]:
    """The word tokens of ``text`` (lower-case, with umlauts), hyphens split."""
    return [w.lower() for w in _TOKEN.findall(text or "")]


@lru_cache(maxsize=200_000)
def is_stop(word: str) -> bool:
    return fold(word) in _STOP or len(word) < 2


def _expansion_terms(phrase: str) -> list[str]:
    return [stem_de(w) for w in words(phrase) if not is_stop(w)]


def _lexicon_table(source: dict[str, str]) -> dict[tuple[str, ...], list[str]]:
    """Lexicon keyed by the stem sequence of each key, so inflections match."""
    table: dict[tuple[str, ...], list[str]] = {}
    for key, value in source.items():
        meaningful = [w for w in words(key) if not is_stop(w)] or words(key)
        # Phrases match in any order ("Auto anmelden" = "anmelden Auto").
        stems = tuple(sorted(stem_de(w) for w in meaningful))
        table.setdefault(stems, []).extend(_expansion_terms(value))
        en = tuple(sorted(stem_en(w) for w in meaningful))
        if en != stems:
            table.setdefault(en, []).extend(_expansion_terms(value))
    return table


LEXICON = _lexicon_table({**SYNONYMS, **ENGLISH})
LEXICON_MAX_WORDS = max(len(k) for k in LEXICON)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, early exit above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _trigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _gram_key(gram: str, length: int) -> str:
    return f"{gram}{length}"  # a trigram has three characters: no ambiguity


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


LONG_WORD = 8  # from this length on, two typos are allowed
# Longer "words" are no German word (the longest compounds in use have ~60 letters):
# they are neither split nor corrected, which bounds the work per question (splitting
# is cubic in word length; a 400-letter word used to cost ~20 s of CPU).
MAX_WORD_LENGTH = 64
# Sub-splits one word may try; real compounds need far fewer (see test_hostile_words),
# random letter strings would otherwise try every cut at every depth.
# (The demo catalog's and the dev questions' worst real word, "Wohnungseigentümer-
# gemeinschaften", needs 429.)
MAX_SPLIT_STEPS = 600
SPLIT_CACHE_SIZE = 4096
SHORT_WORD = 6  # below this length, typos must keep the first letter


def _same_start(word: str, candidate: str) -> bool:
    """Same first letter, or the first two letters swapped (Hnud/Hund keeps 'h')."""
    return word[:1] == candidate[:1] or word[:2] == candidate[1::-1]


def _allowed_typos(word: str) -> int:
    if len(word) <= 3:
        return 0
    return 1 if len(word) < LONG_WORD else 2


# --- the index -----------------------------------------------------------------------


@dataclass
class Doc:
    service_id: int
    slug: str
    name: str
    popularity: int


class Index:
    """An in-memory BM25F index over one municipality's published services."""

    def __init__(self, records: list[dict]):
        self.docs: list[Doc] = []
        # term -> {doc: contribution}, precomputed so a query is a few dict merges
        self.postings: dict[str, dict[int, float]] = {}
        # term -> docs having it in a title-like field (name, synonyms, English name/keywords)
        self.in_title: dict[str, set[int]] = defaultdict(set)
        # folded surface word -> its term (for typo correction and compound splitting)
        self.surface: dict[str, str] = {}
        self.display: dict[str, str] = {}  # folded surface word -> word as written
        # Typo candidates: single deletions -> short words (one typo, SymSpell), and
        # trigram + word length -> long words (one or two typos, q-gram filter). The words
        # are kept as one space-separated string per key: a third of the memory of lists
        # and quick to load from the shared cache (ADR 0216).
        self.deletions: dict[str, str] = {}
        self.trigrams: dict[str, str] = {}
        self._build(records)

    # building

    def _field_terms(self, field_name: str, text: str) -> list[str]:
        stemmer = stem_en if field_name in ENGLISH_FIELDS else stem_de
        terms = []
        for raw in _TOKEN.findall(text or ""):
            word = raw.lower()
            if is_stop(word):
                continue
            terms.append(stemmer(word))
            key = fold(word)
            if key not in self.surface:
                self.surface[key] = stemmer(word)
                self.display[key] = raw
        return terms

    def _build(self, records: list[dict]) -> None:
        field_terms: list[dict[str, list[str]]] = []
        for record in records:
            self.docs.append(
                Doc(record["id"], record["slug"], record["name"], record.get("popularity", 0))
            )
            field_terms.append(
                {name: self._field_terms(name, record.get(name, "")) for name in FIELDS}
            )
        self.known_terms = {term for doc in field_terms for ts in doc.values() for term in ts}
        trigrams: dict[str, list[str]] = defaultdict(list)
        deletions: dict[str, list[str]] = defaultdict(list)
        for key in list(self.surface):
            if len(key) >= LONG_WORD:
                for gram in _trigrams(key):
                    trigrams[_gram_key(gram, len(key))].append(key)
            elif len(key) >= 3:
                for variant in _deletions(key):
                    deletions[variant].append(key)
        self.trigrams = {gram: " ".join(keys) for gram, keys in trigrams.items()}
        self.deletions = {variant: " ".join(keys) for variant, keys in deletions.items()}
        # Compound parts of index words (Hundesteuer -> hund, steuer) count as weak occurrences.
        counts: list[dict[str, dict[str, float]]] = []
        memo: dict[str, list[str]] = {}

        def parts_of(term: str) -> list[str]:
            if term not in memo:
                memo[term] = [p for p in self.split_compound(term, min_part=4) if p != term]
            return memo[term]

        for doc_fields in field_terms:
            doc_counts: dict[str, dict[str, float]] = {}
            for name, terms in doc_fields.items():
                tf: dict[str, float] = defaultdict(float)
                for term in terms:
                    tf[term] += 1.0
                    for part in parts_of(term):
                        tf[part] += COMPOUND_PART_TF
                doc_counts[name] = tf
            counts.append(doc_counts)
        self._weigh(counts, field_terms)

    def _weigh(self, counts, field_terms) -> None:
        n = max(len(self.docs), 1)
        avg_len = {name: (sum(len(doc[name]) for doc in field_terms) / n) or 1.0 for name in FIELDS}
        weighted: dict[str, dict[int, float]] = defaultdict(dict)
        for doc_index, doc_counts in enumerate(counts):
            for name, tf in doc_counts.items():
                weight, b = FIELDS[name]
                norm = 1 - b + b * (len(field_terms[doc_index][name]) / avg_len[name])
                for term, count in tf.items():
                    slot = weighted[term]
                    slot[doc_index] = slot.get(doc_index, 0.0) + weight * count / norm
                    if name in TITLE_FIELDS:
                        self.in_title[term].add(doc_index)
        for term, per_doc in weighted.items():
            idf = math.log(1 + (n - len(per_doc) + 0.5) / (len(per_doc) + 0.5))
            self.postings[term] = {
                doc: idf * tfw * (K1 + 1) / (K1 + tfw) for doc, tfw in per_doc.items()
            }
        # Per-document factors that do not depend on the question.
        scale = math.log1p(max((d.popularity for d in self.docs), default=0)) or 1.0
        self.prior = [1 + POPULARITY_PRIOR * math.log1p(d.popularity) / scale for d in self.docs]
        by_name = sorted(range(len(self.docs)), key=lambda i: self.docs[i].name)
        self.name_rank = [0] * len(self.docs)
        for position, doc in enumerate(by_name):
            self.name_rank[doc] = position

    # word analysis

    def split_compound(self, word: str, min_part: int = 3, partial: bool = True) -> list[str]:
        """Stems of the known parts of a compound, e.g. 'hundesteu' -> ['hund', 'steu'].

        Splits against the index vocabulary, allowing German linking elements
        (Fugen-s, -n, -en, -es, -e). Returns [] if no split into known parts exists.
        """
        if len(word) > MAX_WORD_LENGTH:
            return []
        key = (word, min_part, partial)
        cache = self.__dict__.setdefault("_split_cache", {})
        if key not in cache:
            if len(cache) >= SPLIT_CACHE_SIZE:
                cache.clear()
            cache[key] = self._split_uncached(word, min_part, partial)
        return list(cache[key])

    def _split_uncached(self, word: str, min_part: int, partial: bool) -> list[str]:
        known = lru_cache(maxsize=None)(self._known_stem)  # each substring is looked up once
        splitter = _Splitter(known, min_part)
        try:
            return splitter.split(word.lower().translate(_FOLD), 0, partial)
        except _SplitBudgetSpent:
            return []

    def _known_stem(self, part: str) -> str | None:
        for candidate in (part, stem_de(part)):
            if candidate in self.known_terms:
                return candidate
        return None

    def correct(self, word: str) -> tuple[str, str] | None:
        """The closest vocabulary word (term, display form) within the allowed typos.

        Ties go to the word used by more services.
        """
        key = fold(word)
        limit = _allowed_typos(key)
        if not limit or len(key) > MAX_WORD_LENGTH:
            return None
        candidates = self._one_typo_candidates(key)
        if len(key) + limit >= LONG_WORD:
            candidates |= self._trigram_candidates(key, limit)
        best = None
        for candidate in candidates:
            if len(key) < SHORT_WORD and not _same_start(key, candidate):
                continue  # short words: a changed first letter is another word (Sohn/Lohn)
            distance = edit_distance(key, candidate, limit)
            if distance <= limit:
                spread = len(self.postings.get(self.surface[candidate], ()))
                rank = (distance, -spread, candidate)
                if best is None or rank < best[0]:
                    best = (rank, candidate)
        if best is None:
            return None
        candidate = best[1]
        return self.surface[candidate], self.display[candidate]

    def _one_typo_candidates(self, key: str) -> set[str]:
        found: set[str] = set()
        for variant in (key, *_deletions(key)):
            if variant in self.surface and variant != key:
                found.add(variant)
            found.update(self.deletions.get(variant, "").split())
        found.discard(key)
        return found

    def _trigram_candidates(self, key: str, limit: int) -> set[str]:
        grams = _trigrams(key)
        shared: dict[str, int] = defaultdict(int)
        for length in range(len(key) - limit, len(key) + limit + 1):
            for gram in grams:
                for candidate in self.trigrams.get(_gram_key(gram, length), "").split():
                    shared[candidate] += 1
        # q-gram lemma: each edit destroys at most 3 trigrams of the word.
        needed = max(1, len(grams) - 3 * limit)
        return {c for c, count in shared.items() if count >= needed}

    # querying

    def analyse(self, text: str) -> tuple[list[dict[str, float]], str, list[str]]:
        """Turn a question into term groups; also returns the corrected text and unknown words."""
        tokens = self._join_separable_verbs(text)[:MAX_WORDS]
        groups: list[dict[str, float]] = []
        corrections: dict[str, str] = {}
        unknown: list[str] = []
        phrase_end = 0
        for i, word in enumerate(tokens):
            if i >= phrase_end:
                phrase_len, expansion = self._lexicon_phrase(tokens, i)
                if phrase_len > 1:
                    # The phrase's meaning is one more group; its words still count on their own.
                    groups.append({t: LEXICON_WEIGHT for t in expansion if t in self.postings})
                    phrase_end = i + phrase_len
            group, shown = self._word_group(word)
            if not group:
                unknown.append(word)
            if shown != word:
                corrections[word] = shown
            groups.append(group)
        suggestion = ""
        if corrections:
            suggestion = _TOKEN.sub(lambda m: corrections.get(m.group(0).lower(), m.group(0)), text)
        return groups, suggestion.strip(), unknown

    def _join_separable_verbs(self, text: str) -> list[str]:
        """Meaningful words, with split verbs rejoined: "melde ich den Hund an" -> "anmelde".

        German moves the particle of a separable verb to the end of the clause. If a
        clause ends in a particle and particle + one of its words is a known word,
        that word is replaced by the joined verb.
        """
        tokens: list[str] = []
        for clause in _CLAUSE.split(text):
            clause_words = words(clause)
            meaningful = [w for w in clause_words if not is_stop(w)]
            if len(clause_words) > 1 and clause_words[-1] in SEPARABLE_PARTICLES:
                particle = clause_words[-1]
                for position, word in enumerate(meaningful):
                    joined = particle + word
                    if stem_de(joined) in self.postings or (stem_de(joined),) in LEXICON:
                        meaningful[position] = joined
                        break
            tokens.extend(meaningful)
        return tokens

    def _lexicon_phrase(self, tokens: list[str], start: int) -> tuple[int, list[str]]:
        """The longest lexicon phrase (2+ words, any order) starting at ``start``."""
        for length in range(min(LEXICON_MAX_WORDS, len(tokens) - start), 1, -1):
            part = tokens[start : start + length]
            for stemmer in (stem_de, stem_en):
                key = tuple(sorted(stemmer(w) for w in part))
                if key in LEXICON:
                    return length, LEXICON[key]
        return 0, []

    def _word_group(self, word: str) -> tuple[dict[str, float], str]:
        """Alternative terms for one word with weights, and the word as it should be shown."""
        group: dict[str, float] = {}
        german, english = stem_de(word), stem_en(word)
        for term in (german, english):
            if term in self.postings:
                group[term] = 1.0
        for key in {(german,), (english,)}:
            for term in LEXICON.get(key, ()):
                if term in self.postings:
                    group.setdefault(term, LEXICON_WEIGHT)
                    continue
                for part in self.split_compound(term, min_part=4, partial=False):
                    if part in self.postings and part != term:
                        group.setdefault(part, LEXICON_WEIGHT * COMPOUND_WEIGHT)
        if group:
            return group, word
        for part in self.split_compound(german, partial=False):
            if part in self.postings:
                group.setdefault(part, COMPOUND_WEIGHT)
        if group:
            return group, word
        correction = self.correct(word)
        if correction:
            term, shown = correction
            corrected_group, _ = self._word_group(shown) if shown != word else ({}, shown)
            group = {t: w * 0.9 for t, w in corrected_group.items()} or {term: 0.9}
            return group, shown
        for part in self.split_compound(german):
            if part in self.postings:
                group.setdefault(part, COMPOUND_WEIGHT * 0.8)
        return group, word

    def _best_per_doc(self, group: dict[str, float]) -> dict[int, float]:
        """For one word of the question: each service's best-matching alternative."""
        best: dict[int, float] = {}
        for term, weight in group.items():
            postings = self.postings.get(term)
            if not postings:
                continue
            if not best:
                best = {doc: value * weight for doc, value in postings.items()}
                continue
            for doc, value in postings.items():
                value *= weight
                if value > best.get(doc, 0.0):
                    best[doc] = value
        return best

    def rank(self, groups: list[dict[str, float]], limit: int) -> list[tuple[int, float]]:
        """(doc, score) of the best ``limit`` services, best first."""
        scores: Counter[int] = Counter()
        matched: Counter[int] = Counter()
        titled: Counter[int] = Counter()
        for group in groups:
            best = self._best_per_doc(group)
            scores.update(best)
            matched.update(best.keys())
            in_title: set[int] = set()
            for term in group:
                in_title.update(self.in_title.get(term, ()))
            titled.update(in_title)
        meaningful = sum(1 for g in groups if g) or 1
        prior, name_rank = self.prior, self.name_rank
        ranked = []
        for doc, score in scores.items():
            coverage = matched[doc] / meaningful
            title = 1 + TITLE_BONUS * titled[doc] / meaningful
            final = score * (0.35 + 0.65 * coverage * coverage) * prior[doc] * title
            ranked.append((final, -name_rank[doc], doc))  # ties: alphabetical
        best_few = heapq.nlargest(limit, ranked)
        if not best_few:
            return []
        # Services far below the best match only add noise to the list.
        floor = best_few[0][0] * MIN_RELATIVE_SCORE
        return [(doc, final) for final, _, doc in best_few if final >= floor]

    def query(self, text: str, limit: int = 10) -> Result:
        groups, suggestion, unknown = self.analyse(text)
        hits = [
            Hit(self.docs[d].service_id, self.docs[d].slug, self.docs[d].name, round(score, 4))
            for d, score in self.rank(groups, limit)
        ]
        return Result(hits=hits, suggestion=suggestion, unknown=unknown)


class _SplitBudgetSpent(Exception):
    pass


class _Splitter:
    """Compound splitting with the results of each (suffix, depth) remembered and the
    number of sub-splits bounded (MAX_SPLIT_STEPS)."""

    def __init__(self, known, min_part: int):
        self.known = known
        self.min_part = min_part
        self.memo: dict[tuple[str, int], list[str]] = {}
        self.steps = 0

    def split(self, word: str, depth: int, partial: bool = False) -> list[str]:
        self.steps += 1
        if self.steps > MAX_SPLIT_STEPS:
            raise _SplitBudgetSpent
        key = (word, depth)
        if partial:
            return _split(word, self.known, self.min_part, depth, partial, self)
        if key not in self.memo:
            self.memo[key] = _split(word, self.known, self.min_part, depth, partial, self)
        return self.memo[key]


def _split(word, known, min_part, depth, partial=True, splitter=None) -> list[str]:
    """Split ``word`` into known parts (longest right part first); [] if impossible."""
    if depth > 2 or len(word) < 2 * min_part:
        return []
    splitter = splitter or _Splitter(known, min_part)
    for cut in range(len(word) - min_part, min_part - 1, -1):
        left, right = word[:cut], word[cut:]
        right_term = known(right)
        right_parts = [right_term] if right_term else splitter.split(right, depth + 1)
        if not right_parts:
            continue
        for link in ("", "s", "es", "n", "en", "e"):
            if link and not left.endswith(link):
                continue
            stem = left[: len(left) - len(link)] if link else left
            if len(stem) < min_part:
                continue
            left_term = known(stem)
            if left_term:
                return [left_term, *right_parts]
    if depth or not partial:
        return []
    # No full decomposition: the longest known head (Sperrmüll is Müll) and the longest
    # known modifier (Sperrmüllabholung is about Sperrmüll) still say what the word means,
    # if they make up more than half of it (Raumschiff is not about Raum).
    half = len(word) // 2 + 1
    parts = []
    for cut in range(min_part, len(word) - max(min_part, half) + 1):
        head = known(word[cut:])
        if head:
            parts.append(head)
            break
    for cut in range(len(word) - min_part, max(min_part, half) - 1, -1):
        modifier = known(word[:cut])
        if modifier:
            parts.append(modifier)
            break
    return parts


# --- records from the database and the per-municipality cache ------------------------


def service_records(services) -> list[dict]:
    """Flatten services into the text fields the index weighs."""
    records = []
    for s in services:
        taxonomy = [s.topic.name, s.topic.name_en]
        for situation in s.life_situations.all():
            taxonomy += [situation.name]
        records.append(
            {
                "id": s.pk,
                "slug": s.slug,
                "name": s.name,
                "popularity": s.popularity,
                "synonyms": s.synonyms,
                "name_en": s.name_en,
                "keywords_en": s.keywords_en,
                "summary": s.summary,
                "summary_en": s.summary_en,
                "taxonomy": " ".join(taxonomy),
                "text": " ".join(
                    [
                        s.description,
                        s.requirements,
                        " ".join(s.documents or []),
                        s.procedure,
                        s.hints,
                        s.office.name,
                    ]
                ),
            }
        )
    return records


def _version_key(municipality_id: int) -> str:
    return f"catalog:search-version:{municipality_id}"


class IndexCache(OrderedDict):
    """The indexes of the towns a process served last, at most ``limit`` of them.

    An index costs about 9 MB; one installation serves hundreds of towns, and a
    worker that kept every town it ever served would grow without bound (1.9 GB
    for Sachsen-Anhalt's 218 towns). The least recently used index is dropped,
    so a worker's memory depends on ``CATALOG_SEARCH_INDEXES``, not on the
    number of towns; a dropped town is loaded from the shared cache on its next
    search (~10–30 ms for 150 services), rebuilt only when nobody has it.
    """

    def lookup(self, municipality_id: int, version: int) -> Index | None:
        cached = self.get(municipality_id)
        if cached is None or cached[0] != version:
            return None
        # Another thread may have dropped it meanwhile; the index is still valid.
        with contextlib.suppress(KeyError):
            self.move_to_end(municipality_id)
        return cached[1]

    def store(self, municipality_id: int, version: int, index: Index) -> None:
        self[municipality_id] = (version, index)
        self.move_to_end(municipality_id)
        limit = max(1, getattr(settings, "CATALOG_SEARCH_INDEXES", 8))
        while len(self) > limit:
            self.popitem(last=False)


_indexes = IndexCache()

# Bump when the Index's attributes change: processes of the old and the new code then
# never read each other's shared indexes.
INDEX_FORMAT = 2
SHARED_SECONDS = 24 * 3600  # a town nobody searched for a day leaves the shared cache


def _shared_key(municipality_id: int, version: int) -> str:
    return f"catalog:search-index:{INDEX_FORMAT}:{municipality_id}:{version}"


def dumps(index: Index) -> bytes:
    """The index's state, pickled and compressed (its split cache stays behind)."""
    state = {k: v for k, v in index.__dict__.items() if k != "_split_cache"}
    return zlib.compress(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), 1)


def loads(blob: bytes) -> Index:
    """An Index from ``dumps`` (the cache's values are pickles anyway: the same trust)."""
    index = Index.__new__(Index)
    index.__dict__.update(pickle.loads(zlib.decompress(blob)))
    return index


def invalidate(municipality_id: int) -> None:
    """Mark a municipality's index stale in every process (called by signals)."""
    key = _version_key(municipality_id)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=None)


def get_index(municipality) -> Index:
    from .models import Service

    version = cache.get(_version_key(municipality.pk), 0)
    cached = _indexes.lookup(municipality.pk, version)
    if cached is not None:
        return cached
    with _lock:
        cached = _indexes.lookup(municipality.pk, version)
        if cached is not None:
            return cached
        shared = cache.get(_shared_key(municipality.pk, version))
        if shared is not None:
            index = loads(shared)
        else:
            services = (
                Service.objects.for_municipality(municipality)
                .filter(is_published=True)
                .select_related("topic", "office")
                .prefetch_related("life_situations")
            )
            index = Index(service_records(services))
            cache.set(_shared_key(municipality.pk, version), dumps(index), SHARED_SECONDS)
        _indexes.store(municipality.pk, version, index)
        return index


def query(municipality, text: str, limit: int = 10) -> Result:
    """Ranked services for a citizen's question, with a "did you mean" suggestion."""
    if not text or not text.strip():
        return Result(hits=[])
    return get_index(municipality).query(text[:500], limit)


def search(municipality, text: str, limit: int = 10) -> list[Hit]:
    """Ranked services (best first) for a citizen's question in German or English."""
    return query(municipality, text, limit).hits
