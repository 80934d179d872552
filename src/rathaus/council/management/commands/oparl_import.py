from django.core.management.base import BaseCommand, CommandError

from rathaus.core.models import Municipality
from rathaus.council.importer import FetchError, import_system


class Command(BaseCommand):
    help = (
        "Importiert Ratsdaten von einem OParl-Server (1.0/1.1). Wiederholte Läufe holen nur "
        "Änderungen (modified_since)."
    )

    def add_arguments(self, parser):
        parser.add_argument("system_url", help="URL des OParl-System-Objekts")
        parser.add_argument(
            "--municipality", default=None, help="Slug der Kommune (Standard: die einzige/Demo)"
        )
        parser.add_argument("--body", default=None, help="id (URL) der Körperschaft")
        parser.add_argument("--full", action="store_true", help="alles neu lesen")

    def handle(self, *args, **options):
        slug = options["municipality"]
        if slug:
            municipality = Municipality.objects.filter(slug=slug).first()
        elif Municipality.objects.count() == 1:
            municipality = Municipality.objects.get()
        else:
            from django.conf import settings

            municipality = Municipality.objects.filter(
                slug=settings.RATHAUS_DEFAULT_MUNICIPALITY
            ).first()
        if municipality is None:
            raise CommandError("Kommune nicht gefunden: bitte --municipality <slug> angeben.")
        try:
            report = import_system(
                municipality,
                options["system_url"],
                full=options["full"],
                body_url=options["body"],
                # Progress on stderr (objects/s, pages, skips) while a long import runs.
                progress=lambda line: self.stderr.write(line),
            )
        except FetchError as exc:
            raise CommandError(f"Import abgebrochen: {exc}") from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Import für {municipality} fertig; {len(report.skipped)} Objekt(e) übersprungen, "
                f"{len(report.rejected)} Feld(er) verworfen."
            )
        )
