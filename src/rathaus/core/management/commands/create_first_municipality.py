"""Create a municipality and its host name from the command line.

On a fresh installation every page (the admin too) answers "Kommune nicht gefunden"
until one municipality exists, so the README's deployment steps create the first one
here; the rest is edited in the admin.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rathaus.core import audit
from rathaus.core.models import LANDS, Municipality, MunicipalityHost
from rathaus.core.parsing import ParseError, clean_text, parse_url


class Command(BaseCommand):
    help = "Legt eine Kommune mit ihrem Hostnamen an (erste Kommune einer Installation)."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--ags", required=True, help="Amtlicher Gemeindeschlüssel, 8 Ziffern")
        parser.add_argument("--land", required=True, choices=[code for code, _ in LANDS])
        parser.add_argument("--host", required=True, help="z. B. www.musterstadt.de")
        parser.add_argument("--url", default="", help="Adresse des Portals für Links in E-Mails")

    def handle(self, *args, slug, name, ags, land, host, url="", **options):
        try:
            name = clean_text(name, "name", max_length=200)
        except ParseError as error:
            raise CommandError(f"{error.field}: {error.reason}") from error
        if not (len(ags) == 8 and ags.isascii() and ags.isdigit()):
            raise CommandError("--ags: acht Ziffern erwartet")
        host = host.lower().strip(".")
        if MunicipalityHost.objects.filter(host=host).exists():
            raise CommandError(f"Der Hostname {host} gehört schon einer Kommune.")
        if url:
            try:
                url = parse_url(url, "url")
            except ParseError as error:
                raise CommandError(f"--url: {error.reason}") from error
        with transaction.atomic():
            town = Municipality.objects.create(
                slug=slug, name=name, ags=ags, ars=ags + "0000", land=land, base_url=url
            )
            MunicipalityHost.objects.create(municipality=town, host=host)
            audit.record("core.municipality_created", town, actor_label="rathaus CLI")
        self.stdout.write(f"Kommune {town.name} ({town.slug}) unter {host} angelegt.")
