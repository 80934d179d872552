"""The one write path of the Bürgerhaushalt: proposals, review, merging, ballots, results."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from rathaus.core import audit

from .models import (
    Ballot,
    BallotEntry,
    BudgetRound,
    Milestone,
    Proposal,
    Support,
)

Phase = BudgetRound.Phase
ON_BALLOT = (
    Proposal.Status.FEASIBLE,
    Proposal.Status.SELECTED,
    Proposal.Status.NOT_SELECTED,
    *Proposal.IMPLEMENTATION_STATUSES,
    Proposal.Status.REJECTED,
)
TIE_RULE = _(
    "Bei Punktgleichheit entscheidet zuerst die Zahl der Personen, die dem Vorschlag Punkte "
    "gegeben haben, dann der frühere Eingang des Vorschlags."
)


def _lock_round(budget_round) -> BudgetRound:
    return BudgetRound.objects.select_for_update().get(pk=budget_round.pk)


@transaction.atomic
def submit_proposal(budget_round, *, author, title, description, category, district) -> Proposal:
    budget_round = _lock_round(budget_round)
    if budget_round.phase != Phase.PROPOSALS:
        raise ValidationError("Vorschläge können nur in der Vorschlagsphase eingereicht werden.")
    if budget_round.categories and category not in budget_round.categories:
        raise ValidationError("Bitte wählen Sie eine Kategorie aus der Liste.")
    if budget_round.districts and district not in budget_round.districts:
        raise ValidationError("Bitte wählen Sie einen Stadtteil aus der Liste.")
    number = (budget_round.proposals.aggregate(m=Max("number"))["m"] or 0) + 1
    proposal = Proposal.objects.create(
        round=budget_round,
        number=number,
        title=title.strip(),
        description=description.strip(),
        category=category,
        district=district,
        author=author,
    )
    audit.record(
        "participation.budget.proposal_submitted",
        proposal,
        actor=author,
        municipality=budget_round.municipality,
    )
    return proposal


@transaction.atomic
def support(proposal, user) -> bool:
    """Add the user's support (idempotent). Returns True if it was new."""
    if proposal.round.phase not in (Phase.PROPOSALS, Phase.REVIEW):
        raise ValidationError("Unterstützen ist nur bis zum Beginn der Abstimmung möglich.")
    if proposal.status == Proposal.Status.MERGED:
        raise ValidationError("Dieser Vorschlag wurde mit einem anderen zusammengeführt.")
    _, created = Support.objects.get_or_create(proposal=proposal, user=user)
    if created:
        audit.record(
            "participation.budget.supported",
            proposal,
            actor=user,
            municipality=proposal.round.municipality,
        )
    return created


@transaction.atomic
def review(proposal, *, actor, feasible: bool, note: str, cost=None) -> Proposal:
    if proposal.round.phase not in (Phase.PROPOSALS, Phase.REVIEW):
        raise ValidationError("Die Prüfung ist nur vor der Abstimmung möglich.")
    if proposal.status == Proposal.Status.MERGED:
        raise ValidationError("Zusammengeführte Vorschläge werden nicht geprüft.")
    if not note.strip():
        raise ValidationError("Bitte begründen Sie die Einschätzung.")
    if feasible and cost is None:
        raise ValidationError("Für umsetzbare Vorschläge ist eine Kostenschätzung nötig.")
    proposal.status = Proposal.Status.FEASIBLE if feasible else Proposal.Status.NOT_FEASIBLE
    proposal.feasibility_note = note.strip()
    proposal.cost_estimate = cost
    proposal.reviewed_at = timezone.now()
    proposal.save(update_fields=["status", "feasibility_note", "cost_estimate", "reviewed_at"])
    audit.record(
        "participation.budget.reviewed",
        proposal,
        actor=actor,
        municipality=proposal.round.municipality,
        data={"feasible": feasible},
    )
    return proposal


@transaction.atomic
def merge(duplicate, *, into, actor) -> Proposal:
    """Merge a duplicate into another proposal; its supporters move along (once each)."""
    if duplicate.pk == into.pk or duplicate.round_id != into.round_id:
        raise ValidationError("Nur verschiedene Vorschläge desselben Bürgerhaushalts.")
    if into.status == Proposal.Status.MERGED:
        raise ValidationError("Das Ziel ist selbst schon zusammengeführt.")
    if duplicate.round.phase not in (Phase.PROPOSALS, Phase.REVIEW):
        raise ValidationError("Zusammenführen ist nur vor der Abstimmung möglich.")
    existing = set(into.supports.values_list("user_id", flat=True))
    for moved in duplicate.supports.exclude(user_id__in=existing):
        Support.objects.create(proposal=into, user_id=moved.user_id)
    duplicate.supports.all().delete()
    duplicate.status = Proposal.Status.MERGED
    duplicate.merged_into = into
    duplicate.save()
    audit.record(
        "participation.budget.merged",
        duplicate,
        actor=actor,
        municipality=duplicate.round.municipality,
        data={"into": into.pk},
    )
    return duplicate


@transaction.atomic
def set_phase(budget_round, *, phase, actor) -> BudgetRound:
    budget_round = _lock_round(budget_round)
    if phase not in Phase.values:
        raise ValidationError("Unbekannte Phase.")
    old = budget_round.phase
    order = list(Phase.values)
    going_back = order.index(phase) < order.index(old)
    if going_back and (old, phase) != (Phase.REVIEW, Phase.PROPOSALS):
        # Once voting has started the ballots define the round; no way back.
        raise ValidationError(
            "Diese Phase liegt vor der aktuellen und kann nicht mehr gewählt werden."
        )
    if old == Phase.VOTING and phase in (Phase.RESULTS, Phase.IMPLEMENTATION):
        _mark_selection(budget_round)
    budget_round.phase = phase
    budget_round.save(update_fields=["phase"])
    if old == Phase.VOTING and phase != Phase.VOTING:
        from .secrecy import seal

        seal(budget_round)  # the vote is over: points no longer name their voters
    audit.record(
        "participation.budget.phase", budget_round, actor=actor, data={"from": old, "to": phase}
    )
    return budget_round


def voting_open(budget_round) -> bool:
    if budget_round.phase != Phase.VOTING or budget_round.ballots_sealed_at:
        return False
    return budget_round.voting_ends_at is None or timezone.now() < budget_round.voting_ends_at


def ballot_proposals(budget_round):
    return budget_round.proposals.filter(status=Proposal.Status.FEASIBLE).order_by("number")


def checked_points(budget_round, points: dict[int, int]) -> dict[int, int]:
    """The non-zero points of a ballot, after the round's rules (round locked by caller)."""
    if not voting_open(budget_round):
        raise ValidationError("Die Abstimmung ist nicht geöffnet.")
    allowed = set(ballot_proposals(budget_round).values_list("pk", flat=True))
    given = {pk: n for pk, n in points.items() if n}
    if set(given) - allowed:
        raise ValidationError("Auf dem Stimmzettel steht ein unbekannter Vorschlag.")
    if any(n < 0 for n in given.values()):
        raise ValidationError("Punkte können nicht negativ sein.")
    if any(n > budget_round.max_points_per_proposal for n in given.values()):
        raise ValidationError(
            f"Höchstens {budget_round.max_points_per_proposal} Punkte je Vorschlag."
        )
    total = sum(given.values())
    if total > budget_round.points_per_voter:
        raise ValidationError(
            f"Sie haben {total} Punkte verteilt, erlaubt sind {budget_round.points_per_voter}."
        )
    return given


@transaction.atomic
def cast_ballot(budget_round, *, user, points: dict[int, int]) -> Ballot:
    """Store the person's whole distribution of points, replacing an earlier one."""
    budget_round = _lock_round(budget_round)
    given = checked_points(budget_round, points)
    total = sum(given.values())
    try:
        with transaction.atomic():
            ballot, _ = Ballot.objects.get_or_create(round=budget_round, user=user)
    except IntegrityError:  # a parallel first vote of the same person
        ballot = Ballot.objects.get(round=budget_round, user=user)
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    ballot.entries.all().delete()
    BallotEntry.objects.bulk_create(
        [BallotEntry(ballot=ballot, proposal_id=pk, points=n) for pk, n in given.items()]
    )
    ballot.save(update_fields=["updated_at"])
    audit.record(
        "participation.budget.ballot_cast",
        ballot,
        actor=user,
        municipality=budget_round.municipality,
        data={"points": total},
    )
    return ballot


@dataclass
class ResultRow:
    rank: int
    proposal: Proposal
    points: int
    voters: int


def results(budget_round) -> list[ResultRow]:
    """All proposals on the ballot, ranked: points, then voters, then earlier submission."""
    rows = (
        budget_round.proposals.filter(status__in=ON_BALLOT)
        .annotate(points=Sum("ballot_entries__points"), voters=Count("ballot_entries"))
        .order_by()
    )
    ordered = sorted(rows, key=lambda p: (-(p.points or 0), -p.voters, p.created_at, p.number))
    return [
        ResultRow(rank=i, proposal=p, points=p.points or 0, voters=p.voters)
        for i, p in enumerate(ordered, start=1)
    ]


def top_list(budget_round) -> list[ResultRow]:
    return [row for row in results(budget_round) if row.points > 0][: budget_round.top_n]


def _mark_selection(budget_round) -> None:
    selected = {row.proposal.pk for row in top_list(budget_round)}
    feasible = budget_round.proposals.filter(status=Proposal.Status.FEASIBLE)
    feasible.filter(pk__in=selected).update(status=Proposal.Status.SELECTED)
    feasible.exclude(pk__in=selected).update(status=Proposal.Status.NOT_SELECTED)


def paper_content(budget_round) -> tuple[str, str]:
    """Title and HTML text of the council paper with the ranked TOP-N table."""
    title = f"{budget_round.title} „TOP {budget_round.top_n} – Liste der Bürgerinnen und Bürger“"
    with translation.override("de"):  # a council paper is always German
        html = _render_paper(budget_round, title)
    return title, html


def _render_paper(budget_round, title) -> str:
    return render_to_string(
        "participation/budget/paper.html",
        {
            "round": budget_round,
            "title": title,
            "rows": top_list(budget_round),
            "tie_rule": TIE_RULE,
            "voters": budget_round.ballots.filter(entries__isnull=False).distinct().count(),
            "today": timezone.localdate(),
        },
    )


def _paper_text(budget_round, title) -> dict:
    """Plain-text fields of the Drucksache (the PDF carries the same content, laid out)."""
    rows = top_list(budget_round)
    context = {
        "round": budget_round,
        "title": title,
        "rows": rows,
        "tie_rule": TIE_RULE,
        "voters": budget_round.ballots.filter(entries__isnull=False).distinct().count(),
    }
    costs = [r.proposal.cost_estimate for r in rows if r.proposal.cost_estimate is not None]
    with translation.override("de"):
        return {
            "text": render_to_string("participation/budget/paper_text.txt", context).strip(),
            "reasoning": render_to_string(
                "participation/budget/paper_reasoning.txt", context
            ).strip(),
            "financial_impact": (
                f"Geschätzte Kosten der {len(rows)} Vorschläge zusammen: "
                f"{number_format(sum(costs), 0, force_grouping=True)} Euro "
                f"({len(costs)} mit Kostenschätzung der Verwaltung)."
                if costs
                else ""
            ),
        }


def council_paper(budget_round):
    """The round's Drucksache if it exists and is not deleted, else None."""
    paper = budget_round.council_paper
    return paper if paper is not None and not paper.deleted else None


@transaction.atomic
def create_council_paper(budget_round, *, actor):
    """One action: the TOP-N list becomes a public Drucksache of the council.

    Idempotent: the round is locked and remembers its paper, so a second click (or
    a parallel one) returns the existing paper. Only if the council office deleted
    it can a new one be created.
    """
    from weasyprint import HTML

    from rathaus.council import services_intake

    budget_round = _lock_round(budget_round)
    if budget_round.phase not in (Phase.RESULTS, Phase.IMPLEMENTATION):
        raise ValidationError("Die Vorlage entsteht erst nach dem Ende der Abstimmung.")
    existing = council_paper(budget_round)
    if existing is not None:
        return existing
    if not top_list(budget_round):
        raise ValidationError("Es hat niemand Punkte vergeben – die Liste ist leer.")
    title, html = paper_content(budget_round)
    paper = services_intake.submit_paper(
        budget_round.municipality,
        name=title,
        paper_type="Beschlussvorlage",
        originator=f"Oberbürgermeisterin – {budget_round.title}",
        document=HTML(string=html).write_pdf(),
        document_name=f"{budget_round.slug}-top-{budget_round.top_n}.pdf",
        lead_office=budget_round.office,
        tracking_requested=budget_round.office is not None,
        actor=actor,
        **_paper_text(budget_round, title),
    )
    budget_round.council_paper = paper
    budget_round.save(update_fields=["council_paper"])
    audit.record(
        "participation.budget.council_paper",
        budget_round,
        actor=actor,
        municipality=budget_round.municipality,
        data={"paper": paper.pk, "reference": paper.reference},
    )
    return paper


@transaction.atomic
def update_progress(proposal, *, actor, status, percent: int, note: str) -> Proposal:
    if status not in (*Proposal.IMPLEMENTATION_STATUSES, Proposal.Status.REJECTED):
        raise ValidationError("Dieser Status gehört nicht zur Umsetzung.")
    if not 0 <= percent <= 100:
        raise ValidationError("Der Umsetzungsstand liegt zwischen 0 und 100 %.")
    proposal.status = status
    proposal.progress_percent = 100 if status == Proposal.Status.DONE else percent
    proposal.progress_note = note.strip()
    # Only the fields of this step: a stale object must not undo other writes (e.g. the
    # proposal's own council paper, created meanwhile).
    proposal.save(update_fields=["status", "progress_percent", "progress_note"])
    audit.record(
        "participation.budget.progress",
        proposal,
        actor=actor,
        municipality=proposal.round.municipality,
        data={"status": status, "percent": percent},
    )
    return proposal


@transaction.atomic
def add_milestone(proposal, *, actor, title, due=None, done=False) -> Milestone:
    milestone = Milestone.objects.create(proposal=proposal, title=title.strip(), due=due, done=done)
    audit.record(
        "participation.budget.milestone",
        proposal,
        actor=actor,
        municipality=proposal.round.municipality,
    )
    return milestone
