"""One private PostgreSQL cluster per test session; each test gets a fresh database
copied from a migrated template (CREATE DATABASE … TEMPLATE: a second, not a migrate)."""

import itertools
import shutil
import tempfile
from pathlib import Path

import pytest

from .harness import PrivatePostgres, manage, process_env

_numbers = itertools.count()


@pytest.fixture(scope="session")
def cluster():
    # Not under pytest's tmp folder: pytest makes that 0700 again at every session
    # start, and the postgres user (the server runs as it when we are root) must reach it.
    directory = Path(tempfile.mkdtemp(prefix="rathaus-pg-"))
    directory.chmod(0o755)
    pg = PrivatePostgres(directory)
    pg.init()
    try:
        pg.execute("CREATE DATABASE rathaus_template")
        manage(process_env(pg.url("rathaus_template")), "migrate", "--noinput", "-v", "0")
        yield pg
    finally:
        pg.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def database(cluster):
    """A fresh migrated database; its URL."""
    name = f"rathaus_fault_{next(_numbers)}"
    cluster.execute(f"CREATE DATABASE {name} TEMPLATE rathaus_template")
    return cluster.url(name)
