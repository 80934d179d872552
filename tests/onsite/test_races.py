"""Real concurrency on PostgreSQL: counters calling at the same moment, kiosks drawing at once.

Each thread has its own connection. ``SELECT … FOR UPDATE SKIP LOCKED`` plus the
guarded UPDATE must give every ticket to exactly one counter, and the daily
contingent must hold when many kiosks draw the last numbers together.
"""

import threading

import pytest
from django.db import connection

from rathaus.core.models import Role
from rathaus.onsite import services
from rathaus.onsite.models import Counter, Ticket, TicketStatus
from tests.conftest import make_staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PARALLEL = 12


def run_parallel(worker, count=PARALLEL):
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(index):
        try:
            barrier.wait()
            results[index] = ("ok", worker(index))
        except services.QueueError as exc:
            results[index] = ("refused", exc.reason)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [r for r in results if r[0] == "error"]
    assert not errors, errors
    return results


def test_parallel_counters_never_call_the_same_ticket(town_a, location_a, groups, rules):
    ausweis, _ = groups
    ausweis.daily_contingent = 100
    ausweis.save()
    clerk = make_staff(town_a, "c@a.test", Role.APPOINTMENT_MANAGER)
    desks = []
    for number in range(1, PARALLEL + 1):
        desk = Counter.objects.create(
            municipality=town_a, location=location_a, number=number, name=f"Schalter {number}"
        )
        services.open_counter(desk, actor=clerk)
        desks.append(desk)
    waiting = [services.draw(ausweis) for _ in range(PARALLEL // 2)]

    def call(index):
        ticket = services.call_next(desks[index], actor=None)
        return ticket.pk if ticket else None

    results = run_parallel(call)
    called = [pk for status, pk in results if status == "ok" and pk]
    assert sorted(called) == sorted(t.pk for t in waiting)  # each exactly once
    assert len(set(called)) == len(called)
    tickets = Ticket.objects.filter(status=TicketStatus.CALLED)
    assert tickets.count() == len(waiting)
    assert len({t.counter_id for t in tickets}) == len(waiting)


def test_parallel_draws_respect_the_contingent(groups):
    ausweis, _ = groups  # contingent 3

    def draw(_index):
        return services.draw(ausweis).label

    results = run_parallel(draw)
    labels = [value for status, value in results if status == "ok"]
    assert sorted(labels) == ["A001", "A002", "A003"]
    assert [v for s, v in results if s == "refused"] == ["contingent"] * (PARALLEL - 3)
