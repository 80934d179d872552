"""Fair release (ADR 0021): release schedules, lotteries, waiting lists.

Imported at the end of ``models.py`` so Django registers them with the app.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rathaus.catalog.models import Service
from rathaus.core.models import WEEKDAYS, TenantModel


class ReleaseSchedule(TenantModel):
    """When the unit rows of some resources become visible: weekly or daily, FCFS or lottery.

    Unit rows are shared by all services of a resource, so a release is per resource
    (location counters); the services offered there are released together.
    """

    class Mode(models.TextChoices):
        FIRST_COME = "fcfs", _("Wer zuerst kommt (Freischaltung)")
        LOTTERY = "lottery", _("Verlosung im Freigabefenster")

    name = models.CharField(_("Bezeichnung"), max_length=200)
    resources = models.ManyToManyField(
        "appointments.Resource", related_name="release_schedules", verbose_name=_("Ressourcen")
    )
    weekday = models.PositiveSmallIntegerField(
        _("Wochentag der Freigabe"),
        choices=WEEKDAYS,
        null=True,
        blank=True,
        help_text=_("leer = täglich; sonst wird jeweils die folgende Kalenderwoche freigegeben"),
    )
    at_time = models.TimeField(_("Uhrzeit der Freigabe"))
    lead_days = models.PositiveSmallIntegerField(
        _("Vorlauf bei täglicher Freigabe (Tage)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("täglich 07:00 mit Vorlauf 14 = der Tag in zwei Wochen"),
    )
    mode = models.CharField(
        _("Verfahren"), max_length=8, choices=Mode.choices, default=Mode.FIRST_COME
    )
    lottery_minutes = models.PositiveSmallIntegerField(
        _("Dauer des Verlosungsfensters (Minuten)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    # Rules that change on a date (seed 003: "until 13 March next week's slots on Thursday
    # 18:00"): the schedule governs the days whose release moment lies in this range.
    valid_from = models.DateField(_("gültig ab"), null=True, blank=True)
    valid_until = models.DateField(_("gültig bis"), null=True, blank=True)

    class Meta:
        verbose_name = _("Freigabeplan")
        verbose_name_plural = _("Freigabepläne")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def applies_on(self, day) -> bool:
        """Does the schedule release on ``day`` (the day of a release moment)?"""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class ReleaseRun(models.Model):
    """One release moment that has passed: what became visible (counts for staff)."""

    schedule = models.ForeignKey(ReleaseSchedule, on_delete=models.CASCADE, related_name="runs")
    released_at = models.DateTimeField()
    first_day = models.DateField()
    last_day = models.DateField()
    units = models.PositiveIntegerField(default=0)
    places = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-released_at"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "released_at"], name="release_run_once")
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.released_at:%Y-%m-%d %H:%M} ({self.units})"


class Lottery(TenantModel):
    """The lottery of one release moment: entries collected in the window, then one draw."""

    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        DRAWN = "drawn", _("ausgelost")

    schedule = models.ForeignKey(
        ReleaseSchedule, on_delete=models.CASCADE, related_name="lotteries"
    )
    opens_at = models.DateTimeField(_("Beginn des Fensters"))
    closes_at = models.DateTimeField(_("Ende des Fensters"))
    first_day = models.DateField(_("erster verloster Tag"))
    last_day = models.DateField(_("letzter verloster Tag"))
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    seed = models.CharField(max_length=64, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    # Summary of the draw: counts and the canonical order's hash (for the audit).
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("Verlosung")
        verbose_name_plural = _("Verlosungen")
        ordering = ["-opens_at"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "opens_at"], name="lottery_once_per_moment")
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {self.opens_at:%d.%m.%Y %H:%M}"


class TimeOfDay(models.TextChoices):
    ANY = "any", _("egal")
    MORNING = "morning", _("vormittags (bis 12 Uhr)")
    AFTERNOON = "afternoon", _("nachmittags (ab 12 Uhr)")


class LotteryEntry(models.Model):
    """One person's request in a lottery window, with wishes."""

    class Status(models.TextChoices):
        ENTERED = "entered", _("nimmt teil")
        WON = "won", _("Termin erhalten")
        LOST = "lost", _("kein Termin")

    lottery = models.ForeignKey(Lottery, on_delete=models.CASCADE, related_name="entries")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    resource_ids = models.JSONField(default=list)
    days = models.JSONField(default=list, help_text="ISO dates; empty = any day")
    time_of_day = models.CharField(max_length=10, choices=TimeOfDay.choices, default="any")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    person_key = models.CharField(max_length=254)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ENTERED)
    booking = models.ForeignKey(
        "appointments.Booking", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["lottery", "person_key"], name="one_entry_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.lottery_id}:{self.pk} {self.status}"


class WaitlistEntry(TenantModel):
    """A place in line for a service; a freed slot becomes a time-limited offer."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("wartet")
        OFFERED = "offered", _("Angebot offen")
        BOOKED = "booked", _("gebucht")
        EXPIRED = "expired", _("Angebot verfallen")
        LEFT = "left", _("abgemeldet")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    resource_ids = models.JSONField(default=list)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    person_key = models.CharField(max_length=254)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    booking = models.ForeignKey(
        "appointments.Booking", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offers_made = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Wartelistenplatz")
        verbose_name_plural = _("Warteliste")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "person_key"],
                condition=Q(status__in=["waiting", "offered"]),
                name="one_waitlist_place_per_person",
            )
        ]
