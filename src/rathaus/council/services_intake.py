"""Papers handed to the council by other modules (e.g. the Bürgerhaushalt's TOP-N list).

Kept apart from ``services.py`` so other apps have one small, stable entry point:
a paper with its main document, created in one transaction through the ordinary
council services (reference number in the council's scheme, audit entries).
"""

from django.db import transaction

from . import services
from .models import File, Paper


@transaction.atomic
def submit_paper(
    municipality,
    *,
    name: str,
    paper_type: str,
    text: str,
    reasoning: str = "",
    financial_impact: str = "",
    originator: str = "",
    document: bytes,
    document_name: str,
    document_text: str = "",
    public: bool = True,
    lead_office=None,
    tracking_requested: bool = False,
    tracking_due_date=None,
    actor=None,
) -> Paper:
    """Create a Drucksache with its PDF as the main document.

    The council office then puts it on a Beratungsfolge as with any other paper.
    With ``tracking_requested`` (needs ``lead_office``) the deciding resolution becomes
    a tracked task by itself.
    """
    if paper_type not in Paper.Type.values:
        raise ValueError(f"unknown paper type: {paper_type}")
    paper = services.create_paper(
        municipality,
        actor=actor,
        name=name,
        paper_type=paper_type,
        public=public,
        originator=originator,
        lead_office=lead_office,
        text=text,
        reasoning=reasoning,
        financial_impact=financial_impact,
        tracking_requested=tracking_requested,
        tracking_due_date=tracking_due_date,
    )
    services.attach_file(
        municipality=municipality,
        name=name,
        file_name=document_name,
        data=document,
        mime_type="application/pdf",
        public=public,
        role=File.Role.MAIN,
        text=document_text,
        paper=paper,
        actor=actor,
    )
    return paper
