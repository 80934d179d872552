"""Participation e-mails (issue 17): the task rows carry ids, never an e-mail address, a
name or a report's text; the mail is rendered from the rows when the task runs. Task rows
outlive the records' anonymisation by a week, so nothing in them may point back.

The rows are checked in the database backend (what production uses); the queued tasks
are then run as the worker would and the mails must arrive as before.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.module_loading import import_string

from rathaus.participation.budget import vote_codes
from rathaus.participation.dialogues import services as dialogues
from rathaus.participation.dialogues.models import DialogueEvent
from rathaus.participation.reports import alerts, services
from rathaus.participation.reports.models import AreaAlert

from .test_vote_codes import voting  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PERSONAL = ["Anna Beispiel", "Tiefes Loch am Musterweg", "Musterweg 7", "Beleidigend"]


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued():
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.order_by("enqueued_at").values_list("task_path", "args_kwargs")
    )


def assert_no_personal_data(rows):
    assert rows, "the flow queued no task"
    for path, args in rows:
        text = str(args)
        assert not EMAIL.search(text), f"{path} carries an e-mail address: {text}"
        for value in PERSONAL:
            assert value not in text, f"{path} carries personal data: {text}"


def run_queued():
    """What the worker does: run every queued task once, then forget the rows."""
    from django_tasks_db.models import DBTaskResult

    for path, args in queued():
        import_string(path).call(*args["args"], **args["kwargs"])
    DBTaskResult.objects.all().delete()


def test_defect_report_mails_carry_ids(db_tasks, town_a, pothole, road_office, clerk_road):
    road_office.email = "tiefbau@stadt-a.example"
    road_office.save()
    report = services.submit_report(
        town_a,
        category=pothole,
        description="Tiefes Loch am Musterweg",
        address="Musterweg 7",
        attributes={"flaeche": "fahrbahn"},
        contact_email="melder@example.org",
        latitude=52.40,
        longitude=13.06,
    )
    services.moderate(report, publish=True, actor=None)
    services.change_status(report, status="fixed", actor=clerk_road, note="Repariert")
    rejected = services.submit_report(
        town_a,
        category=pothole,
        description="Tiefes Loch am Musterweg",
        attributes={"flaeche": "gehweg"},
        contact_email="zweite@example.org",
        latitude=52.40,
        longitude=13.06,
    )
    services.moderate(rejected, publish=False, actor=None, reason="Beleidigend")
    assert_no_personal_data(queued())
    mail.outbox.clear()
    run_queued()
    sent = {(tuple(m.to), m.subject.split(" Nr.")[0]) for m in mail.outbox}
    assert (("melder@example.org",), "Ihre Meldung") in sent
    assert (("tiefbau@stadt-a.example",), "Neue Meldung") in sent
    assert (("zweite@example.org",), "Ihre Meldung") in sent
    bodies = {m.subject: m.body for m in mail.outbox}
    assert "Tiefes Loch am Musterweg" in bodies[f"Neue Meldung Nr. {report.pk}: Schlagloch"]
    assert (
        "Begründung: Beleidigend"
        in bodies[f"Ihre Meldung Nr. {rejected.pk} wird nicht veröffentlicht"]
    )
    assert "erledigt" in bodies[f"Neuer Stand Ihrer Meldung Nr. {report.pk}"].lower()


def test_a_report_anonymised_before_sending_gets_no_mail(db_tasks, town_a, pothole):
    report = services.submit_report(
        town_a,
        category=pothole,
        description="Tiefes Loch am Musterweg",
        attributes={"flaeche": "fahrbahn"},
        contact_email="melder@example.org",
        latitude=52.40,
        longitude=13.06,
    )
    report.contact_email = ""  # what the retention job does
    report.save()
    mail.outbox.clear()
    run_queued()
    assert mail.outbox == []


def test_area_alert_mails_carry_ids(db_tasks, client_a, town_a, pothole):
    client_a.post(
        "/beteiligung/maengel/benachrichtigung/",
        {"email": "anna@example.org", "street": "Musterweg"},
    )
    assert_no_personal_data(queued())
    run_queued()
    assert mail.outbox[-1].to == ["anna@example.org"] and "bestaetigen" in mail.outbox[-1].body
    alert = AreaAlert.objects.get()
    client_a.post(f"/beteiligung/maengel/benachrichtigung/bestaetigen/{alert.token}/")
    report = services.submit_report(
        town_a,
        category=pothole,
        description="Tiefes Loch am Musterweg",
        address="Musterweg 7",
        attributes={"flaeche": "fahrbahn"},
        latitude=52.40,
        longitude=13.06,
    )
    services.moderate(report, publish=True, actor=None)
    run_queued()
    mail.outbox.clear()
    assert alerts.send_due(timezone.now() + timedelta(seconds=1)) == 1
    assert_no_personal_data(queued())
    run_queued()
    assert mail.outbox[-1].to == ["anna@example.org"]
    assert f"Nr. {report.pk} " in mail.outbox[-1].body


def test_dialogue_mails_carry_ids(db_tasks, town_a):
    start = timezone.now() + timedelta(days=7)
    event = DialogueEvent.objects.create(
        municipality=town_a,
        kind="dialogue",
        slug="drewitz",
        title="Stadtteildialog Drewitz",
        venue="Begegnungszentrum",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=1,
    )
    registration = dialogues.register(event, name="Anna Beispiel", email="anna@example.org")
    assert_no_personal_data(queued())
    mail.outbox.clear()
    run_queued()
    assert mail.outbox[-1].to == ["anna@example.org"]
    assert "Guten Tag Anna Beispiel" in mail.outbox[-1].body
    dialogues.confirm(registration)
    assert_no_personal_data(queued())
    run_queued()
    assert mail.outbox[-1].to == ["anna@example.org"] and "angemeldet" in mail.outbox[-1].body


def test_vote_code_mail_is_held_by_id_and_the_row_goes_when_sent(db_tasks, voting):  # noqa: F811
    from rathaus.core.models import HeldMail

    voting.refresh_from_db()
    assert vote_codes.request_email_code(voting, "Waehler@Example.org")
    assert_no_personal_data(queued())
    assert HeldMail.objects.count() == 1
    mail.outbox.clear()
    run_queued()
    assert mail.outbox[-1].to == ["waehler@example.org"] and "Code" in mail.outbox[-1].body
    assert not HeldMail.objects.exists()  # the address is gone once the mail is out
