"""Does the clause that asks carry a story's matter? The search's ranking with the words of
some clauses weighted down (issue 22, round nine, ADR 0108).

Run:  RATHAUS_MODE=demo .venv/bin/python benchmarks/story_clauses.py

For every question of the development sets (assistant_dev.tsv, assistant_blind.tsv to
assistant_blind8.tsv, the shared dev set and tests/assistant/questions-extra.tsv; never
the round's unseen set) it ranks the catalog's services for the whole question and for
variants in which the words of one kind of clause keep only a share of their weight:

* ``last``: every sentence but the last (the asking one) is background;
* ``qmark``: every sentence without a question mark is background (when one has one);
* ``first``: every sentence but the first is background (the opposite reading);
* ``need``: clauses without a modal or need verb ("brauche", "will", "muss", "kann")
  are background;
* ``subclause``: clauses of reason or time ("weil", "seit", "nachdem", "als") are
  background;
* ``owner``: clauses that open with a possessive ("Mein Vater …", "Unser Sohn …") and
  hold no need verb are background (a subject's circumstance).

* ``fused``: the whole question's ranking fused with each sentence's own ranking
  (reciprocal ranks, k = 5; each sentence's ranking counts the share).

It prints, per variant and kind of question, how often the right service is the search's
first, among its first three and among its first five. Then the cause count: for each
story of blind6 to blind8 that the assistant answers wrongly, where the search ranks the
right service for the whole question and for each sentence alone. Last, for the
assistant's answers to questions of two or more sentences: right and wrong answers by
whether the answered services fully explain a service-naming word of the asking sentence
(the last one with a question mark, else the last one).
"""

import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

from assistant import (
    DEFAULT_QUESTIONS,
    EXTRA_QUESTIONS,
    ROOT,
    blind_verdict,
    describe,
    load_demo,
    setup_django,
)

SETS = ["dev", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8"]
CAUSE_SETS = ("blind6", "blind7", "blind8")
FUSION_K = 5
DEPTH = 20  # ranks looked at; beyond it the right service counts as not ranked
SENTENCE = re.compile(r"(?<=[.!?;])\s+")
CLAUSE = re.compile(r"[,;:.!?]|\bund\b|\baber\b", re.IGNORECASE)
NEED = re.compile(
    r"\b(brauch\w*|bräucht\w*|benötig\w*|will|wollen|möchte\w*|muss|müssen|soll\w*|darf|"
    r"dürfen|kann|können|need|want|have to)\b",
    re.IGNORECASE,
)
SUBCLAUSE = re.compile(r"^\s*(weil|da|nachdem|obwohl|seit|seitdem|als|wenn|während|bevor)\b", re.I)
OWNER = re.compile(
    r"^\s*(mein|meine|meinem|meinen|meiner|unser|unsere|unserem|unseren|unserer)\b", re.I
)


def rows() -> list[tuple[str, str, str, str]]:
    """(set, kind, question, regex) of every development question."""
    found = []
    for name in SETS:
        path = ROOT / "benchmarks" / "data" / f"assistant_{name}.tsv"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                kind, question, pattern = line.split("\t")
                found.append((name, kind, question, pattern))
    for name, path in (("shared", DEFAULT_QUESTIONS), ("extra", EXTRA_QUESTIONS)):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                question, pattern = line.split("\t")[:2]
                found.append((name, "service", question, pattern))
    return found


def sentences(question: str) -> list[str]:
    return [s for s in SENTENCE.split(question.strip()) if s.strip()]


def clauses(question: str) -> list[str]:
    return [c for c in CLAUSE.split(question) if c and c.strip()]


def by_sentence(question: str, share: float, keeps) -> list[tuple[str, float]]:
    """Sentences that ``keeps(position, sentence, all)`` keep at full weight, the rest at
    ``share``; a question of one sentence unchanged."""
    parts = sentences(question)
    if len(parts) < 2:
        return [(question, 1.0)]
    return [(s, 1.0 if keeps(i, s, parts) else share) for i, s in enumerate(parts)]


def by_clause(question: str, share: float, background) -> list[tuple[str, float]]:
    parts = clauses(question)
    return [(c, share if background(c) else 1.0) for c in parts]


def asks(sentence: str) -> bool:
    return sentence.rstrip().endswith("?")


VARIANTS = {
    "whole question": lambda q, w: [(q, 1.0)],
    "last": lambda q, w: by_sentence(q, w, lambda i, s, all_: i == len(all_) - 1),
    "qmark": lambda q, w: by_sentence(
        q, w, lambda i, s, all_: asks(s) or not any(asks(x) for x in all_)
    ),
    "first": lambda q, w: by_sentence(q, w, lambda i, s, all_: i == 0),
    "need": lambda q, w: (
        by_clause(q, w, lambda c: not NEED.search(c)) if NEED.search(q) else [(q, 1.0)]
    ),
    "subclause": lambda q, w: by_clause(q, w, lambda c: bool(SUBCLAUSE.match(c))),
    "owner": lambda q, w: by_clause(q, w, lambda c: bool(OWNER.match(c)) and not NEED.search(c)),
}


def fused_order(index, question: str, share: float) -> list[int]:
    """The whole question's ranking fused with each sentence's (reciprocal ranks)."""
    scores: Counter = Counter()
    texts = [(question, 1.0)] + [(s, share) for s in sentences(question)]
    if len(texts) == 2:  # one sentence: it is the whole question
        texts = texts[:1]
    for text, weight in texts:
        analysed, _suggestion, _unknown = index.analyse(text[:500])
        for position, (doc, _score) in enumerate(index.rank(analysed, DEPTH)):
            scores[doc] += weight / (FUSION_K + position)
    return [doc for doc, _ in scores.most_common(DEPTH)]


def rank_of(index, parts: list[tuple[str, float]], pattern: str) -> int | None:
    """Rank of the first service matching ``pattern`` when each part's words weigh its share."""
    groups = []
    for text, share in parts:
        analysed, _suggestion, _unknown = index.analyse(text[:500])
        groups += [{term: weight * share for term, weight in g.items()} for g in analysed]
    return position_of(index, [doc for doc, _score in index.rank(groups, DEPTH)], pattern)


def position_of(index, docs: list[int], pattern: str) -> int | None:
    for position, doc in enumerate(docs, start=1):
        if re.search(pattern, index.docs[doc].name, re.IGNORECASE):
            return position
    return None


def ranking_table(index, questions) -> None:
    print("variant / share of background weight: right service first / in 3 / in 5")
    for name, variant in VARIANTS.items():
        for share in (0.7, 0.5) if name != "whole question" else (1.0,):
            ranks = [
                (kind, rank_of(index, variant(question, share), pattern))
                for _set, kind, question, pattern in questions
            ]
            print(f"  {name:14} {share:.1f}  {_depth_counts(ranks)}")
    for share in (0.5, 0.3):
        ranks = [
            (kind, position_of(index, fused_order(index, question, share), pattern))
            for _set, kind, question, pattern in questions
        ]
        print(f"  {'fused':14} {share:.1f}  {_depth_counts(ranks)}")


def _depth_counts(ranks) -> str:
    """Per kind: how many of ``(kind, rank or None)`` rank first / in 3 / in 5."""
    counts: Counter = Counter()
    for kind, rank in ranks:
        for depth in (1, 3, 5):
            counts[kind, depth] += (rank or DEPTH + 1) <= depth
    return "  ".join(
        f"{kind} {counts[kind, 1]}/{counts[kind, 3]}/{counts[kind, 5]}"
        for kind in ("story", "service", "english")
    )


def cause_count(municipality, index, questions) -> None:
    from rathaus.assistant.dialogue import respond

    print("wrong story answers of blind6-blind8: rank for the whole question, per sentence")
    places: Counter = Counter()
    for name, kind, question, pattern in questions:
        if name not in CAUSE_SETS or kind != "story":
            continue
        answer = respond(municipality, question).answer
        if blind_verdict(answer, kind, pattern) != "wrong":
            continue
        whole = rank_of(index, [(question, 1.0)], pattern)
        alone = [rank_of(index, [(s, 1.0)], pattern) for s in sentences(question)]
        places[bucket(whole)] += 1
        better = any(r is not None and (whole is None or r < whole) for r in alone)
        places["a sentence alone ranks it higher"] += better
        print(f"  {name} whole {whole} sentences {alone} got {describe(answer)[:60]}")
    print("  " + ", ".join(f"{key}: {count}" for key, count in sorted(places.items())))


def asking_sentence_check(municipality, index, questions) -> None:
    from rathaus.assistant import retrieval
    from rathaus.assistant.dialogue import respond
    from rathaus.catalog.models import Service

    names = retrieval.service_names(municipality)
    counts: Counter = Counter()
    for name, kind, question, pattern in questions:
        parts = sentences(question)
        if len(parts) < 2 or name in ("shared", "extra"):
            continue
        answer = respond(municipality, question).answer
        slugs = [answer.service.slug] if answer.service else [c.slug for c in answer.choices]
        slugs += [s.slug for s in getattr(answer, "steps", [])]
        if not slugs:
            continue
        asking = [s for s in parts if asks(s)] or parts
        words = retrieval.topic_words(asking[-1])
        senses = [
            s for s in retrieval.word_senses(index, words) if s.terms & names and not s.context
        ]
        if not senses:
            reading = "asking sentence names no service"
        else:
            services = Service.objects.for_municipality(municipality).filter(slug__in=slugs)
            explained = any(
                retrieval.explained(sense, retrieval.strong_terms(service, index)) == 1.0
                for service in services
                for sense in senses
            )
            reading = "answer explains it" if explained else "answer does not explain it"
        counts[reading, blind_verdict(answer, kind, pattern)] += 1
    print("answers to questions of 2+ sentences, by the asking sentence: right / wrong")
    for reading in sorted({r for r, _ in counts}):
        print(f"  {reading}: {counts[reading, 'right']} / {counts[reading, 'wrong']}")


def bucket(rank: int | None) -> str:
    if rank is None:
        return f"not in the first {DEPTH}"
    return "first 3" if rank <= 3 else ("4-5" if rank <= 5 else f"6-{DEPTH}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp))
        municipality = load_demo()
        from rathaus.catalog import search

        index = search.get_index(municipality)
        questions = [r for r in rows() if r[1] != "outside"]
        ranking_table(index, questions)
        cause_count(municipality, index, questions)
        asking_sentence_check(municipality, index, questions)


if __name__ == "__main__":
    sys.exit(main())
