"""Onboard a town into the installation: name, AGS, host names, portal address, sender,
logo, first administrator (invited by e-mail) and, from a JSON file, its locations.
A location without "latitude"/"longitude" gets the position of its address from the
town's address list (``--addresses``, the CSV of ``rathaus import_addresses``, loaded
first in the same transaction; ADR 0223).

The same service as the operator's page /land/kommunen/neu/ (core.onboarding).
Locations file: a list of {"office", "name", "street", "postcode", "city",
"latitude", "longitude", "hours": {"Mo": {"open": "08:00-12:00", "walk_in": "14:00-18:00"}}}.
"""

import json
from datetime import time
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rathaus.core import onboarding
from rathaus.core.models import LANDS, OpeningHours
from rathaus.core.parsing import ParseError, parse_time

DAYS = {"mo": 0, "di": 1, "mi": 2, "do": 3, "fr": 4, "sa": 5, "so": 6}
KINDS = {"open": OpeningHours.Kind.OPEN, "walk_in": OpeningHours.Kind.WALK_IN}


def _windows(hours, field: str) -> list[onboarding.Window]:
    if not isinstance(hours, dict):
        raise ParseError(field, 'Wochentage als Objekt erwartet, z. B. {"Mo": {...}}')
    windows = []
    for day, kinds in hours.items():
        weekday = DAYS.get(str(day)[:2].lower())
        if weekday is None or not isinstance(kinds, dict):
            raise ParseError(field, f"Unbekannter Wochentag {str(day)[:20]!r}")
        for kind, span in kinds.items():
            if kind not in KINDS or not isinstance(span, str) or "-" not in span:
                raise ParseError(field, f"{day}: 'open' oder 'walk_in' mit 'HH:MM-HH:MM'")
            start, end = span.split("-", 1)
            opens: time = parse_time(start.strip(), field)
            closes: time = parse_time(end.strip(), field)
            windows.append(onboarding.Window(KINDS[kind].value, weekday, opens, closes))
    return windows


class Command(BaseCommand):
    help = "Legt eine Kommune an und lädt ihre erste Administration ein (Betrieb eines Landes)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--ags", required=True, help="Amtlicher Gemeindeschlüssel, 8 Ziffern")
        parser.add_argument("--land", default="", choices=["", *(code for code, _ in LANDS)])
        parser.add_argument("--host", action="append", required=True, help="mehrfach möglich")
        parser.add_argument("--url", default="", help="Adresse des Portals für Links in E-Mails")
        parser.add_argument("--sender", default="", help="Absenderadresse der E-Mails")
        parser.add_argument("--logo", default="", help="PNG, JPEG oder WebP")
        parser.add_argument("--admin", required=True, help="E-Mail der ersten Administration")
        parser.add_argument("--locations", default="", help="JSON-Datei mit Standorten")
        parser.add_argument(
            "--addresses",
            default="",
            help="CSV-Adressliste der Kommune (wie import_addresses); Standorte ohne "
            "Breiten-/Längengrad bekommen daraus ihre Position",
        )

    def handle(self, *args, **options):
        try:
            locations = (
                json.loads(Path(options["locations"]).read_text()) if options["locations"] else []
            )
        except (OSError, ValueError) as error:
            raise CommandError(f"--locations: {error}") from error
        if not isinstance(locations, list):
            raise CommandError("--locations: eine Liste von Standorten erwartet")
        try:
            with transaction.atomic():
                logo = None
                if options["logo"]:
                    from django.core.exceptions import ValidationError

                    from rathaus.core import uploads
                    from rathaus.core.land_forms import LOGO_MAX_BYTES, LOGO_TYPES

                    try:
                        content = Path(options["logo"]).read_bytes()
                    except OSError as error:
                        raise CommandError(f"--logo: {error}") from error
                    logo = ContentFile(content, name=Path(options["logo"]).name)
                    try:
                        uploads.check(logo, LOGO_TYPES, LOGO_MAX_BYTES)
                    except ValidationError as error:
                        raise CommandError(f"--logo: {' '.join(error.messages)}") from error
                done = onboarding.onboard_town(
                    name=options["name"],
                    ags=options["ags"],
                    land=options["land"],
                    hosts=options["host"],
                    base_url=options["url"],
                    mail_sender=options["sender"],
                    logo=logo,
                    admin_email=options["admin"],
                    actor_label="rathaus onboard_town",
                )
                if options["addresses"]:
                    # By command name: the address list belongs to participation, which
                    # core does not import (ADR 0223). Its errors roll everything back.
                    call_command(
                        "import_addresses", done.town.slug, options["addresses"], stdout=self.stdout
                    )
                for number, item in enumerate(locations):
                    field = f"locations[{number}]"
                    if not isinstance(item, dict):
                        raise ParseError(field, "Objekt erwartet")
                    onboarding.add_location(
                        done.town,
                        office_name=str(item.get("office", "")),
                        name=str(item.get("name", "")),
                        street=str(item.get("street", "")),
                        postcode=str(item.get("postcode", "")),
                        city=str(item.get("city", "")),
                        latitude=item.get("latitude"),
                        longitude=item.get("longitude"),
                        windows=_windows(item.get("hours", {}), f"{field}.hours"),
                        actor_label="rathaus onboard_town",
                    )
        except ParseError as error:
            raise CommandError(f"{error.field}: {error.reason}") from error
        town = done.town
        hosts = ", ".join(town.hosts.values_list("host", flat=True))
        self.stdout.write(
            f"Kommune {town.name} ({town.slug}, AGS {town.ags}) unter {hosts} angelegt; "
            f"{len(locations)} Standort(e); Einladung an {done.admin.email}."
        )
