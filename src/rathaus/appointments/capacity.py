"""Capacity: turning rules into unit rows, and reading free start times from them.

Pure reads and the materialisation of ``Slot`` rows; the booking write path with
its guarded updates lives in ``services``.
"""

from __future__ import annotations

from bisect import bisect_left
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F  # noqa: F401  (capacity.F: callers compare booked with it)
from django.utils import timezone

from rathaus.core import memo
from rathaus.core.backends.postgresql import prepared
from rathaus.core.opening import holiday_name

from . import cache as availability_cache
from . import guard, hooks
from .models import AvailabilityRule, CapacityException, Offer, Resource, Slot

TZ = ZoneInfo(settings.TIME_ZONE)
#: Unit rows are kept at least this far ahead (six weeks), longer if an offer needs it.
MIN_MATERIALISED_DAYS = 42
#: ``visible_from`` of units a lottery has not drawn yet (ADR 0021): hidden until the draw.
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=TZ)


@dataclass
class PlannedUnit:
    ends_at: datetime
    capacity: int
    walk_in_only: bool


def _units(day: date, start: time, end: time, minutes: int):
    current = local(day, start)
    stop = local(day, end)
    step = timedelta(minutes=minutes)
    while current + step <= stop:
        yield current, current + step
        current += step


def plan_day(
    resource: Resource, day: date, rules, exceptions, closed_days=frozenset()
) -> dict[datetime, PlannedUnit]:
    """The unit rows a resource should have on ``day``: rules, then exceptions.

    Public holidays of the Land and days the location is closed (core opening
    exceptions) have no units.
    """
    if day in closed_days or holiday_name(resource.municipality, day):
        return {}
    planned: dict[datetime, PlannedUnit] = {}
    for rule in rules:
        if not rule.applies_on(day):
            continue
        walk_in = rule.kind == AvailabilityRule.Kind.WALK_IN
        for start, end in _units(day, rule.start_time, rule.end_time, rule.unit_minutes):
            planned[start] = PlannedUnit(end, rule.counters, walk_in)
    todays = [e for e in exceptions if e.date == day]
    order = {CapacityException.Kind.EXTRA: 0, CapacityException.Kind.REDUCED: 1}
    for exception in sorted(todays, key=lambda e: order.get(e.kind, 2)):
        _apply_exception(planned, day, exception)
    return planned


def _apply_exception(planned, day, exception) -> None:
    if exception.kind == CapacityException.Kind.EXTRA:
        units = _units(day, exception.start_time, exception.end_time, exception.unit_minutes)
        for start, end in units:
            unit = planned.get(start)
            if unit is None:
                planned[start] = PlannedUnit(end, exception.counters, False)
            elif not unit.walk_in_only:
                unit.capacity += exception.counters
        return
    for start, unit in planned.items():
        if not exception.covers(start.astimezone(TZ).time(), unit.ends_at.astimezone(TZ).time()):
            continue
        if exception.kind == CapacityException.Kind.CLOSED:
            unit.capacity = 0
        else:
            unit.capacity = max(0, unit.capacity - exception.counters)


def materialisation_days(resource: Resource) -> int:
    horizons = [max(o.horizon_days, o.extended_horizon_days or 0) for o in resource.offers.all()]
    return max([MIN_MATERIALISED_DAYS, *horizons]) + 1


@transaction.atomic
def materialise(resource: Resource, start: date | None = None, days: int | None = None) -> int:
    """Create or adjust the unit rows of ``resource`` from ``start`` for ``days`` days.

    Existing rows keep their ``booked`` count; rows no rule covers any more get
    capacity 0 (they may still carry bookings, see ``services.block_time``).
    Returns the number of rows created or changed.
    """
    start = start or timezone.localdate()
    days = days or materialisation_days(resource)
    end = start + timedelta(days=days)
    rules = list(resource.rules.all())
    exceptions = list(resource.exceptions.filter(date__gte=start, date__lt=end))
    closed_days = frozenset(
        resource.location.exceptions.filter(date__gte=start, date__lt=end, closed=True).values_list(
            "date", flat=True
        )
    )
    planned: dict[datetime, PlannedUnit] = {}
    for offset in range(days):
        day = start + timedelta(days=offset)
        planned.update(plan_day(resource, day, rules, exceptions, closed_days))
    existing = {
        s.starts_at: s
        for s in Slot.objects.filter(
            resource=resource,
            starts_at__gte=local(start, time.min),
            starts_at__lt=local(end, time.min),
        )
    }
    changed = []
    for starts_at, slot in existing.items():
        unit = planned.pop(starts_at, None)
        capacity, walk_in = (unit.capacity, unit.walk_in_only) if unit else (0, slot.walk_in_only)
        if slot.capacity != capacity or slot.walk_in_only != walk_in:
            slot.capacity, slot.walk_in_only = capacity, walk_in
            changed.append(slot)
    Slot.objects.bulk_update(changed, ["capacity", "walk_in_only"], batch_size=500)
    new = [
        Slot(
            municipality_id=resource.municipality_id,
            resource=resource,
            starts_at=starts_at,
            ends_at=unit.ends_at,
            capacity=unit.capacity,
            walk_in_only=unit.walk_in_only,
        )
        for starts_at, unit in planned.items()
    ]
    Slot.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    # New units of a scheduled release stay hidden until their release moment
    # (releases.stamp_resource listens, hooks.py).
    hooks.materialised(resource)
    availability_cache.bump_on_commit(
        resource.pk, [start + timedelta(days=offset) for offset in range(days)]
    )
    return len(changed) + len(new)


# --- Reading availability ------------------------------------------------------------


def online_limit(share: int):
    """SQL expression: how many places of a unit online bookings may fill.

    The walk-in share is rounded up, so a share > 0 always keeps at least one place
    (the rule is written once, in ``guard.py``).
    """
    return guard.limit_expression(share)


def limit_in_python(capacity: int, share: int) -> int:
    return guard.limit(capacity, share)


@dataclass(frozen=True)
class Window:
    """The bookable period of an offer at a moment: from ``earliest`` to ``last_day``."""

    earliest: datetime
    last_day: date
    fee_after: date | None  # starts after this day cost the extended fee

    def allows(self, starts_at: datetime) -> bool:
        return self.earliest <= starts_at and starts_at.astimezone(TZ).date() <= self.last_day

    def fee_applies(self, starts_at: datetime) -> bool:
        return self.fee_after is not None and starts_at.astimezone(TZ).date() > self.fee_after


def window(offer: Offer, now: datetime | None = None, *, staff: bool = False) -> Window:
    now = now or timezone.now()
    today = now.astimezone(TZ).date()
    earliest = now if staff else now + timedelta(hours=offer.lead_time_hours)
    extended = offer.extended_horizon_days or 0
    last_day = today + timedelta(days=max(offer.horizon_days, extended))
    fee_after = today + timedelta(days=offer.horizon_days) if extended else None
    return Window(earliest, last_day, fee_after)


def epoch_sql(column: str) -> str:
    """SQL for a timestamp column as whole epoch seconds, on PostgreSQL and SQLite."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})::bigint"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"


def _candidate_rows(resource_ids, start: datetime, end: datetime, now: datetime) -> list[tuple]:
    """Unit rows that could be free, as (resource, start epoch, end epoch, capacity, booked).

    Raw SQL with epoch seconds: converting thousands of timestamps to aware
    datetimes through the ORM costs more than the whole query (ADR 0020). Rows
    that are full or walk-in only are left out; a missing row breaks a run.
    """
    return _unit_rows(resource_ids, start, end, now, with_next_release=False)[0]


def _unit_rows(
    resource_ids, start: datetime, end: datetime, now: datetime, *, with_next_release=True
) -> tuple[list[tuple], float | None]:
    """The candidate rows (above) and the next ``visible_from`` in range (epoch seconds, or
    None): when a cached answer stops holding (ADR 0023). One statement in index order
    (ADR 0102: the unreleased units come with it; before, a subquery)."""
    return _unit_rows_in([(resource_ids, start, end)], now, with_next_release=with_next_release)


def _unit_rows_in(spans, now: datetime, *, with_next_release=True):
    """``_unit_rows`` over several spans ``(resource ids, start, end)`` in one statement: a
    miss after a change computes only the changed days (ADR 0102)."""
    table = Slot._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    # One range of the (resource, start) index per resource and span, written as row
    # comparisons: PostgreSQL then reads just those index entries, in order. With
    # "resource_id = ANY(...) AND starts_at ..." it chose the resource's index and read
    # every unit of the resource (0.45 instead of 0.1 ms for one day, twice with the next
    # release; ADR 0102).
    clause = "((resource_id, starts_at) >= (%s, %s) AND (resource_id, starts_at) < (%s, %s))"
    clauses, range_params = [], []
    for resource_ids, start, end in spans:
        for resource_id in sorted(resource_ids):
            clauses.append(clause)
            range_params += [resource_id, adapt(start), resource_id, adapt(end)]
    where = clauses[0] if len(clauses) == 1 else f"({' OR '.join(clauses)})"
    times = f"resource_id, {epoch_sql('starts_at')}, {epoch_sql('ends_at')}, capacity, booked"
    order = "ORDER BY resource_id, starts_at"
    if not with_next_release:
        sql = f"SELECT {times} FROM {table} WHERE {where} AND {guard.sql(share=None)} {order}"
        with _prepared_cursor() as execute:
            return execute(sql, [*range_params, adapt(now)]).fetchall(), None
    # Units not released yet are read too, with their release as a sixth column, so the
    # next release comes from the same index range, not from a second scan. The guard's
    # other two terms leave out units a release cannot make free (full, walk-in only);
    # the share is applied per offer below.
    not_walk_in, released, place_left = guard.sql_terms(share=None)
    sql = (
        f"SELECT {times}, CASE WHEN NOT {released} THEN {epoch_sql('visible_from')} END "
        f"FROM {table} WHERE {where} AND {not_walk_in} AND {place_left} {order}"
    )
    with _prepared_cursor() as execute:
        rows = execute(sql, [adapt(now), *range_params]).fetchall()
    hidden = [row[5] for row in rows if row[5] is not None]
    if not hidden:
        return rows, None
    never = FAR_FUTURE.timestamp()  # a lottery's units wait for the draw, not a moment
    releases = [moment for moment in hidden if moment < never]
    return [row for row in rows if row[5] is None], min(releases) if releases else None


@contextmanager
def _prepared_cursor():
    """``execute(sql, params)`` returning the cursor. On PostgreSQL the statement is bound
    on the server and prepared once per connection (as the booking statement, ADR 0024):
    a miss after a booking then skips parsing and planning (ADR 0102). Nothing is prepared
    where the settings turn prepared statements off (PgBouncer, ``prepare_threshold``)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield lambda sql, params: cursor.execute(sql, params) or cursor
        return
    with prepared.cursor() as cursor:
        yield lambda sql, params: cursor.execute(sql, params, prepare=True)


def free_starts_by_resource(
    offers, persons: int, start: datetime, end: datetime, *, now=None, staff=False
) -> dict[int, list[datetime]]:
    """For each offer (by pk): start times where ``persons`` fit, from one query.

    Answers for "now" come from the availability cache (ADR 0023) when possible.
    """
    offers = list(offers)
    if now is not None or not offers:
        return _free_starts_by_resource(offers, persons, start, end, now=now, staff=staff)
    now = timezone.now()
    # Whole minutes in the key, so "from now on" calls within a minute share an answer;
    # the exact range is cut out of it below.
    wide_start = start.replace(second=0, microsecond=0)
    wide_end = end.replace(second=0, microsecond=0)
    if wide_end < end:
        wide_end += timedelta(minutes=1)
    key = availability_cache.key_for(
        {o.resource_id for o in offers},
        wide_start.astimezone(TZ).date(),
        (wide_end - timedelta(microseconds=1)).astimezone(TZ).date(),
        (tuple(sorted(_cache_identity(o, persons) for o in offers)), wide_start, wide_end, staff),
        now,
    )
    if key is None:
        return _free_starts_by_resource(offers, persons, start, end, now=now, staff=staff)
    first, last = start.timestamp(), end.timestamp()
    cached = availability_cache.get(key)
    hit = cached is not None and cached["until"] > now.timestamp()
    if not hit:
        availability_cache.count_miss()
        cached = _compute_and_store(key, offers, persons, wide_start, wide_end, now, staff)
    return {
        pk: [datetime.fromtimestamp(s, tz=UTC) for s in v if first <= s < last]
        for pk, v in cached["data"].items()
    }


def _cache_identity(offer: Offer, persons: int) -> tuple:
    """What an answer for this offer depends on besides the unit rows: a combined offer
    (ADR 0026) has the first service's pk but more units and a narrower window."""
    return (
        offer.pk,
        offer.units_for(persons),
        offer.lead_time_hours,
        offer.horizon_days,
        offer.extended_horizon_days,
        offer.walk_in_share,
    )


def _compute_and_store(key, offers, persons, start, end, now, staff) -> dict:
    data, until = _free_epochs_and_until(offers, persons, start, end, now, staff)
    value = {"until": until, "data": data}
    availability_cache.put(key, value)
    return value


def _free_epochs_and_until(offers, persons, start, end, now, staff=False):
    """Free starts in epoch seconds per offer, and until when they hold: the next unit in
    range that becomes visible (a release needs no write), else an hour. One statement."""
    rows, next_release = _unit_rows({o.resource_id for o in offers}, start, end, now)
    until = next_release if next_release is not None else now.timestamp() + 3600
    return _free_epochs(offers, rows, persons, now, staff), until


def rendered_free_starts(
    offers, persons: int, start: datetime, end: datetime, *, render, shape, later=None
) -> list:
    """The pieces of the answer for "now", one per offer, each cached on its own (ADR 0093,
    ADR 0095, ADR 0102).

    ``render(offer, days, previous)`` turns one offer's free starts into its piece of the
    answer (the API's gzip-ready JSON) and returns ``(piece, layout)``. ``days`` has one
    entry per day of the range: its free starts (epoch seconds), or None for a day that
    did not change since ``previous``, the ``(piece, layout)`` stored for the same key,
    from which ``render`` takes that day as it is. ``shape(offer)``: everything else the
    piece depends on (names, address, the echoed ``persons``), part of its key.

    A piece is stored with its stamp (the minute and the versions of its resource's days,
    ADR 0023) and until when it holds (the next release in range); one read fetches the
    versions and all pieces. After a change of one (resource, day) only that resource's
    pieces are stale, and of them only the changed day is read and rendered again when
    the stored piece allows it (``_days_to_compute``): one statement for all stale
    pieces. ``start`` and ``end`` must be local midnights. ``later(fn)``, if given, runs
    ``fn`` (storing new pieces) after the answer is sent.
    """
    offers = list(offers)
    now = timezone.now()
    first_day = start.astimezone(TZ).date()
    last_day = (end - timedelta(microseconds=1)).astimezone(TZ).date()
    span = (start, end, start.timestamp(), end.timestamp())
    keys = [_piece_key(o, persons, span, shape(o)) for o in offers]
    found = availability_cache.read_pieces(
        [o.resource_id for o in offers], first_day, last_day, keys, now
    )
    if found is None:  # too long a range to cache
        bounds = _day_bounds(first_day, last_day)
        plans = [(o, range(len(bounds) - 1)) for o in offers]
        by_day, _until = _free_days_and_until(plans, persons, bounds, now)
        return [render(o, days, None)[0] for o, days in zip(offers, by_day, strict=True)]
    stamps, cached = found
    moment = now.timestamp()
    pieces = [
        value[2] if value is not None and value[0] == stamp and value[1] > moment else None
        for stamp, value in zip(stamps, cached, strict=True)
    ]
    missing = [i for i, piece in enumerate(pieces) if piece is None]
    if not missing:
        return pieces
    # Stale only by holds that left the piece's free starts as they were: kept as it is,
    # under the new stamp (ADR 0114).
    kept = _kept_after_holds([(offers[i], stamps[i], cached[i]) for i in missing], first_day, now)
    fresh = {}
    for i, value in zip(missing, kept, strict=True):
        if value is not None:
            pieces[i] = value[2]
            fresh[keys[i]] = (stamps[i], *value[1:])
    missing = [i for i, value in zip(missing, kept, strict=True) if value is None]
    if not missing:
        (later or _now)(availability_cache.pieces_writer(fresh))
        return pieces
    bounds = _day_bounds(first_day, last_day)
    every_day = range(len(bounds) - 1)
    plans = [
        (offers[i], _days_to_compute(offers[i], persons, stamps[i], cached[i], now, bounds))
        for i in missing
    ]
    by_day, until = _free_days_and_until(plans, persons, bounds, now)
    for i, (_offer, days), free in zip(missing, plans, by_day, strict=True):
        patched = len(days) < len(every_day)
        previous = cached[i][2:] if patched else None
        pieces[i], layout = render(offers[i], free, previous)
        # A patched piece keeps the stored piece's end: its days' releases are in it.
        ends = min(until, cached[i][1]) if patched else until
        fresh[keys[i]] = (stamps[i], ends, pieces[i], layout)
    store = availability_cache.pieces_writer(fresh)  # and counts the miss
    (later or _now)(store)
    return pieces


def _kept_after_holds(stale, first_day: date, now: datetime) -> list:
    """For each stale ``(offer, stamp, stored value)``: the stored value if it still holds
    word for word, else None.

    It holds if it was stored in the same minute, before its ``until``, and each day whose
    version moved, moved by one step: a hold of one unit whose note (``cache.
    bump_after_hold``) says that its unit still has a place within this offer's limit
    afterwards. A hold only adds a booking, so the unit had one before as well: the
    offer's free starts are those of the stored piece. Any other change (a second step,
    a cancellation, a block, a hold that filled its unit, no note) computes again."""
    moment = now.timestamp()
    steps = [_one_step_days(stamp, value, moment) for _offer, stamp, value in stale]
    pairs = {
        (offer.resource_id, first_day + timedelta(days=day))
        for (offer, _stamp, _value), days in zip(stale, steps, strict=True)
        for day in days
    }
    notes = availability_cache.read_notes(sorted(pairs)) if pairs else {}
    kept = []
    for (offer, (_minute, versions), value), days in zip(stale, steps, strict=True):
        left_free = bool(days) and all(
            _hold_left_free(
                notes.get((offer.resource_id, first_day + timedelta(days=day))),
                versions[day],
                offer.walk_in_share,
            )
            for day in days
        )
        kept.append(value if left_free else None)
    return kept


def _one_step_days(stamp, value, moment: float) -> list[int]:
    """The days (indexes) whose version moved by exactly one since ``value`` was stored in
    the same minute and still holds; empty if anything else changed."""
    if value is None or value[1] <= moment:
        return []
    (minute, versions), (then, old_versions) = stamp, value[0]
    if minute != then:  # the lead time may hide a start now
        return []
    days = [
        i for i, (new, old) in enumerate(zip(versions, old_versions, strict=True)) if new != old
    ]
    if any(versions[i] != old_versions[i] + 1 for i in days):
        return []
    return days


def _hold_left_free(note, version: int, share: int) -> bool:
    """Whether ``note`` is the hold that made ``version`` and its unit is still free for an
    offer with walk-in ``share`` (the test of ``_free_starts``)."""
    if note is None:
        return False
    noted_version, _starts_at, booked, capacity = note
    return noted_version == version and booked < limit_in_python(capacity, share)


def _piece_key(offer, persons: int, span: tuple, shape: tuple) -> str:
    """The cache key of ``offer``'s piece, derived once per remembered offer (``core.memo``:
    the offers come from ``shown_offers``) and range ``span`` (start, end and their epoch
    seconds): hashing the parts with two aware datetimes on every read cost ~40 µs for 10
    locations (issue 24)."""
    start, end, *seconds = span
    token = ("piece key", persons, *seconds, shape)
    return memo.derived(
        offer,
        token,
        lambda: availability_cache.piece_key(
            ("rendered by day", _cache_identity(offer, persons), start, end, shape)
        ),
    )


def _day_bounds(first_day: date, last_day: date) -> list[int]:
    """Epoch seconds of the local midnights from ``first_day`` to the day after ``last_day``."""
    count = (last_day - first_day).days + 2
    return [int(local(first_day + timedelta(days=i), time.min).timestamp()) for i in range(count)]


def _days_to_compute(offer, persons, stamp, value, now: datetime, bounds) -> range | list[int]:
    """The days (indexes into the range) of a stale piece to compute again: all of them,
    unless the stored piece of the same key ``value`` can be patched. Then only the days
    whose version moved and, if the minute moved, the days up to the earliest bookable
    start (the lead time cuts them from "now").

    A stored piece can be patched if a booking takes one unit (a run of several could
    reach over midnight into a changed day), if no release happened since it was
    computed (its ``until``), and on the same local date (the horizon moves at midnight).
    """
    every_day = range(len(bounds) - 1)
    if value is None or offer.units_for(persons) != 1 or value[1] <= now.timestamp():
        return every_day
    (minute, versions), (then, old_versions) = stamp, value[0]
    if _minute_date(minute) != _minute_date(then):
        return every_day
    days = {
        i for i, (new, old) in enumerate(zip(versions, old_versions, strict=True)) if new != old
    }
    if minute != then:
        # Up to the later of the two earliest starts: "then" may be later than "now" when
        # another server's clock is ahead (its piece cut starts that are bookable here).
        lead = timedelta(hours=offer.lead_time_hours).total_seconds()
        earliest = max(window(offer, now).earliest.timestamp(), (then + 1) * 60 + lead)
        days.update(i for i in every_day if bounds[i] <= earliest)
    return sorted(days)


def _minute_date(minute: int) -> date:
    return datetime.fromtimestamp(minute * 60, tz=TZ).date()


def _free_days_and_until(plans, persons: int, bounds, now: datetime):
    """For each ``(offer, day indexes)`` of ``plans``: the offer's free starts per day of
    the range (epoch seconds; None for the days not asked), and until when they all hold
    (as ``_free_epochs_and_until``). One statement over the days asked."""
    days_by_resource: dict[int, set[int]] = {}
    for offer, days in plans:
        days_by_resource.setdefault(offer.resource_id, set()).update(days)
    by_span: dict[tuple[int, int], list[int]] = {}
    for resource_id, days in days_by_resource.items():
        for first, last in _runs(sorted(days)):
            by_span.setdefault((bounds[first], bounds[last + 1]), []).append(resource_id)
    spans = [
        (ids, datetime.fromtimestamp(a, tz=UTC), datetime.fromtimestamp(b, tz=UTC))
        for (a, b), ids in by_span.items()
    ]
    rows, next_release = _unit_rows_in(spans, now) if spans else ([], None)
    until = next_release if next_release is not None else now.timestamp() + 3600
    free = _free_epochs([offer for offer, _days in plans], rows, persons, now, staff=False)
    result = []
    for offer, days in plans:
        starts = free[offer.pk]
        by_day: list[list[int] | None] = [None] * (len(bounds) - 1)
        for i in days:
            by_day[i] = starts[bisect_left(starts, bounds[i]) : bisect_left(starts, bounds[i + 1])]
        result.append(by_day)
    return result, until


def _runs(days: list[int]) -> list[tuple[int, int]]:
    """Consecutive days as (first, last) pairs: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for day in days:
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _now(fn) -> None:
    fn()


def _free_starts_by_resource(
    offers, persons: int, start: datetime, end: datetime, *, now=None, staff=False
) -> dict[int, list[datetime]]:
    now = now or timezone.now()
    offers = list(offers)
    if not offers:
        return {}
    rows = _candidate_rows({o.resource_id for o in offers}, start, end, now)
    epochs = _free_epochs(offers, rows, persons, now, staff)
    # Locations share their unit times: convert each epoch second to a datetime once.
    converted: dict[int, datetime] = {}

    def as_datetime(epoch: int) -> datetime:
        found = converted.get(epoch)
        if found is None:
            found = converted[epoch] = datetime.fromtimestamp(epoch, tz=UTC)
        return found

    return {pk: [as_datetime(s) for s in starts] for pk, starts in epochs.items()}


def _free_epochs(offers, rows, persons: int, now: datetime, staff: bool) -> dict[int, list[int]]:
    """For each offer (by pk): free starts in epoch seconds, from the candidate rows."""
    # The rows come ordered by resource: group them in C, not row by row.
    by_resource = {r: list(group) for r, group in groupby(rows, key=itemgetter(0))}
    result = {}
    for offer in offers:
        win = window(offer, now, staff=staff)
        share = 0 if staff else offer.walk_in_share
        last = local(win.last_day + timedelta(days=1), time.min).timestamp()
        starts = _free_starts(
            by_resource.get(offer.resource_id, []), offer.units_for(persons), share
        )
        earliest = win.earliest.timestamp()
        result[offer.pk] = [s for s in starts if earliest <= s < last]
    return result


def _free_starts(rows, k: int, share: int) -> list[int]:
    """Starts (epoch seconds) of runs of ``k`` consecutive free units (rows sorted by start)."""
    run = 0
    starts = []
    next_start = None
    # Walk backwards: run = number of free consecutive units beginning here.
    for _res, starts_at, ends_at, capacity, booked, *_next in reversed(rows):
        free = booked < (limit_in_python(capacity, share) if share else capacity)
        if not free:
            run = 0
        elif next_start is not None and ends_at == next_start:
            run += 1
        else:
            run = 1
        next_start = starts_at
        if run >= k:
            starts.append(starts_at)
    starts.reverse()
    return starts


def free_starts(offer: Offer, persons: int, start: datetime, end: datetime, **kwargs):
    return free_starts_by_resource([offer], persons, start, end, **kwargs)[offer.pk]


def days_with_free_times(offer, persons, first_day: date, days: int, **kwargs) -> dict:
    """{day: number of free start times} for a calendar."""
    starts = free_starts(
        offer,
        persons,
        local(first_day, time.min),
        local(first_day + timedelta(days), time.min),
        **kwargs,
    )
    counts: dict[date, int] = {}
    for s in starts:
        day = s.astimezone(TZ).date()
        counts[day] = counts.get(day, 0) + 1
    return counts


def nearest_alternatives(offer, persons, wanted: datetime, count=3, **kwargs) -> list[datetime]:
    """The free start times closest to ``wanted`` (within a week either side)."""
    starts = free_starts(
        offer, persons, wanted - timedelta(days=7), wanted + timedelta(days=7), **kwargs
    )
    starts = [s for s in starts if s != wanted]
    return sorted(sorted(starts, key=lambda s: abs(s - wanted))[:count])


def earliest_anywhere(offers, persons, *, now=None, days: int | None = None):
    """[(offer, first free start)] sorted by the first free start; offers without any omitted."""
    now = now or timezone.now()
    offers = list(offers)
    if not offers:
        return []
    horizon = days or max(max(o.horizon_days, o.extended_horizon_days or 0) for o in offers) + 1
    found = free_starts_by_resource(offers, persons, now, now + timedelta(days=horizon), now=now)
    firsts = [(o, found[o.pk][0]) for o in offers if found.get(o.pk)]
    return sorted(firsts, key=lambda pair: pair[1])


def end_of(offer: Offer, starts_at: datetime, persons: int) -> datetime | None:
    """When an appointment of ``persons`` starting at ``starts_at`` would end."""
    ends = list(
        Slot.objects.filter(resource_id=offer.resource_id, starts_at__gte=starts_at)
        .order_by("starts_at")
        .values_list("ends_at", flat=True)[: offer.units_for(persons)]
    )
    return ends[-1] if ends else None
