"""``core.rows``: an unsaved instance as the JSON row PostgreSQL inserts (ADR 0024).

The one-statement hold inserts rows with ``jsonb_populate_record``; they must be
exactly what ``Model.save()`` writes, column by column.
"""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from rathaus.core import rows
from rathaus.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def stored_row(model, pk) -> dict:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT to_jsonb(t) FROM {table} t WHERE id = %s", [pk])
        value = cursor.fetchone()[0]
    return value if isinstance(value, dict) else json.loads(value)


def insert_row(model, instance) -> int:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} SELECT r.* FROM jsonb_populate_record(NULL::{table}, "
            f"%s::jsonb || jsonb_build_object('id', nextval(pg_get_serial_sequence("
            f"'{table}', 'id')))) r RETURNING id",
            [rows.dumps(rows.as_row(instance))],
        )
        return cursor.fetchone()[0]


def booking_for(offer, email):
    from rathaus.appointments.models import Booking

    now = timezone.now().replace(microsecond=123456)
    return Booking(
        municipality_id=offer.municipality_id,
        offer=offer,
        service_id=offer.service_id,
        resource_id=offer.resource_id,
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, minutes=20),
        units=2,
        name="Erika Mustermann",
        email=email,
        person_key=email,
        fee=Decimal("12.50"),
        hold_expires_at=now + timedelta(minutes=15),
        code="ABCD2345",
    )


@pytest.mark.postgres
def test_a_row_from_json_equals_the_row_the_orm_writes(town_a):
    from rathaus.appointments.models import Booking
    from tests.appointments.conftest import make_offer, make_service

    offer = make_offer(town_a, make_service(town_a))
    by_orm = booking_for(offer, "orm@example.org")
    by_orm.save(force_insert=True)
    by_json = booking_for(offer, "json@example.org")
    by_json.code = "WXYZ6789"
    json_pk = insert_row(Booking, by_json)
    expected = stored_row(Booking, by_orm.pk)
    got = stored_row(Booking, json_pk)
    for column in ("id", "email", "person_key", "code", "created_at"):
        expected.pop(column), got.pop(column)
    assert got == expected
    assert Booking.objects.get(pk=json_pk).fee == Decimal("12.50")


@pytest.mark.postgres
def test_json_values_and_missing_keys(town_a):
    entry = AuditEntry(municipality=town_a, action="test", object_type="x", object_id="1")
    entry.data = {"nested": {"list": [1, "zwei", None]}, "umlaut": "Straße"}
    pk = insert_row(AuditEntry, entry)
    stored = AuditEntry.objects.get(pk=pk)
    assert stored.data == entry.data
    assert stored.actor_id is None and stored.created_at is not None


def test_the_row_leaves_out_an_empty_key_and_keeps_dates_exact(town_a):
    entry = AuditEntry(municipality=town_a, action="a", object_type="x", object_id="1")
    row = rows.as_row(entry)
    assert "id" not in row  # the statement takes the next value of the sequence
    assert row["municipality_id"] == town_a.pk and row["data"] == {}
    assert json.loads(rows.dumps(row))["created_at"] == entry.created_at.isoformat()
