import logging
import time

from django.core.management.base import BaseCommand

from rathaus.core.periodic import discover

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Führt die periodischen Aufgaben aller Module aus (Erinnerungen, Löschfristen …)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="jede Aufgabe einmal ausführen")

    def handle(self, *args, once=False, **options):
        jobs = discover()
        next_run = {job.name: 0.0 for job in jobs}
        self.stdout.write(f"{len(jobs)} periodische Aufgabe(n): {', '.join(j.name for j in jobs)}")
        while True:
            now = time.monotonic()
            for job in jobs:
                if now >= next_run[job.name]:
                    try:
                        job.function()
                    except Exception:  # one failing job must not stop the others
                        log.exception("periodic job %s failed", job.name)
                    next_run[job.name] = now + job.every_seconds
            if once:
                return
            time.sleep(1)
