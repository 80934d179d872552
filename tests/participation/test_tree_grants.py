"""Tree sponsorships with plaque and water vouchers (issue 18): staff record, retention,
data export, account deletion, roles and municipalities."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rathaus.core.export import Person, collect
from rathaus.core.models import AuditEntry, Role, User
from rathaus.core.retention import rules
from rathaus.participation.trees import services
from rathaus.participation.trees.models import Tree, TreeGrant
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db
URL = "/beteiligung/verwaltung/baeume/patenschaften/"


@pytest.fixture
def tree(town_a):
    return Tree.objects.create(
        municipality=town_a,
        external_id="A-0001",
        street="Lindenstraße",
        latitude=Decimal("52.4"),
        longitude=Decimal("13.06"),
    )


@pytest.fixture
def moderator(town_a):
    return make_staff(town_a, "mod@a.test", Role.MODERATOR)


def _post(client, **overrides):
    data = {
        "kind": "sponsorship",
        "tree": "A-0001",
        "email": "buerger@example.org",
        "plaque_text": "Gepflanzt von Familie M.",
        "litres": "",
        "valid_until": (timezone.localdate() + timedelta(days=365)).isoformat(),
    }
    data.update(overrides)
    return client.post(URL, data)


def test_staff_record_sponsorship_and_voucher_once(client_a, tree, citizen, moderator):
    client_a.force_login(moderator)
    assert _post(client_a).status_code == 302
    assert _post(client_a).status_code == 302  # double submit: still one record
    assert _post(client_a, kind="water_voucher", plaque_text="", litres="500").status_code == 302
    grants = TreeGrant.objects.order_by("kind")
    assert [(g.kind, g.user, g.tree, g.issued_by) for g in grants] == [
        ("sponsorship", citizen, tree, moderator),
        ("water_voucher", citizen, tree, moderator),
    ]
    assert grants[0].issued_on == timezone.localdate() and grants[1].litres == 500
    assert AuditEntry.objects.filter(action="participation.trees.grant_issued").count() == 2
    page = client_a.get(URL).content.decode()
    assert "Gepflanzt von Familie M." in page and "500 l" in page and "buerger@example.org" in page


@pytest.mark.parametrize(
    ("overrides", "field_text"),
    [
        ({"tree": "B-9999"}, "Diese Baumnummer gibt es nicht."),
        ({"email": "niemand@example.org"}, "kein Konto"),
        ({"plaque_text": ""}, "Text des Schildes"),
        ({"kind": "water_voucher", "plaque_text": ""}, "Liter des Gutscheins"),
        ({"valid_until": "2000-01-01"}, "Vergangenheit"),
        ({"valid_until": "9999-12-31"}, "Höchstens 10 Jahre"),
        ({"tree": "x" * 10_000}, "60 Zeichen"),
        ({"plaque_text": "a\x00b"}, ""),
        ({"kind": "🌳"}, ""),
        ({"litres": "1" + "0" * 40, "kind": "water_voucher"}, ""),
    ],
)
def test_staff_form_refuses_bad_input(client_a, tree, citizen, moderator, overrides, field_text):
    client_a.force_login(moderator)
    response = _post(client_a, **overrides)
    assert response.status_code == 400
    assert field_text in response.content.decode()
    assert not TreeGrant.objects.exists()


def test_roles_and_municipalities(client_a, tree, citizen, town_b):
    assert client_a.get(URL).status_code == 302
    client_a.force_login(citizen)
    assert _post(client_a).status_code == 403
    client_a.force_login(make_staff(town_b, "mod@b.test", Role.MODERATOR))
    assert _post(client_a).status_code == 403  # moderator of another town
    # a moderator of town B cannot reach town A's tree by number from B's host
    from django.test import Client

    other = Client(HTTP_HOST="b.test")
    other.force_login(User.objects.get(email="mod@b.test"))
    assert _post(other).status_code == 400  # A-0001 is not B's tree
    assert not TreeGrant.objects.exists()


def test_retention_export_and_account_deletion(tree, citizen, moderator, settings):
    today = timezone.localdate()
    grant, created = services.issue_grant(
        tree,
        user=citizen,
        kind="water_voucher",
        valid_until=today,
        actor=moderator,
        litres=200,
    )
    assert created
    assert services.issue_grant(
        tree, user=citizen, kind="water_voucher", valid_until=today, actor=moderator, litres=200
    ) == (grant, False)
    section = next(s for s in collect(Person.of(citizen)) if s.key == "participation.trees")
    assert {"Art": "Wassergutschein", "Liter": 200, "gültig bis": today}.items() <= next(
        r for r in section.records if r["Art"] == "Wassergutschein"
    ).items()
    settings.PARTICIPATION_TREE_GRANT_RETENTION_DAYS = 365
    rule = next(r for r in rules() if r.key == "participation.tree_grants")
    assert "365 Tage nach Ablauf" in rule.period_text()
    assert rule.run(timezone.now() + timedelta(days=365)) == 0
    assert rule.run(timezone.now() + timedelta(days=367)) == 1
    assert not TreeGrant.objects.exists()
    services.issue_grant(
        tree, user=citizen, kind="sponsorship", valid_until=today, actor=moderator, plaque_text="P"
    )
    citizen.delete()
    assert not TreeGrant.objects.exists()


def test_issue_grant_validates(tree, citizen, moderator):
    with pytest.raises(ValidationError):
        services.issue_grant(
            tree, user=citizen, kind="other", valid_until=timezone.localdate(), actor=moderator
        )
