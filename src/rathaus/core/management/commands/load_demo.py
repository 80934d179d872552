from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from rathaus.core.models import Municipality

DEMO_SLUG = "musterstadt"


class Command(BaseCommand):
    help = "Lädt die Demodaten (Musterstadt) aller Module; kann wiederholt werden."

    def add_arguments(self, parser):
        parser.add_argument(
            "--alongside-other-towns",
            action="store_true",
            help="auch laden, wenn die Datenbank schon andere Kommunen enthält",
        )

    def handle(self, *args, **options):
        others = Municipality.objects.exclude(slug=DEMO_SLUG).order_by("name")
        if others.exists() and not options["alongside_other_towns"]:
            # A DATABASE_URL pointing at a city's real database must not get demo accounts
            # (with the public demo password) by accident.
            names = ", ".join(others.values_list("name", flat=True)[:5])
            raise CommandError(
                f"Die Datenbank enthält schon andere Kommunen ({names}). Demodaten mit "
                "öffentlichen Passwörtern lädt nur, wer --alongside-other-towns angibt."
            )
        municipality = None
        for dotted in settings.RATHAUS_DEMO_LOADERS:
            self.stdout.write(f"Demodaten: {dotted}")
            result = import_string(dotted)(municipality)
            if municipality is None:
                municipality = result
        self.stdout.write(self.style.SUCCESS(f"Demodaten für {municipality} geladen."))
