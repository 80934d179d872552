"""rathaus forms import FILE: import online forms from JSON; all or nothing."""

import json

from django.core.management.base import BaseCommand, CommandError

from rathaus.applications.form_import import FormImportError, import_forms
from rathaus.catalog.management.commands import _municipality


class Command(BaseCommand):
    help = "Online-Formulare aus JSON importieren und veröffentlichen (alles oder nichts)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON-Datei im Format rathaus-forms-json")
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
            count = import_forms(municipality, payload)
        except FormImportError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(exc.problems)} Fehler – nichts importiert.") from exc
        self.stdout.write(f"{count} Formulare veröffentlicht für {municipality.name}.")
