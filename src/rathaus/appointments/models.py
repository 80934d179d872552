"""Terminvergabe: bookable resources, rules, per-unit capacity rows and bookings.

The capacity model (ADR 0020): every resource (a pool of parallel counters, or a
room) has one ``Slot`` row per time unit with ``capacity`` and ``booked``. A booking
needs k consecutive units and takes them with one guarded UPDATE
(``booked = booked + 1 WHERE booked < limit``) whose row count must equal k.
Because at every unit the bookings never exceed the counters, an assignment of
bookings to concrete counters always exists (interval graphs); the day view
computes it on the fly.
"""

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rathaus.catalog.models import Service
from rathaus.core.models import WEEKDAYS, Location, Municipality, TenantModel, User

# Booking codes avoid characters that are easily confused (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


CODE_LENGTH = 8


def new_booking_code() -> str:
    """8 characters of ``CODE_ALPHABET``, each uniform and independent: one draw below
    31⁸ written in base 31 (one ``os.urandom`` call instead of eight ``secrets.choice``
    calls, 28 → 8 µs on every hold, issue 24)."""
    number = secrets.randbelow(len(CODE_ALPHABET) ** CODE_LENGTH)
    code = []
    for _position in range(CODE_LENGTH):
        number, digit = divmod(number, len(CODE_ALPHABET))
        code.append(CODE_ALPHABET[digit])
    return "".join(code)


class Resource(TenantModel):
    """Something that receives citizens in parallel: the counters of a location or a room."""

    class Kind(models.TextChoices):
        COUNTERS = "counters", _("Schalter (parallele Plätze)")
        ROOM = "room", _("Raum (z. B. Trausaal)")

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="resources")
    slug = models.SlugField(_("Kurzname in Adressen"))
    name = models.CharField(_("Bezeichnung"), max_length=200)
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices, default=Kind.COUNTERS)
    description = models.TextField(_("Beschreibung"), blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Terminressource")
        verbose_name_plural = _("Terminressourcen")
        ordering = ["location__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="resource_slug_per_town")
        ]

    def __str__(self) -> str:
        return f"{self.location.name} – {self.name}"


class Offer(TenantModel):
    """A catalog service bookable at a resource, with its duration and policies."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="offers")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="offers")
    duration_units = models.PositiveSmallIntegerField(
        _("Dauer (Zeiteinheiten)"), default=1, validators=[MinValueValidator(1)]
    )
    units_per_extra_person = models.PositiveSmallIntegerField(
        _("Zusätzliche Zeiteinheiten je weiterer Person"),
        default=1,
        help_text=_("Zwei Reisepässe = doppelte Zeit: gleich der Dauer setzen."),
    )
    max_persons = models.PositiveSmallIntegerField(
        _("Höchstzahl Personen/Vorgänge"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    bring_note = models.TextField(
        _("Bitte mitbringen"),
        blank=True,
        help_text=_("Leer lassen, um die Unterlagen aus dem Leistungskatalog zu zeigen."),
    )
    bring_note_en = models.TextField(_("Bitte mitbringen (englisch)"), blank=True)
    lead_time_hours = models.PositiveIntegerField(_("Frühestens buchbar ab (Stunden)"), default=2)
    horizon_days = models.PositiveIntegerField(
        _("Buchungshorizont (Tage)"), default=14, validators=[MinValueValidator(1)]
    )
    extended_horizon_days = models.PositiveIntegerField(
        _("Erweiterter Horizont gegen Gebühr (Tage)"),
        default=0,
        help_text=_("z. B. Traukalender: später als sechs Monate gegen Gebühr; 0 = keiner"),
    )
    extended_fee = models.DecimalField(
        _("Gebühr für den erweiterten Horizont (EUR)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    walk_in_share = models.PositiveSmallIntegerField(
        _("Für Spontankunden zurückgehaltener Anteil (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
    )
    one_per_person = models.BooleanField(
        _("Nur ein aktiver Termin je Person und Leistung"), default=True
    )
    is_active = models.BooleanField(_("online buchbar"), default=True)

    class Meta:
        verbose_name = _("Terminangebot")
        verbose_name_plural = _("Terminangebote")
        ordering = ["service__name", "resource__location__name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "resource"], name="offer_once_per_resource")
        ]

    def __str__(self) -> str:
        return f"{self.service.name} @ {self.resource}"

    def units_for(self, persons: int) -> int:
        return self.duration_units + max(0, persons - 1) * self.units_per_extra_person

    def clean(self):
        if self.extended_horizon_days and self.extended_horizon_days <= self.horizon_days:
            raise ValidationError(
                {"extended_horizon_days": _("Der erweiterte Horizont muss länger sein.")}
            )


def validate_weekdays(value):
    if not isinstance(value, list) or not value or any(d not in range(7) for d in value):
        raise ValidationError(_("Bitte mindestens einen Wochentag (0 = Montag … 6 = Sonntag)."))


class AvailabilityRule(models.Model):
    """A weekly window in which a resource has ``counters`` parallel places."""

    class Kind(models.TextChoices):
        APPOINTMENTS = "appointments", _("Termine")
        WALK_IN = "walk_in", _("Nur ohne Termin (z. B. Kontingentsprechstunde)")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(
        _("Art"), max_length=12, choices=Kind.choices, default=Kind.APPOINTMENTS
    )
    weekdays = models.JSONField(
        _("Wochentage"), default=list, validators=[validate_weekdays], help_text="0 = Montag"
    )
    start_time = models.TimeField(_("von"))
    end_time = models.TimeField(_("bis"))
    counters = models.PositiveSmallIntegerField(
        _("Parallele Plätze"), default=1, validators=[MinValueValidator(1)]
    )
    unit_minutes = models.PositiveSmallIntegerField(
        _("Länge einer Zeiteinheit (Minuten)"),
        default=10,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    valid_from = models.DateField(_("gültig ab"))
    valid_until = models.DateField(_("gültig bis"), null=True, blank=True)

    class Meta:
        verbose_name = _("Verfügbarkeitsregel")
        verbose_name_plural = _("Verfügbarkeitsregeln")
        ordering = ["resource", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__lt=models.F("end_time")), name="rule_start_before_end"
            )
        ]

    def __str__(self) -> str:
        days = ", ".join(str(WEEKDAYS[d][1])[:2] for d in sorted(self.weekdays or []))
        return f"{days} {self.start_time:%H:%M}–{self.end_time:%H:%M} ({self.counters})"

    def applies_on(self, day) -> bool:
        if day < self.valid_from or (self.valid_until and day > self.valid_until):
            return False
        return day.weekday() in self.weekdays

    def overlaps(self, other: "AvailabilityRule") -> bool:
        if not set(self.weekdays) & set(other.weekdays):
            return False
        if self.start_time >= other.end_time or other.start_time >= self.end_time:
            return False
        self_end = self.valid_until or self.valid_from.replace(year=9999)
        other_end = other.valid_until or other.valid_from.replace(year=9999)
        return self.valid_from <= other_end and other.valid_from <= self_end

    def clean(self):
        if self.start_time and self.end_time and self.start_time >= self.end_time:
            raise ValidationError({"end_time": _("„bis“ muss nach „von“ liegen.")})
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("„gültig bis“ liegt vor „gültig ab“.")})
        if self.start_time and self.end_time and self.unit_minutes:
            minutes = (self.end_time.hour * 60 + self.end_time.minute) - (
                self.start_time.hour * 60 + self.start_time.minute
            )
            if minutes % self.unit_minutes:
                raise ValidationError(
                    {"unit_minutes": _("Das Zeitfenster muss ein Vielfaches der Zeiteinheit sein.")}
                )
        if not self.resource_id or not isinstance(self.weekdays, list):
            return
        others = AvailabilityRule.objects.filter(resource_id=self.resource_id).exclude(pk=self.pk)
        for other in others:
            if self.overlaps(other):
                raise ValidationError(
                    _(
                        "Diese Regel überschneidet sich mit der bestehenden Regel „%(other)s“ "
                        "(gültig ab %(since)s). Bitte Zeiten, Wochentage oder Gültigkeit anpassen."
                    )
                    % {"other": other, "since": other.valid_from.strftime("%d.%m.%Y")}
                )


class CapacityException(models.Model):
    """A dated change: closure (all places gone), reduced places, or extra places."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("geschlossen")
        REDUCED = "reduced", _("weniger Plätze (z. B. Personalausfall)")
        EXTRA = "extra", _("zusätzliche Termine")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="exceptions")
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("Datum"))
    start_time = models.TimeField(_("von"), null=True, blank=True, help_text=_("leer = ganztags"))
    end_time = models.TimeField(_("bis"), null=True, blank=True)
    counters = models.PositiveSmallIntegerField(
        _("Plätze weniger bzw. zusätzlich"), default=1, validators=[MinValueValidator(1)]
    )
    unit_minutes = models.PositiveSmallIntegerField(
        _("Zeiteinheit für zusätzliche Termine (Minuten)"), default=10
    )
    reason = models.CharField(_("Grund"), max_length=200, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Ausnahme")
        verbose_name_plural = _("Ausnahmen")
        ordering = ["date", "start_time"]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.get_kind_display()} {self.reason}"

    def clean(self):
        if (self.start_time is None) != (self.end_time is None):
            raise ValidationError(_("Bitte „von“ und „bis“ angeben oder beide leer lassen."))
        if self.start_time and self.end_time and self.start_time >= self.end_time:
            raise ValidationError({"end_time": _("„bis“ muss nach „von“ liegen.")})
        if self.kind == self.Kind.EXTRA and self.start_time is None:
            raise ValidationError(_("Zusätzliche Termine brauchen ein Zeitfenster."))

    def covers(self, starts_at_local_time, ends_at_local_time) -> bool:
        if self.start_time is None:
            return True
        return self.start_time <= starts_at_local_time and ends_at_local_time <= self.end_time


class Slot(TenantModel):
    """One time unit of one resource: the per-unit counter of the capacity model."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField(default=0)
    booked = models.PositiveSmallIntegerField(default=0)
    walk_in_only = models.BooleanField(default=False)
    # Release time (issue "fair release"): null = visible as soon as it exists.
    visible_from = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Zeiteinheit")
        verbose_name_plural = _("Zeiteinheiten")
        ordering = ["resource", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "starts_at"], name="one_slot_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.starts_at:%Y-%m-%d %H:%M} {self.booked}/{self.capacity}"


class BookingStatus(models.TextChoices):
    RESERVED = "reserved", _("reserviert (unbestätigt)")
    CONFIRMED = "confirmed", _("bestätigt")
    ARRIVED = "arrived", _("erschienen")
    CALLED = "called", _("aufgerufen")
    DONE = "done", _("erledigt")
    NO_SHOW = "no_show", _("nicht erschienen")
    CANCELLED = "cancelled", _("storniert")
    EXPIRED = "expired", _("verfallen")


#: States that hold capacity and count as "an active appointment".
ACTIVE_STATES = [
    BookingStatus.RESERVED,
    BookingStatus.CONFIRMED,
    BookingStatus.ARRIVED,
    BookingStatus.CALLED,
]


class Booking(TenantModel):
    """A Termin: k consecutive units of one resource for one person."""

    # Indexes (ADR 0024): every index costs each booking an insert, and an index on a
    # column with few values (one town, one service, mostly NULL) is a hot page that
    # concurrent bookings queue on. So foreign keys are indexed together with
    # ``starts_at`` or only where set; the town is the first column of the code index.
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    code = models.CharField(_("Buchungscode"), max_length=12, default=new_booking_code)
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="bookings", db_index=False
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="bookings", db_index=False
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="bookings", db_index=False
    )
    starts_at = models.DateTimeField(_("Beginn"), db_index=True)
    ends_at = models.DateTimeField(_("Ende"))
    units = models.PositiveSmallIntegerField(default=1)
    # Incremented on every change of time; the iCalendar SEQUENCE.
    revision = models.PositiveSmallIntegerField(default=0)
    persons = models.PositiveSmallIntegerField(_("Personen/Vorgänge"), default=1)
    status = models.CharField(
        max_length=10, choices=BookingStatus.choices, default=BookingStatus.RESERVED
    )
    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    # Normalised identity (lower-cased e-mail, or phone digits) for "one per person".
    person_key = models.CharField(max_length=254, blank=True)
    # Set only when the offer limits persons to one active appointment (unique below).
    limit_key = models.CharField(max_length=254, null=True, blank=True)
    fee = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    # Set by the payment module (applications) through ``services.record_fee_paid``.
    fee_paid_at = models.DateTimeField(_("Gebühr bezahlt am"), null=True, blank=True)
    # A paid booking moved to a date without fee: the paid amount is to be refunded
    # (set by ``services.rebook``); staff note the refund with ``record_fee_refunded``.
    fee_refund_due = models.DecimalField(
        _("zu erstatten"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    fee_refunded_at = models.DateTimeField(_("Gebühr erstattet am"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    # Cancellation cooldown (ADR 0021): the units stay taken until this moment.
    units_return_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    booked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    # The citizen account the booking belongs to ("Meine Termine"): booked while
    # logged in, or claimed later from the e-mail's manage link. Not the staff
    # member who booked for a caller (booked_by).
    account = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("Bürgerkonto"),
    )
    note = models.CharField(_("Interne Notiz"), max_length=300, blank=True)
    # Cancelled by the office (a counter fell out): the person may pick a new time
    # with their data kept, once (``replacement``).
    displaced = models.BooleanField(default=False)
    replacement = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        db_index=False,
    )

    class Meta:
        verbose_name = _("Termin")
        verbose_name_plural = _("Termine")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="booking_code_per_town"),
            models.UniqueConstraint(
                fields=["municipality", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="booking_idempotency_key",
            ),
            models.UniqueConstraint(
                fields=["service", "limit_key"],
                condition=Q(
                    limit_key__isnull=False,
                    status__in=["reserved", "confirmed", "arrived", "called"],
                ),
                name="one_active_booking_per_person_and_service",
            ),
            models.UniqueConstraint(
                fields=["replacement"],
                condition=Q(replacement__isnull=False),
                name="booking_replaced_once",
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "starts_at"]),
            models.Index(fields=["offer", "starts_at"], name="booking_offer_start"),
            models.Index(fields=["service", "starts_at"], name="booking_service_start"),
            # Only live holds have an expiry: the sweep (expire_holds) reads this one.
            models.Index(
                fields=["hold_expires_at"],
                condition=Q(hold_expires_at__isnull=False),
                name="booking_open_holds",
            ),
            models.Index(
                fields=["units_return_at"],
                condition=Q(units_return_at__isnull=False),
                name="booking_units_return_at",
            ),
            models.Index(
                fields=["booked_by"], condition=Q(booked_by__isnull=False), name="booking_booked_by"
            ),
            models.Index(
                fields=["account", "starts_at"],
                condition=Q(account__isnull=False),
                name="booking_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.starts_at:%d.%m.%Y %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATES

    @property
    def location(self):
        return self.resource.location

    @property
    def all_services(self) -> list:
        """The services of this appointment: the first one, then those booked with it."""
        if self.pk is None:
            return [self.service]
        return [self.service, *(part.service for part in self.parts.all())]

    @property
    def service_names(self) -> str:
        """ "Anmeldung + Personalausweis" for a combined appointment (ADR 0026)."""
        return " + ".join(s.name for s in self.all_services)


class BookingPart(models.Model):
    """A further service handled in the same appointment (ADR 0026).

    The booking's own ``offer``/``service`` is the first service; each further
    one is a part. The booking's ``units`` are the sum of all of them, taken as
    one run of units with the same guarded update as a single booking.
    """

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="parts")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+", db_index=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+", db_index=False)
    units = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("Weiteres Anliegen im Termin")
        verbose_name_plural = _("Weitere Anliegen im Termin")
        ordering = ["booking", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "service"], name="booking_part_once")
        ]
        indexes = [models.Index(fields=["service", "booking"], name="booking_part_service")]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.service_id}"


from .release_models import (  # noqa: E402  (registered with the app; ADR 0021)
    Lottery,
    LotteryEntry,
    ReleaseRun,
    ReleaseSchedule,
    TimeOfDay,
    WaitlistEntry,
)

__all__ = ["Lottery", "LotteryEntry", "ReleaseRun", "ReleaseSchedule", "TimeOfDay", "WaitlistEntry"]


class HorizonChange(TenantModel):
    """A booking horizon that applies from a date: scheduled ahead, announced, then applied.

    Magdeburg moved the Bürgerbüro horizon from 6 weeks to 14 days on 18 March (seed 003).
    The job ``apply_due_horizon_changes`` writes it to the offer on that day with an audit
    entry, so the appointment report finds the change by itself (docs/adr/0025).
    """

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="horizon_changes")
    valid_from = models.DateField(_("gültig ab"))
    horizon_days = models.PositiveIntegerField(
        _("Buchungshorizont (Tage)"), validators=[MinValueValidator(1)]
    )
    applied_at = models.DateTimeField(_("angewendet am"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Geplante Änderung des Buchungshorizonts")
        verbose_name_plural = _("Geplante Änderungen des Buchungshorizonts")
        ordering = ["valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "valid_from"], name="horizon_change_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.offer}: {self.horizon_days} Tage ab {self.valid_from:%d.%m.%Y}"
