"""The catalog's write path: every change of a service goes through here, with an audit entry."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from rathaus.core import audit

from .models import MaturityChange, Service


@transaction.atomic
def record_maturity(
    service: Service, level: int, *, actor=None, changed_on: date | None = None, note: str = ""
) -> MaturityChange | None:
    """Set the service's maturity level and append it to the history.

    Returns the new history entry, or None if the level did not change (saving
    the same level twice must not create a second entry).
    """
    latest = service.maturity_history.order_by("-changed_on", "-id").first()
    if latest is not None and latest.level == level and service.maturity_level == level:
        return None
    previous = service.maturity_level
    if service.maturity_level != level:
        service.maturity_level = level
        service.save(update_fields=["maturity_level", "updated_at"])
    change = MaturityChange.objects.create(
        service=service, level=level, changed_on=changed_on or timezone.localdate(), note=note
    )
    audit.record(
        "catalog.maturity_changed",
        service,
        actor=actor,
        data={"from": previous, "to": level, "on": change.changed_on.isoformat()},
    )
    return change


@transaction.atomic
def save_service(service: Service, *, actor=None, created: bool, changed_fields=()) -> Service:
    """Save an edited service (back office) and record who changed what."""
    service.save()
    audit.record(
        "catalog.service_created" if created else "catalog.service_changed",
        service,
        actor=actor,
        data={"fields": sorted(changed_fields)},
    )
    return service
