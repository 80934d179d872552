"""Tree signs (issue 18, 22/SVV/1134): a printable sign whose QR code opens the tree's
page; the page shows the need per week, what was watered and by whom (pseudonyms)."""

import base64
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import segno
from django.utils import timezone

from rathaus.core import tenancy
from rathaus.participation.trees import services, water
from rathaus.participation.trees.models import Rainfall, Tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(town_a):
    return Tree.objects.create(
        municipality=town_a,
        external_id="A-0007",
        species="Winter-Linde",
        planting_year=timezone.localdate().year - 7,
        street="Lindenstraße",
        latitude=Decimal("52.4"),
        longitude=Decimal("13.06"),
    )


def test_week_need_and_who_watered(client_a, tree, town_a):
    today = timezone.localdate()
    Rainfall.objects.create(municipality=town_a, date=today - timedelta(days=2), mm=Decimal("5"))
    Rainfall.objects.create(municipality=town_a, date=today - timedelta(days=20), mm=Decimal("40"))
    services.add_watering(tree, litres=10, day=today, name="Gießkanne42")
    services.add_watering(tree, litres=20, day=today - timedelta(days=10), name="Altwasser")
    week = services.this_week(tree)
    # junior tree: 200 l per 30 days -> 47 l a week; 5 mm rain and 10 l this week
    assert week["need"] == water.WeekNeed(reference=47, rain=5.0, watered=10, missing=32)
    assert week["names"] == ["Gießkanne42"]
    page = client_a.get(f"/beteiligung/baeume/{tree.pk}/").content.decode()
    assert "Bedarf in der Woche: 47 Liter" in page
    assert "Es fehlen diese Woche: 32 Liter" in page
    assert "Gießkanne42" in page


def test_sign_qr_code_opens_the_tree_page(client_a, tree):
    response = client_a.get(f"/beteiligung/baeume/{tree.pk}/schild/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "A-0007" in page and "47 Liter Wasser in der Woche" in page
    uri = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    svg = base64.b64decode(uri).decode()
    assert svg.startswith("<svg")
    # the code holds the tree's own public page, the address the caption names
    url = tenancy.public_url(tree.municipality, f"/beteiligung/baeume/{tree.pk}/")
    assert f"{url}</figcaption>" in page
    assert svg == segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff")


def test_sign_of_another_towns_tree_is_not_found(client_b, town_b, tree):
    assert client_b.get(f"/beteiligung/baeume/{tree.pk}/schild/").status_code == 404
