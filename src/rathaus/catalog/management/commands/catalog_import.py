"""rathaus catalog import FILE: import XZuFi-shaped JSON; all or nothing."""

import json

from django.core.management.base import BaseCommand, CommandError

from rathaus.catalog.xzufi import CatalogImportError, import_catalog

from . import _municipality


class Command(BaseCommand):
    help = "Leistungskatalog aus XZuFi-artigem JSON importieren (alles oder nichts)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON-Datei (wie von 'rathaus catalog export')")
        _municipality.add_argument(parser)

    def handle(self, *args, **options):
        municipality = _municipality.resolve(options["municipality"])
        try:
            with open(options["file"], encoding="utf-8") as handle:
                payload = json.load(handle)
        except OSError as exc:
            raise CommandError(f"Datei nicht lesbar: {exc}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"Kein gültiges JSON: {exc}") from exc
        try:
            count = import_catalog(municipality, payload)
        except CatalogImportError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} Fehler – nichts importiert.") from exc
        self.stdout.write(f"{count} Leistungen importiert für {municipality.name}.")
