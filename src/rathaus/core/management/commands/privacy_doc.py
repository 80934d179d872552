from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rathaus.core.retention import document_with_table

DOC = Path(__file__).resolve().parents[5] / "docs" / "privacy.md"


class Command(BaseCommand):
    help = "Schreibt die Löschfristen-Tabelle in docs/privacy.md aus dem Register (core.retention)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="nur prüfen, nicht schreiben")
        parser.add_argument("--path", default=str(DOC))

    def handle(self, *args, check=False, path=str(DOC), **options):
        target = Path(path)
        current = target.read_text(encoding="utf-8")
        wanted = document_with_table(current)
        if current == wanted:
            self.stdout.write("docs/privacy.md ist aktuell.")
            return
        if check:
            raise CommandError(
                "Die Löschfristen-Tabelle in docs/privacy.md passt nicht zum Register; "
                "`rathaus privacy_doc` schreibt sie neu."
            )
        target.write_text(wanted, encoding="utf-8")
        self.stdout.write("docs/privacy.md aktualisiert.")
