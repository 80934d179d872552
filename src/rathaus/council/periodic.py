"""Periodic jobs of the council module (run by `rathaus scheduler`)."""

from rathaus.core.periodic import Job

from .services import send_due_alerts

# Saved-search alerts: new matches are mailed once per hour; each alert row is
# locked while it is processed, so running twice does not send twice.
JOBS = [Job("council.saved_search_alerts", send_due_alerts, 3600)]
