"""The capacity guard is written once (guard.py); every form answers the same cases alike.

Forms: Python (``guard.allows``, the availability read), the ORM ``Q``, the SQL
condition (guarded update on SQLite, availability read), and on PostgreSQL the
inline one-unit update of the one-statement hold and the PL/pgSQL function
``appointments_take_units`` of migration 0004, whose condition must also be the
guard's text.
"""

import importlib
import itertools
import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from rathaus.appointments import capacity, guard
from rathaus.appointments.models import Slot
from rathaus.appointments.services import one_statement

pytestmark = pytest.mark.django_db

SHARES = [0, 1, 25, 34, 50, 99]
CAPACITIES = [1, 2, 3, 10]


@pytest.fixture
def grid(offer_a):
    """One unit row per case: capacity, booked, walk-in only, released or not."""
    now = timezone.now().replace(microsecond=0)
    resource = offer_a.resource
    Slot.objects.filter(resource=resource).delete()
    start = now + timedelta(days=400)
    rows = []
    visibilities = [None, now - timedelta(hours=1), now, now + timedelta(hours=1)]
    for cap, walk_in, visible in itertools.product(CAPACITIES, [False, True], visibilities):
        for booked in sorted({0, 1, cap - 1, cap} & set(range(cap + 1))):
            begin = start + timedelta(minutes=10 * len(rows))
            rows.append(
                Slot(
                    municipality_id=resource.municipality_id,
                    resource=resource,
                    starts_at=begin,
                    ends_at=begin + timedelta(minutes=10),
                    capacity=cap,
                    booked=booked,
                    walk_in_only=walk_in,
                    visible_from=visible,
                )
            )
    Slot.objects.bulk_create(rows)
    return resource, now, list(Slot.objects.filter(resource=resource).order_by("starts_at"))


def python_form(slots, share, now) -> set[int]:
    return {
        s.pk
        for s in slots
        if guard.allows(
            capacity=s.capacity,
            booked=s.booked,
            walk_in_only=s.walk_in_only,
            visible_from=s.visible_from,
            share=share,
            visible_at=now,
        )
    }


def orm_form(resource, share, now) -> set[int]:
    return set(
        Slot.objects.filter(resource=resource)
        .filter(guard.q(share, now))
        .values_list("pk", flat=True)
    )


def sql_form(resource, share, now) -> set[int]:
    adapt = connection.ops.adapt_datetimefield_value
    condition = guard.sql(share="%s" if share else None)
    params = [resource.pk, adapt(now), *([share] if share else [])]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Slot._meta.db_table} WHERE resource_id = %s AND {condition}", params
        )
        return {row[0] for row in cursor.fetchall()}


def taken_one_by_one(slots, statement, params_for) -> set[int]:
    """Run a taking statement per row, each in a savepoint rolled back afterwards."""
    taken = set()
    for slot in slots:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement, params_for(slot))
                    row = cursor.fetchone()
                if row is not None and row[0] is not None:
                    taken.add(slot.pk)
                raise _Rollback
        except _Rollback:
            pass
    return taken


class _Rollback(Exception):
    pass


def test_the_forms_agree_on_every_case(grid):
    resource, now, slots = grid
    assert len(slots) > 100
    for share in SHARES:
        expected = python_form(slots, share, now)
        assert orm_form(resource, share, now) == expected, share
        assert sql_form(resource, share, now) == expected, share
        # The limit itself: the ORM expression, the Python one and the SQL text.
        annotated = Slot.objects.filter(resource=resource).annotate(
            online=capacity.online_limit(share)
        )
        for slot in annotated:
            assert slot.online == guard.limit(slot.capacity, share)
    # Spot checks of the rule, not of its forms: the share is rounded up.
    assert guard.limit(10, 25) == 7 and guard.limit(3, 1) == 2 and guard.limit(4, 0) == 4
    assert guard.limit(1, 99) == 0 and guard.limit(2, 50) == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_postgresql_statements_agree(grid):
    resource, now, slots = grid
    inline = one_statement._TAKE_ONE.replace("RETURNING ends_at", "RETURNING id")
    function = "SELECT appointments_take_units(%s, %s, 1, %s, %s)"
    for share in SHARES:
        expected = python_form(slots, share, now)

        def params(slot, share=share):
            return [resource.pk, slot.starts_at, share, now]

        assert taken_one_by_one(slots, inline, params) == expected, share
        assert taken_one_by_one(slots, function, params) == expected, share


def _words(sql: str) -> str:
    sql = re.sub(r"--[^\n]*", " ", sql)
    return " ".join(sql.split())


def test_the_plpgsql_function_has_the_guard_of_guard_py():
    """Migration 0004 cannot import guard.py; its condition must still be the guard's.

    If this fails after a change of the rule: add a migration that replaces the
    function with the new condition, and point this test at it."""
    migration = importlib.import_module("rathaus.appointments.migrations.0004_take_units_function")
    terms = guard.sql_terms(share="p_walk_in_share", visible_at="p_visible_at")
    body = _words(migration.CREATE)
    condition = re.search(r"WHERE id = ANY \(v_candidates\) AND (.*?) RETURNING", body).group(1)
    assert condition == " AND ".join(terms)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_installed_function_is_the_migrations():
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'appointments_take_units'")
        installed = _words(cursor.fetchone()[0])
    assert " AND ".join(guard.sql_terms("p_walk_in_share", "p_visible_at")) in installed
