"""rathaus search "<text>" [--json] [--limit N]: rank the catalog's services for a question."""

import json

from django.core.management.base import BaseCommand

from rathaus.catalog import search

from . import _municipality


class Command(BaseCommand):
    help = "Leistungen zu einer Frage suchen (wie die Suche im Portal)."

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="+", help="Suchtext, z. B. 'Hund anmelden'")
        parser.add_argument("--json", action="store_true", help="JSON Lines: name, id, score")
        parser.add_argument("--limit", type=int, default=10)
        _municipality.add_argument(parser)

    def handle(self, *args, **options):
        municipality = _municipality.resolve(options["municipality"])
        text = " ".join(options["text"])
        result = search.query(municipality, text, limit=max(1, options["limit"]))
        for hit in result.hits:
            if options["json"]:
                line = {"name": hit.name, "id": hit.service_id, "score": hit.score}
                self.stdout.write(json.dumps(line, ensure_ascii=False))
            else:
                self.stdout.write(f"{hit.score:8.3f}  {hit.name}  [{hit.slug}]")
        if not options["json"]:
            if result.suggestion:
                self.stdout.write(f"Meinten Sie: {result.suggestion}")
            if not result.hits:
                self.stdout.write("Keine passende Leistung gefunden.")
