"""``core.rows``: an unsaved instance as the typed parameters of an insert (ADR 0024).

The one-statement hold inserts its rows with ``INSERT … SELECT %s::type, …``; they
must be exactly what ``Model.save()`` writes, column by column.
"""

import json
from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest
from django.db import DataError, connection, transaction
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


def insert_row(model, instance, computed=None) -> int:
    """Insert as the hold statement does: server-side parameters, prepared."""
    computed = computed or {}
    sql = rows.insert_sql(model, "(SELECT 1) AS one", computed) + " RETURNING id"
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, rows.insert_values(instance, computed), prepare=True)
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
def test_a_row_from_parameters_equals_the_row_the_orm_writes(town_a):
    from rathaus.appointments.models import Booking
    from tests.appointments.conftest import make_offer, make_service

    offer = make_offer(town_a, make_service(town_a))
    by_orm = booking_for(offer, "orm@example.org")
    by_orm.save(force_insert=True)
    by_sql = booking_for(offer, "sql@example.org")
    by_sql.code = "WXYZ6789"
    sql_pk = insert_row(Booking, by_sql)
    expected = stored_row(Booking, by_orm.pk)
    got = stored_row(Booking, sql_pk)
    for column in ("id", "email", "person_key", "code", "created_at"):
        expected.pop(column), got.pop(column)
    assert got == expected
    assert Booking.objects.get(pk=sql_pk).fee == Decimal("12.50")


@pytest.mark.postgres
def test_json_values_nulls_and_computed_columns(town_a):
    entry = AuditEntry(municipality=town_a, action="test", object_type="x", object_id="1")
    entry.data = {"nested": {"list": [1, "zwei", None]}, "umlaut": "Straße"}
    pk = insert_row(AuditEntry, entry, {"object_id": "'berechnet'"})
    stored = AuditEntry.objects.get(pk=pk)
    assert stored.data == entry.data
    assert stored.actor_id is None and stored.created_at is not None
    assert stored.object_id == "berechnet"


@pytest.mark.postgres
def test_an_over_long_value_is_refused_not_cut(town_a):
    entry = AuditEntry(municipality=town_a, action="a" * 101, object_type="x", object_id="1")
    with pytest.raises(DataError), transaction.atomic():
        insert_row(AuditEntry, entry)
    assert not AuditEntry.objects.filter(object_type="x").exists()


def test_the_values_leave_out_the_automatic_key_and_computed_columns(town_a):
    entry = AuditEntry(municipality=town_a, action="a", object_type="x", object_id="1")
    sql = rows.insert_sql(AuditEntry, "b", {"object_id": "b.id::text"})
    values = rows.insert_values(entry, {"object_id": "b.id::text"})
    assert '"id"' not in sql.split("SELECT")[0]  # the database takes the next key
    assert sql.count("%s") == len(values) == 8  # incl. request_id
    assert values[0] == town_a.pk and values[1] == entry.created_at  # pre_save ran
