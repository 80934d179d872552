"""The neighbourhood subscription's write path and its weekly digest (issue 18).

A citizen subscribes once to a street (from the town's address list), a radius around
an address, or a box, with e-mail double opt-in (the area alerts' pattern). Once a
week a background job collects, for each confirmed subscription, what changed in its
area since the last digest and queues ONE e-mail; the task row carries only ids
(ADR 0172) and the mail is rendered – and every item's visibility checked again –
when the task runs:

- defect reports published or changed in the area (only published ones),
- council papers and resolutions that name the street (or a street of the area),
  read through ``council.public_queries`` – public content only,
- young street trees in the area that lack water this week,
- dialogues of the next four weeks nearby (in a district of the area's trees, or at
  a venue the town's address list places in or near the area).

All queries carry the subscription's own municipality; tokens are looked up per town.
"""

import math
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Max, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone

from rathaus.core import audit, tenancy
from rathaus.council import public_queries

from ..dialogues.models import DialogueEvent
from ..reports import alerts
from ..reports.geocoding import geocode, street_key
from ..reports.models import Report, StreetAddress
from ..tasks import mail_after_commit
from ..trees import water
from ..trees.models import Rainfall, Tree
from .models import NeighbourhoodSubscription

Way = NeighbourhoodSubscription.Way
DIGEST_DAYS = 7
UNCONFIRMED_DAYS = 7
RADII = (100, 250, 500, 1000)
# Around a street's known addresses: about 100 m, so the houses' pavements are in.
STREET_PAD = Decimal("0.001")
# A dialogue counts as nearby within about 1 km of the area.
NEARBY_PAD = Decimal("0.01")
DIALOGUE_DAYS = 28
PER_SECTION = 20
Q6 = Decimal("0.000001")


# --- the area ------------------------------------------------------------------------


def _box_around(lat: Decimal, lon: Decimal, metres: int):
    dlat = Decimal(metres / 111_320)
    dlon = Decimal(metres / (111_320 * max(0.1, math.cos(math.radians(float(lat))))))
    return tuple(v.quantize(Q6) for v in (lat - dlat, lon - dlon, lat + dlat, lon + dlon))


def known_street(municipality, street: str) -> str | None:
    """The street's name as the town's address list spells it, or None."""
    key = street_key(street or "")
    if not key:
        return None
    row = StreetAddress.objects.for_municipality(municipality).filter(street_key=key).first()
    return row.street if row else None


def street_names(municipality, limit: int = 500) -> list[str]:
    """The streets of the town's address list (for the form's suggestions)."""
    names = (
        StreetAddress.objects.for_municipality(municipality)
        .order_by("street")
        .values_list("street", flat=True)
        .distinct()
    )
    return list(names[:limit])


def area_for(municipality, *, way, street="", house_number="", radius_m=None, box=None):
    """(street, house_number, radius, (south, west, north, east)) or ValidationError."""
    if way == Way.AREA:
        south, west, north, east = (
            None if v is None else Decimal(str(v)).quantize(Q6)
            for v in (box or (None, None, None, None))
        )
        alerts.check_area(south, west, north, east, "")
        return "", "", None, (south, west, north, east)
    name = known_street(municipality, street)
    if name is None:
        raise ValidationError(
            "Diese Straße steht nicht im Adressverzeichnis der Stadt. Bitte prüfen Sie die "
            "Schreibweise."
        )
    rows = StreetAddress.objects.for_municipality(municipality).filter(street_key=street_key(name))
    if way == Way.STREET:
        edge = rows.aggregate(
            s=Min("latitude"), w=Min("longitude"), n=Max("latitude"), e=Max("longitude")
        )
        south, west = edge["s"] - STREET_PAD, edge["w"] - STREET_PAD
        north, east = edge["n"] + STREET_PAD, edge["e"] + STREET_PAD
        alerts.check_area(south, west, north, east, "")
        return name, "", None, (south, west, north, east)
    if way != Way.RADIUS:
        raise ValidationError("Wählen Sie Straße, Umkreis oder Gebiet.")
    if radius_m not in RADII:
        raise ValidationError("Wählen Sie einen Umkreis aus der Liste.")
    number = (house_number or "").strip().lower().replace(" ", "")
    # Street and number are known separately: look them up directly (the text parser of
    # geocoding would cut a street name with digits, e.g. "Straße des 17. Juni").
    if number:
        hit = rows.filter(house_number=number).first()
        if hit is None:
            raise ValidationError("Diese Hausnummer steht nicht im Adressverzeichnis der Stadt.")
        lat, lon = hit.latitude, hit.longitude
    else:  # the middle of the street's known addresses
        middle = rows.aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
        lat, lon = (Decimal(str(middle[k])).quantize(Q6) for k in ("lat", "lon"))
    return name, number, radius_m, _box_around(lat, lon, radius_m)


# --- subscribe, confirm, unsubscribe ------------------------------------------------


@transaction.atomic
def subscribe(
    municipality, *, email, way, street="", house_number="", radius_m=None, box=None
) -> NeighbourhoodSubscription:
    name, number, radius, (south, west, north, east) = area_for(
        municipality,
        way=way,
        street=street,
        house_number=house_number,
        radius_m=radius_m,
        box=box,
    )
    subscription = NeighbourhoodSubscription.objects.create(
        municipality=municipality,
        email=email.strip().lower(),
        way=way,
        street=name,
        house_number=number,
        radius_m=radius,
        south=south,
        west=west,
        north=north,
        east=east,
    )
    audit.record(
        "participation.neighbourhood_requested",
        subscription,
        municipality=municipality,
        actor_label="Bürger/in",
        data={"way": way},
    )
    mail_after_commit("neighbourhood_confirm", subscription.pk)
    return subscription


def _link(subscription, name: str) -> str:
    """Links in these e-mails lead to the town's configured address, never a request's."""
    return tenancy.public_url(
        subscription.municipality, reverse(f"participation:{name}", args=[subscription.token])
    )


def confirm_mail(pk, ids=()):
    subscription = (
        NeighbourhoodSubscription.objects.select_related("municipality").filter(pk=pk).first()
    )
    if subscription is None or subscription.confirmed_at is not None:
        return None
    return (
        "Bitte bestätigen Sie Ihr Nachbarschafts-Abo",
        "Guten Tag,\n\nSie möchten einmal in der Woche erfahren, was in Ihrer Nachbarschaft "
        f"geschieht ({subscription.area_label}). Bitte bestätigen Sie das hier:\n"
        f"{_link(subscription, 'neighbourhood_confirm')}\n\n"
        "Wenn Sie das nicht waren, ignorieren Sie diese E-Mail; dann geschieht nichts. "
        f"Unbestätigte Anfragen löschen wir nach {UNCONFIRMED_DAYS} Tagen.\n\n"
        f"Abbestellen: {_link(subscription, 'neighbourhood_unsubscribe')}",
        subscription.email,
        subscription.municipality,
    )


@transaction.atomic
def confirm(subscription) -> NeighbourhoodSubscription:
    subscription = NeighbourhoodSubscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.confirmed_at is None:
        subscription.confirmed_at = subscription.digest_until = timezone.now()
        subscription.save(update_fields=["confirmed_at", "digest_until"])
        audit.record("participation.neighbourhood_confirmed", subscription, actor_label="Bürger/in")
    return subscription


@transaction.atomic
def unsubscribe(subscription) -> None:
    audit.record("participation.neighbourhood_cancelled", subscription, actor_label="Bürger/in")
    subscription.delete()


def delete_unconfirmed(now) -> int:
    """Retention: requests never confirmed are deleted after a week."""
    cutoff = now - timedelta(days=UNCONFIRMED_DAYS)
    deleted, _ = NeighbourhoodSubscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    return deleted


# --- what is in the area ---------------------------------------------------------------


def _in_box(subscription, prefix: str = "", pad: Decimal = Decimal(0)) -> Q:
    return Q(
        **{
            f"{prefix}latitude__gte": subscription.south - pad,
            f"{prefix}latitude__lte": subscription.north + pad,
            f"{prefix}longitude__gte": subscription.west - pad,
            f"{prefix}longitude__lte": subscription.east + pad,
        }
    )


def street_terms(street: str) -> list[str]:
    """A street as council texts write it: "Breite Straße", "Breite Str.", "Breite Strasse"."""
    terms = [street]
    lower = street.lower()
    for suffix in ("straße", "strasse"):
        if lower.endswith(suffix):
            base = street[: -len(suffix)]
            terms += [base + "str.", base + "straße", base + "strasse"]
    if lower.endswith("str."):
        terms += [street[:-4] + "straße", street[:-4] + "strasse"]
    return list(dict.fromkeys(terms))


def council_terms(subscription) -> list[str]:
    """The street of a street subscription; else the streets of the area's addresses."""
    if subscription.way == Way.STREET:
        streets = [subscription.street]
    else:
        streets = list(
            StreetAddress.objects.for_municipality(subscription.municipality)
            .filter(_in_box(subscription))
            .order_by("street")
            .values_list("street", flat=True)
            .distinct()[: public_queries.MAX_TERMS // 3]
        )
    return [term for street in streets for term in street_terms(street)]


def reports_in(subscription, *, since=None, until=None, ids=None):
    place = _in_box(subscription)
    if subscription.way == Way.STREET:
        place |= Q(address__icontains=subscription.street)
    reports = (
        Report.objects.for_municipality(subscription.municipality)
        .filter(place, moderation=Report.Moderation.PUBLISHED)
        .select_related("category")
    )
    if since is not None:
        reports = reports.filter(updated_at__gt=since)
    if until is not None:
        reports = reports.filter(updated_at__lte=until)
    if ids is not None:
        reports = reports.filter(pk__in=list(ids))
    return reports.order_by("-updated_at", "-id")


def thirsty_trees(subscription, today=None, ids=None) -> list:
    """Young trees of the area (or the street) that lack water this week, neediest first."""
    today = today or timezone.localdate()
    start, end = water.week(today)
    place = _in_box(subscription)
    if subscription.way == Way.STREET:
        place |= Q(street__iexact=subscription.street)
    trees = Tree.objects.for_municipality(subscription.municipality).filter(place)
    if ids is not None:
        trees = trees.filter(pk__in=list(ids))
    trees = trees.annotate(
        watered_week=Sum("waterings__litres", filter=Q(waterings__date__range=(start, end)))
    )
    rain = (
        Rainfall.objects.for_municipality(subscription.municipality)
        .filter(date__range=(start, end))
        .aggregate(s=Sum("mm"))["s"]
    )
    result = []
    for tree in trees:
        if water.age_class(tree.planting_year, today) not in water.CALL_TO_WATER:
            continue
        tree.week = water.week_need(
            tree.planting_year, float(rain or 0), tree.watered_week or 0, today
        )
        if tree.week.missing > 0:
            result.append(tree)
    result.sort(key=lambda t: (-t.week.missing, t.external_id))
    return result


def dialogues_near(subscription, now=None, ids=None, venues: dict | None = None) -> list:
    """Dialogues of the next four weeks in a district of the area's trees, or at a
    venue the town's address list places in or near the area (no external service).
    ``venues`` caches venue positions over one run of the job."""
    now = now or timezone.now()
    venues = {} if venues is None else venues
    town = subscription.municipality
    events = DialogueEvent.objects.for_municipality(town).filter(
        starts_at__gte=now, starts_at__lte=now + timedelta(days=DIALOGUE_DAYS)
    )
    if ids is not None:
        events = events.filter(pk__in=list(ids))
    districts = set(
        Tree.objects.for_municipality(town)
        .filter(_in_box(subscription))
        .exclude(district="")
        .values_list("district", flat=True)
        .distinct()
    )
    south, north = subscription.south - NEARBY_PAD, subscription.north + NEARBY_PAD
    west, east = subscription.west - NEARBY_PAD, subscription.east + NEARBY_PAD
    near = []
    for event in events.order_by("starts_at"):
        if event.district and event.district in districts:
            near.append(event)
            continue
        if subscription.street and subscription.street.lower() in event.venue.lower():
            near.append(event)
            continue
        key = (town.pk, event.venue)
        if key not in venues:
            venues[key] = [p for p in (geocode(town, x) for x in event.venue.split(",")) if p]
        if any(south <= lat <= north and west <= lon <= east for lat, lon in venues[key]):
            near.append(event)
    return near


def collect(subscription, *, since, until, now=None, venues: dict | None = None) -> dict:
    """What one digest would carry (lists of rows, each at most PER_SECTION long)."""
    terms = council_terms(subscription)
    town = subscription.municipality
    return {
        "reports": list(reports_in(subscription, since=since, until=until)[:PER_SECTION]),
        "papers": list(
            public_queries.papers_naming(town, terms, since=since, until=until)[:PER_SECTION]
        ),
        "resolutions": list(
            public_queries.resolutions_naming(town, terms, since=since, until=until)[:PER_SECTION]
        ),
        "trees": thirsty_trees(subscription, timezone.localdate(until))[:PER_SECTION],
        "dialogues": dialogues_near(subscription, now=now or until, venues=venues)[:PER_SECTION],
    }


SECTIONS = ("reports", "papers", "resolutions", "trees", "dialogues")


def pack(found: dict) -> list[int]:
    """The digest's row ids as one list for the task row: sections separated by 0."""
    packed: list[int] = []
    for n, name in enumerate(SECTIONS):
        if n:
            packed.append(0)
        packed += [row.pk for row in found[name]]
    return packed


def unpack(ids) -> dict:
    sections: dict = {name: [] for name in SECTIONS}
    index = 0
    for value in ids:
        if value == 0:
            index += 1
            if index >= len(SECTIONS):
                break
            continue
        sections[SECTIONS[index]].append(int(value))
    return sections


def send_due(now=None) -> int:
    """Periodic job (hourly): each confirmed subscription whose last digest is a week old
    gets one e-mail if anything is in it. Returns the number of e-mails queued."""
    now = now or timezone.now()
    due = NeighbourhoodSubscription.objects.filter(
        confirmed_at__isnull=False, digest_until__lte=now - timedelta(days=DIGEST_DAYS)
    )
    sent = 0
    venues: dict = {}
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            subscription = (
                NeighbourhoodSubscription.objects.select_for_update()
                .filter(pk=pk, digest_until__lte=now - timedelta(days=DIGEST_DAYS))
                .first()
            )
            if subscription is None:  # cancelled, or another run got it first
                continue
            found = collect(subscription, since=subscription.digest_until, until=now, venues=venues)
            subscription.digest_until = now
            subscription.save(update_fields=["digest_until"])
            if any(found[name] for name in SECTIONS):
                sent += 1
                mail_after_commit("neighbourhood_digest", subscription.pk, pack(found))
    return sent


def digest_mail(pk, ids):
    """The digest, rendered when the task runs: every row is read again through the same
    public filters, so what was hidden or deleted in between is left out."""
    subscription = (
        NeighbourhoodSubscription.objects.select_related("municipality").filter(pk=pk).first()
    )
    if subscription is None or subscription.confirmed_at is None:
        return None
    wanted = unpack(ids)
    town = subscription.municipality
    terms = council_terms(subscription)
    found = {
        "reports": list(reports_in(subscription, ids=wanted["reports"])),
        "papers": list(public_queries.papers_naming(town, terms, ids=wanted["papers"])),
        "resolutions": list(
            public_queries.resolutions_naming(town, terms, ids=wanted["resolutions"])
        ),
        "trees": thirsty_trees(subscription, ids=wanted["trees"]),
        "dialogues": dialogues_near(subscription, ids=wanted["dialogues"]),
    }
    if not any(found[name] for name in SECTIONS):
        return None
    return (
        f"Ihre Nachbarschaft diese Woche ({subscription.area_label})",
        digest_text(subscription, found),
        subscription.email,
        subscription.municipality,
    )


def digest_text(subscription, found: dict) -> str:
    town = subscription.municipality

    def url(name, *args):
        return tenancy.public_url(town, reverse(name, args=args))

    # One section per kind of news: its heading and how one row reads (text, link).
    sections = [
        (
            "reports",
            "Mängelmeldungen (neu oder mit neuem Stand)",
            lambda r: (
                f"Nr. {r.pk} {r.category.name}: {r.get_status_display()}"
                f"{', ' + r.address if r.address else ''}",
                url("participation:report_detail", r.pk),
            ),
        ),
        (
            "papers",
            "Drucksachen des Rates, die Ihre Straße nennen",
            lambda p: (f"{p.reference} {p.name}", url("council:paper", p.pk)),
        ),
        (
            "resolutions",
            "Beschlüsse, die Ihre Straße nennen",
            lambda i: (
                f"{i.meeting.name}, TOP {i.number} {i.name}: {i.get_result_display()}",
                url("council:meeting", i.meeting_id),
            ),
        ),
        (
            "trees",
            "Bäume, die diese Woche Wasser brauchen",
            lambda t: (
                f"{t} ({t.street or t.district}): es fehlen etwa {t.week.missing} Liter",
                url("participation:tree_detail", t.pk),
            ),
        ),
        (
            "dialogues",
            "Dialoge in Ihrer Nähe (nächste vier Wochen)",
            lambda e: (
                f"{timezone.localtime(e.starts_at):%d.%m.%Y, %H:%M} Uhr: {e.title}, {e.venue}",
                url("participation:event_detail", e.slug),
            ),
        ),
    ]
    parts = [f"Guten Tag,\n\nneu in Ihrer Nachbarschaft ({subscription.area_label}):"]
    for key, heading, row in sections:
        if found[key]:
            lines = [f"- {text}\n  {link}" for text, link in map(row, found[key])]
            parts.append(f"{heading}:\n" + "\n".join(lines))
    parts.append(
        f"Abo verwalten: {_link(subscription, 'neighbourhood_manage')}\n"
        f"Abbestellen: {_link(subscription, 'neighbourhood_unsubscribe')}"
    )
    return "\n\n".join(parts) + "\n"
