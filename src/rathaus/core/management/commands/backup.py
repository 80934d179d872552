from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rathaus.core.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Sichert die Datenbank (pg_dump, Custom-Format) und die Mediendateien in einen Ordner."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Zielordner (neu); Standard: var/backups/<Zeit>")

    def handle(self, *args, output=None, **options):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = Path(output) if output else Path(settings.VAR_DIR) / "backups" / stamp
        try:
            manifest = backup(target)
        except (BackupError, FileExistsError) as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(f"Sicherung in {target}: {rows} Zeilen, Medien, manifest.json")
