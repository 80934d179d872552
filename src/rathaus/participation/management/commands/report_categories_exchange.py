"""Export a town's defect categories to JSON, or import such a file into a town.

rathaus report_categories_exchange export -m landesvorlage > kategorien.json
rathaus report_categories_exchange import -m neustadt kategorien.json --office bauhof
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rathaus.catalog.management.commands import _municipality
from rathaus.core.models import Office
from rathaus.participation.reports import exchange


class Command(BaseCommand):
    help = "Meldungskategorien als JSON exportieren oder in eine Kommune importieren."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("file", nargs="?", default="-", help="Datei (Standard: stdin/stdout)")
        parser.add_argument(
            "--office", default="", help="Kürzel der Organisationseinheit ohne passende im Export"
        )
        _municipality.add_argument(parser)

    def handle(self, *args, action, file, municipality, office, **options):
        town = _municipality.resolve(municipality)
        if action == "export":
            text = json.dumps(exchange.export_categories(town), ensure_ascii=False, indent=2)
            if file == "-":
                self.stdout.write(text)
            else:
                Path(file).write_text(text + "\n", encoding="utf-8")
            return
        default_office = None
        if office:
            default_office = Office.objects.for_municipality(town).filter(slug=office).first()
            if default_office is None:
                raise CommandError(f"Keine Organisationseinheit '{office}' in {town.name}.")
        try:
            raw = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
            data = json.loads(raw)
        except (OSError, ValueError) as error:
            raise CommandError(f"Datei nicht lesbar: {error}") from error
        report = exchange.import_categories(
            town, data, default_office=default_office, actor_label="rathaus report_categories"
        )
        for error in report["errors"]:
            self.stderr.write(error)
        self.stdout.write(
            f"{town.name}: {report['created']} neu, {report['updated']} geändert, "
            f"{report['unchanged']} unverändert, {len(report['errors'])} Fehler."
        )
