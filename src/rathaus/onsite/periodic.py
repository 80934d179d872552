"""Periodic jobs of Vor-Ort (run by `rathaus scheduler`); safe to run twice."""

from rathaus.core.periodic import Job

from . import services

JOBS = [
    # Hourly keeps today's value fresh; one row per day and service (the last wins).
    Job("onsite.lead_times", services.record_lead_times, 60 * 60),
    # Retention: onsite.privacy (a row of the retention registry, core.retention).
]
