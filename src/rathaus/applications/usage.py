"""The online applications' figures for the OZG dashboard (catalog.usage registers them)."""

import statistics
from collections import defaultdict
from datetime import date

from django.db.models import Exists, OuterRef
from django.utils import timezone

from rathaus.catalog.usage import month_key

from .models import Application, Payment


def figures(municipality, since: date) -> dict:
    """Per (service, month): begun and sent online applications, share paid online,
    median days from submission to decision."""
    result: dict = defaultdict(dict)
    begun = Application.objects.for_municipality(municipality).filter(created_at__date__gte=since)
    for service_id, created in begun.values_list("service_id", "created_at"):
        cell = result[(service_id, month_key(timezone.localtime(created)))]
        cell["online_started"] = cell.get("online_started", 0) + 1
    paid = Payment.objects.filter(application=OuterRef("pk"), status=Payment.Status.SUCCESS)
    sent = (
        Application.objects.for_municipality(municipality)
        .filter(submitted_at__date__gte=since)
        .annotate(paid=Exists(paid))
        .values_list("service_id", "submitted_at", "fee_cents", "paid", "decided_at")
    )
    with_fee, paid_count, days = defaultdict(int), defaultdict(int), defaultdict(list)
    for service_id, submitted, fee, was_paid, decided in sent:
        key = (service_id, month_key(timezone.localtime(submitted)))
        result[key]["online_submitted"] = result[key].get("online_submitted", 0) + 1
        if fee:
            with_fee[key] += 1
            paid_count[key] += bool(was_paid)
        if decided:
            days[key].append((decided - submitted).total_seconds() / 86400)
    for key, count in with_fee.items():
        result[key]["paid_online_share"] = round(100 * paid_count[key] / count)
    for key, values in days.items():
        result[key]["decision_days"] = round(statistics.median(values), 1)
    return result


def active_accounts(municipality, since: date) -> dict:
    """Citizen accounts that applied online in this municipality since ``since``."""
    count = (
        Application.objects.for_municipality(municipality)
        .filter(created_at__date__gte=since, applicant__isnull=False)
        .values("applicant")
        .distinct()
        .count()
    )
    return {"Aktive Nutzerkonten": count}
