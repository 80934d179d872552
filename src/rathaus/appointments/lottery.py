"""Lottery release (ADR 0021): requests in a window, one seeded and auditable draw.

The draw is reproducible: entries are put in a canonical order (normalised
identity, then id), shuffled with ``random.Random(seed)``, and the seed, a hash
of the canonical order and the drawn order are stored on the lottery and in
the audit log. Anyone with the audit entry can replay ``draw_order`` and get
the same sequence. Every valid entry has the same chance: the order is a
uniformly random permutation, and each person has exactly one entry.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import random
import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from rathaus.core import audit, rows
from rathaus.core.mail import send_town_mail

from . import cache as availability_cache
from . import capacity, documents, releases, waitlist
from .models import Lottery, LotteryEntry, Offer, ReleaseSchedule, Slot, TimeOfDay
from .services import BookingError, hold, person_key

#: Rows per statement when the draw stores results (well below SQLite's parameter limit).
RESULT_BATCH = 500


class LotteryError(Exception):
    def __init__(self, message: str, reason: str, field: str | None = None):
        super().__init__(message)
        self.message, self.reason, self.field = message, reason, field


def draw_order(entry_ids_in_canonical_order: list[int], seed: str) -> list[int]:
    """The drawn order: a uniformly random permutation determined by ``seed``."""
    order = list(entry_ids_in_canonical_order)
    random.Random(seed).shuffle(order)
    return order


def canonical(entries) -> list[LotteryEntry]:
    return sorted(entries, key=lambda e: (e.person_key, e.pk))


def canonical_hash(entries) -> str:
    raw = "\n".join(f"{e.pk}:{e.person_key}" for e in canonical(entries))
    return hashlib.sha256(raw.encode()).hexdigest()


def offers_for(lottery: Lottery, service_id: int):
    resource_ids = [r.pk for r in lottery.schedule.resources.all()]
    return list(
        Offer.objects.filter(
            service_id=service_id, resource_id__in=resource_ids, is_active=True
        ).select_related("resource")
    )


def enter(
    lottery: Lottery,
    *,
    service,
    resource_ids,
    days,
    time_of_day: str,
    name: str,
    email: str,
    phone: str = "",
    now: datetime | None = None,
) -> LotteryEntry:
    """Take part in an open lottery; a second entry of the same person is refused."""
    now = now or timezone.now()
    if not (lottery.status == Lottery.Status.OPEN and lottery.opens_at <= now < lottery.closes_at):
        raise LotteryError("Die Verlosung nimmt gerade keine Anfragen an.", "closed")
    offers = offers_for(lottery, service.pk)
    if not offers:
        raise LotteryError("Diese Leistung wird in dieser Verlosung nicht angeboten.", "service")
    allowed = {o.resource_id for o in offers}
    chosen = sorted({int(r) for r in resource_ids} & allowed) or sorted(allowed)
    wished = sorted({d for d in days if lottery.first_day <= d <= lottery.last_day})
    key = person_key(email, phone)
    try:
        with transaction.atomic():
            entry = LotteryEntry.objects.create(
                lottery=lottery,
                service=service,
                resource_ids=chosen,
                days=[d.isoformat() for d in wished],
                time_of_day=time_of_day if time_of_day in TimeOfDay.values else "any",
                name=name.strip()[:200],
                email=email.strip()[:254],
                phone=phone.strip()[:40],
                person_key=key,
            )
    except IntegrityError:
        raise LotteryError(
            "Sie nehmen an dieser Verlosung bereits teil. Jede Person kann einmal teilnehmen.",
            "already_entered",
            "email",
        ) from None
    audit.record(
        "appointments.lottery_entered", lottery, data={"entry": entry.pk, "service": service.slug}
    )
    return entry


def _matches(entry: LotteryEntry, start: datetime) -> bool:
    local_start = start.astimezone(capacity.TZ)
    if entry.days and local_start.date().isoformat() not in entry.days:
        return False
    if entry.time_of_day == TimeOfDay.MORNING:
        return local_start.hour < 12
    if entry.time_of_day == TimeOfDay.AFTERNOON:
        return local_start.hour >= 12
    return True


class _Pool:
    """The lottery's unit rows in memory, kept in step with the guarded updates."""

    def __init__(self, lottery: Lottery, resource_ids):
        start = capacity.local(lottery.first_day, datetime.min.time())
        end = capacity.local(lottery.last_day + timedelta(days=1), datetime.min.time())
        self.rows: dict[int, list[list]] = {}
        for row in capacity._candidate_rows(resource_ids, start, end, capacity.FAR_FUTURE):
            self.rows.setdefault(row[0], []).append(list(row))

    def starts(self, offer: Offer) -> list[datetime]:
        rows = self.rows.get(offer.resource_id, [])
        earliest = capacity.window(offer).earliest.timestamp()
        found = capacity._free_starts(rows, offer.units_for(1), offer.walk_in_share)
        return [datetime.fromtimestamp(s, tz=capacity.UTC) for s in found if s >= earliest]

    def take(self, offer: Offer, start: datetime, k: int) -> None:
        epoch = int(start.timestamp())
        rows = self.rows.get(offer.resource_id, [])
        index = next(i for i, row in enumerate(rows) if row[1] == epoch)
        for row in rows[index : index + k]:
            row[4] += 1


def _allocate(entry: LotteryEntry, offers, pool: _Pool):
    """Book the earliest start matching the wishes; None if nothing fits."""
    wanted = [o for o in offers if o.resource_id in entry.resource_ids]
    candidates = sorted(
        (start, offer.pk, offer) for offer in wanted for start in pool.starts(offer)
    )
    for start, _pk, offer in candidates:
        if not _matches(entry, start):
            continue
        try:
            booking = hold(
                offer,
                start,
                name=entry.name,
                email=entry.email,
                phone=entry.phone,
                preconfirmed=True,
                notify=False,
                ignore_release=True,
            )
        except BookingError as error:
            if error.reason == "already_booked":
                return None
            continue
        pool.take(offer, start, booking.units)
        return booking
    return None


@receiver(releases.lotteries_due)
def _draw_due(sender, lotteries, now, **kwargs) -> int:
    """``releases.run_due``: draw the lotteries whose window has closed; how many were drawn."""
    return sum(bool(draw(lottery)) for lottery in lotteries)


def draw(lottery: Lottery, seed: str | None = None) -> bool:
    """Allocate the lottery's units at the window's end; False if already drawn or still open."""
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Lottery.objects.select_for_update()
            .filter(pk=lottery.pk, status=Lottery.Status.OPEN, closes_at__lte=now)
            .select_related("schedule")
            .first()
        )
        if locked is None:
            return False
        seed = seed or secrets.token_hex(16)
        resource_ids = [r.pk for r in locked.schedule.resources.all()]
        entries = canonical(locked.entries.filter(status=LotteryEntry.Status.ENTERED))
        by_id = {e.pk: e for e in entries}
        order = draw_order([e.pk for e in entries], seed)
        pool = _Pool(locked, resource_ids)
        offers_by_service: dict[int, list] = {}
        won = 0
        for entry_id in order:
            entry = by_id[entry_id]
            if entry.service_id not in offers_by_service:
                offers_by_service[entry.service_id] = offers_for(locked, entry.service_id)
            booking = _allocate(entry, offers_by_service[entry.service_id], pool)
            entry.status = LotteryEntry.Status.WON if booking else LotteryEntry.Status.LOST
            entry.booking = booking
            won += booking is not None
        _store_results(locked, entries)
        leftover = _release_rest(locked, resource_ids, now)
        locked.status, locked.seed, locked.drawn_at = Lottery.Status.DRAWN, seed, now
        locked.result = {
            "entries": len(entries),
            "won": won,
            "lost": len(entries) - won,
            "leftover_units": leftover,
            "canonical_sha256": canonical_hash(entries),
        }
        locked.save(update_fields=["status", "seed", "drawn_at", "result"])
        audit.record(
            "appointments.lottery_drawn",
            locked,
            data={**locked.result, "seed": seed, "order": order},
        )
        releases.record_run(locked.schedule, locked.opens_at)
        _notify_all([entry.pk for entry in entries])
    return True


def _store_results(lottery: Lottery, entries: list[LotteryEntry]) -> None:
    """Every entry's outcome in two statements: the winners with their bookings, then
    all others lost (``bulk_update`` builds a CASE expression per row, which took half
    of a 2,000-entry draw)."""
    table = LotteryEntry._meta.db_table
    won = [(e.pk, e.booking.pk) for e in entries if e.status == LotteryEntry.Status.WON]
    with connection.cursor() as cursor:
        for start in range(0, len(won), RESULT_BATCH):
            batch = won[start : start + RESULT_BATCH]
            values = ", ".join(["(%s, %s)"] * len(batch))
            cursor.execute(
                f"WITH won(entry_id, booking_id) AS (VALUES {values}) "
                f"UPDATE {table} SET status = %s, booking_id = "
                f"(SELECT won.booking_id FROM won WHERE won.entry_id = {table}.id) "
                "WHERE id IN (SELECT entry_id FROM won)",
                [*itertools.chain.from_iterable(batch), LotteryEntry.Status.WON],
            )
    LotteryEntry.objects.filter(lottery=lottery, status=LotteryEntry.Status.ENTERED).update(
        status=LotteryEntry.Status.LOST
    )


def _notify_all(entry_ids: list[int]) -> None:
    """One result e-mail task per entry. With the database queue the task rows are
    inserted together, in the draw's transaction (an outbox: the e-mails exist exactly
    when the draw commits). Other backends enqueue on commit."""
    task_rows = [rows.task_row(notify_entry, entry_id) for entry_id in entry_ids]
    if entry_ids and task_rows[0] is not None:
        model = type(task_rows[0])
        for row in task_rows:  # bulk_create sends no pre_save; the queue sets run_after there
            pre_save.send(sender=model, instance=row, raw=False, using="default")
        model.objects.bulk_create(task_rows, batch_size=RESULT_BATCH)
        return
    for entry_id in entry_ids:
        transaction.on_commit(functools.partial(notify_entry.enqueue, entry_id))


def _release_rest(lottery: Lottery, resource_ids, now: datetime) -> int:
    """What the draw left is bookable normally from now on."""
    start = capacity.local(lottery.first_day, datetime.min.time())
    end = capacity.local(lottery.last_day + timedelta(days=1), datetime.min.time())
    released = Slot.objects.filter(
        resource_id__in=resource_ids,
        starts_at__gte=start,
        starts_at__lt=end,
        visible_from=capacity.FAR_FUTURE,
    ).update(visible_from=now)
    days = [lottery.first_day + timedelta(days=i) for i in range(7)]
    for resource_id in resource_ids:
        availability_cache.bump_on_commit(resource_id, days)
    return released


def replay(lottery: Lottery) -> list[int]:
    """The drawn order recomputed from the stored seed (for audits and tests)."""
    entries = canonical(lottery.entries.all())
    return draw_order([e.pk for e in entries], lottery.seed)


@task()
def notify_entry(entry_id: int) -> None:
    """Tell one participant the result: the appointment, or alternatives and a waiting place."""
    entry = LotteryEntry.objects.select_related(
        "lottery__municipality", "lottery__schedule", "service", "booking__resource__location"
    ).get(pk=entry_id)
    lottery = entry.lottery
    context = {"entry": entry, "municipality": lottery.municipality, "service": entry.service}
    if entry.status == LotteryEntry.Status.WON and entry.booking:
        context["booking"] = entry.booking
        context["manage_url"] = documents.manage_url(entry.booking)
        subject = "Sie haben einen Termin erhalten"
    else:
        offers = offers_for(lottery, entry.service_id)
        context["alternatives"] = capacity.earliest_anywhere(offers, 1)[:3]
        place = waitlist.join(
            lottery.municipality,
            entry.service,
            entry.resource_ids,
            name=entry.name,
            email=entry.email,
            phone=entry.phone,
        )
        context["waitlist_position"] = waitlist.position(place) if place else None
        subject = "Ergebnis der Terminverlosung"
    with translation.override("de"):
        body = render_to_string("appointments/email/lottery_result.txt", context)
    send_town_mail(
        lottery.municipality, f"{subject} – {lottery.municipality.name}", body, [entry.email]
    )


def schedules_with_lottery(municipality):
    return ReleaseSchedule.objects.for_municipality(municipality).filter(
        mode=ReleaseSchedule.Mode.LOTTERY, is_active=True
    )
