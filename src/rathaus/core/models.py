"""Tenants, offices, locations, opening hours, people with roles, and the audit log."""

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .ops import requestid

LANDS = [
    ("BW", "Baden-Württemberg"),
    ("BY", "Bayern"),
    ("BE", "Berlin"),
    ("BB", "Brandenburg"),
    ("HB", "Bremen"),
    ("HH", "Hamburg"),
    ("HE", "Hessen"),
    ("MV", "Mecklenburg-Vorpommern"),
    ("NI", "Niedersachsen"),
    ("NW", "Nordrhein-Westfalen"),
    ("RP", "Rheinland-Pfalz"),
    ("SL", "Saarland"),
    ("SN", "Sachsen"),
    ("ST", "Sachsen-Anhalt"),
    ("SH", "Schleswig-Holstein"),
    ("TH", "Thüringen"),
]

WEEKDAYS = [
    (0, _("Montag")),
    (1, _("Dienstag")),
    (2, _("Mittwoch")),
    (3, _("Donnerstag")),
    (4, _("Freitag")),
    (5, _("Samstag")),
    (6, _("Sonntag")),
]


class Municipality(models.Model):
    """A Kommune: the tenant. Every top-level row belongs to exactly one."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("Name"), max_length=200)
    ags = models.CharField(
        _("Amtlicher Gemeindeschlüssel"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{8}$", _("Der AGS hat genau 8 Ziffern."))],
    )
    ars = models.CharField(
        _("Amtlicher Regionalschlüssel"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{12}$", _("Der ARS hat genau 12 Ziffern."))],
    )
    land = models.CharField(_("Land"), max_length=2, choices=LANDS)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    address = models.TextField(_("Anschrift"), blank=True)
    website = models.URLField(_("Website"), blank=True)
    staff_2fa_required = models.BooleanField(
        _("Zwei-Faktor-Anmeldung für Mitarbeitende vorschreiben"),
        default=False,
        help_text=_("Unabhängig davon gilt RATHAUS_STAFF_2FA_REQUIRED der Installation."),
    )
    base_url = models.URLField(
        _("Adresse des Portals"),
        blank=True,
        help_text=_(
            "z. B. https://service.musterstadt.de – Links in E-Mails (Passwort, Bestätigung) "
            "führen hierhin, nie zum Hostnamen einer Anfrage. Leer: der erste Hostname."
        ),
    )
    mail_sender = models.EmailField(
        _("Absenderadresse"),
        blank=True,
        help_text=_("Absender der E-Mails dieser Kommune. Leer: der Absender der Installation."),
    )
    logo = models.FileField(_("Logo"), upload_to="logos/", blank=True)
    primary_colour = models.CharField(
        _("Hauptfarbe"),
        max_length=7,
        default="#004b76",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Farbe als #RRGGBB angeben."))],
    )
    service_phone = models.CharField(
        _("Behördennummer"), max_length=40, default="115", help_text=_("z. B. 115")
    )
    # Shown in the privacy notice (Art. 13 Abs. 1 lit. b DSGVO).
    dpo_name = models.CharField(_("Datenschutzbeauftragte/r"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("E-Mail der/des Datenschutzbeauftragten"), blank=True)
    dpo_phone = models.CharField(
        _("Telefon der/des Datenschutzbeauftragten"), max_length=40, blank=True
    )
    dpo_address = models.TextField(_("Anschrift der/des Datenschutzbeauftragten"), blank=True)

    class Meta:
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MunicipalityHost(models.Model):
    """A host name under which a municipality's portal is served."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(_("Hostname"), max_length=253, unique=True)

    class Meta:
        verbose_name = _("Hostname")
        verbose_name_plural = _("Hostnamen")

    def __str__(self) -> str:
        return self.host

    def save(self, *args, **kwargs):
        self.host = self.host.lower().strip()
        super().save(*args, **kwargs)


class TenantQuerySet(models.QuerySet):
    def for_municipality(self, municipality):
        return self.filter(municipality=municipality)


class TenantModel(models.Model):
    """Base for every top-level model: it carries its municipality.

    Queries go through ``Model.objects.for_municipality(request.municipality)``
    so no query crosses municipalities by accident.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class Office(TenantModel):
    """An Organisationseinheit / Amt."""

    slug = models.SlugField()
    name = models.CharField(_("Name"), max_length=200)
    short_name = models.CharField(_("Kurzname"), max_length=60, blank=True)
    description = models.TextField(_("Aufgaben"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)

    class Meta:
        verbose_name = _("Organisationseinheit")
        verbose_name_plural = _("Organisationseinheiten")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="office_slug_per_town")
        ]

    def __str__(self) -> str:
        return self.name


class Location(TenantModel):
    """A Standort where an office receives citizens."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="locations")
    slug = models.SlugField()
    name = models.CharField(_("Name"), max_length=200)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200)
    postcode = models.CharField(_("PLZ"), max_length=5)
    city = models.CharField(_("Ort"), max_length=100)
    latitude = models.DecimalField(_("Breitengrad"), max_digits=9, decimal_places=6, null=True)
    longitude = models.DecimalField(_("Längengrad"), max_digits=9, decimal_places=6, null=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    room = models.CharField(_("Raum / Etage"), max_length=100, blank=True)
    step_free = models.BooleanField(_("Stufenloser Zugang"), default=False)
    hearing_loop = models.BooleanField(_("Induktive Höranlage"), default=False)
    accessible_toilet = models.BooleanField(_("Barrierefreies WC"), default=False)
    accessibility_note = models.TextField(_("Hinweise zur Barrierefreiheit"), blank=True)
    transit = models.CharField(_("ÖPNV"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Standort")
        verbose_name_plural = _("Standorte")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="location_slug_per_town")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address_line(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"


class OpeningHours(models.Model):
    """A weekly time window: general opening or walk-in hours (Sprechzeiten ohne Termin)."""

    class Kind(models.TextChoices):
        OPEN = "open", _("Öffnungszeit (mit Termin)")
        WALK_IN = "walk_in", _("Sprechzeit ohne Termin")

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OPEN)
    weekday = models.PositiveSmallIntegerField(_("Wochentag"), choices=WEEKDAYS)
    opens = models.TimeField(_("von"))
    closes = models.TimeField(_("bis"))
    note = models.CharField(_("Hinweis"), max_length=200, blank=True)
    # Rules that change on a date (seed 003): the row applies from/until these days
    # (both included); empty means "always". Pages announce rows that start soon.
    valid_from = models.DateField(_("gültig ab"), null=True, blank=True)
    valid_until = models.DateField(_("gültig bis"), null=True, blank=True)

    class Meta:
        verbose_name = _("Öffnungszeit")
        verbose_name_plural = _("Öffnungszeiten")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="opens_before_closes"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_until__isnull=True)
                | models.Q(valid_from__lte=models.F("valid_until")),
                name="opening_hours_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def applies_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class OpeningException(models.Model):
    """A dated deviation: closed for the day, or special hours."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("Datum"))
    closed = models.BooleanField(_("geschlossen"), default=True)
    opens = models.TimeField(_("von"), null=True, blank=True)
    closes = models.TimeField(_("bis"), null=True, blank=True)
    reason = models.CharField(_("Grund"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Abweichende Öffnungszeit")
        verbose_name_plural = _("Abweichende Öffnungszeiten")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.reason}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("E-Mail-Adresse fehlt")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who logs in: citizen (Nutzerkonto), clerk, editor or councillor.

    Users are installation-wide (one account works for every municipality, as
    BundID does); what they may do in a municipality comes from StaffRole.
    """

    username = None
    email = models.EmailField(_("E-Mail-Adresse"), unique=True)
    display_name = models.CharField(_("Anzeigename"), max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = _("Konto")
        verbose_name_plural = _("Konten")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.email


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administration")
    CATALOG_EDITOR = "catalog_editor", _("Redaktion Leistungskatalog")
    CLERK = "clerk", _("Sachbearbeitung")
    APPOINTMENT_MANAGER = "appointment_manager", _("Terminverwaltung")
    COUNCIL_OFFICE = "council_office", _("Ratsbüro")
    COUNCILLOR = "councillor", _("Mandatsträger/in")
    MODERATOR = "moderator", _("Moderation Beteiligung")


class StaffRole(TenantModel):
    """A user's role in one municipality, optionally limited to one office."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("Rolle"), max_length=30, choices=Role.choices)
    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff_roles",
        help_text=_("Nur für Sachbearbeitung: die Organisationseinheit."),
    )

    class Meta:
        verbose_name = _("Rolle")
        verbose_name_plural = _("Rollen")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "role", "office"], name="unique_staff_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.municipality})"


class AuditEntry(models.Model):
    """Append-only record of every state change made through a services module."""

    # Few indexes, none on a column with few values (a hot page under concurrent
    # writes, ADR 0024): the town's entries newest first, an object's entries. The
    # id gives the order (assigned at insert, like created_at), so created_at needs
    # no index of its own.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        related_name="audit_entries",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, db_index=False
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    # The request (X-Request-ID) or task that wrote the entry: links it to the log lines.
    request_id = models.CharField(max_length=64, blank=True, default=requestid.current)

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokoll")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["municipality", "id"], name="audit_town_newest"),
            models.Index(
                fields=["actor"], condition=models.Q(actor__isnull=False), name="audit_actor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("Audit entries are append-only")
        super().save(*args, **kwargs)


from .ops.models import HeldMail, PeriodicJobRun, SentMail, ServiceMode  # noqa: E402, F401 - issue 20


class EmbedOrigin(TenantModel):
    """A website allowed to show this town's booking, forms and assistant in a frame
    (CSP ``frame-ancestors``; every other page and origin stays denied, ADR 0008)."""

    origin = models.CharField(
        _("Herkunft (Origin)"),
        max_length=200,
        help_text=_("z. B. https://www.musterstadt.de – Schema und Host, ohne Pfad"),
    )
    note = models.CharField(_("Notiz"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Erlaubte Einbettung")
        verbose_name_plural = _("Erlaubte Einbettungen")
        ordering = ["origin"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "origin"], name="embed_origin_once")
        ]

    def __str__(self) -> str:
        return self.origin
