"""Benchmark of the online applications: submit, payment webhook, clerk inbox, notice PDF.

Run: .venv/bin/python benchmarks/applications.py [N]
Uses an in-memory SQLite database unless DATABASE_URL is set (then use a scratch database:
the script creates rows).
"""

import json
import os
import statistics
import sys
import time

os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
os.environ.setdefault("RATHAUS_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
settings.APPLICATIONS_DEMO_PAY_WEBHOOKS = False
settings.ALLOWED_HOSTS = ["*"]


def timed(fn, n):
    samples = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "n": n,
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
    }


def main(n=200):
    call_command("migrate", verbosity=0)
    from decimal import Decimal

    from rathaus.applications import cases, library, payments, services
    from rathaus.catalog.models import Fee, Service, Topic
    from rathaus.core.models import Municipality, MunicipalityHost, Office, Role, StaffRole, User

    town = Municipality.objects.create(
        slug="bench", name="Bench", ags="12000001", ars="120000010000", land="BB"
    )
    MunicipalityHost.objects.create(municipality=town, host="bench.test")
    office = Office.objects.create(municipality=town, slug="verkehr", name="Verkehr")
    topic = Topic.objects.create(slug="bench", name="Bench")
    service = Service.objects.create(
        municipality=town,
        slug="bewohnerparkausweis-beantragen",
        name="Bewohnerparkausweis",
        summary="x",
        topic=topic,
        office=office,
    )
    Fee.objects.create(service=service, label="Gebühr", amount=Decimal("30.60"))
    form = library.install(service)
    citizen = User.objects.create_user("b@example.org", "x")
    clerk = User.objects.create_user("c@example.org", "x")
    StaffRole.objects.create(user=clerk, municipality=town, role=Role.CLERK, office=office)
    steps = [s["key"] for s in form.schema["steps"]]
    drafts = []
    for _ in range(n):
        app = services.start_draft(form, user=citizen)
        app.data = {"kennzeichen": "P-AB 1", "halter": "selbst", "_steps_done": steps}
        app.save()
        drafts.append(app)

    results = {"submit": timed(lambda i: services.submit(drafts[i], user=citizen), n)}
    for app in drafts:
        app.refresh_from_db()
    pays = []

    def start_pay(i):
        pays.append(
            payments.start_payment(drafts[i], return_url="http://x/r", webhook_url="http://x/w")
        )

    results["start_payment"] = timed(start_pay, n)
    results["webhook_success"] = timed(
        lambda i: payments.record_status(pays[i].pk, "success", source="webhook", event_id=f"e{i}"),
        n,
    )
    results["webhook_duplicate"] = timed(
        lambda i: payments.record_status(pays[i].pk, "success", source="webhook", event_id=f"e{i}"),
        n,
    )
    client = Client(HTTP_HOST="bench.test")
    client.force_login(clerk)
    results["inbox_page"] = timed(lambda i: client.get("/antraege/verwaltung/"), 20)
    results["case_page"] = timed(
        lambda i: client.get(f"/antraege/verwaltung/vorgang/{drafts[i].reference}/"), 20
    )
    results["decision_with_pdf"] = timed(
        lambda i: cases.decide(drafts[i], "approved", "Bewilligt.", actor=clerk), 10
    )
    print(
        json.dumps(
            {"cases": n, "database": settings.DATABASES["default"]["ENGINE"], **results}, indent=2
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
