"""Figures of the OZG dashboard: maturity by level and Themenfeld, share online, Fahrplan."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from . import satisfaction, usage
from .models import MaturityLevel, Service, Topic
from .priority import ITPLR_PRIORITY

ONLINE = MaturityLevel.ONLINE


@dataclass
class Bar:
    label: str
    count: int
    total: int

    @property
    def share(self) -> float:
        return 100 * self.count / self.total if self.total else 0.0


@dataclass
class TopicRow:
    topic: Topic
    total: int
    online: int
    by_level: list[int]

    @property
    def share(self) -> float:
        return 100 * self.online / self.total if self.total else 0.0


def published_services(municipality):
    return (
        Service.objects.for_municipality(municipality)
        .filter(is_published=True)
        .select_related("topic", "office")
    )


def figures(municipality) -> dict:
    services = list(published_services(municipality).order_by("name"))
    total = len(services)
    per_level = Counter(s.maturity_level for s in services)
    levels = [
        Bar(str(label), per_level.get(value, 0), total) for value, label in MaturityLevel.choices
    ]
    online = sum(1 for s in services if s.maturity_level >= ONLINE)
    topics = []
    for topic in Topic.objects.all():
        of_topic = [s for s in services if s.topic_id == topic.pk]
        counts = Counter(s.maturity_level for s in of_topic)
        topics.append(
            TopicRow(
                topic,
                len(of_topic),
                sum(1 for s in of_topic if s.maturity_level >= ONLINE),
                [counts.get(v, 0) for v, _label in MaturityLevel.choices],
            )
        )
    return {
        "total": total,
        "online": online,
        "online_share": 100 * online / total if total else 0.0,
        "levels": levels,
        "max_level_count": max((b.count for b in levels), default=0) or 1,
        "topics": topics,
        "max_topic_total": max((t.total for t in topics), default=0) or 1,
        "roadmap": (plan := roadmap(services)),
        "overdue": sum(1 for s in plan if s.overdue),
        "by_level": [
            (label, [s for s in services if s.maturity_level == value])
            for value, label in MaturityLevel.choices
        ],
        "priority": (prio := priority_rows(services)),
        "priority_covered": sum(1 for _name, of in prio if of),
        "priority_online": sum(1 for _name, of in prio if of and max_level(of) >= ONLINE),
        "most_used": sorted(services, key=lambda s: -s.popularity)[:10],
        "history": online_by_year(municipality),
        "usage": usage.figures(municipality, services),
        "satisfaction": satisfaction_figures(municipality, services),
    }


#: The public satisfaction figures cover this many months (the current one included).
SATISFACTION_MONTHS = 12


def satisfaction_figures(municipality, services, today: date | None = None) -> dict:
    since = usage.months_back(today or date.today(), SATISFACTION_MONTHS)
    return {
        "since": since,
        "minimum": satisfaction.PUBLIC_MINIMUM,
        "rows": satisfaction.public_figures(municipality, services, since=since),
    }


def priority_rows(services) -> list[tuple[str, list[Service]]]:
    """The 24 OZG services the IT-Planungsrat prioritised (seed 002), each with the
    catalog's services that belong to it (empty if the catalog has none)."""
    return [(name, [s for s in services if s.ozg_priority == name]) for name in ITPLR_PRIORITY]


def max_level(services) -> int:
    return max((s.maturity_level for s in services), default=0)


def roadmap(services, today: date | None = None) -> list[Service]:
    """The Fahrplan: services with a planned level not yet reached, soonest first.

    Each gets ``overdue``: its target date has passed and the level is not reached.
    """
    today = today or date.today()
    planned = [
        s
        for s in services
        if s.planned_level is not None and s.planned_date and s.maturity_level < s.planned_level
    ]
    for s in planned:
        s.overdue = s.planned_date < today
    return sorted(planned, key=lambda s: (s.planned_date, s.name))


def online_by_year(municipality) -> list[tuple[int, int]]:
    """(year, number of services at level 3+ at the end of that year) from the history."""
    from .models import MaturityChange

    changes = list(
        MaturityChange.objects.filter(
            service__municipality=municipality, service__is_published=True
        )
        .values_list("service_id", "level", "changed_on")
        .order_by("changed_on", "id")
    )
    if not changes:
        return []
    first, last = changes[0][2].year, date.today().year
    rows, state, position = [], {}, 0
    for year in range(first, last + 1):
        while position < len(changes) and changes[position][2].year <= year:
            service_id, level, _day = changes[position]
            state[service_id] = level
            position += 1
        rows.append((year, sum(1 for level in state.values() if level >= ONLINE)))
    return rows


CSV_HEADER = [
    "Leistung",
    "Kennung",
    "Leistungsschlüssel",
    "Themenfeld",
    "Zuständige Stelle",
    "Reifegrad",
    "Geplanter Reifegrad",
    "Geplant bis",
    "Online-Dienst",
]


def csv_rows(municipality):
    yield CSV_HEADER
    for s in published_services(municipality).order_by("topic__order", "name"):
        yield [
            s.name,
            s.slug,
            s.leika_key,
            s.topic.name,
            s.office.name,
            s.maturity_level,
            "" if s.planned_level is None else s.planned_level,
            s.planned_date.isoformat() if s.planned_date else "",
            s.online_url,
        ]
