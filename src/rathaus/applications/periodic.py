from rathaus.core.periodic import Job

from .services import retry_webhooks

# Retention (closed cases, stale drafts) are rows of the retention registry:
# applications.privacy (core.retention).
JOBS = [
    Job("applications.webhook_retry", retry_webhooks, 600),
]
