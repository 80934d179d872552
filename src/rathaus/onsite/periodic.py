"""Periodic jobs of Vor-Ort (run by `rathaus scheduler`); all are safe to run twice."""

from rathaus.core.periodic import Job

from . import services

JOBS = [
    # Hourly keeps today's value fresh; one row per day and service (the last wins).
    Job("onsite.lead_times", services.record_lead_times, 60 * 60),
    # Retention: onsite.privacy (a row of the retention registry, core.retention).
    # Counters left open after closing would show "geöffnet" and a wait all night.
    Job("onsite.close_counters", services.close_counters_after_hours, 15 * 60),
]
