"""JSON API of the participation module (mounted at /api/v1/participation/).

Open311 keeps its own spec-shaped endpoints under /beteiligung/open311/; these are
the module's own read endpoints for apps (duplicate check, tree water need, results).
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema
from ninja.errors import HttpError

from .budget import services as budget_services
from .budget.models import BudgetRound
from .reports import services as report_services
from .reports.models import ReportCategory
from .trees import services as tree_services
from .trees.models import Tree


class ApiError(Schema):
    """Error answers: {detail, field, reason}."""

    detail: str
    field: str | None
    reason: str


router = Router(tags=["Beteiligung"])


class NearbyReport(Schema):
    id: int
    distance_m: int
    status: str
    description: str
    url: str


@router.get("/reports/nearby", response={200: list[NearbyReport], 404: ApiError})
def nearby_reports(request, service_code: str, lat: float, lon: float):
    """Open published reports of the same category near a point (before submitting)."""
    category = (
        ReportCategory.objects.for_municipality(request.municipality)
        .filter(code=service_code, is_active=True)
        .first()
    )
    if category is None:
        raise HttpError(404, "Diese Kategorie gibt es nicht.")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise HttpError(422, "Die Koordinaten sind ungültig.")
    return [
        {
            "id": r.pk,
            "distance_m": r.distance_m,
            "status": r.get_status_display(),
            "description": r.description[:200],
            "url": reverse("participation:report_detail", args=[r.pk]),
        }
        for r in report_services.nearby_reports(request.municipality, category, lat, lon)
    ]


class TreeNeed(Schema):
    id: int
    external_id: str
    species: str
    planting_year: int | None
    street: str
    district: str
    age_class: str
    reference_litres: int
    rain_mm_30_days: float
    watered_litres_30_days: int
    missing_litres: int
    should_water: bool


@router.get("/trees/{tree_id}", response={200: TreeNeed, 404: ApiError})
def tree_need(request, tree_id: int):
    trees = Tree.objects.for_municipality(request.municipality).filter(pk=tree_id)
    get_object_or_404(trees)
    (tree,) = tree_services.with_needs(trees, request.municipality)
    need = tree.need
    return {
        "id": tree.pk,
        "external_id": tree.external_id,
        "species": tree.species,
        "planting_year": tree.planting_year,
        "street": tree.street,
        "district": tree.district,
        "age_class": need.age_class,
        "reference_litres": need.reference,
        "rain_mm_30_days": need.rain,
        "watered_litres_30_days": need.watered,
        "missing_litres": need.missing,
        "should_water": need.should_water,
    }


class ResultRow(Schema):
    rank: int
    number: int
    title: str
    points: int
    voters: int


@router.get("/budget/{slug}/results", response={200: list[ResultRow], 404: ApiError})
def budget_results(request, slug: str):
    """The ranked TOP-N list (only once voting has ended)."""
    budget_round = get_object_or_404(
        BudgetRound.objects.for_municipality(request.municipality), slug=slug
    )
    if budget_round.phase not in (BudgetRound.Phase.RESULTS, BudgetRound.Phase.IMPLEMENTATION):
        raise HttpError(409, "Das Ergebnis steht erst nach dem Ende der Abstimmung fest.")
    return [
        {
            "rank": row.rank,
            "number": row.proposal.number,
            "title": row.proposal.title,
            "points": row.points,
            "voters": row.voters,
        }
        for row in budget_services.top_list(budget_round)
    ]
