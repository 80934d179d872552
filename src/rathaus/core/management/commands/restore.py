from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rathaus.core.ops.backup import BackupError, restore, table_figures


class Command(BaseCommand):
    help = (
        "Stellt eine Sicherung von `rathaus backup` wieder her: ersetzt alle Tabellen der "
        "Datenbank und den Medienordner. Vorher alle Rathaus-Dienste anhalten."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="Ordner einer Sicherung")
        parser.add_argument("--yes", action="store_true", help="ohne Rückfrage")

    def handle(self, *args, source, yes=False, **options):
        folder = Path(source)
        if not (folder / "manifest.json").exists():
            raise CommandError(f"{folder} enthält keine Sicherung (manifest.json fehlt).")
        if not yes and input("Datenbank und Medien ersetzen? [ja/nein] ").strip() != "ja":
            raise CommandError("abgebrochen")
        try:
            manifest = restore(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        now = table_figures()
        if now["row_counts"] != manifest["row_counts"] or now["checksums"] != manifest["checksums"]:
            raise CommandError("Wiederhergestellt, aber Zeilenzahlen/Prüfsummen weichen ab!")
        self.stdout.write(f"Sicherung vom {manifest['created_at']} wiederhergestellt und geprüft.")
