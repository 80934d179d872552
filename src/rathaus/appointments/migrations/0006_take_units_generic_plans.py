"""PostgreSQL: ``appointments_take_units`` always runs its cached generic plans.

PL/pgSQL plans each statement with the call's values for its first five calls,
then compares the estimated cost of the generic plan with theirs. The generic
plan of ``… ORDER BY starts_at LIMIT p_units`` is estimated dearer (an unknown
LIMIT), so PostgreSQL kept planning both statements anew on every booking:
15 % of the server's CPU per hold in the profile (docs/performance.md). Both
generic plans are index scans (checked with EXPLAIN; ADR 0024).
"""

from django.db import migrations

SIGNATURE = "appointments_take_units(bigint, timestamptz, integer, integer, timestamptz)"


def generic(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER FUNCTION {SIGNATURE} SET plan_cache_mode = force_generic_plan"
        )


def reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER FUNCTION {SIGNATURE} RESET plan_cache_mode")


class Migration(migrations.Migration):
    dependencies = [("appointments", "0005_booking_indexes")]

    operations = [migrations.RunPython(generic, reset)]
