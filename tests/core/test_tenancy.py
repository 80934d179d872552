import pytest

from rathaus.core.models import Office


@pytest.mark.django_db
def test_host_selects_municipality(client_a, town_a, town_b):
    page = client_a.get("/aemter/").content.decode()
    assert "Bürgerbüro A" in page
    assert "Bürgerbüro B" not in page


@pytest.mark.django_db
def test_other_municipalitys_location_is_404(client_a, town_b):
    response = client_a.get("/standorte/b-mitte/")
    assert response.status_code == 404
    assert "nicht gefunden" in response.content.decode()


@pytest.mark.django_db
def test_unknown_host_gets_german_400(client, town_a):
    response = client.get("/", HTTP_HOST="unbekannt.test")
    assert response.status_code == 400
    assert "Kommune nicht gefunden" in response.content.decode()


@pytest.mark.django_db
def test_default_municipality_for_unknown_host_in_demo_mode(client, town_a, settings):
    settings.RATHAUS_DEFAULT_MUNICIPALITY = "stadt-a"
    response = client.get("/aemter/", HTTP_HOST="irgendwas.test")
    assert response.status_code == 200
    assert "Bürgerbüro A" in response.content.decode()


@pytest.mark.django_db
def test_production_never_falls_back_to_a_default_town(client, town_a, settings):
    """Outside demo mode a configured fallback is ignored: unknown hosts get 400."""
    settings.DEMO_MODE = False
    settings.RATHAUS_DEFAULT_MUNICIPALITY = "stadt-a"
    response = client.get("/aemter/", HTTP_HOST="irgendwas.test")
    assert response.status_code == 400


@pytest.mark.django_db
def test_scoped_manager_filters(town_a, town_b):
    names = set(Office.objects.for_municipality(town_a).values_list("name", flat=True))
    assert names == {"Bürgerbüro A"}


@pytest.mark.django_db
def test_moved_host_name_is_seen_at_once(client, town_a, town_b):
    """The process remembers host names, but a changed mapping is looked up again."""
    from rathaus.core.models import MunicipalityHost

    assert "Bürgerbüro A" in client.get("/aemter/", HTTP_HOST="a.test").content.decode()
    MunicipalityHost.objects.filter(host="a.test").delete()
    MunicipalityHost.objects.create(municipality=town_b, host="a.test")
    page = client.get("/aemter/", HTTP_HOST="a.test").content.decode()
    assert "Bürgerbüro B" in page and "Bürgerbüro A" not in page


@pytest.mark.django_db
def test_each_request_gets_its_own_municipality_object(town_a):
    from rathaus.core.tenancy import municipality_for_host

    first, second = municipality_for_host("a.test"), municipality_for_host("A.test:443")
    first.name = "geändert"
    assert second.pk == first.pk == town_a.pk and second.name == town_a.name


@pytest.mark.django_db
def test_other_processes_see_a_changed_host_after_the_commit(
    town_a, town_b, django_capture_on_commit_callbacks
):
    """Another process keeps its own memo; the shared version tells it to look again."""
    from rathaus.core import tenancy
    from rathaus.core.models import MunicipalityHost

    assert tenancy.municipality_for_host("a.test").pk == town_a.pk
    remembered = dict(tenancy._hosts._values)  # what another process still holds
    with django_capture_on_commit_callbacks(execute=True):
        MunicipalityHost.objects.filter(host="a.test").update(municipality=town_b)
        MunicipalityHost.objects.get(host="a.test").save()
    tenancy._hosts._values.update(remembered)
    assert tenancy.municipality_for_host("a.test").pk == town_b.pk


@pytest.mark.django_db
def test_a_request_reads_all_memo_versions_in_one_round_trip(client, town_a, monkeypatch):
    """Host, service modes and offers each have a memo; one get_many serves them all."""
    from rathaus.core import memo

    reads = []

    class Counting:
        def __init__(self, cache):
            self.cache = cache

        def get(self, key, default=None):
            reads.append(("get", key))
            return self.cache.get(key, default)

        def get_many(self, keys):
            reads.append(("get_many", tuple(keys)))
            return self.cache.get_many(keys)

        def __getattr__(self, name):  # the counters' other functions
            return getattr(self.cache, name)

    monkeypatch.setattr(memo, "cache", Counting(memo.cache))
    # The versions' MGET goes through the counters' pooled round trip (issue 24).
    monkeypatch.setattr(memo, "counters", Counting(memo.counters))
    client.get("/api/v1/appointments/availability?service=keine", HTTP_HOST="a.test")
    version_keys = {m.version_key for m in memo._registry}
    assert len(version_keys) >= 3
    assert reads == [("get_many", tuple(m.version_key for m in memo._registry))]
    reads.clear()
    from rathaus.core import tenancy

    tenancy.municipality_for_host("a.test")  # outside a request: asks on its own
    assert reads == [("get", tenancy._hosts.version_key)]


def test_the_keys_learned_for_reading_ahead_stay_bounded(monkeypatch):
    """Any client chooses the query a request is learned under: the memory is bounded."""
    from rathaus.core import memo

    monkeypatch.setattr(memo, "_learned", {})
    monkeypatch.setattr(memo, "_learned_size", [0])
    monkeypatch.setattr(memo, "_MAX_LEARNED_KEYS", 10)
    for query in range(3):
        memo._learn(("a.test", "/api", f"q={query}"), ["k1", "k2", "k3"], "counter")
    assert len(memo._learned) == 3 and memo._learned_size == [9]
    memo._learn(("a.test", "/api", "q=0"), ["k1"], "counter")  # the same request again
    assert memo._learned_size == [7]
    memo._learn(("a.test", "/api", "q=9"), ["k"] * 4, "counter")  # over the bound: forget
    assert list(memo._learned) == [("a.test", "/api", "q=9")] and memo._learned_size == [4]


def test_what_is_derived_from_a_memo_value_is_kept_for_that_object_only(monkeypatch):
    """``memo.derived`` computes once per (object, token); another object (e.g. the rows
    loaded again after a change) computes anew even if it got the id of a freed one."""
    from rathaus.core import memo

    monkeypatch.setattr(memo, "_derived", {})
    monkeypatch.setattr(memo, "_MAX_DERIVED", 3)
    computed = []

    def derive(value, token):
        return memo.derived(value, token, lambda: computed.append(token) or len(computed))

    first, second = object(), object()
    assert [derive(first, "a"), derive(first, "a"), derive(first, "b")] == [1, 1, 2]
    assert derive(second, "a") == 3  # another object: its own value
    ghost = object()
    memo._derived[(id(ghost), "a")] = (first, "stale")  # an id taken over by a new object
    assert derive(ghost, "a") == 4
    assert len(memo._derived) <= 3  # bounded: emptied when full
