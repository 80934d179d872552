"""Create an Open311 posting client: ``rathaus open311_client <kommune> "Name der App"``.

The key is printed once; only its hash is stored.
"""

from django.core.management.base import BaseCommand, CommandError

from rathaus.core.models import Municipality
from rathaus.participation.reports import open311


class Command(BaseCommand):
    help = "Open311-Client mit API-Schlüssel anlegen (der Schlüssel wird nur einmal angezeigt)."

    def add_arguments(self, parser):
        parser.add_argument("municipality")
        parser.add_argument("name")
        parser.add_argument("--contact", default="")

    def handle(self, municipality, name, contact="", **options):
        town = Municipality.objects.filter(slug=municipality).first()
        if town is None:
            raise CommandError(f"Kommune '{municipality}' gibt es nicht.")
        client, key = open311.create_client(town, name, contact)
        self.stdout.write(f"Client {client.name} angelegt. API-Schlüssel: {key}")
