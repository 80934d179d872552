"""Production refuses to start on demo defaults; demo mode and tests may use them.

The start is checked for real in a child process (``django.setup()`` runs
``CoreConfig.ready``), with the environment a careless operator would have.
"""

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from rathaus.core.deployment import unsafe_settings

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 50
START = "import django; django.setup(); print('started')"


def production_env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RATHAUS_", "HTTPS"))}
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "APPLICATIONS_PAYMENT_PROVIDER"):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "rathaus.settings",
            "PYTHONPATH": str(ROOT / "src"),
            "DATABASE_URL": "sqlite:///:memory:",
        }
    )
    env.update(overrides)
    return env


def start(env: dict, code: str = START) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def settings_like(**overrides):
    values = {
        "DEMO_MODE": False,
        "DEMO_SECRET_KEY": "demo-key-" + "x" * 40,
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": ["www.musterstadt.de"],
        "APPLICATIONS_PAYMENT_PROVIDER": "",
    }
    return SimpleNamespace(**{**values, **overrides})


def test_safe_production_settings_pass():
    assert unsafe_settings(settings_like()) == []


@pytest.mark.parametrize(
    "overrides, named",
    [
        ({"SECRET_KEY": "demo-key-" + "x" * 40}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": []}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": ["*"]}, "ALLOWED_HOSTS"),
        ({"APPLICATIONS_PAYMENT_PROVIDER": "demo"}, "APPLICATIONS_PAYMENT_PROVIDER"),
    ],
)
def test_each_unsafe_default_is_named(overrides, named):
    [problem] = unsafe_settings(settings_like(**overrides))
    assert named in problem


def test_demo_mode_allows_the_demo_defaults():
    demo = settings_like(DEMO_MODE=True, SECRET_KEY="x", ALLOWED_HOSTS=["*"])
    assert unsafe_settings(demo) == []


def test_production_refuses_to_start_without_its_own_settings():
    result = start(production_env())
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "Rathaus startet nicht" in result.stderr
    for name in ("SECRET_KEY", "ALLOWED_HOSTS"):
        assert name in result.stderr


def test_production_refuses_the_demo_payment_provider():
    env = production_env(
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="www.musterstadt.de",
        APPLICATIONS_PAYMENT_PROVIDER="demo",
    )
    result = start(env)
    assert result.returncode != 0
    assert "APPLICATIONS_PAYMENT_PROVIDER" in result.stderr


def test_production_starts_with_its_own_settings_and_no_fallback_town():
    env = production_env(SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="www.musterstadt.de")
    code = (
        START + "; from django.conf import settings; "
        "print(settings.RATHAUS_DEFAULT_MUNICIPALITY == '', settings.APPLICATIONS_PAYMENT_PROVIDER)"
    )
    result = start(env, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["started", "True"]


def test_demo_mode_starts_without_any_settings():
    result = start(production_env(RATHAUS_MODE="demo"))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "variables, secure, warned",
    [
        ({"RATHAUS_HTTPS": "1"}, True, False),
        ({"HTTPS": "1"}, True, True),  # the old name still works, with a warning
        ({"RATHAUS_HTTPS": "0", "HTTPS": "on"}, False, False),  # a CGI HTTPS is ignored
        ({}, False, False),
    ],
)
def test_rathaus_https_and_the_old_name(variables, secure, warned):
    code = START + "; from django.conf import settings; print(settings.SESSION_COOKIE_SECURE)"
    result = start(production_env(RATHAUS_MODE="demo", **variables), code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == str(secure)
    assert ("RATHAUS_HTTPS setzen" in result.stderr) is warned
