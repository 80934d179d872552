"""rathaus catalog export FILE: the municipality's catalog as XZuFi-shaped JSON ('-' = stdout)."""

import json

from django.core.management.base import BaseCommand

from rathaus.catalog.xzufi import export_catalog

from . import _municipality


class Command(BaseCommand):
    help = "Leistungskatalog als XZuFi-artiges JSON exportieren."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Zieldatei oder '-' für die Standardausgabe")
        _municipality.add_argument(parser)

    def handle(self, *args, **options):
        municipality = _municipality.resolve(options["municipality"])
        data = export_catalog(municipality)
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if options["file"] == "-":
            self.stdout.write(text)
            return
        with open(options["file"], "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        count = len(data["leistungen"])
        self.stderr.write(f"{count} Leistungen exportiert nach {options['file']}.")
