"""Export a town's published online forms to JSON, or import such a file into a town.

rathaus forms_exchange export -m landesvorlage > formulare.json
rathaus forms_exchange import -m neustadt formulare.json
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rathaus.applications import exchange
from rathaus.catalog.management.commands import _municipality


class Command(BaseCommand):
    help = "Online-Formulare als JSON exportieren oder in eine Kommune importieren."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("file", nargs="?", default="-", help="Datei (Standard: stdin/stdout)")
        _municipality.add_argument(parser)

    def handle(self, *args, action, file, municipality, **options):
        town = _municipality.resolve(municipality)
        if action == "export":
            text = json.dumps(exchange.export_forms(town), ensure_ascii=False, indent=2)
            if file == "-":
                self.stdout.write(text)
            else:
                Path(file).write_text(text + "\n", encoding="utf-8")
            return
        try:
            raw = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
            data = json.loads(raw)
        except (OSError, ValueError) as error:
            raise CommandError(f"Datei nicht lesbar: {error}") from error
        report = exchange.import_forms(town, data, actor_label="rathaus forms_exchange")
        for error in report["errors"]:
            self.stderr.write(error)
        self.stdout.write(
            f"{town.name}: {report['created']} Formular(e) übernommen, "
            f"{report['unchanged']} unverändert, {len(report['errors'])} Fehler."
        )
        if report["errors"] and not report["created"] and not report["unchanged"]:
            raise CommandError("Nichts übernommen.")
