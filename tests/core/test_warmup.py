"""Worker warm-up (core/warmup.py, gunicorn's post_worker_init; issue 24)."""

import logging

from django.template import engines
from django.urls import get_resolver
from django.utils import translation

from rathaus.core import opening, warmup


def test_warm_up_compiles_what_the_first_request_would(town_a, settings):
    settings.RATHAUS_WARM_TEMPLATES = ["catalog/home.html"]
    loader = engines["django"].engine.template_loaders[0]
    loader.reset()
    opening.holiday_calendar.cache_clear()
    timings = warmup.warm()
    assert set(timings) == {"urls", "templates", "translations", "database", "cache"}
    cached = {key.split("-")[0] for key in loader.get_template_cache}
    # The page, what it extends and what it includes by a constant name.
    assert {"catalog/home.html", "base.html", "catalog/_search_form.html"} <= cached
    assert opening.holiday_calendar.cache_info().currsize >= 1
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        assert code in resolver._reverse_dict


def test_a_failing_step_is_logged_and_the_others_still_run(db, monkeypatch, caplog):
    def broken():
        raise RuntimeError("database still starting")

    monkeypatch.setattr(warmup, "_database", broken)
    with caplog.at_level(logging.WARNING, logger="rathaus.core.warmup"):
        timings = warmup.warm()
    assert "warm-up step database failed" in caplog.text
    assert set(timings) == {"urls", "templates", "translations", "database", "cache"}
    assert translation.get_language()  # nothing left half-switched
