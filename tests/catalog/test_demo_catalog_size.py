"""The demo catalog at city size (issue 15, ADR 0012): 300+ services spread over every
Themenfeld, legally fixed fees right, online links only to application services, and no
catalog service for a matter the assistant hands to another authority."""

import json
from collections import Counter
from decimal import Decimal
from urllib.parse import urlparse

from rathaus.catalog import demo, elsewhere

SERVICES = demo.all_demo_services()
BY_SLUG = {service["slug"]: service for service in SERVICES}
NEW_FILES = [path for path in demo.demo_files() if path.stem.endswith("_2")]
NEW_SLUGS = {
    record["id"]
    for path in NEW_FILES
    for record in json.loads(path.read_text("utf-8"))["leistungen"]
}
# Start pages of services where the citizen really applies or completes the matter online.
APPLICATION_PORTALS = {
    "www.aufstiegs-bafoeg.de",
    "www.organspende-register.de",
    "id.bund.de",
    "www.kfw.de",
    "www.bewacherregister.de",
    "www.vemags.de",
    "vergabemarktplatz.brandenburg.de",
    "www.interamt.de",
    "www.boris-brandenburg.de",
    "geobasis-bb.de",
}


def test_catalog_has_the_size_of_a_city_and_covers_every_themenfeld():
    assert len(SERVICES) >= 300
    assert len(NEW_SLUGS) >= 160
    per_topic = Counter(service["topic"] for service in SERVICES)
    assert len(per_topic) == 14
    assert min(per_topic.values()) >= 10, per_topic


def test_fees_fixed_by_law():
    def amounts(slug):
        return [Decimal(fee["amount"]) for fee in BY_SLUG[slug]["fees"]]

    assert amounts("einbuergerungstest-ablegen") == [Decimal("25.00")]
    assert amounts("eid-karte-fuer-eu-buergerinnen-und-eu-buerger-beantragen") == [Decimal("37.00")]
    assert amounts("passbild-im-buergerbuero-aufnehmen-lassen") == [Decimal("6.00")]
    assert amounts("vorsorgevollmacht") == [Decimal("10.00")]


def test_new_services_link_only_to_application_portals_and_their_start_pages():
    for slug in NEW_SLUGS:
        url = BY_SLUG[slug]["online_url"]
        if not url:
            continue
        parsed = urlparse(url)
        assert parsed.scheme == "https" and parsed.netloc in APPLICATION_PORTALS, (slug, url)
        assert parsed.path in ("", "/"), (slug, url)
        assert BY_SLUG[slug]["maturity_level"] >= 3, slug


def test_no_service_is_named_after_a_matter_of_another_authority():
    """Kindergeld, Rente, Kfz-Steuer …: the assistant points elsewhere (elsewhere.json)."""
    for service in SERVICES:
        assert elsewhere.match(service["name"]) is None, service["slug"]
    for slug in NEW_SLUGS:
        for word in BY_SLUG[slug]["synonyms"].split(","):
            assert elsewhere.match(word) is None, (slug, word)
