"""`rathaus backup` / `rathaus restore`: the PostgreSQL database (pg_dump's custom
format) and the media files (uploads, logos, photos, council files) in one folder.

A backup folder holds ``database.dump``, ``media.tar.gz`` and ``manifest.json`` (time,
database name, row counts, checksums of bookings and applications), so a restore
drill can prove that what came back is what went in (docs/operations.md).
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

#: Tables whose content a drill compares row by row (a checksum over every column).
CHECKSUM_TABLES = ("appointments_booking", "applications_application")


class BackupError(Exception):
    pass


def _pg_tool(name: str) -> str:
    """The newest installed client tool (it must not be older than the server)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} fehlt: Paket postgresql-client installieren.")
    return found


def _pg_env() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        raise BackupError("rathaus backup/restore braucht PostgreSQL (DATABASE_URL).")
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432)]
    args += ["-U", db.get("USER") or "postgres", "-d", db["NAME"]]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def table_figures() -> dict:
    """Row counts of every table, and checksums of the tables a drill must compare."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
        checksums = {}
        for table in CHECKSUM_TABLES:
            if table in tables:
                quoted = connection.ops.quote_name(table)
                cursor.execute(
                    f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) "
                    f"FROM {quoted} t"
                )
                checksums[table] = cursor.fetchone()[0]
    return {"row_counts": counts, "checksums": checksums}


def backup(target: Path) -> dict:
    target.mkdir(parents=True, exist_ok=False)
    args, env = _pg_env()
    dump = target / "database.dump"
    # The dump and the manifest's figures see the same snapshot, so a restore can be
    # checked exactly even while citizens keep booking during the backup.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        subprocess.run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--snapshot={snapshot}",
             "-f", str(dump), *args],
            env=env, check=True, capture_output=True, timeout=3600,
        )  # fmt: skip
        figures = table_figures()
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname="media")
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "database": settings.DATABASES["default"]["NAME"],
        "database_sha256": _sha256(dump),
        **figures,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def restore(source: Path) -> dict:
    manifest = json.loads((source / "manifest.json").read_text())
    dump = source / "database.dump"
    if _sha256(dump) != manifest["database_sha256"]:
        raise BackupError("database.dump passt nicht zum Manifest (beschädigt?).")
    args, env = _pg_env()
    connection.close()  # pg_restore replaces the tables this process may have open
    subprocess.run(
        [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
         "--single-transaction", *args, str(dump)],
        env=env, check=True, capture_output=True, timeout=3600,
    )  # fmt: skip
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(source / "media.tar.gz", "r:gz") as archive:
        staging = media.parent / f".{media.name}.restoring"
        shutil.rmtree(staging, ignore_errors=True)
        archive.extractall(staging, filter="data")
        if media.exists():
            shutil.rmtree(media)
        restored = staging / "media"
        if restored.exists():
            restored.rename(media)
        else:
            media.mkdir(parents=True)
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
