"""Background work of the applications module: e-mails and signed webhook deliveries."""

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request

from django.core.mail import EmailMessage, send_mail
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_email(to: str, subject: str, body: str, upload_ids: list[int] | None = None) -> None:
    """Plain-text e-mail; guests (no Postfach) get notices as attachments."""
    if not upload_ids:
        send_mail(subject, body, None, [to])
        return
    from .models import Upload

    message = EmailMessage(subject, body, None, [to])
    for upload in Upload.objects.filter(pk__in=upload_ids):
        with upload.file.open("rb") as handle:
            message.attach(upload.original_name, handle.read(), upload.content_type)
    message.send()


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


@task()
def send_demo_pay_webhook(token: str, event_id: str, status: str) -> None:
    """The demo provider notifies the service, like a real provider would, over HTTP."""
    from .payments import demo_webhook_request

    url, body, headers = demo_webhook_request(token, event_id, status)
    post_json(url, body, headers)
