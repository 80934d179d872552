"""The hold's offer lookup, compiled once (core.prepared), answers as the ORM does."""

import pytest

from rathaus.appointments.api import _offer_for_hold
from rathaus.appointments.views import active_offers
from rathaus.core import prepared
from rathaus.core.prepared import PreparedQuery

pytestmark = pytest.mark.django_db


def _orm(town, service, resource):
    return active_offers(town).filter(service__slug=service, resource__slug=resource).order_by()[:1]


def test_prepared_lookup_equals_the_queryset(offer_a, town_a, town_b, django_assert_num_queries):
    service, resource = offer_a.service.slug, offer_a.resource.slug
    for _ in range(2):  # compiled on the first call, bound on the second
        with django_assert_num_queries(1):
            found = _offer_for_hold.first(town_a.pk, service, resource)
            # select_related objects come with it: no further query
            assert (found.service.slug, found.resource.slug) == (service, resource)
            assert found.resource.location.name == offer_a.resource.location.name
        (expected,) = _orm(town_a, service, resource)
        assert found == expected and found.__dict__.keys() == expected.__dict__.keys()
        assert all(getattr(found, k) == getattr(expected, k) for k in expected.__dict__
                   if not k.startswith("_"))  # fmt: skip
    assert _offer_for_hold.first(town_b.pk, service, resource) is None  # another town's
    assert _offer_for_hold.first(town_a.pk, service, "anderer-schalter") is None
    offer_a.is_active = False
    offer_a.save()
    assert _offer_for_hold.first(town_a.pk, service, resource) is None  # read fresh


@pytest.fixture
def registry_restored():
    """The broken queries made here must not stay in the process-wide list that the
    worker warm-up compiles (tests/core/test_warmup.py runs later in the same process)."""
    before = list(prepared._all)
    yield
    prepared._all[:] = before


def test_each_marker_must_land_on_exactly_one_parameter(town_a, registry_restored):
    unused = PreparedQuery(lambda town, _x: active_offers(town), -5, "\x00unused")
    with pytest.raises(ValueError, match="0 times"):
        unused.all(town_a.pk, "x")
    twice = PreparedQuery(
        lambda town, slug: active_offers(town).filter(service__slug=slug, resource__slug=slug),
        -5,
        "\x00slug",
    )
    with pytest.raises(ValueError, match="2 times"):
        twice.all(town_a.pk, "x")
