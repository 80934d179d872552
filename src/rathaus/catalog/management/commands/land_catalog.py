"""The Land catalog template (ADR 0211) from the command line.

    rathaus land_catalog import FILE --land ST       # the Land's texts from XZuFi JSON
    rathaus land_catalog from-town -m vorlage        # the Land's texts from a template town
    rathaus land_catalog adopt -m neustadt --office buergerbuero [--location markt]
        [--topic querschnitt]                        # a town adopts them (again: no-op)

``import`` reads a Land set (XZuFi JSON, texts only) through the catalog's import
path, all or nothing; ``from-town`` saves every published service of the town as its
Land's text (a second run passes changes on to every town that has not changed the
field); ``adopt`` gives a town every Land service it does not have yet, with the
named office.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from rathaus.catalog import land_template, xzufi
from rathaus.catalog.models import LandService, Service
from rathaus.core.models import LANDS, Location, Office

from . import _municipality


class Command(BaseCommand):
    help = "Leistungstexte des Landes aus einer Vorlage-Kommune pflegen oder übernehmen."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import", "from-town", "adopt"])
        parser.add_argument("file", nargs="?", default="", help="import: JSON-Datei")
        parser.add_argument("--land", default="", help="import: Land, z. B. ST")
        parser.add_argument("--office", default="", help="adopt: Kürzel der Organisationseinheit")
        parser.add_argument(
            "--location", action="append", default=[], help="adopt: Kürzel eines Standorts"
        )
        parser.add_argument("--topic", default="", help="adopt: nur dieses Themenfeld (Kürzel)")
        _municipality.add_argument(parser)

    def handle(self, *args, action, office, municipality, file, land, location, topic, **options):
        if action == "import":
            self._import(file, land)
            return
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
        locations = list(Location.objects.for_municipality(town).filter(slug__in=location))
        if len(locations) != len(set(location)):
            raise CommandError(f"Unbekannter Standort in {town.name} (--location).")
        templates = LandService.objects.filter(land=town.land)
        if topic:
            templates = templates.filter(topic__slug=topic)
            if not templates.exists():
                raise CommandError(f"Keine Leistung des Landes im Themenfeld '{topic}' (--topic).")
        done = land_template.adopt_many(
            town,
            templates.order_by("name"),
            office=target,
            locations=locations,
            actor_label="rathaus land_catalog",
        )
        self.stdout.write(
            f"{town.name}: {done.created} Leistungen aus der Vorlage des Landes übernommen, "
            f"{done.linked} vorhandene verbunden, {done.already} schon übernommen."
        )

    def _import(self, file: str, land: str) -> None:
        if not file:
            raise CommandError("import: Bitte die JSON-Datei angeben.")
        try:
            with open(file, encoding="utf-8") as handle:
                payload = json.load(handle)
        except OSError as exc:
            raise CommandError(f"Datei nicht lesbar: {exc}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"Kein gültiges JSON: {exc}") from exc
        land = land or (payload.get("land", "") if isinstance(payload, dict) else "")
        if land not in dict(LANDS):
            raise CommandError("Bitte das Land angeben (--land, z. B. ST).")
        try:
            saved, rows = xzufi.import_land(land, payload, actor_label="rathaus land_catalog")
        except xzufi.CatalogImportError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} Fehler – nichts importiert.") from exc
        self.stdout.write(
            f"{saved} Leistungstexte für {dict(LANDS)[land]} gespeichert; "
            f"{rows} Felder in Kommunen nachgeführt."
        )
