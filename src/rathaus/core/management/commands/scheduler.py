import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from rathaus.core.periodic import discover, run_recorded


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
                    close_old_connections()  # one broken by a database restart is replaced
                    run_recorded(job)
                    next_run[job.name] = now + job.every_seconds
            if once:
                return
            time.sleep(1)
