"""Restore drill (issue 20): back up a populated database with `rathaus backup`,
restore it into a fresh database with `rathaus restore`, compare every table's row
count and a checksum of the bookings and applications, and the media files."""

import json

import psycopg
import pytest

from .harness import manage, process_env
from .test_database_restart import SEED

pytestmark = pytest.mark.postgres

BOOKINGS = """
from datetime import timedelta
from django.utils import timezone
from rathaus.appointments import services
from rathaus.appointments.models import Offer, Slot
offer = Offer.objects.get()
slots = Slot.objects.filter(resource=offer.resource, walk_in_only=False,
    starts_at__gte=timezone.now() + timedelta(days=2)).order_by("starts_at")[:5]
for n, slot in enumerate(slots):
    services.hold(offer, slot.starts_at, name=f"Person {n}", email=f"b{n}@example.org")
"""

FIGURES = """
import json
from rathaus.core.ops.backup import table_figures
print("FIGURES" + json.dumps(table_figures()))
"""


def figures(env) -> dict:
    output = manage(env, "shell", "-c", FIGURES)
    return json.loads(output.split("FIGURES", 1)[1])


def test_restore_drill(cluster, database, tmp_path):
    media = tmp_path / "media"
    (media / "logos").mkdir(parents=True)
    (media / "logos" / "wappen.svg").write_text("<svg/>")
    env = process_env(database, MEDIA_ROOT=media, TASKS_BACKEND="database")
    manage(env, "shell", "-c", SEED)
    manage(env, "shell", "-c", BOOKINGS)
    before = figures(env)
    assert before["row_counts"]["appointments_booking"] == 5

    manage(env, "backup", "--output", str(tmp_path / "backup"))

    fresh = "rathaus_restored"
    cluster.execute(f"CREATE DATABASE {fresh}")
    restored_media = tmp_path / "restored-media"
    restored_env = process_env(cluster.url(fresh), MEDIA_ROOT=restored_media)
    manage(restored_env, "restore", str(tmp_path / "backup"), "--yes")

    after = figures(restored_env)
    assert after["row_counts"] == before["row_counts"]
    assert after["checksums"] == before["checksums"]
    assert (restored_media / "logos" / "wappen.svg").read_text() == "<svg/>"
    with psycopg.connect(cluster.url(fresh).replace("postgres://", "postgresql://")) as conn:
        functions = conn.execute(
            "SELECT count(*) FROM pg_proc WHERE proname = 'appointments_take_units'"
        ).fetchone()[0]
    assert functions >= 1  # the booking statement's function came back too
