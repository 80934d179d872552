"""Acceptance figures per service and month (Weimar, seed 001): how services are used.

The catalog cannot read the other apps' tables (dependencies point one way), so each
app registers a source here in its ``AppConfig.ready``: a function
``(municipality, since: date) -> {(service_id, "JJJJ-MM"): {figure: value}}``.
The OZG dashboard and the council PDF show what the registered sources deliver.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

Source = Callable[[object, date], dict[tuple[int, str], dict[str, float]]]
_sources: list[Source] = []
_totals: list[Callable[[object, date], dict[str, float]]] = []

# Figure keys, in display order, with their German column headings.
FIGURES = {
    "online_started": _("Online-Anträge begonnen"),
    "online_submitted": _("Online-Anträge abgeschickt"),
    "paid_online_share": _("Online bezahlt (%)"),
    "decision_days": _("Tage bis zur Entscheidung (Median)"),
    "appointments": _("Termine"),
    "walk_ins": _("Besuche ohne Termin"),
}


def register(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def register_total(total: Callable[[object, date], dict[str, float]]) -> None:
    """A figure for the whole municipality (e.g. active citizen accounts)."""
    if total not in _totals:
        _totals.append(total)


def month_key(day) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass
class Row:
    service: object
    month: str
    figures: dict[str, float] = field(default_factory=dict)

    @property
    def completion(self) -> float | None:
        """Share of begun online applications that were sent (in %)."""
        started = self.figures.get("online_started") or 0
        return 100 * self.figures.get("online_submitted", 0) / started if started else None

    def cells(self) -> list:
        return [self.figures.get(key) for key in FIGURES]


def months_back(today: date, months: int) -> date:
    """The first day of the month ``months - 1`` months before ``today``'s month."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def figures(municipality, services, *, today: date | None = None, months: int = 6) -> dict:
    """Rows (service, month, figures) with any use in the last ``months`` months."""
    today = today or date.today()
    since = months_back(today, months)
    merged: dict[tuple[int, str], dict[str, float]] = defaultdict(dict)
    for source in _sources:
        for key, values in source(municipality, since).items():
            merged[key].update(values)
    by_id = {s.pk: s for s in services}
    rows = [
        Row(by_id[service_id], month, values)
        for (service_id, month), values in merged.items()
        if service_id in by_id and any(values.values())
    ]
    rows.sort(key=lambda r: (r.month, r.service.name), reverse=False)
    totals: dict[str, float] = {}
    for total in _totals:
        totals.update(total(municipality, since))
    return {"rows": rows, "since": since, "headings": list(FIGURES.values()), "totals": totals}
