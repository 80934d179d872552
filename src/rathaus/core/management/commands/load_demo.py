from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Lädt die Demodaten (Musterstadt) aller Module; kann wiederholt werden."

    def handle(self, *args, **options):
        municipality = None
        for dotted in settings.RATHAUS_DEMO_LOADERS:
            self.stdout.write(f"Demodaten: {dotted}")
            result = import_string(dotted)(municipality)
            if municipality is None:
                municipality = result
        self.stdout.write(self.style.SUCCESS(f"Demodaten für {municipality} geladen."))
