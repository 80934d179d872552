"""The short satisfaction question after a booking, an application and a closed case.

Weimar (seed 001) measures its online services by usability, time saving, quality and
efficiency. After each of the three occasions the citizen sees one optional question
(easy? time saved? what was hard?). The app that owns the occasion asks for a *ticket*:
a signed, dated token naming the service, the channel and a keyed hash of the occasion.
The answer is stored without that hash (see ``services.record_satisfaction``), so the
figures per service cannot be traced back to a booking or an application (ADR 0018).
"""

from dataclasses import dataclass, field
from datetime import date

from django.core import signing
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import SatisfactionAnswer, SatisfactionChannel, SatisfactionTicket, Service

SALT = "rathaus.catalog.satisfaction"
#: How long the question can be answered after it was shown (days).
TICKET_DAYS = 60
MAX_HARD = 500


class InvalidTicket(Exception):
    pass


@dataclass(frozen=True)
class Ticket:
    municipality_id: int
    service_id: int
    channel: str
    digest: str


def digest_of(municipality, channel: str, occasion: str) -> str:
    return salted_hmac(SALT, f"{municipality.pk}:{channel}:{occasion}").hexdigest()[:40]


def ticket(service: Service, channel: str, occasion: str) -> str:
    """The signed token the question form carries; ``occasion`` is the booking's or the
    application's own key (only its keyed hash leaves this function)."""
    if channel not in SatisfactionChannel.values:
        raise ValueError(channel)
    payload = {
        "m": service.municipality_id,
        "s": service.pk,
        "c": channel,
        "d": digest_of(service.municipality, channel, occasion),
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def read(token: str, municipality) -> Ticket:
    """The ticket behind ``token`` for this municipality, or ``InvalidTicket``."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=TICKET_DAYS * 86400)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvalidTicket from exc
    try:
        found = Ticket(int(data["m"]), int(data["s"]), str(data["c"]), str(data["d"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidTicket from exc
    if municipality is None or found.municipality_id != municipality.pk:
        raise InvalidTicket
    if found.channel not in SatisfactionChannel.values:
        raise InvalidTicket
    return found


def answered(token: str) -> bool:
    """True if the occasion behind ``token`` has been answered already."""
    try:
        data = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        return False
    return SatisfactionTicket.objects.filter(digest=str(data.get("d", ""))).exists()


def question(service: Service, channel: str, occasion: str) -> dict:
    """Template context for ``catalog/_satisfaction.html``."""
    token = ticket(service, channel, occasion)
    return {"token": token, "answered": answered(token), "channel": channel}


def first_of_month(day: date | None = None) -> date:
    day = day or timezone.localdate()
    return day.replace(day=1)


# --- Figures for staff ---------------------------------------------------------------


@dataclass
class ServiceFigures:
    service: Service
    answers: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    easy: dict[str, int] = field(default_factory=dict)
    time_saved: dict[str, int] = field(default_factory=dict)
    hard: list[tuple[date, str, str]] = field(default_factory=list)

    @staticmethod
    def _share(counts: dict[str, int], key: str) -> int | None:
        total = sum(counts.values())
        return round(100 * counts.get(key, 0) / total) if total else None

    @property
    def easy_share(self) -> int | None:
        """Share of answers to "einfach?" that said yes (in %)."""
        return self._share(self.easy, SatisfactionAnswer.Easy.YES)

    @property
    def hard_share(self) -> int | None:
        return self._share(self.easy, SatisfactionAnswer.Easy.NO)

    @property
    def time_saved_share(self) -> int | None:
        return self._share(self.time_saved, SatisfactionAnswer.TimeSaved.YES)

    def channel_counts(self) -> list[tuple[str, int]]:
        return [(label, self.by_channel.get(value, 0)) for value, label in CHANNELS]


CHANNELS = SatisfactionChannel.choices


def figures(municipality, *, since: date, hard_per_service: int = 20) -> list[ServiceFigures]:
    """Per service with answers since ``since`` (a first of a month): counts per channel,
    the answers to "einfach?" and "Zeit gespart?", and the latest free-text answers."""
    rows: dict[int, ServiceFigures] = {}
    services = Service.objects.for_municipality(municipality).in_bulk()
    answers = (
        SatisfactionAnswer.objects.for_municipality(municipality)
        .filter(month__gte=since)
        .order_by("-month")
        .values_list("service_id", "channel", "month", "easy", "time_saved", "hard")
    )
    for service_id, channel, month, easy, time_saved, hard in answers:
        if service_id not in services:
            continue
        row = rows.setdefault(service_id, ServiceFigures(services[service_id]))
        row.answers += 1
        row.by_channel[channel] = row.by_channel.get(channel, 0) + 1
        if easy:
            row.easy[easy] = row.easy.get(easy, 0) + 1
        if time_saved:
            row.time_saved[time_saved] = row.time_saved.get(time_saved, 0) + 1
        if hard and len(row.hard) < hard_per_service:
            row.hard.append((month, SatisfactionChannel(channel).label, hard))
    return sorted(rows.values(), key=lambda r: (-r.answers, r.service.name))


# --- Public figures (OZG dashboard and council report) -------------------------------

#: A service appears in the public figures only with at least this many answers, and a
#: share is shown only if at least this many answered that part: with fewer, someone who
#: knows who used a service in a month could tell what one person said (ADR 0018).
PUBLIC_MINIMUM = 5


@dataclass
class PublicRow:
    service: Service
    answers: int
    easy_share: int | None
    time_saved_share: int | None


def public_figures(municipality, services, *, since: date) -> list[PublicRow]:
    """Per published service in ``services`` with at least ``PUBLIC_MINIMUM`` answers
    since ``since``: the number of answers, the share "einfach" and the share "Zeit
    gespart" – never the free text."""
    published = {s.pk for s in services}
    rows = []
    for row in figures(municipality, since=since, hard_per_service=0):
        if row.service.pk not in published or row.answers < PUBLIC_MINIMUM:
            continue
        easy = row.easy_share if sum(row.easy.values()) >= PUBLIC_MINIMUM else None
        saved = row.time_saved_share if sum(row.time_saved.values()) >= PUBLIC_MINIMUM else None
        rows.append(PublicRow(row.service, row.answers, easy, saved))
    return rows
