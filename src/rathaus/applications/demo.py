"""Demo data of the online applications for Musterstadt (idempotent).

Imports the forms from data files (``data/forms/*.json``) through the path of
``rathaus forms import``, skipping services the catalog lacks; adds clerks for the
responsible offices, a demo citizen, and a few applications in different states so the
clerks' inboxes are alive.
"""

from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from rathaus.catalog.models import Service
from rathaus.core.demo import DEMO_PASSWORD
from rathaus.core.models import Office, Role, StaffRole, User

from . import cases, library, services
from .models import Application, FormDefinition, Payment, PaymentEvent

CITIZEN = ("buerger@musterstadt.example", "Erika", "Mustermann")
CLERKS = [
    ("verkehr@musterstadt.example", "Vera", "Verkehr", "strassenverkehrsamt"),
    ("steuern@musterstadt.example", "Stefan", "Steuer", "steueramt"),
    ("umwelt@musterstadt.example", "Ulla", "Umwelt", "umweltamt"),
    ("wahlen@musterstadt.example", "Walter", "Wahl", "wahlamt"),
    ("bauordnung@musterstadt.example", "Bea", "Bau", "bauordnungsamt"),
    ("sozialamt@musterstadt.example", "Sonja", "Sozial", "sozialamt"),
]

# slug -> (answers, target state)
SAMPLES = {
    "bewohnerparkausweis-beantragen": [
        ({"kennzeichen": "MS-EM 42", "zone": "A", "halter": "selbst", "laufzeit": "12"}, "new"),
        ({"kennzeichen": "MS-K 7", "zone": "C", "halter": "firma", "laufzeit": "24"}, "decided"),
    ],
    "hund-anmelden": [
        (
            {
                "hunde": [
                    {
                        "hund_name": "Bello",
                        "rasse": "Labrador-Mischling",
                        "listenhund": "nein",
                        "ermaessigung": "keine",
                    },
                    {
                        "hund_name": "Luna",
                        "rasse": "Beagle",
                        "listenhund": "nein",
                        "ermaessigung": "tierheim",
                    },
                ],
                "schon_hund": "nein",
            },
            "requested",
        ),
    ],
    "sperrmuell-anmelden": [
        (
            {"menge": 3, "gegenstaende": ["moebel", "matratzen"], "erste_abholung": "nein"},
            "in_progress",
        ),
    ],
    "als-wahlhelferin-oder-wahlhelfer-melden": [
        ({"funktion": "beisitz", "erfahrung": "nein", "iban": "DE02120300000000202051"}, "new"),
    ],
}

BASE = {
    "vorname": "Erika",
    "nachname": "Mustermann",
    "strasse": "Lindenstraße 5",
    "plz": "14999",
    "ort": "Musterstadt",
    "email": CITIZEN[0],
    "geburtsdatum": "1980-05-01",
}


def _user(email, first, last, **extra):
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _clerks(municipality):
    for email, first, last, office_slug in CLERKS:
        office = Office.objects.for_municipality(municipality).filter(slug=office_slug).first()
        if office is None:
            continue
        user = _user(email, first, last, is_staff=True)
        StaffRole.objects.get_or_create(
            user=user, municipality=municipality, role=Role.CLERK, office=office
        )


def _sample(form, citizen, answers, target, clerk):
    steps = [s["key"] for s in form.schema["steps"]]
    app = services.start_draft(form, user=citizen)
    app.data = {**BASE, **answers, "_steps_done": steps}
    app.save(update_fields=["data"])
    app, _ = services.submit(app, user=citizen)
    if app.fee_cents:
        payment = Payment.objects.create(
            municipality=app.municipality,
            application=app,
            provider="demo",
            amount_cents=app.fee_cents,
            description=app.service.name,
        )
        PaymentEvent.objects.create(payment=payment, status="created", source="demo")
        from .payments import record_status

        record_status(payment.pk, "success", source="demo")
    if target in {"in_progress", "requested", "decided"}:
        cases.assign(app, clerk, actor=clerk)
        cases.change_status(app, "in_bearbeitung", actor=clerk)
    if target == "requested":
        cases.request_documents(
            app, "Bitte reichen Sie den Abgabevertrag des Tierheims nach.", actor=clerk
        )
    if target == "decided":
        cases.decide(app, "approved", "Der Bewohnerparkausweis wird erteilt.", actor=clerk)
    return app


def load(municipality):
    citizen = _user(*CITIZEN)
    with transaction.atomic():
        _clerks(municipality)
    import_form_files(municipality)  # the forms come in as data, like a city's
    for slug in library.FORMS:
        service = Service.objects.for_municipality(municipality).filter(slug=slug).first()
        if service is None:
            continue  # the catalog has not got this service (yet)
        form = FormDefinition.objects.filter(
            service=service, state=FormDefinition.State.PUBLISHED
        ).latest("version")
        if Application.objects.filter(service=service, applicant=citizen).exists():
            continue
        clerk = (
            StaffRole.objects.filter(
                municipality=municipality, role=Role.CLERK, office=service.office
            )
            .select_related("user")
            .first()
        )
        for answers, target in SAMPLES.get(slug, []):
            _sample(form, citizen, answers, target, clerk.user if clerk else None)
    _age_due_dates(municipality)
    return municipality


def _age_due_dates(municipality):
    """One overdue case, so the inbox shows what an overdue deadline looks like."""
    app = (
        Application.objects.for_municipality(municipality)
        .filter(state="submitted", closed_at__isnull=True, outcome="")
        .order_by("submitted_at")
        .first()
    )
    if app and app.due_date and app.due_date >= timezone.localdate():
        Application.objects.filter(pk=app.pk).update(
            due_date=timezone.localdate() - timedelta(days=2)
        )


FORM_FILES = Path(__file__).resolve().parent / "data" / "forms"


def import_form_files(municipality) -> int:
    """The social office's forms (and any other data file) through the import path a city
    uses (``rathaus forms import``); forms of services this catalog lacks are left out."""
    import json

    from .form_import import import_forms

    published = 0
    for path in sorted(FORM_FILES.glob("*.json")):
        payload = json.loads(path.read_text(encoding="utf-8"))
        slugs = set(Service.objects.for_municipality(municipality).values_list("slug", flat=True))
        payload["forms"] = [f for f in payload["forms"] if f.get("service") in slugs]
        if payload["forms"]:
            published += import_forms(municipality, payload)
    return published
