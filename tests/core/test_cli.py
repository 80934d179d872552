"""`rathaus`: every subcommand answers --help and does nothing else; the demo does not
load itself into a database that holds other towns unless told to."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
RATHAUS = Path(sys.executable).parent / "rathaus"


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["demo", "--help"], "--alongside-other-towns"),
        (["demo", "-h", "--port", "9999"], "usage: rathaus demo"),
        (["search", "--help"], "usage:"),
        (["catalog", "--help"], "rathaus catalog export"),
        (["load_demo", "--help"], "--alongside-other-towns"),
        (["migrate", "--help"], "usage:"),
        (["scheduler", "--help"], "usage:"),
        (["--help"], "rathaus demo"),
    ],
)
def test_help_prints_and_touches_no_database(tmp_path, argv, expected):
    database = tmp_path / "must-not-exist.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RATHAUS_", "SECRET_KEY"))}
    env["DATABASE_URL"] = f"sqlite:///{database}"  # production mode, no settings at all
    result = subprocess.run(
        [str(RATHAUS), *argv], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert not database.exists()
    assert "Starting development server" not in result.stdout + result.stderr


@pytest.mark.django_db
def test_demo_refuses_a_database_with_other_towns(town_a):
    with pytest.raises(CommandError, match="--alongside-other-towns"):
        call_command("load_demo")
    from rathaus.core.models import Municipality

    assert not Municipality.objects.filter(slug="musterstadt").exists()
