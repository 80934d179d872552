"""Every e-mail goes out from its town's sender with links to its town's address (ADR 0215).

Two towns of one installation, each with its own sender (``Municipality.mail_sender``)
and portal address (``base_url``): each kind of mail sent for a town carries that
town's From and only links under that town's address, never the other's or the
installation's (a link to another town's site opens a 404 there).
"""

import re
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from rathaus.core import held_mail
from rathaus.core.models import Office
from rathaus.council import services as council
from rathaus.council.models import SavedSearch
from rathaus.participation.dialogues import services as dialogues
from rathaus.participation.dialogues.models import DialogueEvent
from rathaus.participation.reports import alerts
from rathaus.participation.reports import services as reports
from rathaus.participation.reports.models import AreaAlert, ReportCategory

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "rathaus"
TOWNS = {
    "a": ("https://service.stadt-a.example", "buergerservice@stadt-a.example"),
    "b": ("https://portal.stadt-b.example", "post@stadt-b.example"),
}


@pytest.fixture(autouse=True)
def _no_tiles(settings):
    settings.PARTICIPATION_MAP_TILE_URL = ""


@pytest.fixture
def towns(town_a, town_b):
    for key, town in (("a", town_a), ("b", town_b)):
        town.base_url, town.mail_sender = TOWNS[key]
        town.save()
    return {"a": town_a, "b": town_b}


def assert_from_town(message, key: str, town, *, linked: bool = True) -> None:
    base_url, sender = TOWNS[key]
    name, address = parseaddr(message.from_email)
    assert (name, address) == (town.name, sender), (message.subject, message.from_email)
    links = re.findall(r"https?://\S+", message.body)
    assert links or not linked, message.body
    for link in links:
        assert link.startswith(base_url + "/"), (message.subject, link)


def in_each_town(towns, run):
    """Run ``run(town)`` in both towns and return the mails sent for each."""
    sent = {}
    for key, town in towns.items():
        mail.outbox.clear()
        run(town)
        sent[key] = list(mail.outbox)
        assert sent[key], f"no mail for town {key}"
        for message in sent[key]:
            assert_from_town(message, key, town, linked=False)
        assert any("://" in m.body for m in sent[key])
    return sent


def category(town):
    office = Office.objects.create(
        municipality=town, slug=f"{town.slug}-tiefbau", name="Tiefbau", email="tiefbau@x.example"
    )
    return ReportCategory.objects.create(
        municipality=town, code="schlagloch", name="Schlagloch", office=office
    )


def test_defect_report_mails(towns, django_capture_on_commit_callbacks):
    def run(town):
        pothole = category(town)
        with django_capture_on_commit_callbacks(execute=True):
            report = reports.submit_report(
                town,
                category=pothole,
                description="Loch",
                contact_email="melder@example.org",
                latitude=52.40,
                longitude=13.06,
            )
            reports.moderate(report, publish=True, actor=None)
            reports.change_status(report, status="fixed", actor=None, note="Repariert")
            second = reports.submit_report(
                town,
                category=pothole,
                description="Loch zwei",
                contact_email="zweite@example.org",
                latitude=52.40,
                longitude=13.06,
            )
            reports.moderate(second, publish=False, actor=None, reason="Doppelt")

    sent = in_each_town(towns, run)
    for messages in sent.values():
        subjects = " | ".join(m.subject for m in messages)
        for kind in ("ist eingegangen", "Neue Meldung", "Neuer Stand", "nicht veröffentlicht"):
            assert kind in subjects


def test_rejected_report_mail_without_links(towns, django_capture_on_commit_callbacks):
    """A mail without links still carries the town's sender."""
    for key, town in towns.items():
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            report = reports.submit_report(
                town,
                category=category(town),
                description="Loch",
                contact_email="m@example.org",
                latitude=52.4,
                longitude=13.06,
            )
            reports.moderate(report, publish=False, actor=None, reason="Doppelt")
        [rejected] = [m for m in mail.outbox if "nicht veröffentlicht" in m.subject]
        assert parseaddr(rejected.from_email)[1] == TOWNS[key][1]


def test_area_alert_mails(towns, django_capture_on_commit_callbacks):
    def run(town):
        with django_capture_on_commit_callbacks(execute=True):
            alert = alerts.subscribe(town, email="anna@example.org", street="Musterweg")
        alerts.confirm(AreaAlert.objects.get(pk=alert.pk))
        with django_capture_on_commit_callbacks(execute=True):
            report = reports.submit_report(
                town,
                category=category(town),
                description="Loch",
                address="Musterweg 7",
                latitude=52.40,
                longitude=13.06,
            )
            reports.moderate(report, publish=True, actor=None)
        with django_capture_on_commit_callbacks(execute=True):
            assert alerts.send_due(timezone.now() + timedelta(seconds=1)) == 1

    sent = in_each_town(towns, run)
    for messages in sent.values():
        assert any("bestätigen" in m.subject for m in messages)
        assert any("in Ihrem Gebiet" in m.subject for m in messages)


def test_dialogue_mails(towns, django_capture_on_commit_callbacks):
    def run(town):
        start = timezone.now() + timedelta(days=7)
        event = DialogueEvent.objects.create(
            municipality=town,
            kind="dialogue",
            slug="drewitz",
            title="Stadtteildialog",
            venue="Begegnungszentrum",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=5,
        )
        with django_capture_on_commit_callbacks(execute=True):
            registration = dialogues.register(event, name="Anna", email="anna@example.org")
        with django_capture_on_commit_callbacks(execute=True):
            dialogues.confirm(registration)

    sent = in_each_town(towns, run)
    assert all(len(messages) == 2 for messages in sent.values())


def test_council_alert_mails(towns, django_capture_on_commit_callbacks):
    def run(town):
        with django_capture_on_commit_callbacks(execute=True):
            alert = council.subscribe_alert(town, "rat@example.org", "Radweg")
        council.confirm_alert(SavedSearch.objects.get(pk=alert.pk))
        council.create_paper(town, name="Radweg an der Havel", paper_type="Beschlussvorlage")
        with django_capture_on_commit_callbacks(execute=True):
            assert council.send_due_alerts(timezone.now() + timedelta(seconds=1)) == 1

    sent = in_each_town(towns, run)
    for messages in sent.values():
        assert [m.subject.split(":")[0].split(" zu")[0] for m in messages] == [
            "Bitte bestätigen",
            "Neue Drucksachen",
        ]


def test_held_mail_goes_out_from_its_town(towns, django_capture_on_commit_callbacks):
    for key, town in towns.items():
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            held_mail.send_after_commit(
                "w@example.org", "Code", f"{town.base_url}/x/", municipality=town
            )
        [message] = mail.outbox
        assert_from_town(message, key, town)


def test_without_own_sender_the_installation_sends(town_a, settings):
    from rathaus.core.mail import town_message

    settings.DEFAULT_FROM_EMAIL = "Land <noreply@land.example>"
    assert (
        town_message(town_a, "s", "b", ["x@example.org"]).from_email == settings.DEFAULT_FROM_EMAIL
    )
    assert town_message(None, "s", "b", ["x@example.org"]).from_email == settings.DEFAULT_FROM_EMAIL


def test_every_send_path_goes_through_core_mail():
    """Django's mail API is called in core.mail only: a new send path cannot forget the
    town's sender (the other modules call send_town_mail / town_message)."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.relative_to(SRC).as_posix() in ("core/mail.py", "core/ops/mail.py"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\b(send_mail|send_mass_mail|EmailMessage|EmailMultiAlternatives)\(", text):
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


def test_password_reset_mail_per_town(client, towns, citizen):
    for key, town in towns.items():
        mail.outbox.clear()
        client.post(
            "/antraege/konto/passwort-vergessen/",
            {"email": citizen.email},
            HTTP_HOST=f"{key}.test",
        )
        [message] = mail.outbox
        assert_from_town(message, key, town)


def test_neighbourhood_confirmation_mail(towns, django_capture_on_commit_callbacks):
    from rathaus.participation.neighbourhood import services as neighbourhood

    def run(town):
        with django_capture_on_commit_callbacks(execute=True):
            neighbourhood.subscribe(
                town, email="anna@example.org", way="area", box=(52.39, 13.05, 52.41, 13.07)
            )

    in_each_town(towns, run)
