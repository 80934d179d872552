from django.core.management.base import BaseCommand, CommandError

from rathaus.applications.api import create_api_client
from rathaus.core.models import Municipality, Office


class Command(BaseCommand):
    help = "Create an API key for a case-management system (printed once)."

    def add_arguments(self, parser):
        parser.add_argument("municipality", help="slug of the municipality")
        parser.add_argument("name", help="name of the case-management system")
        parser.add_argument("--office", help="limit to the office with this slug")

    def handle(self, municipality, name, office=None, **options):
        town = Municipality.objects.filter(slug=municipality).first()
        if town is None:
            raise CommandError(f"Unbekannte Kommune: {municipality}")
        office_obj = None
        if office:
            office_obj = Office.objects.for_municipality(town).filter(slug=office).first()
            if office_obj is None:
                raise CommandError(f"Unbekannte Organisationseinheit: {office}")
        client, key = create_api_client(town, name, office_obj)
        self.stdout.write(f"API-Schlüssel für {client.name} (wird nur jetzt angezeigt):\n{key}")
