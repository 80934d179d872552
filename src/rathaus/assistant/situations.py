"""Questions told as a story: answer with the steps of a Lebenslage.

"Meine Frau ist letzte Woche gestorben und ich weiß nicht, wo ich anfangen soll"
names no service, and no single service explains enough of it to be *the*
answer. But the services the search ranks highest mostly belong to one
Lebenslage of the catalog (Todesfall), and that Lebenslage is what the citizen
is in. So the assistant answers with its steps: the services of that Lebenslage
that the question points to, filled up with its others, ordered by how often
citizens need them, each with its office.

Only a story counts, and only a clear majority: the question has at least three
topic words, two of which name services at all ("Wer hat die Wahl in Amerika
gewonnen?" has one: it is no story about elections); the Lebenslage gathers at
least half of the ranking's weight; and one of its services fully explains a
word that names services (so a question about the weather never turns into a
Lebenslage).
"""

from collections import defaultdict
from dataclasses import dataclass

from rathaus.catalog.models import LifeSituation, Service

from .retrieval import Candidate, Retrieval, name_spread, rarest_explained

MIN_SHARE = 0.5
MIN_WORDS = 3
MIN_NAMING_WORDS = 2
MAX_STEPS = 5
COVERAGE_FLOOR = 0.1


@dataclass(frozen=True)
class Situation:
    life_situation: LifeSituation
    steps: tuple[Service, ...]
    # The ranked services of the Lebenslage, best first (ADR 0107 weighs them).
    members: tuple[Candidate, ...] = ()


def evidence(candidate: Candidate) -> bool:
    """The service fully explains at least one word that names services."""
    return any(
        share == 1.0 and naming
        for share, naming in zip(candidate.explains, candidate.naming, strict=False)
    )


# A shorter story ("Ich habe mich verlobt, wir wollen heiraten", "Mein Vater kommt mit der
# Rente nicht aus") is read as one only after every other stage has failed (ADR 0063):
# two topic words, one of which names services, are enough when one Lebenslage still
# gathers most of the ranking.
RELAXED_WORDS = 2
RELAXED_NAMING_WORDS = 1
# ... and at least two of the Lebenslage's ranked services must fully explain such a word.
RELAXED_AGREEING = 2


def find(municipality, found: Retrieval, *, relaxed: bool = False) -> Situation | None:
    """The Lebenslage the ranked services point to, with its steps; or None.

    ``relaxed``: the last stage before a fallback accepts shorter stories."""
    min_words = RELAXED_WORDS if relaxed else MIN_WORDS
    min_naming = RELAXED_NAMING_WORDS if relaxed else MIN_NAMING_WORDS
    if len(found.topic_words) < min_words or not found.candidates:
        return None
    if sum(found.candidates[0].naming) < min_naming:
        return None
    weights: dict[int, float] = defaultdict(float)
    strong: dict[int, bool] = defaultdict(bool)
    members: dict[int, list[Candidate]] = defaultdict(list)
    situations: dict[int, LifeSituation] = {}
    total = 0.0
    for candidate in found.candidates:
        # A service's weight is what the search gives it times how much of the question it
        # explains: a high rank from background words ("Mutter") says little.
        weight = candidate.score * max(candidate.coverage, COVERAGE_FLOOR)
        total += weight
        for situation in candidate.service.life_situations.all():
            situations[situation.pk] = situation
            weights[situation.pk] += weight
            strong[situation.pk] |= evidence(candidate)
            members[situation.pk].append(candidate)
    if not weights or not total:
        return None
    best = max(weights, key=lambda pk: (weights[pk], len(members[pk])))
    if weights[best] / total < MIN_SHARE or not strong[best]:
        return None
    if relaxed and sum(1 for c in members[best] if evidence(c)) < RELAXED_AGREEING:
        return None  # one service's word is no story ("Wann öffnet das Schwimmbad?")
    chosen = situations[best]
    return Situation(chosen, _steps(municipality, chosen, members[best]), tuple(members[best]))


def _steps(municipality, situation, ranked: list[Candidate]) -> tuple[Service, ...]:
    """The Lebenslage's services the question points to, filled up with its most
    needed others, in the order of how many citizens need them: the central step
    (registering a death, a birth, a new address) is the one most citizens take,
    and the catalog has no other notion of order."""
    steps = [c.service for c in ranked]
    seen = {s.pk for s in steps}
    rest = (
        Service.objects.for_municipality(municipality)
        .filter(is_published=True, life_situations=situation)
        .exclude(pk__in=seen)
        .select_related("office")
        .order_by("-popularity", "name")[: MAX_STEPS - len(steps)]
        if len(steps) < MAX_STEPS
        else []
    )
    chosen = steps[:MAX_STEPS] + list(rest)
    return tuple(sorted(chosen, key=lambda s: (-s.popularity, s.name)))


def matter_outside(municipality, found: Retrieval, situation: Situation) -> bool:
    """A ranked service outside the Lebenslage fully explains a word of the question that
    fewer services name than any word the Lebenslage's ranked services fully explain
    (ADR 0107): the Lebenslage explains the story's setting, another service its matter.
    "Unterm Dach haben sich Hornissen eingenistet und die Kinder trauen sich nicht mehr in
    den Garten": building services explain "Dach" and "Garten", which many services name;
    the wasp-nest service explains "Hornissen", which one names. How many services name a
    word is the catalog's own measure of how distinctive it is (`name_spread`)."""
    spread = name_spread(municipality, found.topic_words)
    inside = {c.service.pk for c in situation.members}
    own = rarest_explained(spread, situation.members)
    outsiders = [c for c in found.candidates if c.service.pk not in inside]
    other = rarest_explained(spread, outsiders)
    return other is not None and (own is None or other < own)
