"""A single Bürgerhaushalt proposal as its own council paper (as 22/SVV/1134 was for
No. 15 of Potsdam's TOP-20 list). Part of the budget's write path; the paper itself is
made by the council's intake service (reference, audit, main document).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from rathaus.core import audit

from .models import Proposal
from .services import results

# Only what the citizens put on the list (or what the council already took up) goes on.
MAY_BECOME_PAPER = (
    Proposal.Status.SELECTED,
    *Proposal.IMPLEMENTATION_STATUSES,
)


def proposal_paper(proposal):
    paper = proposal.council_paper
    return paper if paper is not None and not paper.deleted else None


@transaction.atomic
def create_proposal_paper(proposal, *, actor):
    """One action: the proposal becomes an Antrag of the council (idempotent)."""
    from weasyprint import HTML

    from rathaus.council import services_intake

    proposal = Proposal.objects.select_for_update().select_related("round").get(pk=proposal.pk)
    existing = proposal_paper(proposal)
    if existing is not None:
        return existing
    if proposal.status not in MAY_BECOME_PAPER:
        raise ValidationError("Nur Vorschläge der Bestenliste werden eine eigene Drucksache.")
    budget_round = proposal.round
    row = next((r for r in results(budget_round) if r.proposal.pk == proposal.pk), None)
    title = (
        f"{budget_round.title} „TOP {budget_round.top_n} – Liste der Bürgerinnen und Bürger“ "
        f"Nummer {proposal.number}: {proposal.title}"
    )[:500]
    context = {"proposal": proposal, "round": budget_round, "row": row, "title": title}
    with translation.override("de"):
        text = render_to_string("participation/budget/proposal_paper_text.txt", context).strip()
        reasoning = render_to_string(
            "participation/budget/proposal_paper_reasoning.txt", context
        ).strip()
        html = render_to_string(
            "participation/budget/proposal_paper.html",
            {**context, "text": text, "reasoning": reasoning, "today": timezone.localdate()},
        )
    paper = services_intake.submit_paper(
        budget_round.municipality,
        name=title,
        paper_type="Antrag",
        originator=f"Vorsitz der Stadtverordnetenversammlung – {budget_round.title}",
        text=text,
        reasoning=reasoning,
        document=HTML(string=html).write_pdf(),
        document_name=f"{budget_round.slug}-vorschlag-{proposal.number}.pdf",
        lead_office=budget_round.office,
        tracking_requested=budget_round.office is not None,
        actor=actor,
    )
    proposal.council_paper = paper
    proposal.save(update_fields=["council_paper"])
    audit.record(
        "participation.budget.proposal_paper",
        proposal,
        actor=actor,
        municipality=budget_round.municipality,
        data={"paper": paper.pk, "reference": paper.reference},
    )
    return paper
