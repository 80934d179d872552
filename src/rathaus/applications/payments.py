"""E-payment: a provider interface with GOV.UK-Pay-like states, and the demo provider.

A provider creates a payment and hands back the URL of its hosted payment page
(``next_url``). After paying, the citizen comes back to our return URL; we then ask the
provider for the status (never trusting the return itself) and the provider also
sends a signed webhook. Both paths end in ``record_status``, which is idempotent:
a terminal status never changes again and one provider event is recorded once.

The demo provider is a real hosted flow served by this app under /antraege/demo-pay/:
its own table (DemoPaymentSession) is its 'remote' state, it redirects back to the
return URL and POSTs an HMAC-signed webhook over HTTP.
"""

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from rathaus.core import audit

from . import tasks
from .models import Application, CaseEvent, DemoPaymentSession, Payment, PaymentEvent

Status = Payment.Status

# Allowed moves of the GOV.UK Pay model; terminal states have none.
TRANSITIONS = {
    Status.CREATED: {Status.STARTED, Status.SUCCESS, Status.FAILED, Status.CANCELLED, Status.ERROR},
    Status.STARTED: {Status.SUCCESS, Status.FAILED, Status.CANCELLED, Status.ERROR},
}


class PaymentUnavailable(Exception):
    """No (or an unknown) payment provider is configured."""


class WebhookRejected(Exception):
    """Signature missing, wrong, or too old."""


@dataclass
class CreatedPayment:
    provider_id: str
    next_url: str


@dataclass
class WebhookEvent:
    event_id: str
    provider_id: str
    status: str


class PaymentProvider:
    """What every provider adapter implements."""

    name = ""

    def create(self, payment: Payment, return_url: str, webhook_url: str) -> CreatedPayment:
        raise NotImplementedError

    def fetch_status(self, provider_id: str) -> str:
        raise NotImplementedError

    def parse_webhook(self, body: bytes, headers) -> WebhookEvent:
        raise NotImplementedError


def webhook_secret() -> str:
    return (
        getattr(settings, "APPLICATIONS_DEMO_PAY_SECRET", "")
        or hashlib.sha256(("demo-pay:" + settings.SECRET_KEY).encode()).hexdigest()
    )


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(secret: str, header: str, body: bytes, tolerance: int = 300) -> None:
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError) as exc:
        raise WebhookRejected("malformed signature") from exc
    if abs(time.time() - timestamp) > tolerance:
        raise WebhookRejected("signature too old")
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, given):
        raise WebhookRejected("bad signature")


class DemoProvider(PaymentProvider):
    name = "demo"

    def create(self, payment, return_url, webhook_url):
        session = DemoPaymentSession.objects.create(
            token=secrets.token_urlsafe(24),
            amount_cents=payment.amount_cents,
            description=payment.description,
            reference=payment.reference,
            return_url=return_url,
            webhook_url=webhook_url,
        )
        next_url = reverse("applications:demo_pay", args=[session.token])
        return CreatedPayment(provider_id=session.token, next_url=next_url)

    def fetch_status(self, provider_id):
        session = DemoPaymentSession.objects.filter(token=provider_id).first()
        return session.status if session else Status.ERROR

    def parse_webhook(self, body, headers):
        verify_signature(webhook_secret(), headers.get("X-Demo-Pay-Signature", ""), body)
        try:
            data = json.loads(body)
            return WebhookEvent(data["event_id"], data["payment_id"], data["status"])
        except (ValueError, KeyError, TypeError) as exc:
            raise WebhookRejected("malformed body") from exc


def get_provider(name: str | None = None) -> PaymentProvider:
    providers = getattr(
        settings,
        "APPLICATIONS_PAYMENT_PROVIDERS",
        {"demo": "rathaus.applications.payments.DemoProvider"},
    )
    name = name or getattr(settings, "APPLICATIONS_PAYMENT_PROVIDER", "")
    if name not in providers:
        # Production without a configured provider (the demo one is refused there).
        raise PaymentUnavailable(name)
    return import_string(providers[name])()


# --- the service side -------------------------------------------------------------------


def start_payment(application: Application, *, return_url: str, webhook_url: str) -> Payment | None:
    """Create (or reuse) the open payment of an application; None when nothing is owed.

    The provider is called while the application row is locked, so a double click
    (two requests at once) continues one payment instead of opening two.
    """
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        if not app.fee_cents or app.payments.filter(status=Status.SUCCESS).exists():
            return None
        open_payment = app.payments.filter(status__in=[Status.CREATED, Status.STARTED]).first()
        if open_payment:
            return open_payment
        provider = get_provider()
        payment = Payment.objects.create(
            municipality=app.municipality,
            application=app,
            provider=provider.name,
            amount_cents=app.fee_cents,
            description=f"{app.service.name} – {app.reference}",
        )
        PaymentEvent.objects.create(payment=payment, status=Status.CREATED, source="service")
        created = provider.create(payment, return_url, webhook_url)
        payment.provider_id, payment.next_url = created.provider_id, created.next_url
        payment.save(update_fields=["provider_id", "next_url", "updated_at"])
        audit.record("applications.payment_created", payment, data={"amount": app.fee_cents})
    return payment


def record_status(
    payment_id: int, status: str, *, source: str, event_id: str | None = None
) -> bool:
    """Move a payment to ``status`` once; True if this call changed anything."""
    if status not in Status.values:
        status = Status.ERROR
    try:
        with transaction.atomic():
            if event_id and PaymentEvent.objects.filter(provider_event_id=event_id).exists():
                return False
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            if status not in TRANSITIONS.get(payment.status, set()):
                return False  # duplicate, late or out-of-order news changes nothing
            payment.status = status
            payment.save(update_fields=["status", "updated_at"])
            PaymentEvent.objects.create(
                payment=payment, status=status, source=source, provider_event_id=event_id
            )
            audit.record(
                "applications.payment_status", payment, data={"status": status, "source": source}
            )
            if status == Status.SUCCESS:
                _on_paid(payment)
            return True
    except IntegrityError:  # the same event id raced in; the other call recorded it
        return False


def start_booking_payment(booking, *, return_url: str, webhook_url: str) -> Payment | None:
    """Create (or reuse) the open payment of a booking's reservation fee; None when
    nothing is owed (no fee, already paid, or the booking is no longer payable).

    The booking row is locked while the provider is called, so a double click continues
    one payment instead of opening two (as for applications).
    """
    from rathaus.appointments import fees
    from rathaus.appointments.models import Booking

    with transaction.atomic():
        locked = Booking.objects.select_for_update().select_related("service").get(pk=booking.pk)
        if not fees.payable(locked):
            return None
        payments = Payment.objects.filter(booking=locked)
        if payments.filter(status=Status.SUCCESS).exists():
            return None
        open_payment = payments.filter(status__in=[Status.CREATED, Status.STARTED]).first()
        if open_payment:
            return open_payment
        provider = get_provider()
        amount = round(locked.fee * 100)
        payment = Payment.objects.create(
            municipality_id=locked.municipality_id,
            booking=locked,
            provider=provider.name,
            amount_cents=amount,
            description=f"Reservierungsgebühr {locked.service.name} – Termin {locked.code}",
        )
        PaymentEvent.objects.create(payment=payment, status=Status.CREATED, source="service")
        created = provider.create(payment, return_url, webhook_url)
        payment.provider_id, payment.next_url = created.provider_id, created.next_url
        payment.save(update_fields=["provider_id", "next_url", "updated_at"])
        audit.record("applications.payment_created", payment, data={"amount": amount})
    return payment


def _on_paid(payment: Payment) -> None:
    from . import services

    if payment.booking_id is not None:
        # The booking belongs to the appointments app: it records the payment itself.
        from rathaus.appointments import services as booking_services

        booking_services.record_fee_paid(
            payment.booking_id, amount_cents=payment.amount_cents, source="payment"
        )
        return
    app = payment.application
    CaseEvent.objects.create(
        application=app,
        kind=CaseEvent.Kind.PAYMENT,
        text=f"Gebühr von {payment.amount_cents / 100:.2f} € bezahlt.".replace(".", ",", 1),
        actor_label="Zahlungsdienst",
        internal=False,
    )
    services.announce_ready(app)


def sync_from_provider(payment: Payment, source: str = "return") -> Payment:
    """Ask the provider for the truth (after the return redirect)."""
    if payment.is_finished or not payment.provider_id:
        return payment
    status = get_provider(payment.provider).fetch_status(payment.provider_id)
    if status != payment.status:
        record_status(payment.pk, status, source=source)
    payment.refresh_from_db()
    return payment


def handle_webhook(provider_name: str, body: bytes, headers) -> bool:
    """Verify and apply a provider webhook; raises WebhookRejected on a bad signature."""
    try:
        provider = get_provider(provider_name)
    except PaymentUnavailable as exc:
        raise WebhookRejected("unknown provider") from exc
    event = provider.parse_webhook(body, headers)
    payment = Payment.objects.filter(provider=provider.name, provider_id=event.provider_id).first()
    if payment is None:
        raise WebhookRejected("unknown payment")
    return record_status(payment.pk, event.status, source="webhook", event_id=event.event_id)


# --- the demo provider's hosted page ----------------------------------------------------

TEST_CARDS = {
    "4444333322221111": DemoPaymentSession.Status.SUCCESS,
    "4000000000000002": DemoPaymentSession.Status.FAILED,
}


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in number][::-1]
    total = sum(
        d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits)
    )
    return total % 10 == 0


def demo_transition(session: DemoPaymentSession, status: str, card_last4: str = "") -> bool:
    """Change the demo provider's own state and notify the service by webhook."""
    with transaction.atomic():
        locked = DemoPaymentSession.objects.select_for_update().get(pk=session.pk)
        finished = {
            DemoPaymentSession.Status.SUCCESS,
            DemoPaymentSession.Status.FAILED,
            DemoPaymentSession.Status.CANCELLED,
        }
        if locked.status in finished or locked.status == status:
            return False
        locked.status = status
        locked.card_last4 = card_last4 or locked.card_last4
        locked.save(update_fields=["status", "card_last4"])
        if getattr(settings, "APPLICATIONS_DEMO_PAY_WEBHOOKS", True):
            event_id = f"evt_{secrets.token_hex(12)}"
            transaction.on_commit(
                lambda: send_demo_pay_webhook.enqueue(locked.token, event_id, status)
            )
    return True


def demo_webhook_request(token: str, event_id: str, status: str) -> tuple[str, bytes, dict]:
    session = DemoPaymentSession.objects.get(token=token)
    body = json.dumps(
        {
            "event_id": event_id,
            "payment_id": token,
            "status": status,
            "created": timezone.now().isoformat(),
        }
    ).encode()
    headers = {"X-Demo-Pay-Signature": signature(webhook_secret(), int(time.time()), body)}
    return session.webhook_url, body, headers


@task()
def send_demo_pay_webhook(token: str, event_id: str, status: str) -> None:
    """The demo provider notifies the service, like a real provider would, over HTTP.

    The provider's own task (was in ``tasks.py``, which made tasks -> payments ->
    services -> tasks a loop); the general task module only lends ``post_json``.
    """
    url, body, headers = demo_webhook_request(token, event_id, status)
    tasks.post_json(url, body, headers)
