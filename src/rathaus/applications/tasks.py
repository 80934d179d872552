"""Background work of the applications module: e-mails and signed webhook deliveries."""

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request

from django.utils import timezone
from django_tasks import task

from rathaus.core.mail import send_town_mail, town_message

logger = logging.getLogger(__name__)


@task()
def send_email(to: str, subject: str, body: str, upload_ids: list[int] | None = None) -> None:
    """Kept only so that task rows queued before ids-only mails still run; not enqueued
    any more (guest messages: ``send_guest_message``)."""
    if not upload_ids:
        send_town_mail(None, subject, body, [to])  # no town is known: the installation's
        return
    from .models import Upload

    message = town_message(None, subject, body, [to])
    for upload in Upload.objects.filter(pk__in=upload_ids):
        with upload.file.open("rb") as handle:
            message.attach(upload.original_name, handle.read(), upload.content_type)
    message.send()


@task()
def send_guest_message(message_id: int) -> None:
    """A message to a guest applicant (no Postfach), with its attachments, rendered from
    the rows when the task runs; a case anonymised before sending gets no mail."""
    from .models import Message

    message = (
        Message.objects.select_related("application__municipality")
        .filter(pk=message_id, application__isnull=False)
        .first()
    )
    if message is None or not message.application.guest_email:
        return
    app = message.application
    body = f"{message.body}\n\nAktenzeichen: {app.reference}\n{app.municipality.name}"
    email = town_message(app.municipality, message.subject, body, [app.guest_email])
    for upload in message.attachments.all():
        with upload.file.open("rb") as handle:
            email.attach(upload.original_name, handle.read(), upload.content_type)
    email.send()


#: E-mails about an application: template and subject (rendered when sent).
CASE_MAILS = {
    "submitted": ("applications/email/submitted.txt", "Ihr Antrag {ref}: {service}"),
    "new_message": (
        "applications/email/new_message.txt",
        "Neue Nachricht zu Ihrem Antrag {ref}",
    ),
}


@task()
def send_case_mail(application_id: int, kind: str) -> None:
    """An e-mail about an application, rendered at send time from the row.

    The task row carries ids only, so it cannot undo the case's anonymisation; a case
    anonymised (or deleted) before sending gets no mail.
    """
    from django.template.loader import render_to_string

    from .models import Application

    app = (
        Application.objects.select_related("service__office", "municipality", "applicant")
        .filter(pk=application_id, anonymised_at__isnull=True)
        .first()
    )
    if app is None or not app.contact_email:
        return
    template, subject = CASE_MAILS[kind]
    body = render_to_string(template, {"app": app})
    subject = subject.format(ref=app.reference, service=app.service.name)
    send_town_mail(app.municipality, subject, body, [app.contact_email])


@task()
def send_pickup_mail(application_id: int) -> None:
    """ "Ready for pick-up" with the signed booking link (ADR 0029), rendered at send time.

    Carries the id only; the link comes from the town's base URL and the mail from the
    town's sender. An anonymised case gets no mail."""
    from django.template.loader import render_to_string
    from django.urls import reverse

    from rathaus.core import tenancy

    from . import pickup
    from .models import Application

    app = (
        Application.objects.select_related(
            "service__office", "municipality", "applicant", "form__pickup_service"
        )
        .filter(pk=application_id, anonymised_at__isnull=True, pickup_ready_at__isnull=False)
        .first()
    )
    if app is None or not app.contact_email:
        return
    path = reverse("applications:pickup", args=[pickup.make_token(app)])
    offer = pickup.offer_for(app)
    body = render_to_string(
        "applications/email/pickup_ready.txt",
        {
            "app": app,
            "link": tenancy.public_url(app.municipality, path),
            "offer": offer,
            "walk_in": pickup.walk_in_days(app, offer, days=7),
        },
    )
    send_town_mail(
        app.municipality,
        f"Abholbereit: {app.service.name} ({app.reference})",
        body,
        [app.contact_email],
    )


@task()
def send_account_mail(user_id: int, kind: str, municipality_id: int | None) -> None:
    """Activation or "you already have an account", rendered at send time.

    Carries the account id, not the address; the activation token is made when the
    mail is sent (it is bound to the account's state, so it cannot go stale in the queue).
    """
    from django.contrib.auth import get_user_model
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from rathaus.core import tenancy
    from rathaus.core.models import Municipality

    from .account_tokens import activation_tokens

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return
    # Links from the town's configured base URL, never from a request's Host header.
    town = Municipality.objects.filter(pk=municipality_id).first()
    if kind == "activate":
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        path = reverse("applications:activate", args=[uid, activation_tokens.make_token(user)])
        body = render_to_string(
            "applications/email/activate.txt",
            {"user": user, "link": tenancy.public_url(town, path)},
        )
        subject = "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    else:
        path = reverse("applications:password_reset")
        link = tenancy.public_url(town, path)
        body = render_to_string("applications/email/already_registered.txt", {"link": link})
        subject = "Sie haben bereits ein Konto"
    send_town_mail(town, subject, body, [user.email])


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over '<timestamp>.<body>' (replay window checked by the receiver)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def post_json(url: str, body: bytes, headers: dict, timeout: float = 10) -> int:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError) as exc:
        logger.warning("webhook to %s failed: %s", url, exc)
        return 0


@task()
def deliver_webhook(delivery_id: int) -> None:
    """POST one outgoing event to a case-management system, signed with its secret."""
    from .models import WebhookDelivery

    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if delivery.delivered_at:
        return
    body = json.dumps(delivery.payload, sort_keys=True).encode()
    headers = {
        "X-Rathaus-Event": delivery.event,
        "X-Rathaus-Delivery": str(delivery.pk),
        "X-Rathaus-Signature": sign(delivery.endpoint.secret, int(time.time()), body),
    }
    status = post_json(delivery.endpoint.url, body, headers)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=delivery.attempts + 1,
        response_status=status or None,
        delivered_at=timezone.now() if 200 <= status < 300 else None,
    )
