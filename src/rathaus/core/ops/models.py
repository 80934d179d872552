"""Tables of the operations layer: when each periodic job last ran, and which e-mails a
task already handed to the mail server (so a retried task does not send them again)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicJobRun(models.Model):
    """One row per periodic job: the scheduler's last run, shown on the Betrieb page."""

    name = models.CharField(max_length=100, unique=True)
    last_started_at = models.DateTimeField(null=True)
    last_finished_at = models.DateTimeField(null=True)
    last_ok = models.BooleanField(default=True)
    last_error = models.TextField(blank=True)
    runs = models.PositiveBigIntegerField(default=0)
    failures = models.PositiveBigIntegerField(default=0)

    class Meta:
        app_label = "core"
        verbose_name = _("Lauf einer periodischen Aufgabe")
        verbose_name_plural = _("Läufe periodischer Aufgaben")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SentMail(models.Model):
    """An e-mail the mail server accepted, keyed by task id and message number.

    A task that fails after some of its e-mails went out (server gone mid-loop, worker
    killed) runs again; it skips the messages recorded here. Rows are pruned with the
    task results (retention row ``core.finished_tasks``).
    """

    key = models.CharField(max_length=100, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "core"
        verbose_name = _("versandte E-Mail")
        verbose_name_plural = _("versandte E-Mails")

    def __str__(self) -> str:
        return self.key


class HeldMail(models.Model):
    """An e-mail to an address that is stored nowhere else, held until its task sent it.

    Two mails have no row to render from when the task runs: the confirmation of a
    deleted account (the account is gone) and a budget vote code (address and code are
    kept only as hashes). The task then carries this row's id, never the address; the
    row is deleted when the mail is sent, or after a week if it never was (retention row
    ``core.held_mails``).
    """

    recipient = models.EmailField()
    # The town whose sender the mail goes out from (core.mail); none: the installation's.
    municipality = models.ForeignKey(
        "core.Municipality", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "core"
        verbose_name = _("zurückgehaltene E-Mail")
        verbose_name_plural = _("zurückgehaltene E-Mails")

    def __str__(self) -> str:
        return f"HeldMail {self.pk}"


class ServiceMode(models.Model):
    """A municipality's operating mode: normal, incident (online writes of citizens
    paused, offline alternatives published) or maintenance (read-only for everyone).
    No row means normal. Changed only through ``ops.modes.set_mode`` (audited)."""

    class Mode(models.TextChoices):
        NORMAL = "normal", _("Normalbetrieb")
        INCIDENT = "incident", _("Störungsbetrieb")
        MAINTENANCE = "maintenance", _("Wartung (nur lesen)")

    municipality = models.OneToOneField(
        "core.Municipality", on_delete=models.CASCADE, related_name="service_mode"
    )
    mode = models.CharField(_("Betriebsart"), max_length=20, choices=Mode.choices)
    notice = models.TextField(_("Hinweis auf jeder Seite"), blank=True)
    alternatives = models.TextField(
        _("Wege ohne Online-Dienst"),
        blank=True,
        help_text=_("Telefonnummern, offene Sprechzeiten, wo Anträge abgegeben werden können"),
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "core"
        verbose_name = _("Betriebsart")
        verbose_name_plural = _("Betriebsarten")

    def __str__(self) -> str:
        return f"{self.municipality_id}: {self.mode}"
