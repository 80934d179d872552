"""Periodic jobs of the Terminvergabe (run by `rathaus scheduler`); each is safe to run twice."""

from rathaus.core.periodic import Job

from . import services

JOBS = [
    Job("appointments.expire_holds", services.expire_holds, 60),
    Job("appointments.reminders", services.send_due_reminders, 15 * 60),
    Job("appointments.materialise", services.materialise_all, 60 * 60),
]
