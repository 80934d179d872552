"""Full-text search over public papers and files.

PostgreSQL: ``to_tsvector('german', …)`` with ``websearch_to_tsquery`` and
ranking (stemming: "Bäume" finds "Baum"). SQLite: a documented fallback - every
word must occur (case-insensitive substring) in title, reference or text; no
stemming, no ranking beyond date. Only ``visible()`` rows are ever searched, so
non-public content cannot leak through search.
"""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from .models import File, Paper

CONFIG = "german"


def _on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _words(query: str) -> list[str]:
    return [w for w in query.split() if w.strip()][:10]


def search_papers(municipality, query: str):
    papers = Paper.objects.for_municipality(municipality).visible()
    query = (query or "").strip()
    if not query:
        return papers.none()
    files = File.objects.visible().filter(paper=OuterRef("pk"))
    if _on_postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        search = SearchQuery(query, config=CONFIG, search_type="websearch")
        vector = (
            SearchVector("reference", weight="A", config=CONFIG)
            + SearchVector("name", weight="A", config=CONFIG)
            + SearchVector("text", weight="B", config=CONFIG)
            + SearchVector("reasoning", weight="C", config=CONFIG)
            + SearchVector("originator", weight="C", config=CONFIG)
        )
        file_hit = Exists(
            files.annotate(v=SearchVector("name", "text", config=CONFIG)).filter(v=search)
        )
        return (
            papers.annotate(rank=SearchRank(vector, search), file_hit=file_hit)
            .filter(Q(rank__gt=0) | Q(file_hit=True))
            .order_by("-rank", "-date", "-id")
        )
    condition = Q()
    for word in _words(query):
        word_files = files.filter(Q(name__icontains=word) | Q(text__icontains=word))
        condition &= (
            Q(name__icontains=word)
            | Q(reference__icontains=word)
            | Q(text__icontains=word)
            | Q(reasoning__icontains=word)
            | Q(originator__icontains=word)
            | Exists(word_files)
        )
    return papers.filter(condition).order_by("-date", "-id")


def search_files(municipality, query: str):
    """Public files (with public parents) whose name or text matches."""
    files = public_files(municipality)
    query = (query or "").strip()
    if not query:
        return files.none()
    if _on_postgres():
        from django.contrib.postgres.search import SearchQuery, SearchVector

        search = SearchQuery(query, config=CONFIG, search_type="websearch")
        return files.annotate(v=SearchVector("name", "text", config=CONFIG)).filter(v=search)
    condition = Q()
    for word in _words(query):
        condition &= Q(name__icontains=word) | Q(text__icontains=word)
    return files.filter(condition)


def public_files(municipality):
    """Files that are public and whose paper/agenda item (if any) is public too."""
    return (
        File.objects.for_municipality(municipality)
        .visible()
        .exclude(paper__public=False)
        .exclude(paper__deleted=True)
        .exclude(agenda_item__public=False)
        .exclude(agenda_item__deleted=True)
        .exclude(meeting__deleted=True)
        # Minutes appear only once released; files of draft agendas stay internal.
        .exclude(role=File.Role.RESULTS_PROTOCOL, meeting__minutes_approved=False)
        .exclude(
            agenda_item__isnull=False,
            agenda_item__meeting__agenda_published_at__isnull=True,
            agenda_item__meeting__state__in=["geplant", "eingeladen"],
        )
    )
