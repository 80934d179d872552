"""OParl persons: contact data only when the person chose so, login addresses never."""

import pytest

from rathaus.council.models import Person

pytestmark = pytest.mark.django_db


def _person_json(client, person):
    return client.get(f"/rat/oparl/v1/person/{person.pk}").json()


def test_contact_data_is_not_published_without_consent(client_a, council_a):
    person = council_a.chair
    Person.objects.filter(pk=person.pk).update(phone="0331 1")
    data = _person_json(client_a, person)
    assert "email" not in data and "phone" not in data


def test_contact_data_is_published_when_chosen(client_a, council_a):
    Person.objects.filter(pk=council_a.chair.pk).update(phone="0331 1", publish_contact=True)
    data = _person_json(client_a, council_a.chair)
    assert data["email"] == ["ruenger@a.test"] and data["phone"] == ["0331 1"]


def test_login_address_is_never_published(client_a, council_a):
    member = council_a.member
    Person.objects.filter(pk=member.pk).update(email=member.user.email, publish_contact=True)
    data = _person_json(client_a, member)
    assert "email" not in data
    body = client_a.get(f"/rat/oparl/v1/body/{council_a.body.pk}/person").content.decode()
    assert member.user.email not in body
