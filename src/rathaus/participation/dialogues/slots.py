"""Bürgersprechstunden book fixed-length slots through the appointments engine.

Participation only creates configuration rows (catalog service, resource, offer,
one availability rule per consultation day) and calls the appointments app's public
functions; booking, double opt-in, reminders, cancelling and the staff day view are
the appointments engine's own (ADR 0020). The citizen picks a free slot on the event
page and continues in the ordinary Terminvergabe flow.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from rathaus.appointments import capacity
from rathaus.appointments.models import AvailabilityRule, Offer, Resource
from rathaus.appointments.services import operations
from rathaus.catalog import services as catalog_services
from rathaus.catalog.models import Service, Topic
from rathaus.core import audit
from rathaus.core.models import Office

from .models import DialogueEvent

SERVICE_SLUG = "buergersprechstunde"
RESOURCE_SLUG = "buergersprechstunde"
MAYOR_OFFICE_SLUG = "buero-oberbuergermeister"
DEFAULT_SLOT_MINUTES = 15
# Booking opens this many days before a consultation hour at the latest.
MIN_HORIZON_DAYS = 60


def uses_slots(event) -> bool:
    return event.appointment_offer_id is not None


def _consultation_service(municipality, location, actor=None) -> Service:
    """The catalog entry the offer books; created through the catalog's services if the
    catalog has none (ADR 0002 slug)."""
    office = (
        Office.objects.for_municipality(municipality).filter(slug=MAYOR_OFFICE_SLUG).first()
        or location.office
    )
    topic = Topic.objects.filter(slug="querschnitt").first() or Topic.objects.first()
    if topic is None:
        raise ValidationError("Im Leistungskatalog fehlen die Themenfelder.")
    return catalog_services.ensure_service(
        municipality,
        SERVICE_SLUG,
        defaults={
            "name": "Bürgersprechstunde der Oberbürgermeisterin",
            "name_en": "Mayor's consultation hour",
            "summary": (
                "In der Bürgersprechstunde sprechen Sie persönlich mit der Oberbürgermeisterin "
                "über Ihr Anliegen. Sie buchen einen festen Gesprächstermin."
            ),
            "topic": topic,
            "office": office,
            "appointment_required": True,
        },
        location=location,
        actor=actor,
    )


def _offer(event, location, actor=None) -> Offer:
    service = _consultation_service(event.municipality, location, actor)
    offer = operations.ensure_offer(
        service,
        location=location,
        resource_slug=RESOURCE_SLUG,
        resource_name="Bürgersprechstunde der Oberbürgermeisterin",
        kind=Resource.Kind.ROOM,
        policy={
            "duration_units": 1,
            "units_per_extra_person": 0,
            "max_persons": 1,
            "lead_time_hours": 2,
            "horizon_days": MIN_HORIZON_DAYS,
            "one_per_person": True,
        },
        actor=actor,
    )
    # The event may lie beyond the booking horizon.
    needed = (timezone.localdate(event.ends_at) - timezone.localdate()).days + 1
    return operations.extend_horizon(offer, needed, actor=actor)


def _check_times(event, slot_minutes: int) -> None:
    if event.kind != DialogueEvent.Kind.CONSULTATION:
        raise ValidationError("Gesprächstermine gibt es nur für Bürgersprechstunden.")
    if not 5 <= slot_minutes <= 240:
        raise ValidationError("Ein Gesprächstermin dauert 5 bis 240 Minuten.")
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    if start.date() != end.date():
        raise ValidationError("Eine Sprechstunde muss am selben Tag enden.")
    minutes = (end - start) // timedelta(minutes=1)
    if minutes % slot_minutes:
        raise ValidationError(
            f"Die Sprechstunde ({minutes} Minuten) lässt sich nicht in Termine zu "
            f"{slot_minutes} Minuten teilen."
        )
    if event.ends_at <= timezone.now():
        raise ValidationError("Die Sprechstunde liegt in der Vergangenheit.")


@transaction.atomic
def enable_slot_booking(
    event, *, location, slot_minutes: int = DEFAULT_SLOT_MINUTES, actor=None
) -> Offer:
    """Offer the consultation hour as bookable slots (idempotent per event and time)."""
    given, event = event, DialogueEvent.objects.select_for_update().get(pk=event.pk)
    if location.municipality_id != event.municipality_id:
        raise ValidationError("Der Ort gehört zu einer anderen Kommune.")
    _check_times(event, slot_minutes)
    offer = _offer(event, location, actor)
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    rule = AvailabilityRule.objects.filter(
        resource=offer.resource,
        valid_from=start.date(),
        valid_until=start.date(),
        start_time=start.time(),
        end_time=end.time(),
        unit_minutes=slot_minutes,
    ).first()
    if rule is None:
        rule = AvailabilityRule(
            resource=offer.resource,
            weekdays=[start.weekday()],
            start_time=start.time(),
            end_time=end.time(),
            counters=1,
            unit_minutes=slot_minutes,
            valid_from=start.date(),
            valid_until=start.date(),
        )
        operations.save_rule(rule, actor=actor)  # validates overlaps, materialises units
    else:
        capacity.materialise(offer.resource)
    changed = event.appointment_offer_id != offer.pk or event.slot_minutes != slot_minutes
    event.appointment_offer, event.slot_minutes = offer, slot_minutes
    event.save(update_fields=["appointment_offer", "slot_minutes"])
    given.appointment_offer, given.slot_minutes = offer, slot_minutes
    if changed:
        audit.record(
            "participation.dialogue.slots_enabled",
            event,
            actor=actor,
            municipality=event.municipality,
            data={"offer": offer.pk, "minutes": slot_minutes},
        )
    return offer


def free_slots(event) -> list[tuple]:
    """Free slots of the event as (start, link into the Terminvergabe), earliest first."""
    offer = event.appointment_offer
    if offer is None or event.ends_at <= timezone.now():
        return []
    # The same conditions as the Terminvergabe's own pages, so no link leads to a 404.
    if not (offer.is_active and offer.resource.is_active and offer.service.is_published):
        return []
    starts = capacity.free_starts(offer, 1, event.starts_at, event.ends_at)
    book_url = reverse("appointments:details", args=[offer.service.slug, offer.resource.slug])
    return [
        (s, book_url + "?" + urlencode({"start": s.isoformat(), "personen": 1})) for s in starts
    ]


def staff_day_url(event) -> str | None:
    offer = event.appointment_offer
    if offer is None:
        return None
    day = timezone.localdate(event.starts_at)
    return (
        reverse("appointments:staff_day", args=[offer.resource.slug])
        + "?"
        + urlencode({"datum": day.isoformat()})
    )
