"""Import the town's address list for geocoding: ``rathaus import_addresses <kommune> a.csv``."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rathaus.core.models import Municipality
from rathaus.participation.reports import geocoding


class Command(BaseCommand):
    help = (
        "Adressverzeichnis der Kommune aus CSV importieren "
        "(street, house_number, postcode, latitude, longitude; z. B. aus ALKIS oder OSM). "
        "Es dient dem Mängelmelder, Meldungen mit Adresse auf die Karte zu setzen."
    )

    def add_arguments(self, parser):
        parser.add_argument("municipality", help="Kurzname (slug) der Kommune")
        parser.add_argument("path", help="CSV-Datei (UTF-8, Komma-getrennt, mit Kopfzeile)")
        parser.add_argument(
            "--add", action="store_true", help="ergänzen statt das Verzeichnis zu ersetzen"
        )

    def handle(self, municipality, path, add=False, **options):
        town = Municipality.objects.filter(slug=municipality).first()
        if town is None:
            raise CommandError(f"Kommune '{municipality}' gibt es nicht.")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Datei {path} nicht gefunden.")
        try:
            count = geocoding.import_addresses(
                town, file.read_text(encoding="utf-8-sig"), replace=not add
            )
        except (ValidationError, UnicodeDecodeError) as error:
            message = " ".join(getattr(error, "messages", [str(error)]))
            raise CommandError(f"Nichts importiert: {message}") from None
        self.stdout.write(f"{count} Adressen importiert.")
