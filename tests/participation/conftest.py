import io

import pytest
from PIL import Image

from rathaus.core.models import Office, Role
from rathaus.participation.reports import open311
from rathaus.participation.reports.models import CategoryAttribute, ReportCategory
from tests.conftest import make_staff


@pytest.fixture(autouse=True)
def _no_tiles(settings):
    settings.PARTICIPATION_MAP_TILE_URL = ""


@pytest.fixture
def road_office(town_a):
    return Office.objects.create(municipality=town_a, slug="a-tiefbau", name="Tiefbauamt A")


@pytest.fixture
def pothole(town_a, road_office):
    category = ReportCategory.objects.create(
        municipality=town_a,
        code="schlagloch",
        name="Schlagloch",
        description="Schäden an Fahrbahn oder Gehweg",
        group="Straße",
        keywords="Straße,Loch",
        office=road_office,
    )
    CategoryAttribute.objects.create(
        category=category,
        code="flaeche",
        datatype="singlevaluelist",
        required=True,
        description="Wo genau?",
        values=[{"key": "fahrbahn", "name": "Fahrbahn"}, {"key": "gehweg", "name": "Gehweg"}],
        order=1,
    )
    return category


@pytest.fixture
def lamp(town_a, road_office):
    return ReportCategory.objects.create(
        municipality=town_a, code="laterne", name="Defekte Laterne", office=road_office
    )


@pytest.fixture
def api_key(town_a):
    _, key = open311.create_client(town_a, "Test-App")
    return key


@pytest.fixture
def moderator_a(town_a):
    return make_staff(town_a, "moderation@a.test", Role.MODERATOR)


@pytest.fixture
def clerk_road(town_a, road_office):
    return make_staff(town_a, "tiefbau@a.test", Role.CLERK, office=road_office)


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF carries a GPS position, a camera model and a comment."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Kamerahersteller"  # Make
    exif[0x0110] = "Spionkamera 3000"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 24.0, 1.5)
    gps[3] = "E"
    gps[4] = (13.0, 3.0, 36.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"geheimer Kommentar")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _run_on_commit_now(request, monkeypatch):
    """Tests run inside one transaction that never commits; run after-commit work at once.

    Browser tests (transaction=True) commit for real and keep Django's behaviour.
    """
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        return
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )
