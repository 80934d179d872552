"""rathaus forms export [--service SLUG ...]: the town's published forms as JSON (stdout)."""

import json

from django.core.management.base import BaseCommand

from rathaus.applications.form_import import export_forms
from rathaus.catalog.management.commands import _municipality


class Command(BaseCommand):
    help = "Veröffentlichte Online-Formulare als rathaus-forms-json ausgeben (für forms import)."

    def add_arguments(self, parser):
        parser.add_argument("--service", action="append", default=[], help="Slug der Leistung")
        _municipality.add_argument(parser)

    def handle(self, *args, **options):
        municipality = _municipality.resolve(options["municipality"])
        payload = export_forms(municipality, options["service"] or None)
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1))
