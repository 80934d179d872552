"""Anfragen: the written answer, attached to the question as a subordinate paper.

The answer is a Drucksache of type "Beantwortung" whose superordinated paper is the
Anfrage (OParl's ``superordinatedPaper``), so OParl clients, search and the paper page
see it without a new object type. Its text is also a file of the answer paper.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rathaus.core import audit

from . import services
from .models import File, Paper


@transaction.atomic
def answer_inquiry(
    inquiry: Paper,
    *,
    text: str,
    answered_on: date | None = None,
    originator: str = "Oberbürgermeister/in",
    actor=None,
) -> Paper:
    """Record the written answer; an Anfrage is answered once (a correction edits it)."""
    inquiry = Paper.objects.select_for_update().get(pk=inquiry.pk)
    if inquiry.paper_type != Paper.Type.INQUIRY:
        raise ValidationError("Nur eine Anfrage kann beantwortet werden.")
    if answer_of(inquiry) is not None:
        raise ValidationError("Diese Anfrage ist bereits beantwortet.")
    if not text.strip():
        raise ValidationError({"text": "Geben Sie den Text der Antwort ein."})
    answered_on = answered_on or timezone.localdate()
    if inquiry.date and answered_on < inquiry.date:
        raise ValidationError({"answered_on": "Die Antwort kann nicht vor der Anfrage liegen."})
    answer = services.create_paper(
        inquiry.municipality,
        actor=actor,
        name=f"Beantwortung: {inquiry.name}"[:500],
        reference=f"{inquiry.reference}/1"[:60] if inquiry.reference else "",
        paper_type=Paper.Type.ANSWER,
        date=answered_on,
        public=inquiry.public,
        originator=originator,
        lead_office=inquiry.lead_office,
        text=text,
        superordinated=inquiry,
    )
    services.attach_file(
        municipality=inquiry.municipality,
        name=f"Antwort auf {inquiry.reference or inquiry.name}"[:300],
        file_name=f"antwort-{inquiry.pk}.txt",
        data=text.encode(),
        mime_type="text/plain",
        public=inquiry.public,
        role=File.Role.MAIN,
        paper=answer,
        actor=actor,
    )
    audit.record(
        "council.inquiry_answered",
        inquiry,
        actor=actor,
        data={"answer": answer.pk, "late": is_late(inquiry, answered_on)},
    )
    return answer


def answer_of(inquiry: Paper) -> Paper | None:
    return (
        inquiry.subordinated.alive()
        .filter(paper_type=Paper.Type.ANSWER)
        .order_by("date", "id")
        .first()
    )


def is_late(inquiry: Paper, answered_on: date) -> bool:
    return inquiry.answer_due_date is not None and answered_on > inquiry.answer_due_date
