"""The Land catalog template (ADR 0211) from the command line.

    rathaus land_catalog from-town -m vorlage        # the Land's texts from a template town
    rathaus land_catalog adopt -m neustadt --office buergerbuero   # a town adopts them

``from-town`` saves every published service of the town as its Land's text (a second
run passes changes on to every town that has not changed the field); ``adopt`` gives
a town every Land service it does not have yet, with the named office.
"""

from django.core.management.base import BaseCommand, CommandError

from rathaus.catalog import land_template
from rathaus.catalog.models import LandService, Service
from rathaus.core.models import Office

from . import _municipality


class Command(BaseCommand):
    help = "Leistungstexte des Landes aus einer Vorlage-Kommune pflegen oder übernehmen."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["from-town", "adopt"])
        parser.add_argument("--office", default="", help="adopt: Kürzel der Organisationseinheit")
        _municipality.add_argument(parser)

    def handle(self, *args, action, office, municipality, **options):
        town = _municipality.resolve(municipality)
        if action == "from-town":
            saved = rows = 0
            for service in Service.objects.for_municipality(town).filter(is_published=True):
                texts = {name: getattr(service, name) for name in land_template.TEMPLATE_FIELDS}
                _, changed = land_template.save_land_service(
                    town.land,
                    service.slug,
                    topic=service.topic,
                    leika_key=service.leika_key,
                    actor_label="rathaus land_catalog",
                    **texts,
                )
                saved, rows = saved + 1, rows + changed
            self.stdout.write(
                f"{saved} Leistungstexte für {town.get_land_display()} gespeichert; "
                f"{rows} Felder in Kommunen nachgeführt."
            )
            return
        target = Office.objects.for_municipality(town).filter(slug=office).first()
        if target is None:
            raise CommandError(f"Keine Organisationseinheit '{office}' in {town.name} (--office).")
        have = set(Service.objects.for_municipality(town).values_list("slug", flat=True))
        adopted = 0
        for template in LandService.objects.filter(land=town.land).exclude(slug__in=have):
            land_template.adopt(town, template, office=target, actor_label="rathaus land_catalog")
            adopted += 1
        self.stdout.write(
            f"{town.name}: {adopted} Leistungen aus der Vorlage des Landes übernommen."
        )
