"""Shared set-up for benchmark scripts: Django on a throw-away test database."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django_with_test_db():
    """Configure Django and create a fresh test database (in-memory on SQLite)."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
    os.environ.setdefault("RATHAUS_TESTING", "1")
    import django

    django.setup()
    from django.test.utils import setup_databases, setup_test_environment

    setup_test_environment()
    return setup_databases(verbosity=0, interactive=False)


def load_demo_municipality():
    """Core and catalog demo data (Musterstadt); returns the municipality."""
    from rathaus.catalog import demo as catalog_demo
    from rathaus.core import demo as core_demo

    municipality = core_demo.load()
    catalog_demo.load(municipality)
    return municipality
