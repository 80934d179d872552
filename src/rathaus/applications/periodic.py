from rathaus.core.periodic import Job

from .services import apply_retention, retry_webhooks

# Retention: anonymise closed cases after their service's period, drop stale drafts.
JOBS = [
    Job("applications.retention", apply_retention, 6 * 3600),
    Job("applications.webhook_retry", retry_webhooks, 600),
]
