"""Which municipality a catalog command works on (--municipality, else the default)."""

from django.conf import settings
from django.core.management.base import CommandError

from rathaus.core.models import Municipality


def add_argument(parser) -> None:
    parser.add_argument(
        "--municipality",
        "-m",
        default="",
        help="Slug der Kommune (Standard: RATHAUS_DEFAULT_MUNICIPALITY bzw. die einzige).",
    )


def resolve(slug: str) -> Municipality:
    slug = slug or settings.RATHAUS_DEFAULT_MUNICIPALITY
    if slug:
        municipality = Municipality.objects.filter(slug=slug).first()
        if municipality:
            return municipality
        raise CommandError(f"Keine Kommune mit dem Kürzel '{slug}'. Erst 'rathaus demo' ausführen?")
    municipalities = list(Municipality.objects.all()[:2])
    if len(municipalities) == 1:
        return municipalities[0]
    raise CommandError("Bitte die Kommune mit --municipality angeben.")
