"""Cross-town admin: an administrator of town A neither sees nor changes accounts of
town B through the back office's choice lists, forms or actions."""

import pytest

from rathaus.core.models import Role, StaffRole, User
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

ADD = "/verwaltung/admin/core/staffrole/add/"


@pytest.fixture
def people(town_a, town_b):
    return {
        "admin_a": make_staff(town_a, "admin@a.test", Role.ADMINISTRATOR),
        "clerk_a": make_staff(town_a, "clerk@a.test", Role.CATALOG_EDITOR),
        "admin_b": make_staff(town_b, "admin@b.test", Role.ADMINISTRATOR),
        "citizen": User.objects.create_user(
            "geheim.buergerin@example.org", "geheim-123!", first_name="Gerda"
        ),
    }


def test_add_role_form_lists_no_accounts(client_a, people):
    client_a.force_login(people["admin_a"])
    page = client_a.get(ADD).content.decode()
    assert "admin@b.test" not in page
    assert "geheim.buergerin@example.org" not in page
    assert 'name="email"' in page


def test_grant_by_email_to_a_new_account(client_a, town_a, people):
    client_a.force_login(people["admin_a"])
    response = client_a.post(
        ADD, {"email": "Geheim.Buergerin@example.org", "role": Role.CATALOG_EDITOR}
    )
    assert response.status_code == 302
    assert StaffRole.objects.filter(user=people["citizen"], municipality=town_a).exists()


def test_other_towns_staff_cannot_be_granted_a_role(client_a, town_a, people):
    client_a.force_login(people["admin_a"])
    response = client_a.post(ADD, {"email": "admin@b.test", "role": Role.ADMINISTRATOR})
    assert response.status_code == 200
    assert "Kein Konto mit dieser E-Mail-Adresse" in response.content.decode()
    assert not StaffRole.objects.filter(user=people["admin_b"], municipality=town_a).exists()


def test_posting_a_user_id_directly_is_ignored(client_a, town_a, people):
    """The old form took a user id; a hand-made POST with one grants nothing."""
    client_a.force_login(people["admin_a"])
    client_a.post(ADD, {"user": people["admin_b"].pk, "role": Role.ADMINISTRATOR})
    assert not StaffRole.objects.filter(user=people["admin_b"], municipality=town_a).exists()


def test_changing_a_role_cannot_move_it_to_another_account(client_a, town_a, people):
    client_a.force_login(people["admin_a"])
    role = StaffRole.objects.get(user=people["clerk_a"])
    url = f"/verwaltung/admin/core/staffrole/{role.pk}/change/"
    page = client_a.get(url).content.decode()
    assert "admin@b.test" not in page
    client_a.post(url, {"user": people["admin_b"].pk, "role": Role.CATALOG_EDITOR})
    role.refresh_from_db()
    assert role.user == people["clerk_a"]


def test_other_towns_roles_are_not_listed_nor_reachable(client_a, town_b, people):
    client_a.force_login(people["admin_a"])
    page = client_a.get("/verwaltung/admin/core/staffrole/").content.decode()
    assert "admin@b.test" not in page
    role_b = StaffRole.objects.get(user=people["admin_b"])
    response = client_a.get(f"/verwaltung/admin/core/staffrole/{role_b.pk}/change/")
    assert response.status_code == 302  # Django admin: "does not exist" back to the list


def test_user_choice_lists_of_town_models_hold_own_staff_only(people, town_a, rf):
    from django.contrib import admin

    from rathaus.core.admin import TenantAdmin

    request = rf.get("/")
    request.user, request.municipality = people["admin_a"], town_a
    model_admin = TenantAdmin(StaffRole, admin.site)
    field = model_admin.formfield_for_foreignkey(StaffRole._meta.get_field("user"), request)
    assert set(field.queryset) == {people["admin_a"], people["clerk_a"]}


def test_unlock_action_unlocks_own_staff_only(client, client_a, people, settings):
    def lock_out(email):
        for number in range(settings.AXES_FAILURE_LIMIT):
            client.post(
                "/anmelden/",
                {"username": email, "password": "falsch"},
                HTTP_HOST="a.test",
                REMOTE_ADDR=f"198.51.100.{number + 1}",  # per account, not per client
            )

    def locked(email):
        response = client.post(
            "/anmelden/",
            {"username": email, "password": "geheim-123!"},
            HTTP_HOST="a.test",
            REMOTE_ADDR="203.0.113.9",
        )
        client.logout()
        return response.status_code == 429

    for person in ("clerk_a", "admin_b"):
        lock_out(people[person].email)
    assert locked("clerk@a.test") and locked("admin@b.test")
    client_a.force_login(people["admin_a"])
    role_b = StaffRole.objects.get(user=people["admin_b"])
    role_clerk = StaffRole.objects.get(user=people["clerk_a"])
    client_a.post(
        "/verwaltung/admin/core/staffrole/",
        {"action": "unlock_login", "_selected_action": [role_clerk.pk, role_b.pk]},
    )
    client_a.logout()  # the same test client: log in again as the people themselves
    assert not locked("clerk@a.test")
    assert locked("admin@b.test")  # another town's staff: not in this admin's list


def test_council_person_account_link_accepts_own_staff_only(people, town_a, rf):
    """The council's Person.user (a raw id field): another town's account id is invalid."""
    from django.contrib import admin

    from rathaus.council.admin import PersonAdmin
    from rathaus.council.models import Person

    request = rf.get("/")
    request.user, request.municipality = people["admin_a"], town_a
    field = PersonAdmin(Person, admin.site).formfield_for_foreignkey(
        Person._meta.get_field("user"), request
    )
    assert field.clean(people["clerk_a"].pk) == people["clerk_a"]
    for outsider in ("admin_b", "citizen"):
        with pytest.raises(Exception, match="gültige Auswahl|valid choice"):
            field.clean(people[outsider].pk)
