"""Vor-Ort: service groups with daily walk-in contingents, counters, tickets, figures.

A ``Ticket`` is one person in the waiting room: a walk-in who drew a number at the
kiosk, or an appointment holder who checked in with the booking code. Tickets
carry no names; the link to the booking is dropped by the retention job
(``services.retention``), so the timing rows stay for the figures.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.catalog.models import Service
from rathaus.core.models import Location, TenantModel, User


class QueueRules(TenantModel):
    """How "call next" chooses at a location (ADR 0070)."""

    location = models.OneToOneField(Location, on_delete=models.CASCADE, related_name="queue_rules")
    appointments_per_walk_in = models.PositiveSmallIntegerField(
        _("Termine je Spontankunde"),
        default=2,
        validators=[MinValueValidator(0), MaxValueValidator(20)],
        help_text=_("Nach so vielen Terminkunden wird ein Spontankunde aufgerufen."),
    )
    max_walk_in_wait_minutes = models.PositiveSmallIntegerField(
        _("Höchste Wartezeit ohne Termin (Minuten)"),
        default=45,
        help_text=_("Wer länger wartet, wird vor Terminkunden aufgerufen."),
    )
    on_time_minutes = models.PositiveSmallIntegerField(
        _("Pünktlich bis (Minuten nach Terminbeginn)"), default=10
    )
    max_calls = models.PositiveSmallIntegerField(
        _("Aufrufe bis „nicht erschienen“"), default=3, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("Aufrufregeln")
        verbose_name_plural = _("Aufrufregeln")

    def __str__(self) -> str:
        return str(self.location)


class ServiceGroup(TenantModel):
    """What the kiosk offers: a group of catalog services with its own numbers."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_groups")
    slug = models.SlugField()
    name = models.CharField(_("Bezeichnung"), max_length=120)
    name_en = models.CharField(_("Bezeichnung (Englisch)"), max_length=120, blank=True)
    prefix = models.CharField(_("Buchstabe der Wartenummer"), max_length=2)
    services = models.ManyToManyField(Service, blank=True, related_name="service_groups")
    daily_contingent = models.PositiveSmallIntegerField(
        _("Wartenummern je Tag"), default=40, help_text=_("0 = keine Wartenummern ohne Termin")
    )
    default_minutes = models.PositiveSmallIntegerField(
        _("Übliche Bearbeitungszeit (Minuten)"), default=10, validators=[MinValueValidator(1)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("Anliegengruppe")
        verbose_name_plural = _("Anliegengruppen")
        ordering = ["location", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "slug"], name="group_slug_per_location"),
            models.UniqueConstraint(
                fields=["location", "prefix"], name="group_prefix_per_location"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} – {self.name}"


class Counter(TenantModel):
    """A Schalter/Platz at a location; serves some groups (none = all)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField(_("Nummer"))
    name = models.CharField(_("Bezeichnung"), max_length=60)
    groups = models.ManyToManyField(ServiceGroup, blank=True, related_name="counters")
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("Schalter")
        verbose_name_plural = _("Schalter")
        ordering = ["location", "number"]
        constraints = [
            models.UniqueConstraint(fields=["location", "number"], name="counter_number"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None


class CounterSession(models.Model):
    """One opening of a counter, for the utilisation figures."""

    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="sessions")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.counter_id} {self.opened_at:%Y-%m-%d %H:%M}"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("wartet")
    CALLED = "called", _("aufgerufen")
    DONE = "done", _("erledigt")
    MISSED = "missed", _("nicht erschienen")
    CANCELLED = "cancelled", _("verworfen")


class Ticket(TenantModel):
    class Kind(models.TextChoices):
        WALK_IN = "walk_in", _("ohne Termin")
        APPOINTMENT = "appointment", _("mit Termin")

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="tickets")
    group = models.ForeignKey(
        ServiceGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    day = models.DateField(db_index=True)
    prefix = models.CharField(max_length=2)
    number = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    # Personal link, dropped by the retention job.
    booking = models.ForeignKey(
        "appointments.Booking", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    appointment_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    first_called_at = models.DateTimeField(null=True, blank=True)
    last_called_at = models.DateTimeField(null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(default=0)
    counter = models.ForeignKey(
        Counter, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    # Transferred to a given counter: that counter calls it next.
    target_counter = models.ForeignKey(
        Counter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    service_started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    services_handled = models.ManyToManyField(Service, blank=True, related_name="+")
    anonymised = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("Wartenummer")
        verbose_name_plural = _("Wartenummern")
        ordering = ["day", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "day", "prefix", "number"], name="ticket_number_per_day"
            ),
        ]
        indexes = [models.Index(fields=["location", "day", "status"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.prefix}{self.number:03d}"

    @property
    def wait_minutes(self) -> float | None:
        if not self.first_called_at:
            return None
        return (self.first_called_at - self.created_at).total_seconds() / 60


class LeadTimeSnapshot(TenantModel):
    """Recorded daily: days until the next free online appointment, per location and service."""

    day = models.DateField(db_index=True)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    horizon_days = models.PositiveIntegerField()
    # None: nothing free within the horizon.
    lead_days = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("Vorlaufzeit (Tageswert)")
        verbose_name_plural = _("Vorlaufzeiten (Tageswerte)")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "location", "service"], name="one_lead_time_per_day"
            ),
        ]
