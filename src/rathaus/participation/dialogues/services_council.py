"""The dialogue year plan as a council paper draft (issue 18, 22/SVV/1084).

Part of the dialogues' write path; the paper itself is made by the council's intake
service (reference number, audit entries, main document), never written here.
The draft is not public: the council office publishes it when it puts it on the
Hauptausschuss's Beratungsfolge.
"""

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from rathaus.core import audit

from . import yearplan
from .models import YearPlanPaper

ORIGINATOR = "Oberbürgermeisterin – Bürgerbeteiligung"


def plan_document(municipality, year: int) -> tuple[dict, bytes]:
    """The year plan's context and its PDF (German regardless of the UI language)."""
    from weasyprint import CSS, HTML

    from rathaus.council.minutes import PDF_CSS

    context = yearplan.year_context(municipality, year, public=False)
    context.update(municipality=municipality, today=timezone.localdate())
    with translation.override("de"):
        html = render_to_string("participation/dialogues/year_document.html", context)
    return context, HTML(string=html).write_pdf(stylesheets=[CSS(string=PDF_CSS)])


def year_plan_paper(municipality, year: int):
    """The year's draft if it exists and the council office has not deleted it."""
    row = (
        YearPlanPaper.objects.for_municipality(municipality)
        .filter(year=year)
        .select_related("paper")
        .first()
    )
    paper = row.paper if row is not None else None
    return paper if paper is not None and not paper.deleted else None


def _locked_row(municipality, year: int) -> YearPlanPaper:
    try:
        with transaction.atomic():
            YearPlanPaper.objects.get_or_create(municipality=municipality, year=year)
    except IntegrityError:  # a parallel click created it first
        pass
    return YearPlanPaper.objects.select_for_update().get(municipality=municipality, year=year)


@transaction.atomic
def create_year_plan_paper(municipality, year: int, *, actor):
    """One action: the year plan becomes an Informationsvorlage draft (idempotent).

    The town's row for the year is locked, so a second or parallel click returns the
    first draft. Only if the council office deleted it is a new one made.
    """
    from rathaus.council import services_intake

    row = _locked_row(municipality, year)
    if row.paper is not None and not row.paper.deleted:
        return row.paper
    context, pdf = plan_document(municipality, year)
    with translation.override("de"):
        text = render_to_string("participation/dialogues/year_paper_text.txt", context).strip()
    title = (
        f"Jahresplan {year}: Stadtteildialoge, Stadtteilwanderungen und "
        "Bürgersprechstunden – Information für den Hauptausschuss"
    )
    paper = services_intake.submit_paper(
        municipality,
        name=title,
        paper_type="Informationsvorlage",
        originator=ORIGINATOR,
        text=text,
        document=pdf,
        document_name=f"dialoge-jahresplan-{year}.pdf",
        document_text=text,
        public=False,
        actor=actor,
    )
    row.paper = paper
    row.save(update_fields=["paper"])
    audit.record(
        "participation.dialogue.year_plan_paper",
        row,
        actor=actor,
        municipality=municipality,
        data={"year": year, "paper": paper.pk, "reference": paper.reference},
    )
    return paper
