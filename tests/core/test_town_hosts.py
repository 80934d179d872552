"""ALLOWED_HOSTS knows the towns in the database (core.hosts, ADR 0214).

A town onboarded at run time answers on its host name at once, in every process,
without editing ALLOWED_HOSTS or restarting; an unknown host, and the host of a town
whose host name was removed, still gets Django's 400 before any town is looked up.
"""

import pytest
from django.core import mail

from rathaus.core import counters, hosts, onboarding
from rathaus.core.deployment import unsafe_settings
from rathaus.core.hosts import TownHosts
from rathaus.core.models import Municipality, MunicipalityHost

pytestmark = pytest.mark.django_db

UNKNOWN_TOWN = "Kommune nicht gefunden"  # the tenancy middleware's 400 (after Django's check)


@pytest.fixture
def production_hosts(settings, monkeypatch):
    """ALLOWED_HOSTS as production has it: a list without `*` (here only the operator's)."""
    settings.ALLOWED_HOSTS = TownHosts(["land.example"])
    settings.RATHAUS_OPERATOR_HOSTS = ["land.example"]
    hosts.forget()
    yield
    hosts.forget()


def refused_by_django(response) -> bool:
    """Django's DisallowedHost 400, not the tenancy middleware's page."""
    return response.status_code == 400 and UNKNOWN_TOWN not in response.content.decode()


def test_towns_and_operator_hosts_are_allowed_unknown_hosts_are_not(
    client, town_a, town_b, production_hosts
):
    assert client.get("/", HTTP_HOST="a.test").status_code == 200
    assert client.get("/", HTTP_HOST="B.TEST:8443").status_code == 200
    assert client.get("/land/", HTTP_HOST="land.example").status_code == 302  # to the login
    assert refused_by_django(client.get("/", HTTP_HOST="evil.example"))
    assert refused_by_django(client.get("/", HTTP_HOST="a.test.evil.example"))
    # The password-reset form on an unknown host sends nothing (Host header poisoning).
    client.post("/antraege/konto/passwort-vergessen/", {"email": "x@example.org"}, HTTP_HOST="x.y")
    assert mail.outbox == []


def test_onboarded_town_answers_at_once_without_config_change(
    client, town_a, production_hosts, django_capture_on_commit_callbacks
):
    assert refused_by_django(client.get("/", HTTP_HOST="neu.example"))
    with django_capture_on_commit_callbacks(execute=True):
        onboarding.onboard_town(
            name="Neustadt",
            ags="15099903",
            hosts="neu.example",
            admin_email="admin@neu.example",
            actor_label="test",
        )
    assert client.get("/", HTTP_HOST="neu.example").status_code == 200


def test_other_processes_see_a_new_host_after_the_version_moves(
    client, town_a, production_hosts, monkeypatch, django_assert_num_queries
):
    """Another process onboarded the town: no signal here, only the shared version moves."""
    monkeypatch.setattr(hosts, "CHECK_SECONDS", 0.0)
    assert client.get("/", HTTP_HOST="a.test").status_code == 200  # the set is loaded
    # bulk_create sends no signal: as if another process had written the row.
    MunicipalityHost.objects.bulk_create([MunicipalityHost(municipality=town_a, host="neu.a.test")])
    # Until the version moves, the process keeps its set: no query per request.
    with django_assert_num_queries(0):
        assert refused_by_django(client.get("/", HTTP_HOST="neu.a.test"))
    counters.incr(hosts.VERSION_KEY)
    assert client.get("/", HTTP_HOST="neu.a.test").status_code == 200


def test_removed_host_and_deleted_town_are_refused_after_invalidation(
    client, town_a, town_b, production_hosts, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(hosts, "CHECK_SECONDS", 0.0)
    assert client.get("/", HTTP_HOST="b.test").status_code == 200
    # Another process renamed the host (no signal here): refused once the version moved.
    MunicipalityHost.objects.filter(host="b.test").update(host="b-neu.test")
    counters.incr(hosts.VERSION_KEY)
    assert refused_by_django(client.get("/", HTTP_HOST="b.test"))
    assert client.get("/", HTTP_HOST="b-neu.test").status_code == 200
    # A town deleted in this process: its host names are refused at once.
    with django_capture_on_commit_callbacks(execute=True):
        Municipality.objects.get(pk=town_b.pk).delete()
    assert refused_by_django(client.get("/", HTTP_HOST="b-neu.test"))
    assert client.get("/", HTTP_HOST="a.test").status_code == 200


def test_memory_is_the_host_names_and_iteration_outside_a_request(town_a, town_b, settings):
    settings.RATHAUS_OPERATOR_HOSTS = ["land.example"]
    hosts.forget()
    assert hosts.town_hosts() == {"a.test", "localhost", "b.test", "land.example"}
    allowed = TownHosts(["ops.example"])
    assert len(allowed) == 1 and allowed.configured == ["ops.example"]
    assert set(allowed) == {"ops.example", "a.test", "localhost", "b.test", "land.example"}


def test_production_still_refuses_star_and_empty_lists():
    from types import SimpleNamespace

    base = {
        "DEMO_MODE": False,
        "SECRET_KEY": "s" * 40,
        "DEMO_SECRET_KEY": "demo",
        "APPLICATIONS_PAYMENT_PROVIDER": "",
    }
    for allowed in (TownHosts([]), TownHosts(["*"]), TownHosts(["a.example", "*"])):
        problems = unsafe_settings(SimpleNamespace(**base, ALLOWED_HOSTS=allowed))
        assert any("ALLOWED_HOSTS" in p for p in problems), allowed.configured
    assert unsafe_settings(SimpleNamespace(**base, ALLOWED_HOSTS=TownHosts(["a.example"]))) == []
