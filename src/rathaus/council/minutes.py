"""The Niederschrift (minutes) as HTML and PDF, in the structure of seed 002.

Gremium, Sitzungstermin, Sitzungsbeginn/-ende, Ort; Anwesenheit grouped by
function (with from/until), absentees with excused/unexcused; Schriftführer/in;
Tagesordnung (öffentlicher/nichtöffentlicher Teil); per TOP: Vorlage, Beratung,
Abstimmungsergebnis (Ja/Nein/Enthaltung or einstimmig), Beschluss.
"""

from itertools import groupby

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_tags

from .models import Attendance

PDF_CSS = """
@page { size: A4; margin: 2cm 2cm 2.2cm 2.5cm;
  @bottom-right { content: "Seite " counter(page) " von " counter(pages); font-size: 9pt; } }
body { font-family: "Fira Sans", "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.35; }
h1 { font-size: 16pt; margin: 0 0 .3em; } h2 { font-size: 13pt; margin: 1.2em 0 .4em; }
h3 { font-size: 11pt; margin: 1em 0 .3em; } h4 { font-size: 10.5pt; margin: .8em 0 .2em; }
table { border-collapse: collapse; width: 100%; margin-bottom: .6em; }
th, td { text-align: left; vertical-align: top; padding: 2pt 6pt 2pt 0; }
dl.minutes-facts { display: block; }
.minutes-facts dt { font-weight: bold; float: left; width: 9em; }
.minutes-facts dd { margin: 0 0 2pt 9em; }
.minutes-vote { font-weight: bold; } .minutes-item { page-break-inside: avoid; }
.minutes-non-public { border-top: 1px solid #000; margin-top: 1.5em; }
"""


def _grouped(attendances):
    return [
        (function, list(rows)) for function, rows in groupby(attendances, key=lambda a: a.function)
    ]


def minutes_context(meeting, *, include_non_public: bool) -> dict:
    items = list(
        meeting.agenda_items.alive()
        .order_by("order")
        .select_related("consultation__paper")
        .prefetch_related("tasks__office")
    )
    attendances = list(meeting.attendances.select_related("person").order_by("order", "id"))
    present = [a for a in attendances if a.status == Attendance.Status.PRESENT]
    absent = [a for a in attendances if a.status != Attendance.Status.PRESENT]
    voting_total = sum(1 for a in attendances if a.voting)
    voting_present = sum(1 for a in present if a.voting and not a.arrived)
    return {
        "meeting": meeting,
        "present_groups": _grouped(present),
        "absent_groups": _grouped(absent),
        "public_items": [i for i in items if i.public],
        "non_public_items": [i for i in items if not i.public] if include_non_public else [],
        "has_non_public": any(not i.public for i in items),
        "include_non_public": include_non_public,
        "voting_total": voting_total,
        "voting_present": voting_present,
    }


def render_minutes_html(meeting, *, include_non_public: bool) -> str:
    """A complete HTML document (used for the PDF)."""
    context = minutes_context(meeting, include_non_public=include_non_public)
    return render_to_string("council/minutes_document.html", context)


def render_minutes_pdf(meeting, *, include_non_public: bool) -> tuple[bytes, str]:
    from weasyprint import CSS, HTML

    # The Niederschrift is a German legal document whatever language the clerk browses in.
    with translation.override("de"):
        html = render_minutes_html(meeting, include_non_public=include_non_public)
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(string=PDF_CSS)])
    return pdf, " ".join(strip_tags(html).split())


def render_invitation_pdf(meeting) -> tuple[bytes, str]:
    """The public invitation (Einladung) with the public agenda, as PDF and plain text."""
    from weasyprint import CSS, HTML

    items = list(
        meeting.agenda_items.alive()
        .filter(public=True)
        .order_by("order")
        .select_related("consultation__paper")
    )
    html = render_to_string(
        "council/invitation_document.html",
        {
            "meeting": meeting,
            "items": items,
            "has_non_public": meeting.agenda_items.alive().filter(public=False).exists(),
        },
    )
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(string=PDF_CSS)])
    return pdf, " ".join(strip_tags(html).split())
