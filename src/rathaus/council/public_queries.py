"""Read functions for other modules: public papers and resolutions that name a word.

The participation module's neighbourhood digest asks which papers and resolutions
name a street. It reads the council only through these functions, and they return
only what anyone may see on the public pages: ``visible()`` rows (public, not
deleted, agenda published), papers found through a file only if that file is
public with all its parents, resolutions only of public, alive papers. Non-public
content never leaves the council module this way (tests/participation/
test_neighbourhood.py breaks this once to prove it).
"""

from django.db.models import Exists, OuterRef, Q

from .models import AgendaItem, File, Paper

MAX_TERMS = 30


def _naming(fields: tuple[str, ...], terms) -> Q:
    condition = Q()
    for term in [t.strip() for t in terms if t and t.strip()][:MAX_TERMS]:
        for name in fields:
            condition |= Q(**{f"{name}__icontains": term})
    return condition


def papers_naming(municipality, terms, *, since=None, until=None, ids=None):
    """Public papers whose subject, text or reasoning – or a public file of them – name
    one of ``terms``, changed in ``(since, until]`` (or among ``ids``), newest first."""
    terms = list(terms)
    if not any(t.strip() for t in terms):
        return Paper.objects.none()
    files = File.objects.visible().filter(paper=OuterRef("pk"))
    condition = _naming(("name", "text", "reasoning"), terms) | Q(
        Exists(files.filter(_naming(("name", "text"), terms)))
    )
    papers = Paper.objects.for_municipality(municipality).visible().filter(condition)
    if since is not None:
        papers = papers.filter(modified__gt=since)
    if until is not None:
        papers = papers.filter(modified__lte=until)
    if ids is not None:
        papers = papers.filter(pk__in=list(ids))
    return papers.order_by("-modified", "-id")


def resolutions_naming(municipality, terms, *, since=None, until=None, ids=None):
    """Decided public agenda items (of published agendas, on public papers or none)
    whose subject or resolution text names one of ``terms``, changed in ``(since,
    until]`` (or among ``ids``), newest first."""
    terms = list(terms)
    if not any(t.strip() for t in terms):
        return AgendaItem.objects.none()
    items = (
        AgendaItem.objects.for_municipality(municipality)
        .visible()
        .exclude(meeting__deleted=True)
        .exclude(result="")
        .exclude(consultation__paper__public=False)
        .exclude(consultation__paper__deleted=True)
        .filter(_naming(("name", "resolution_text"), terms))
    )
    if since is not None:
        items = items.filter(modified__gt=since)
    if until is not None:
        items = items.filter(modified__lte=until)
    if ids is not None:
        items = items.filter(pk__in=list(ids))
    return items.select_related("meeting").order_by("-modified", "-id")
