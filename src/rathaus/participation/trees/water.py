"""Water need of a street tree, in the manner of Gieß den Kiez (Berlin), with our figures.

Gieß den Kiez (technologiestiftung/giessdenkiez-de, use-tree-water-needs-data) looks at the
last 30 days: a reference amount by age class, minus rainfall (1 mm = 1 litre on the
1 m² the app assumes per tree) and minus the litres people logged. We keep that rule and
its figures and explain them on the page:

=================  ==============  =====================================================
age class          age (years)     reference per 30 days
=================  ==============  =====================================================
Jungbaum           0–4             100 l (the planting company still waters: no call)
Junger Baum        5–10            200 l (needs neighbours most: call to water)
Altbaum            over 10         300 l (deep roots: only shown, no call)
unbekannt          –               200 l (treated like a young tree: call to water)
=================  ==============  =====================================================

missing = max(0, reference − rain_mm_30_days − litres_watered_30_days)
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

WINDOW_DAYS = 30
BABY_MAX_AGE = 4
JUNIOR_MAX_AGE = 10
REFERENCE_LITRES = {"baby": 100, "junior": 200, "senior": 300, "unknown": 200}
LABELS = {
    "baby": _("Jungbaum (bis 4 Jahre)"),
    "junior": _("Junger Baum (5 bis 10 Jahre)"),
    "senior": _("Altbaum (über 10 Jahre)"),
    "unknown": _("Alter unbekannt"),
}
# Young trees and trees of unknown age are the ones neighbours should water.
CALL_TO_WATER = {"junior", "unknown"}


def age_class(planting_year: int | None, today: date) -> str:
    if not planting_year:
        return "unknown"
    age = today.year - planting_year
    if age <= BABY_MAX_AGE:
        return "baby"
    if age <= JUNIOR_MAX_AGE:
        return "junior"
    return "senior"


@dataclass(frozen=True)
class WaterNeed:
    age_class: str
    reference: int
    rain: float
    watered: int
    missing: int

    @property
    def label(self) -> str:
        return LABELS[self.age_class]

    @property
    def should_water(self) -> bool:
        return self.age_class in CALL_TO_WATER and self.missing > 0

    def share(self, part: float) -> int:
        """Percentage of the reference (for the bar), capped to 0..100 in steps of 5."""
        if not self.reference:
            return 0
        return max(0, min(100, round(part * 100 / self.reference / 5) * 5))

    @property
    def rain_share(self) -> int:
        return self.share(self.rain)

    @property
    def water_share(self) -> int:
        return min(100 - self.rain_share, self.share(self.watered))


def water_need(planting_year, rain_mm: float, watered_litres: int, today: date) -> WaterNeed:
    cls = age_class(planting_year, today)
    reference = REFERENCE_LITRES[cls]
    missing = max(0, round(reference - float(rain_mm) - watered_litres))
    return WaterNeed(cls, reference, float(rain_mm), int(watered_litres), missing)


WEEK_DAYS = 7


@dataclass(frozen=True)
class WeekNeed:
    """The same rule over the last 7 days: the 30-day reference scaled to a week
    ("Wie viel Wasser braucht der Baum in der Woche?", 22/SVV/1134)."""

    reference: int
    rain: float
    watered: int
    missing: int


def week_need(planting_year, rain_mm: float, watered_litres: int, today: date) -> WeekNeed:
    reference = round(REFERENCE_LITRES[age_class(planting_year, today)] * WEEK_DAYS / WINDOW_DAYS)
    missing = max(0, round(reference - float(rain_mm) - watered_litres))
    return WeekNeed(reference, float(rain_mm), int(watered_litres), missing)


def week(today: date) -> tuple[date, date]:
    return today - timedelta(days=WEEK_DAYS - 1), today


def window(today: date) -> tuple[date, date]:
    """The 30 days that count: today and the 29 days before."""
    return today - timedelta(days=WINDOW_DAYS - 1), today


WORKED_EXAMPLES = [
    # (planting year offset from this year, rain mm, litres watered)
    (7, 38, 50),
    (66, 120, 0),
    (2, 20, 100),
    (None, 12, 30),
]
