"""PostgreSQL: the guarded capacity update as a function (ADR 0024).

``appointments_take_units`` takes the k consecutive units of a resource from a
start time, or none: one ``UPDATE … SET booked = booked + 1 WHERE … booked <
limit`` on the unit rows; if fewer than k rows qualified (or they are not
consecutive), the ones taken are given back at once. The function holds those
rows' locks until the end of the caller's transaction, so the give-back is
exact. Returns the end of the last unit, or NULL when the time is taken. Being a
function, the booking insert can follow in the same statement: one round trip
per booking. SQLite keeps the Python implementation in ``services.booking``.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION appointments_take_units(
    p_resource bigint,
    p_start timestamptz,
    p_units integer,
    p_walk_in_share integer,
    p_visible_at timestamptz
) RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
    v_candidates bigint[];
    v_ids bigint[];
    v_first timestamptz;
    v_end timestamptz;
    v_span interval;
BEGIN
    -- Two steps, so that the cached (generic) plan of each is an index scan.
    SELECT array_agg(id) INTO v_candidates FROM (
        SELECT id FROM appointments_slot
         WHERE resource_id = p_resource AND starts_at >= p_start
         ORDER BY starts_at LIMIT p_units
    ) AS next_units;
    WITH taken AS (
        UPDATE appointments_slot SET booked = booked + 1
         WHERE id = ANY (v_candidates)
           AND NOT walk_in_only
           AND (visible_from IS NULL OR visible_from <= p_visible_at)
           -- the walk-in share (per cent, rounded up) stays free for citizens
           AND booked < capacity - (capacity * p_walk_in_share + 99) / 100
        RETURNING id, starts_at, ends_at
    )
    SELECT array_agg(id), min(starts_at), max(ends_at), sum(ends_at - starts_at)
      INTO v_ids, v_first, v_end, v_span
      FROM taken;
    IF cardinality(v_ids) = p_units AND v_first = p_start AND v_end - v_first = v_span THEN
        RETURN v_end;
    END IF;
    IF v_ids IS NOT NULL THEN  -- some but not all units: give them back
        UPDATE appointments_slot SET booked = booked - 1 WHERE id = ANY (v_ids);
    END IF;
    RETURN NULL;
END
$$;
"""

DROP = "DROP FUNCTION IF EXISTS appointments_take_units(bigint, timestamptz, integer, integer, timestamptz);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("appointments", "0003_release_fair_release")]

    operations = [migrations.RunPython(create, drop)]
