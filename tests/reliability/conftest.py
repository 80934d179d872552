"""One private PostgreSQL cluster per test session; each test gets a fresh database
copied from a migrated template (CREATE DATABASE … TEMPLATE: a second, not a migrate)."""

import itertools

import pytest

from .harness import PrivatePostgres, manage, process_env

_numbers = itertools.count()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pgcluster")
    for folder in [directory, *directory.parents][:3]:  # the postgres user must reach it
        folder.chmod(0o755)
    pg = PrivatePostgres(directory)
    pg.init()
    try:
        pg.execute("CREATE DATABASE rathaus_template")
        manage(process_env(pg.url("rathaus_template")), "migrate", "--noinput", "-v", "0")
        yield pg
    finally:
        pg.stop("immediate")


@pytest.fixture
def database(cluster):
    """A fresh migrated database; its URL."""
    name = f"rathaus_fault_{next(_numbers)}"
    cluster.execute(f"CREATE DATABASE {name} TEMPLATE rathaus_template")
    return cluster.url(name)
