"""FIT-Connect-like pull API for case-management systems (Fachverfahren).

A system authenticates with an API key of its municipality (``Authorization:
Bearer rk_<prefix>_<secret>``), lists new submissions, fetches one with its
attachments, and acknowledges it; after that it no longer appears as new.
Outgoing webhooks (signed with HMAC-SHA256) tell it when to pull.
"""

import base64
import hashlib
import secrets
from datetime import datetime

from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from rathaus.core import audit

from . import cases, formengine
from .models import ApiClient, Application, Payment


class ApiError(Schema):
    """Error answers: {detail, field, reason}."""

    detail: str
    field: str | None
    reason: str


router = Router(tags=["Online-Anträge"])


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_client(municipality, name: str, office=None, *, actor=None) -> tuple[ApiClient, str]:
    """Create a client and return it with its key (shown once; only a hash is stored)."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        client = ApiClient.objects.create(
            municipality=municipality,
            name=name,
            key_prefix=prefix,
            key_hash=hash_key(secret),
            office=office,
        )
        audit.record("applications.api_client_created", client, actor=actor)
    return client, f"rk_{prefix}_{secret}"


class ApiKey(HttpBearer):
    def authenticate(self, request, token):
        try:
            _, prefix, secret = token.split("_", 2)
        except ValueError:
            return None
        client = (
            ApiClient.objects.for_municipality(request.municipality)
            .filter(key_prefix=prefix, is_active=True)
            .first()
        )
        if client and secrets.compare_digest(client.key_hash, hash_key(secret)):
            request.api_client = client
            return client
        return None


class SubmissionSummary(Schema):
    reference: str
    service: str
    service_name: str
    submitted_at: datetime
    case_status: str
    outcome: str
    acknowledged: bool


class Attachment(Schema):
    id: int
    field: str
    name: str
    content_type: str
    size: int
    sha256: str
    content_base64: str


class SubmissionDetail(SubmissionSummary):
    form_version: int
    applicant_email: str
    answers: dict
    labels: dict
    acting_as: str = Field(
        "", description="selbst, elternteil, betreuung, firma – or empty if not asked"
    )
    represented: dict = Field(default_factory=dict, description="the represented person/company")
    fee_cents: int
    paid: bool
    attachments: list[Attachment]


class Ack(Schema):
    reference: str
    acknowledged: bool
    first_time: bool


def _ready(request):
    """Submitted and, where a fee is due, paid: what a case-management system may take over."""
    qs = Application.objects.for_municipality(request.municipality).filter(
        state=Application.State.SUBMITTED, anonymised_at__isnull=True
    )
    client = request.api_client
    if client.office_id:
        qs = qs.filter(service__office_id=client.office_id)
    paid = Payment.objects.filter(status=Payment.Status.SUCCESS).values("application_id")
    return qs.filter(fee_cents=0) | qs.filter(pk__in=paid)


def _summary(app) -> dict:
    return {
        "reference": app.reference,
        "service": app.service.slug,
        "service_name": app.service.name,
        "submitted_at": app.submitted_at,
        "case_status": app.case_status,
        "outcome": app.outcome,
        "acknowledged": app.acknowledged_at is not None,
    }


@router.get("/submissions", response={200: list[SubmissionSummary], 401: ApiError}, auth=ApiKey())
def list_submissions(request, status: str = "new", limit: int = 100):
    """New (not yet acknowledged) submissions, oldest first; status=all lists every one."""
    qs = _ready(request).select_related("service")
    if status == "new":
        qs = qs.filter(acknowledged_at__isnull=True)
    return [_summary(a) for a in qs.order_by("submitted_at")[: max(1, min(limit, 500))]]


@router.get(
    "/submissions/{reference}",
    response={200: SubmissionDetail, 401: ApiError, 404: ApiError},
    auth=ApiKey(),
)
def get_submission(request, reference: str):
    app = get_object_or_404(_ready(request).select_related("service", "form"), reference=reference)
    fields = formengine.all_fields(app.form.schema)
    attachments = [
        {
            "id": u.pk,
            "field": u.field,
            "name": u.original_name,
            "content_type": u.content_type,
            "size": u.size,
            "sha256": u.sha256,
            "content_base64": base64.b64encode(u.file.read()).decode(),
        }
        for u in app.uploads.all()
    ]
    return {
        **_summary(app),
        "form_version": app.form.version,
        "applicant_email": app.contact_email,
        "answers": {k: v for k, v in app.data.items() if not k.startswith("_")},
        "labels": {name: spec["label"] for name, spec in fields.items()},
        "acting_as": app.acting_as,
        "represented": app.represented,
        "fee_cents": app.fee_cents,
        "paid": app.is_paid,
        "attachments": attachments,
    }


@router.post(
    "/submissions/{reference}/ack",
    response={200: Ack, 401: ApiError, 404: ApiError},
    auth=ApiKey(),
)
def acknowledge(request, reference: str):
    """Confirm the takeover; repeating it is harmless."""
    app = get_object_or_404(_ready(request), reference=reference)
    first = cases.acknowledge(app, client_name=request.api_client.name)
    return {"reference": app.reference, "acknowledged": True, "first_time": first}
