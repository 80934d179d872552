"""Import street trees from an open-data file: ``rathaus import_trees <kommune> baeume.csv``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rathaus.core.models import Municipality
from rathaus.participation.trees import services


class Command(BaseCommand):
    help = (
        "Straßenbäume aus CSV oder GeoJSON importieren "
        "(id, species, planting_year, lat, lon, street, district)."
    )

    def add_arguments(self, parser):
        parser.add_argument("municipality", help="Kurzname (slug) der Kommune")
        parser.add_argument("path", help="CSV- oder GeoJSON-Datei")
        parser.add_argument("--format", choices=["csv", "geojson"], default=None)

    def handle(self, municipality, path, format=None, **options):
        town = Municipality.objects.filter(slug=municipality).first()
        if town is None:
            raise CommandError(f"Kommune '{municipality}' gibt es nicht.")
        file = Path(path)
        if not file.exists():
            raise CommandError(f"Datei {path} nicht gefunden.")
        fmt = format or ("geojson" if file.suffix.lower() in (".geojson", ".json") else "csv")
        result = services.import_trees(town, file.read_text(encoding="utf-8-sig"), fmt)
        for error in result.errors[:50]:
            self.stderr.write(error)
        self.stdout.write(
            f"{result.created} neu, {result.updated} aktualisiert, {len(result.errors)} Fehler"
        )
