"""Demo data for Musterstadt: the municipality, its offices, locations and opening hours.

Every loader in settings.RATHAUS_DEMO_LOADERS takes the municipality and is idempotent
(update_or_create), so `rathaus demo` can run again on an existing database.
"""

from datetime import time

from django.db import transaction

from .models import (
    Location,
    Municipality,
    MunicipalityHost,
    Office,
    OpeningHours,
    Role,
    StaffRole,
    User,
)

DEMO_PASSWORD = "rathaus-demo"

MUNICIPALITY = {
    "slug": "musterstadt",
    "name": "Musterstadt",
    "ags": "12099999",
    "ars": "120999999999",
    "land": "BB",
    "phone": "0331 999-0",
    "email": "buergerservice@musterstadt.example",
    "address": "Rathaus Musterstadt\nMarktplatz 1\n14999 Musterstadt",
    "website": "https://www.musterstadt.example",
    "service_phone": "115",
}

# slug: (name, short name, description, phone, e-mail)
OFFICES = {
    "buergerservice": (
        "Bürgerservice (Bürgerbüros)",
        "Bürgerbüro",
        "Personalausweise, Reisepässe, An-, Um- und Abmeldungen, Meldebescheinigungen, "
        "Führungszeugnisse, Beglaubigungen und Fundsachen.",
        "0331 999-1000",
        "buergerbuero@musterstadt.example",
    ),
    "standesamt": (
        "Standesamt",
        "Standesamt",
        "Geburten, Eheschließungen, Sterbefälle, Urkunden, Vaterschaftsanerkennungen, "
        "Namenserklärungen und Kirchenaustritte.",
        "0331 999-1200",
        "standesamt@musterstadt.example",
    ),
    "strassenverkehrsamt": (
        "Straßenverkehrsamt (Kfz-Zulassung und Führerscheinstelle)",
        "Führerscheinstelle",
        "Zulassung von Fahrzeugen, Wunschkennzeichen, Fahrerlaubnisse, Führerscheinumtausch, "
        "Bewohnerparkausweise und Halteverbotszonen.",
        "0331 999-1500",
        "verkehr@musterstadt.example",
    ),
    "auslaenderbehoerde": (
        "Ausländerbehörde",
        "Ausländerbehörde",
        "Aufenthaltstitel, Aufenthaltskarten, Verpflichtungserklärungen und Einbürgerung.",
        "0331 999-1700",
        "auslaenderbehoerde@musterstadt.example",
    ),
    "jugendamt": (
        "Jugendamt",
        "Jugendamt",
        "Kita-Beratung und Platzvergabe, Elternbeitragsstelle, Unterhaltsvorschuss, "
        "Beistandschaften, Elterngeld-Beratung.",
        "0331 999-2000",
        "jugendamt@musterstadt.example",
    ),
    "sozialamt": (
        "Sozial- und Wohnungsamt",
        "Sozialamt",
        "Grundsicherung, Hilfe zum Lebensunterhalt, Hilfe zur Pflege, Eingliederungshilfe, "
        "Wohngeld, Wohnberechtigungsschein und Leistungen für Bildung und Teilhabe.",
        "0331 999-2300",
        "sozialamt@musterstadt.example",
    ),
    "ordnungsamt": (
        "Ordnungsamt und Gewerbeamt",
        "Ordnungsamt",
        "Gewerbean-, -um- und -abmeldungen, Gaststättenerlaubnisse, Veranstaltungen, "
        "gefährliche Hunde, Fischereischeine und Waffenrecht.",
        "0331 999-2600",
        "ordnungsamt@musterstadt.example",
    ),
    "steueramt": (
        "Kämmerei – Steuern und Abgaben",
        "Steueramt",
        "Hundesteuer, Zweitwohnungsteuer, Grundsteuer und Gewerbesteuer.",
        "0331 999-2900",
        "steuern@musterstadt.example",
    ),
    "bauordnungsamt": (
        "Bauordnungsamt",
        "Bauordnung",
        "Baugenehmigungen, Bauvorbescheide, Baubeginnanzeigen und Hausnummernvergabe.",
        "0331 999-3100",
        "bauordnung@musterstadt.example",
    ),
    "tiefbauamt": (
        "Tiefbauamt",
        "Tiefbauamt",
        "Straßen, Wege und Brücken, Sondernutzungen, Aufgrabungen und Leitungsverlegung, "
        "Mängel im öffentlichen Raum.",
        "0331 999-3400",
        "tiefbau@musterstadt.example",
    ),
    "umweltamt": (
        "Umwelt- und Grünflächenamt",
        "Umweltamt",
        "Stadtbäume und Baumfällgenehmigungen, Abfallwirtschaft, Sperrmüll, Wasserrecht "
        "und Gießpatenschaften.",
        "0331 999-3700",
        "umwelt@musterstadt.example",
    ),
    "gesundheitsamt": (
        "Gesundheitsamt",
        "Gesundheitsamt",
        "Infektionsschutz, Belehrungen nach § 43 IfSG, Meldungen nach dem IfSG, "
        "sozialpsychiatrischer Dienst.",
        "0331 999-4000",
        "gesundheitsamt@musterstadt.example",
    ),
    "wahlamt": (
        "Statistik und Wahlen",
        "Wahlamt",
        "Briefwahl, Wahlhelferinnen und Wahlhelfer, Wahlvorschläge und Statistik.",
        "0331 999-4300",
        "wahlen@musterstadt.example",
    ),
    "schulverwaltung": (
        "Schulverwaltungsamt",
        "Schulamt",
        "Einschulung, Schulbezirke, Schülerbeförderung und BAföG für Schülerinnen und Schüler.",
        "0331 999-4600",
        "schulverwaltung@musterstadt.example",
    ),
    "friedhofsverwaltung": (
        "Friedhofsverwaltung",
        "Friedhöfe",
        "Grabstellen, Bestattungen und Friedhofsgebühren.",
        "0331 999-4900",
        "friedhof@musterstadt.example",
    ),
    "buero-oberbuergermeister": (
        "Büro der Oberbürgermeisterin und Ratsbüro",
        "Ratsbüro",
        "Stadtverordnetenversammlung, Ausschüsse und Beiräte, Bürgerhaushalt, "
        "Bürgersprechstunde der Oberbürgermeisterin und Ehrenamt.",
        "0331 999-100",
        "ratsbuero@musterstadt.example",
    ),
    "versorgungsamt": (
        "Amt für Soziales und Versorgung (Landesamt, Außenstelle)",
        "Versorgungsamt",
        "Feststellung der Schwerbehinderung, Schwerbehindertenausweise und Parkerleichterungen.",
        "0331 999-5200",
        "versorgung@musterstadt.example",
    ),
}

WEEKDAY_STANDARD = [
    (0, time(8, 0), time(16, 0)),
    (1, time(8, 0), time(18, 0)),
    (2, time(8, 0), time(12, 0)),
    (3, time(8, 0), time(18, 0)),
    (4, time(8, 0), time(13, 0)),
]
# The daily Kontingentsprechstunde for emergencies (seed 003), Monday to Friday 8-9.
CONTINGENT = [(day, time(8, 0), time(9, 0), "ohne Termin, für dringende Fälle") for day in range(5)]

HEALTH_WALK_IN = "Impfberatung, Belehrungen, Bescheinigungen"

# slug: (office, name, street, postcode, lat, lon, room, step_free, hearing_loop, wc, transit,
#        weekly hours, walk-in hours)
LOCATIONS = {
    "buergerbuero-mitte": (
        "buergerservice",
        "Bürgerbüro Mitte",
        "Marktplatz 1",
        "14999",
        52.3989,
        13.0657,
        "Erdgeschoss, Raum 0.12",
        True,
        True,
        True,
        "Tram 91, 92, 96 – Haltestelle Rathaus",
        WEEKDAY_STANDARD + [(5, time(9, 0), time(12, 0))],
        CONTINGENT,
    ),
    "buergerbuero-nord": (
        "buergerservice",
        "Bürgerbüro Nord",
        "Nordring 14",
        "14997",
        52.4230,
        13.0580,
        "1. Obergeschoss (Aufzug)",
        True,
        False,
        True,
        "Bus 609 – Haltestelle Nordring",
        WEEKDAY_STANDARD,
        CONTINGENT,
    ),
    "buergerbuero-sued": (
        "buergerservice",
        "Bürgerbüro Süd im Stadtteilzentrum",
        "Lindenallee 3",
        "14998",
        52.3720,
        13.0900,
        "Erdgeschoss",
        True,
        True,
        False,
        "Tram 93 – Haltestelle Lindenallee",
        WEEKDAY_STANDARD,
        CONTINGENT,
    ),
    "standesamt-altes-rathaus": (
        "standesamt",
        "Standesamt im Alten Rathaus",
        "Am Alten Markt 9",
        "14999",
        52.3955,
        13.0610,
        "Trausaal im 1. Obergeschoss",
        True,
        True,
        True,
        "Tram 91 – Haltestelle Alter Markt",
        [
            (0, time(8, 0), time(15, 0)),
            (1, time(8, 0), time(18, 0)),
            (3, time(8, 0), time(18, 0)),
            (4, time(8, 0), time(12, 0)),
            (5, time(10, 0), time(14, 0)),
        ],
        [(2, time(9, 0), time(12, 0), "Urkundenausgabe")],
    ),
    "verkehrsbehoerde": (
        "strassenverkehrsamt",
        "Straßenverkehrsamt Am Gewerbepark",
        "Am Gewerbepark 22",
        "14996",
        52.3800,
        13.0200,
        "Haus B",
        True,
        False,
        True,
        "Bus 605 – Haltestelle Gewerbepark",
        [
            (0, time(7, 30), time(15, 0)),
            (1, time(7, 30), time(18, 0)),
            (2, time(7, 30), time(12, 0)),
            (3, time(7, 30), time(18, 0)),
            (4, time(7, 30), time(12, 0)),
        ],
        [(2, time(7, 30), time(12, 0), "Abholung Führerscheine und Kennzeichen")],
    ),
    "auslaenderbehoerde-haus-2": (
        "auslaenderbehoerde",
        "Ausländerbehörde, Verwaltungscampus Haus 2",
        "Friedrich-Ebert-Straße 79",
        "14999",
        52.4010,
        13.0590,
        "Haus 2, Erdgeschoss",
        True,
        True,
        True,
        "Tram 92, 96 – Haltestelle Verwaltungscampus",
        [
            (0, time(8, 0), time(15, 0)),
            (1, time(8, 0), time(18, 0)),
            (3, time(8, 0), time(18, 0)),
            (4, time(8, 0), time(12, 0)),
        ],
        [(1, time(8, 0), time(10, 0), "nur Notfälle und Abholungen")],
    ),
    "jugendamt-familienbuero": (
        "jugendamt",
        "Familienbüro des Jugendamts",
        "Friedrich-Ebert-Straße 79",
        "14999",
        52.4012,
        13.0595,
        "Haus 3, 2. Obergeschoss (Aufzug)",
        True,
        False,
        True,
        "Tram 92, 96 – Haltestelle Verwaltungscampus",
        [
            (0, time(8, 0), time(15, 0)),
            (1, time(8, 0), time(18, 0)),
            (3, time(8, 0), time(18, 0)),
            (4, time(8, 0), time(12, 0)),
        ],
        [(1, time(14, 0), time(18, 0), "Kita-Beratung ohne Termin")],
    ),
    "sozialamt-haus-1": (
        "sozialamt",
        "Sozial- und Wohnungsamt, Verwaltungscampus Haus 1",
        "Friedrich-Ebert-Straße 79",
        "14999",
        52.4008,
        13.0585,
        "Haus 1",
        True,
        True,
        True,
        "Tram 92, 96 – Haltestelle Verwaltungscampus",
        [
            (0, time(8, 0), time(15, 0)),
            (1, time(8, 0), time(18, 0)),
            (3, time(8, 0), time(18, 0)),
            (4, time(8, 0), time(12, 0)),
        ],
        [(1, time(9, 0), time(12, 0), ""), (3, time(13, 0), time(17, 0), "")],
    ),
    "technisches-rathaus": (
        "bauordnungsamt",
        "Technisches Rathaus",
        "Hegelallee 6",
        "14997",
        52.4050,
        13.0520,
        "Bürgerberatung im Erdgeschoss",
        True,
        False,
        True,
        "Bus 692 – Haltestelle Hegelallee",
        [
            (1, time(9, 0), time(12, 0)),
            (1, time(13, 0), time(18, 0)),
            (3, time(9, 0), time(12, 0)),
            (3, time(13, 0), time(16, 0)),
        ],
        [(1, time(9, 0), time(12, 0), "Bauberatung ohne Termin")],
    ),
    "ordnungsamt-gewerbe": (
        "ordnungsamt",
        "Gewerbeamt im Stadthaus",
        "Hegelallee 8",
        "14997",
        52.4052,
        13.0525,
        "Raum 1.04",
        False,
        False,
        False,
        "Bus 692 – Haltestelle Hegelallee",
        [
            (1, time(9, 0), time(12, 0)),
            (1, time(13, 0), time(18, 0)),
            (3, time(9, 0), time(12, 0)),
            (3, time(13, 0), time(16, 0)),
        ],
        [(1, time(9, 0), time(12, 0), "")],
    ),
    "gesundheitsamt-campus": (
        "gesundheitsamt",
        "Gesundheitsamt",
        "Friedrich-Ebert-Straße 79",
        "14999",
        52.4015,
        13.0600,
        "Haus 4",
        True,
        False,
        True,
        "Tram 92, 96 – Haltestelle Verwaltungscampus",
        [(1, time(8, 0), time(12, 0)), (1, time(13, 0), time(17, 0)), (3, time(8, 0), time(12, 0))],
        # The Gesundheitsamt works without appointments (seed 003): its hours are walk-in hours.
        [
            (1, time(8, 0), time(12, 0), HEALTH_WALK_IN),
            (1, time(13, 0), time(17, 0), HEALTH_WALK_IN),
            (3, time(8, 0), time(12, 0), HEALTH_WALK_IN),
        ],
    ),
}

STAFF = [
    ("admin@musterstadt.example", "Ada", "Admin", Role.ADMINISTRATOR, None),
    ("redaktion@musterstadt.example", "Rita", "Redaktion", Role.CATALOG_EDITOR, None),
    ("buergerbuero@musterstadt.example", "Bernd", "Bürgerbüro", Role.CLERK, "buergerservice"),
    ("standesamt@musterstadt.example", "Sabine", "Standesamt", Role.CLERK, "standesamt"),
    ("termine@musterstadt.example", "Tom", "Termine", Role.APPOINTMENT_MANAGER, None),
    ("ratsbuero@musterstadt.example", "Rainer", "Ratsbüro", Role.COUNCIL_OFFICE, None),
    ("moderation@musterstadt.example", "Mona", "Moderation", Role.MODERATOR, None),
]


DEMO_HOSTS = ("localhost", "127.0.0.1", "musterstadt.localhost")


@transaction.atomic
def load(municipality=None, *, identity=None, hosts=DEMO_HOSTS) -> Municipality:
    """Create or update the demo municipality; ``identity`` overrides MUNICIPALITY (tests)."""
    fields = dict(identity or MUNICIPALITY)
    municipality, _ = Municipality.objects.update_or_create(
        slug=fields.pop("slug"), defaults=fields
    )
    for host in hosts:
        MunicipalityHost.objects.get_or_create(host=host, defaults={"municipality": municipality})

    offices = {}
    for slug, (name, short, description, phone, email) in OFFICES.items():
        offices[slug], _ = Office.objects.update_or_create(
            municipality=municipality,
            slug=slug,
            defaults={
                "name": name,
                "short_name": short,
                "description": description,
                "phone": phone,
                "email": email,
            },
        )

    for slug, row in LOCATIONS.items():
        (
            office,
            name,
            street,
            postcode,
            lat,
            lon,
            room,
            step_free,
            loop,
            wc,
            transit,
            weekly,
            walk_in,
        ) = row
        location, _ = Location.objects.update_or_create(
            municipality=municipality,
            slug=slug,
            defaults={
                "office": offices[office],
                "name": name,
                "street": street,
                "postcode": postcode,
                "city": "Musterstadt",
                "latitude": lat,
                "longitude": lon,
                "room": room,
                "step_free": step_free,
                "hearing_loop": loop,
                "accessible_toilet": wc,
                "transit": transit,
                "phone": offices[office].phone,
                "email": offices[office].email,
            },
        )
        location.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(
            [OpeningHours(location=location, weekday=d, opens=o, closes=c) for d, o, c in weekly]
            + [
                OpeningHours(
                    location=location,
                    kind=OpeningHours.Kind.WALK_IN,
                    weekday=d,
                    opens=o,
                    closes=c,
                    note=n,
                )
                for d, o, c, n in walk_in
            ]
        )

    for email, first, last, role, office in STAFF:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, DEMO_PASSWORD, first_name=first, last_name=last, is_staff=True
            )
        StaffRole.objects.get_or_create(
            user=user,
            municipality=municipality,
            role=role,
            office=offices.get(office) if office else None,
        )
    if not User.objects.filter(email="root@rathaus.example").exists():
        User.objects.create_superuser("root@rathaus.example", DEMO_PASSWORD)
    return municipality
