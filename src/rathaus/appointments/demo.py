"""Demo data of the Terminvergabe for Musterstadt (idempotent).

Counters and rooms for the Bürgerbüros, the Führerscheinstelle, the
Ausländerbehörde, the Standesamt (with the Traukalender), the Jugendamt and the
Sozialamt; six weeks of capacity; and bookings from two weeks ago (done, no-show)
to the coming days, so `make demo` shows a living calendar. Services are looked
up by their canonical slugs (ADR 0002); missing ones are skipped.
"""

import random
from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from rathaus.catalog.models import Service
from rathaus.core.models import Location

from . import capacity, services
from .models import AvailabilityRule, Booking, BookingStatus, Offer, Resource

APPT, WALK = AvailabilityRule.Kind.APPOINTMENTS, AvailabilityRule.Kind.WALK_IN
MO, TU, WE, TH, FR, SA = range(6)


def bb_rules(counters):
    """Bürgerbüro: the Kontingentsprechstunde 8-9 (seed 003), then appointments."""
    return [
        (WALK, [MO, TU, WE, TH, FR], time(8), time(9), max(1, counters // 2), 10),
        (APPT, [MO], time(9), time(16), counters, 10),
        (APPT, [TU, TH], time(9), time(18), counters, 10),
        (APPT, [WE], time(9), time(12), counters, 10),
        (APPT, [FR], time(9), time(13), counters, 10),
    ]


# Offer policy: (slug, duration units, extra units per further person, max persons)
BUERGERBUERO = [
    ("personalausweis-beantragen", 2, 2, 4),
    ("reisepass-beantragen", 2, 2, 4),
    ("kinderreisepass-beantragen", 1, 1, 3),
    ("vorlaeufigen-personalausweis-beantragen", 1, 1, 2),
    ("online-ausweisfunktion", 1, 1, 2),
    ("wohnsitz-anmelden", 2, 1, 6),
    ("wohnsitz-ummelden", 2, 1, 6),
    ("wohnsitz-abmelden", 1, 1, 6),
    ("meldebescheinigung-beantragen", 1, 1, 3),
    ("fuehrungszeugnis-beantragen", 1, 1, 1),
    ("beglaubigung-von-unterschriften-und-dokumenten", 1, 1, 3),
    ("lebensbescheinigung-fuer-die-rente", 1, 1, 2),
    ("fundsache-melden-oder-abholen", 1, 1, 1),
]

# location slug: [(resource slug, name, kind, rules, offers, policy)]
SETUP = {
    "buergerbuero-mitte": [
        (
            "bb-mitte",
            "Schalter Bürgerbüro Mitte",
            "counters",
            bb_rules(4) + [(APPT, [SA], time(9), time(12), 2, 10)],
            BUERGERBUERO,
            {"horizon_days": 14, "walk_in_share": 20},
        ),
    ],
    "buergerbuero-nord": [
        (
            "bb-nord",
            "Schalter Bürgerbüro Nord",
            "counters",
            bb_rules(3),
            BUERGERBUERO,
            {"horizon_days": 14},
        ),
    ],
    "buergerbuero-sued": [
        (
            "bb-sued",
            "Schalter Bürgerbüro Süd",
            "counters",
            bb_rules(2),
            BUERGERBUERO,
            {"horizon_days": 14},
        ),
    ],
    "verkehrsbehoerde": [
        (
            "fuehrerscheinstelle",
            "Führerscheinstelle",
            "counters",
            [
                (APPT, [MO], time(7, 30), time(15), 3, 15),
                (APPT, [TU, TH], time(7, 30), time(18), 3, 15),
                (WALK, [WE], time(7, 30), time(12), 2, 15),
                (APPT, [FR], time(7, 30), time(12), 3, 15),
            ],
            [
                ("fuehrerschein-umtauschen", 2, 1, 1),
                ("fahrerlaubnis-erstmalig-beantragen", 2, 1, 1),
                ("internationalen-fuehrerschein-beantragen", 1, 1, 1),
                ("ersatzfuehrerschein-bei-verlust", 2, 1, 1),
            ],
            {"horizon_days": 28},
        ),
        (
            "kfz-zulassung",
            "Kfz-Zulassung",
            "counters",
            [
                (APPT, [MO], time(7, 30), time(15), 4, 15),
                (APPT, [TU, TH], time(7, 30), time(18), 4, 15),
                (APPT, [FR], time(7, 30), time(12), 4, 15),
            ],
            [
                ("fahrzeug-zulassen", 2, 1, 3),
                ("fahrzeug-ausser-betrieb-setzen", 1, 1, 3),
                ("halterwechsel-eines-fahrzeugs", 2, 1, 3),
            ],
            {"horizon_days": 28},
        ),
    ],
    "auslaenderbehoerde-haus-2": [
        (
            "auslaenderbehoerde",
            "Ausländerbehörde",
            "counters",
            [
                (APPT, [MO], time(8), time(15), 3, 15),
                (WALK, [TU], time(8), time(10), 2, 15),
                (APPT, [TU], time(10), time(18), 3, 15),
                (APPT, [TH], time(8), time(18), 3, 15),
                (APPT, [FR], time(8), time(12), 3, 15),
            ],
            [
                ("aufenthaltstitel-beantragen-oder-verlaengern", 3, 2, 5),
                ("aufenthaltskarte-fuer-familienangehoerige-von-eu-buergern", 3, 2, 5),
                ("verpflichtungserklaerung-abgeben", 2, 1, 1),
                ("einbuergerung-beantragen", 4, 2, 4),
            ],
            {"horizon_days": 42},
        ),
    ],
    "standesamt-altes-rathaus": [
        (
            "standesamt",
            "Standesamt Beurkundungen",
            "counters",
            [
                (APPT, [MO], time(8), time(15), 2, 15),
                (APPT, [TU, TH], time(8), time(18), 2, 15),
                (APPT, [FR], time(8), time(12), 2, 15),
            ],
            [
                ("eheschliessung-anmelden", 4, 0, 1),
                ("geburt-beurkunden-und-geburtsurkunde-erhalten", 2, 1, 3),
                ("vaterschaft-anerkennen", 2, 0, 1),
                ("namenserklaerung-abgeben", 2, 1, 3),
                ("sterbefall-beurkunden-und-sterbeurkunde-erhalten", 2, 0, 1),
                ("kirchenaustritt-erklaeren", 1, 1, 2),
            ],
            {"horizon_days": 28},
        ),
        # Traukalender (seed 003): six months free, up to 18 months against a fee.
        (
            "trausaal-altes-rathaus",
            "Trausaal im Alten Rathaus",
            "room",
            [
                (APPT, [TU, TH], time(10), time(16), 1, 30),
                (APPT, [FR], time(10), time(13), 1, 30),
                (APPT, [SA], time(10), time(14), 1, 30),
            ],
            [("trautermin-reservieren", 1, 0, 1)],
            {
                "horizon_days": 183,
                "extended_horizon_days": 548,
                "extended_fee": "60.00",
                "lead_time_hours": 24 * 14,
            },
        ),
        (
            "trauzimmer-schlosspark",
            "Trauzimmer im Schlosspark",
            "room",
            [(APPT, [FR], time(12), time(16), 1, 60), (APPT, [SA], time(11), time(16), 1, 60)],
            [("trautermin-reservieren", 1, 0, 1)],
            {
                "horizon_days": 183,
                "extended_horizon_days": 548,
                "extended_fee": "60.00",
                "lead_time_hours": 24 * 14,
            },
        ),
    ],
    "jugendamt-familienbuero": [
        (
            "familienbuero",
            "Familienbüro",
            "counters",
            [
                (APPT, [MO], time(8), time(15), 2, 15),
                (APPT, [TU], time(8), time(14), 2, 15),
                (WALK, [TU], time(14), time(18), 1, 15),
                (APPT, [TH], time(8), time(18), 2, 15),
                (APPT, [FR], time(8), time(12), 2, 15),
            ],
            [
                ("kita-platz-suchen-und-kita-beratung", 2, 1, 2),
                ("elternbeitrag-fuer-die-kindertagesbetreuung-und-ermaessigung", 2, 1, 3),
                ("unterhaltsvorschuss-beantragen", 3, 1, 3),
                ("beistandschaft-beim-jugendamt", 3, 0, 1),
            ],
            {"horizon_days": 14},
        ),
    ],
    "sozialamt-haus-1": [
        (
            "sozialamt",
            "Sozial- und Wohnungsamt",
            "counters",
            [
                (APPT, [MO], time(8), time(15), 3, 15),
                (WALK, [TU], time(9), time(12), 2, 15),
                (APPT, [TU], time(12), time(18), 3, 15),
                (APPT, [TH], time(8), time(13), 3, 15),
                (WALK, [TH], time(13), time(17), 2, 15),
                (APPT, [FR], time(8), time(12), 3, 15),
            ],
            [
                ("wohngeld-beantragen", 2, 1, 1),
                ("wohnberechtigungsschein-beantragen", 2, 1, 1),
                ("grundsicherung-im-alter-und-bei-erwerbsminderung-beantragen", 3, 0, 1),
                ("hilfe-zum-lebensunterhalt-beantragen", 3, 0, 1),
                ("leistungen-fuer-bildung-und-teilhabe-beantragen", 2, 1, 4),
                ("elterngeld-beantragen", 2, 0, 1),
                ("leistungen-nach-dem-asylbewerberleistungsgesetz", 3, 1, 4),
            ],
            {"horizon_days": 14},
        ),
    ],
}

FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elif",
    "Finn",
    "Greta",
    "Hasan",
    "Ida",
    "Jonas",
    "Katarina",
    "Leon",
    "Mia",
    "Nils",
    "Olga",
    "Paul",
    "Sophie",
    "Tim",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Yılmaz",
    "Nowak",
    "Krüger",
    "Hartmann",
    "Lange",
    "Werner",
]

#: Share of the bookable places already taken on the coming days (a busy office).
FILL = 0.45
PAST_DAYS = 14


def load(municipality):
    if municipality is None:
        return municipality
    with transaction.atomic():
        offers = _set_up_capacity(municipality)
        if offers and not Booking.objects.for_municipality(municipality).exists():
            _book_some(municipality, offers)
        _set_up_releases(municipality)
    return municipality


def _set_up_releases(municipality) -> None:
    """Fair release (ADR 0021): a weekly release and a daily lottery, as in seed 003."""
    from datetime import time as clock

    from . import releases
    from .models import ReleaseSchedule

    counters = list(
        Resource.objects.for_municipality(municipality)
        .filter(kind=Resource.Kind.COUNTERS)
        .order_by("slug")
    )
    plans = [
        ("Donnerstags 18 Uhr: die folgende Woche", 3, clock(18), 7, "fcfs", 15),
        ("Täglich 7 Uhr: Verlosung für den Tag in einer Woche", None, clock(7), 7, "lottery", 720),
    ]
    for resource, (name, weekday, at, lead, mode, minutes) in zip(counters, plans, strict=False):
        schedule, created = ReleaseSchedule.objects.get_or_create(
            municipality=municipality,
            name=name,
            defaults={
                "weekday": weekday,
                "at_time": at,
                "lead_days": lead,
                "mode": mode,
                "lottery_minutes": minutes,
            },
        )
        if created:
            schedule.resources.add(resource)
    releases.run_due()


def _set_up_capacity(municipality) -> list[Offer]:
    services_by_slug = {s.slug: s for s in Service.objects.for_municipality(municipality)}
    locations = {loc.slug: loc for loc in Location.objects.for_municipality(municipality)}
    today = timezone.localdate()
    offers = []
    for location_slug, resources in SETUP.items():
        location = locations.get(location_slug)
        if location is None:
            continue
        for slug, name, kind, rules, offer_specs, policy in resources:
            available = [spec for spec in offer_specs if spec[0] in services_by_slug]
            if not available:
                continue
            resource, _ = Resource.objects.update_or_create(
                municipality=municipality,
                slug=slug,
                defaults={"location": location, "name": name, "kind": kind},
            )
            resource.rules.all().delete()
            for rule_kind, weekdays, start, end, counters, unit in rules:
                AvailabilityRule.objects.create(
                    resource=resource,
                    kind=rule_kind,
                    weekdays=weekdays,
                    start_time=start,
                    end_time=end,
                    counters=counters,
                    unit_minutes=unit,
                    valid_from=today - timedelta(days=PAST_DAYS + 7),
                )
            for service_slug, units, extra, max_persons in available:
                offer, _ = Offer.objects.update_or_create(
                    municipality=municipality,
                    service=services_by_slug[service_slug],
                    resource=resource,
                    defaults={
                        "duration_units": units,
                        "units_per_extra_person": extra,
                        "max_persons": max_persons,
                        "lead_time_hours": 2,
                        **policy,
                    },
                )
                offers.append(offer)
            days = PAST_DAYS + capacity.materialisation_days(resource)
            capacity.materialise(resource, today - timedelta(days=PAST_DAYS), days)
    return offers


def _book_some(municipality, offers) -> None:
    """Fill part of the capacity from two weeks ago to ten days ahead (weddings further)."""
    rng = random.Random(20240318)  # the day seed 003's 14-day horizon started
    now = timezone.now()
    today = timezone.localdate()
    by_resource: dict[int, list[Offer]] = {}
    for offer in offers:
        by_resource.setdefault(offer.resource_id, []).append(offer)
    for resource_offers in by_resource.values():
        resource = resource_offers[0].resource
        days_ahead = 120 if resource.kind == Resource.Kind.ROOM else 10
        fill = 0.25 if resource.kind == Resource.Kind.ROOM else FILL
        first = today - timedelta(days=PAST_DAYS)
        slots = resource.slots.filter(
            starts_at__gte=capacity.local(first, time.min),
            starts_at__lt=capacity.local(today + timedelta(days=days_ahead), time.min),
            walk_in_only=False,
            capacity__gt=0,
        ).order_by("starts_at")
        for slot in slots:
            for _place in range(slot.capacity):
                if rng.random() < fill / max(1, resource_offers[0].duration_units):
                    _demo_booking(rng, rng.choice(resource_offers), slot.starts_at, now)


def _demo_booking(rng, offer, starts_at, now) -> None:
    ends_at = services._take_units(offer, starts_at, offer.units_for(1), staff=True)
    if ends_at is None:
        return
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    email = f"{name.split()[0].lower()}.{rng.randrange(10_000)}@example.org"
    past = ends_at < now
    status = BookingStatus.CONFIRMED
    if past:
        status = BookingStatus.NO_SHOW if rng.random() < 0.08 else BookingStatus.DONE
    Booking.objects.create(
        municipality_id=offer.municipality_id,
        offer=offer,
        service_id=offer.service_id,
        resource_id=offer.resource_id,
        starts_at=starts_at,
        ends_at=ends_at,
        units=offer.units_for(1),
        status=status,
        name=name,
        email=email,
        person_key=services.normalise_email(email),
        confirmed_at=starts_at - timedelta(days=rng.randint(1, 13)),
        arrived_at=starts_at if status == BookingStatus.DONE else None,
        finished_at=ends_at if status == BookingStatus.DONE else None,
        fee=offer.extended_fee if capacity.window(offer, now).fee_applies(starts_at) else None,
    )
