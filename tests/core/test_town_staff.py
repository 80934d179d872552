"""A town's administrators invite their own staff and grant roles in their own town
only; accounts of other towns are neither listed nor changed (issue 21)."""

import pytest
from django.core import mail

from rathaus.core.models import AuditEntry, Office, Role, StaffRole, User
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

PAGE = "/verwaltung/personal/"


@pytest.fixture(autouse=True)
def _run_on_commit(monkeypatch):
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())


@pytest.fixture
def people(town_a, town_b):
    return {
        "admin_a": make_staff(town_a, "admin@a.test", Role.ADMINISTRATOR),
        "clerk_a": make_staff(town_a, "clerk@a.test", Role.CLERK),
        "admin_b": make_staff(town_b, "admin@b.test", Role.ADMINISTRATOR),
        "clerk_b": make_staff(town_b, "clerk@b.test", Role.CLERK),
        "citizen": User.objects.create_user("buerger@example.org", "geheim-123!"),
    }


def test_page_lists_own_staff_only(client_a, people):
    client_a.force_login(people["admin_a"])
    page = client_a.get(PAGE).content.decode()
    assert "clerk@a.test" in page and "admin@a.test" in page
    assert "@b.test" not in page and "buerger@example.org" not in page


def test_only_administrators_enter(client_a, people):
    client_a.force_login(people["clerk_a"])
    assert client_a.get(PAGE).status_code == 403
    assert client_a.post(PAGE, {"email": "x@a.test", "role": Role.ADMINISTRATOR}).status_code == 403
    assert not User.objects.filter(email="x@a.test").exists()
    client_a.logout()
    assert client_a.get(PAGE).status_code == 302


def test_invite_a_new_person(client_a, town_a, people):
    office = Office.objects.filter(municipality=town_a).first() or Office.objects.create(
        municipality=town_a, slug="amt", name="Amt"
    )
    client_a.force_login(people["admin_a"])
    response = client_a.post(
        PAGE,
        {
            "email": "Neu@A.test",
            "first_name": "Nora",
            "last_name": "Neu",
            "role": Role.CLERK,
            "office": office.pk,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="neu@a.test")
    assert not user.has_usable_password() and user.first_name == "Nora"
    assert StaffRole.objects.filter(user=user, municipality=town_a, role=Role.CLERK, office=office)
    assert AuditEntry.objects.filter(action="core.staff_invited", object_id=str(user.pk))
    [message] = mail.outbox
    assert message.to == ["neu@a.test"] and "/antraege/konto/passwort-neu/" in message.body
    # Twice the same: nothing new, no second mail.
    client_a.post(PAGE, {"email": "neu@a.test", "role": Role.CLERK, "office": office.pk})
    assert StaffRole.objects.filter(user=user).count() == 1 and len(mail.outbox) == 1


def test_existing_citizen_account_gets_a_role(client_a, town_a, people):
    client_a.force_login(people["admin_a"])
    client_a.post(PAGE, {"email": "buerger@example.org", "role": Role.MODERATOR})
    assert StaffRole.objects.filter(user=people["citizen"], municipality=town_a).exists()
    assert "neue Rolle" in mail.outbox[0].body


@pytest.mark.parametrize("who", ["admin_b", "clerk_b"])
def test_other_towns_staff_cannot_be_given_a_role(client_a, town_a, people, who):
    client_a.force_login(people["admin_a"])
    response = client_a.post(PAGE, {"email": people[who].email, "role": Role.ADMINISTRATOR})
    assert response.status_code == 200
    assert "gehört zu einer anderen" in response.content.decode()
    assert not StaffRole.objects.filter(user=people[who], municipality=town_a).exists()
    assert not mail.outbox


def test_operator_account_cannot_be_given_a_role(client_a, town_a, people):
    User.objects.create_superuser("betrieb@land.test", "x-123456!")
    client_a.force_login(people["admin_a"])
    client_a.post(PAGE, {"email": "betrieb@land.test", "role": Role.CLERK})
    assert not StaffRole.objects.filter(user__email="betrieb@land.test").exists()


def test_office_of_another_town_is_refused(client_a, town_b, people):
    office_b = Office.objects.create(municipality=town_b, slug="amt-b", name="Amt B")
    client_a.force_login(people["admin_a"])
    response = client_a.post(
        PAGE, {"email": "neu@a.test", "role": Role.CLERK, "office": office_b.pk}
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="neu@a.test").exists()


def test_revoke_own_town_roles_only(client_a, town_a, people):
    client_a.force_login(people["admin_a"])
    role_b = StaffRole.objects.get(user=people["clerk_b"])
    client_a.post(f"{PAGE}{role_b.pk}/entziehen/")
    assert StaffRole.objects.filter(pk=role_b.pk).exists()
    role_a = StaffRole.objects.get(user=people["clerk_a"])
    client_a.post(f"{PAGE}{role_a.pk}/entziehen/")
    assert not StaffRole.objects.filter(pk=role_a.pk).exists()
    assert AuditEntry.objects.filter(action="core.role_revoked", municipality=town_a).exists()
    for junk in ("abc", "10" * 40, "%C2%B2", "-1"):
        assert client_a.post(f"{PAGE}{junk}/entziehen/").status_code in (302, 404)


def test_last_administrator_stays(client_a, people):
    client_a.force_login(people["admin_a"])
    role = StaffRole.objects.get(user=people["admin_a"])
    response = client_a.post(f"{PAGE}{role.pk}/entziehen/", follow=True)
    assert "letzte Administration" in response.content.decode()
    assert StaffRole.objects.filter(pk=role.pk).exists()


def test_hostile_values_give_no_500(client_a, people):
    client_a.force_login(people["admin_a"])
    for value in ("\x00", "x" * 10_000, "🏛", "²", str(10**40)):
        for field in ("email", "first_name", "role", "office"):
            data = {"email": "ok@a.test", "role": Role.CLERK, field: value}
            assert client_a.post(PAGE, data).status_code in (200, 302), (field, value)


def test_page_in_english(client_a, people):
    client_a.force_login(people["admin_a"])
    client_a.cookies["django_language"] = "en"
    page = client_a.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Staff and roles" in page and "Invite a person or give a role" in page
