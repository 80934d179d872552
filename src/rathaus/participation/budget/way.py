"""The way of a Bürgerhaushalt proposal, as the Beteiligungsrat asked (seed 002, 4.1):
proposal → review → vote → TOP list → council paper → resolution → implementation,
each step with its date, read from the facts the system holds (never typed twice).
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.council import followup

from .models import BudgetRound, Proposal
from .services import council_paper, results

Phase = BudgetRound.Phase
AFTER_VOTE = (Phase.RESULTS, Phase.IMPLEMENTATION)
ON_LIST = (Proposal.Status.SELECTED, *Proposal.IMPLEMENTATION_STATUSES)


@dataclass
class Step:
    title: str
    done: bool
    day: date | None = None
    text: str = ""
    link: str = ""
    link_text: str = ""
    items: list = field(default_factory=list)


def _day(moment) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def proposal_way(proposal: Proposal, user) -> list[Step]:
    budget_round = proposal.round
    steps = [
        Step(_("Vorschlag eingereicht"), True, _day(proposal.created_at)),
        _review_step(proposal),
        _vote_step(proposal, budget_round),
    ]
    papers = [p for p in (proposal.council_paper, council_paper(budget_round)) if p]
    ways = [
        w for w in (followup.public_way(p, user, budget_round.municipality) for p in papers) if w
    ]
    steps.append(_paper_step(ways))
    steps.append(_resolution_step(ways))
    steps.append(_implementation_step(proposal, ways))
    return steps


def _review_step(proposal) -> Step:
    done = proposal.reviewed_at is not None
    text = proposal.get_status_display() if done else _("Die Verwaltung prüft den Vorschlag.")
    if proposal.status == Proposal.Status.MERGED:
        return Step(_("Prüfung durch die Verwaltung"), True, None, _("Zusammengeführt"))
    return Step(_("Prüfung durch die Verwaltung"), done, _day(proposal.reviewed_at), text)


def _vote_step(proposal, budget_round) -> Step:
    title = _("Abstimmung und TOP-Liste")
    if budget_round.phase not in AFTER_VOTE:
        return Step(title, False, _day(budget_round.voting_ends_at), _("noch nicht abgeschlossen"))
    row = next((r for r in results(budget_round) if r.proposal.pk == proposal.pk), None)
    if row is None:
        return Step(title, True, _day(budget_round.voting_ends_at), _("nicht zur Abstimmung"))
    text = _("Platz %(rank)s mit %(points)s Punkten von %(voters)s Personen") % {
        "rank": row.rank,
        "points": row.points,
        "voters": row.voters,
    }
    if proposal.status in ON_LIST:
        text += " – " + _("in der TOP-%(n)s-Liste") % {"n": budget_round.top_n}
    return Step(title, True, _day(budget_round.voting_ends_at), text)


def _paper_step(ways) -> Step:
    if not ways:
        return Step(_("Drucksache für die Stadtverordneten"), False)
    way = ways[0]
    return Step(
        _("Drucksache für die Stadtverordneten"),
        True,
        way.paper.date,
        way.paper.name,
        way.paper.get_absolute_url(),
        _("Drucksache %(ref)s") % {"ref": way.paper.reference},
    )


def _resolution_step(ways) -> Step:
    decided = next((w for w in ways if w.decided_on), None)
    if decided is None:
        planned = next((w.planned_on for w in ways if w.planned_on), None)
        text = _("Beratung geplant") if planned else _("noch nicht beraten")
        return Step(_("Beschluss"), False, planned, text)
    text = f"{decided.decided_by}: {decided.result}"
    return Step(_("Beschluss"), True, decided.decided_on, text, decided.paper.get_absolute_url())


def _implementation_step(proposal, ways) -> Step:
    tasks = [t for w in ways for t in w.tasks]
    done = proposal.status == Proposal.Status.DONE
    text = ""
    if proposal.status in Proposal.IMPLEMENTATION_STATUSES:
        text = _("%(p)s %% umgesetzt") % {"p": proposal.progress_percent}
    tracked = next((w for w in ways if w.tasks), None)
    return Step(
        _("Umsetzung"),
        done,
        None,
        text,
        tracked.tracking_url if tracked else "",
        _("Stand in der Beschlussverfolgung") if tracked else "",
        items=tasks,
    )
