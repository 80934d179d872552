import pytest

from rathaus.core import audit, ratelimit
from rathaus.core.models import AuditEntry, Office, Role
from tests.conftest import make_staff


@pytest.mark.django_db
def test_audit_entries_are_append_only(town_a, admin_a):
    office = Office.objects.for_municipality(town_a).first()
    entry = audit.record("office.updated", office, actor=admin_a, data={"field": "name"})
    assert entry.municipality == town_a and entry.actor == admin_a
    entry.action = "changed"
    with pytest.raises(ValueError):
        entry.save()


def test_rate_limit_triggers_and_resets():
    verdicts = [ratelimit.hit("test", "1.2.3.4", 3, 60) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert 1 <= verdicts[-1].retry_after <= 60
    ratelimit.reset("test", "1.2.3.4", 60)
    assert ratelimit.hit("test", "1.2.3.4", 3, 60).allowed


@pytest.mark.django_db
def test_admin_shows_only_own_municipality(client_a, town_a, town_b, editor_a):
    client_a.force_login(editor_a)
    page = client_a.get("/verwaltung/admin/core/office/").content.decode()
    assert "Bürgerbüro A" in page and "Bürgerbüro B" not in page
    other = Office.objects.for_municipality(town_b).first()
    assert client_a.get(f"/verwaltung/admin/core/office/{other.pk}/change/").status_code in (
        302,
        404,
    )


@pytest.mark.django_db
def test_role_in_other_municipality_gives_nothing(client_b, town_a, town_b):
    editor = make_staff(town_a, "nur-a@a.test", Role.CATALOG_EDITOR)
    client_b.force_login(editor)
    assert client_b.get("/verwaltung/admin/core/office/").status_code == 403
    assert client_b.get("/verwaltung/").status_code == 403


@pytest.mark.django_db
def test_clerk_cannot_edit_catalog(client_a, town_a):
    clerk = make_staff(
        town_a, "clerk@a.test", Role.CLERK, Office.objects.for_municipality(town_a).first()
    )
    client_a.force_login(clerk)
    assert client_a.get("/verwaltung/admin/core/office/").status_code == 403


@pytest.mark.django_db
def test_audit_log_has_no_cross_tenant_entries(client_a, town_a, town_b, admin_a):
    audit.record("x", Office.objects.for_municipality(town_b).first())
    client_a.force_login(admin_a)
    page = client_a.get("/verwaltung/admin/core/auditentry/").content.decode()
    assert AuditEntry.objects.count() == 1
    assert "0 Protokoll" in page or "0 Protokolleinträge" in page or ">x<" not in page
