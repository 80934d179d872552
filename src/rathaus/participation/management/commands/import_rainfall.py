"""Import daily precipitation: ``rathaus import_rainfall <kommune> regen.csv`` (date, mm)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rathaus.core.models import Municipality
from rathaus.participation.trees import services


class Command(BaseCommand):
    help = "Tagesniederschlag aus CSV importieren (Spalten: date, mm)."

    def add_arguments(self, parser):
        parser.add_argument("municipality")
        parser.add_argument("path")

    def handle(self, municipality, path, **options):
        town = Municipality.objects.filter(slug=municipality).first()
        if town is None:
            raise CommandError(f"Kommune '{municipality}' gibt es nicht.")
        file = Path(path)
        if not file.exists():
            raise CommandError(f"Datei {path} nicht gefunden.")
        result = services.import_rainfall(town, file.read_text(encoding="utf-8-sig"))
        for error in result.errors[:50]:
            self.stderr.write(error)
        self.stdout.write(
            f"{result.created} neu, {result.updated} aktualisiert, {len(result.errors)} Fehler"
        )
