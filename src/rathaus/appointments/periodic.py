"""Periodic jobs of the Terminvergabe (run by `rathaus scheduler`); each is safe to run twice."""

from rathaus.core.periodic import Job

from . import releases, services, waitlist
from .services import policy

JOBS = [
    Job("appointments.expire_holds", services.expire_holds, 60),
    Job("appointments.reminders", services.send_due_reminders, 15 * 60),
    Job("appointments.materialise", services.materialise_all, 60 * 60),
    # Fair release (ADR 0021): releases and draws on the minute, cooldowns, waiting list.
    Job("appointments.releases", releases.run_due, 30),
    Job("appointments.cooldown", services.return_cooled_down_units, 60),
    Job("appointments.waitlist", waitlist.sync, 5 * 60),
    # Rules that change on a date (issue 15): due horizon changes, a few minutes after midnight.
    Job("appointments.horizon_changes", policy.apply_due_horizon_changes, 5 * 60),
]
