"""Mängelmelder: categories (Open311 services), reports (service requests), photos, notes."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import Office, TenantModel


class ReportCategory(TenantModel):
    """A kind of defect; its ``code`` is the Open311 service_code. Routes to one office."""

    code = models.SlugField(_("Kennung (service_code)"), max_length=60)
    name = models.CharField(_("Bezeichnung"), max_length=120)
    description = models.CharField(_("Beschreibung"), max_length=300, blank=True)
    group = models.CharField(_("Gruppe"), max_length=80, blank=True)
    name_en = models.CharField(_("Bezeichnung (englisch)"), max_length=120, blank=True)
    description_en = models.CharField(_("Beschreibung (englisch)"), max_length=300, blank=True)
    keywords = models.CharField(_("Stichworte (kommagetrennt)"), max_length=300, blank=True)
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="report_categories",
        verbose_name=_("Zuständige Organisationseinheit"),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    service_days = models.PositiveSmallIntegerField(
        _("Erledigungsfrist in Tagen"),
        null=True,
        blank=True,
        help_text=_("Zusage an die Bürger/innen (Service-Level); leer: keine Frist."),
    )

    class Meta:
        verbose_name = _("Meldungskategorie")
        verbose_name_plural = _("Meldungskategorien")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="report_category_code")
        ]

    def __str__(self) -> str:
        return self.name


class CategoryAttribute(models.Model):
    """An extra question of a category (Open311 service definition attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", "string"
        NUMBER = "number", "number"
        DATETIME = "datetime", "datetime"
        TEXT = "text", "text"
        SINGLE = "singlevaluelist", "singlevaluelist"
        MULTI = "multivaluelist", "multivaluelist"

    category = models.ForeignKey(
        ReportCategory, on_delete=models.CASCADE, related_name="attributes"
    )
    code = models.SlugField(_("Kennung"), max_length=60)
    datatype = models.CharField(_("Datentyp"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("Pflichtangabe"), default=False)
    description = models.CharField(_("Frage"), max_length=300)
    datatype_description = models.CharField(_("Hinweis zum Format"), max_length=200, blank=True)
    description_en = models.CharField(_("Frage (englisch)"), max_length=300, blank=True)
    datatype_description_en = models.CharField(
        _("Hinweis zum Format (englisch)"), max_length=200, blank=True
    )
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=1)
    values = models.JSONField(
        _("Auswahlwerte"), default=list, blank=True, help_text=_('[{"key": "…", "name": "…"}]')
    )

    class Meta:
        verbose_name = _("Zusatzfrage")
        verbose_name_plural = _("Zusatzfragen")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="category_attribute_code")
        ]

    def __str__(self) -> str:
        return self.code

    def value_keys(self) -> set[str]:
        return {str(v.get("key")) for v in self.values}


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Report(TenantModel):
    """A Meldung. Published only after moderation; contact data is never public."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Eingegangen")
        IN_PROGRESS = "in_progress", _("In Bearbeitung")
        REOPENED = "reopened", _("Wieder geöffnet")
        FIXED = "fixed", _("Erledigt")
        CLOSED = "closed", _("Geschlossen")

    class CloseReason(models.TextChoices):
        NOT_RESPONSIBLE = "not_responsible", _("Nicht zuständig")
        DUPLICATE = "duplicate", _("Doppelte Meldung")
        NOT_REPRODUCIBLE = "not_reproducible", _("Kein Mangel feststellbar")
        PRIVATE_LAND = "private_land", _("Privatgrund")
        OTHER = "other", _("Sonstiger Grund")

    class Moderation(models.TextChoices):
        PENDING = "pending", _("Wartet auf Freigabe")
        PUBLISHED = "published", _("Veröffentlicht")
        REJECTED = "rejected", _("Abgelehnt")

    OPEN_STATUSES = (Status.RECEIVED, Status.IN_PROGRESS, Status.REOPENED)
    FINAL_STATUSES = (Status.FIXED, Status.CLOSED)

    category = models.ForeignKey(
        ReportCategory,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("Kategorie"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="reports", verbose_name=_("Zuständig")
    )
    description = models.TextField(_("Beschreibung"))
    latitude = models.DecimalField(_("Breitengrad"), max_digits=9, decimal_places=6, null=True)
    longitude = models.DecimalField(_("Längengrad"), max_digits=9, decimal_places=6, null=True)
    address = models.CharField(_("Adresse oder Ortsbeschreibung"), max_length=200, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    media_url = models.URLField(_("Foto-Link des Clients"), max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    status_notes = models.TextField(_("Öffentliche Rückmeldung"), blank=True)
    moderation = models.CharField(
        max_length=20, choices=Moderation.choices, default=Moderation.PENDING
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_reports",
    )
    # Contact data: only for staff and for notifications, never in public pages or Open311.
    contact_name = models.CharField(_("Name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    contact_phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    source = models.CharField(max_length=60, default="web")
    token = models.CharField(max_length=40, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Service level of the category, counted from submission (empty: no deadline).
    due_at = models.DateTimeField(_("Zu erledigen bis"), null=True, blank=True)
    # How the address became a map position (geocoded against the town's address list).
    geocoded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("Meldung")
        verbose_name_plural = _("Meldungen")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["municipality", "moderation", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}"

    @property
    def is_public(self) -> bool:
        return self.moderation == self.Moderation.PUBLISHED

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def open311_status(self) -> str:
        return "open" if self.is_open else "closed"

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.is_open and self.due_at is not None and self.due_at < timezone.now()


def photo_path(instance, filename):
    return f"participation/reports/{secrets.token_hex(12)}.jpg"


class ReportPhoto(models.Model):
    """A re-encoded public copy of an uploaded photo (no EXIF, no GPS, no metadata).

    ``report`` stays empty while the photo belongs to an unfinished report (draft_key),
    and for photos of a citizen's update (``update``): those are shown with the update,
    only once it is published.
    """

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    draft_key = models.CharField(max_length=40, blank=True, db_index=True)
    update = models.ForeignKey(
        "ReportUpdate", on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    image = models.ImageField(upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Foto")
        verbose_name_plural = _("Fotos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class ReportUpdate(models.Model):
    """Append-only history: status changes (public), staff notes (internal unless marked
    public) and citizens' updates (public after moderation, like reports)."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Statusänderung")
        NOTE = "note", _("Notiz der Verwaltung")
        ASSIGNMENT = "assignment", _("Zuweisung")
        MODERATION = "moderation", _("Moderation")
        CITIZEN = "citizen", _("Hinweis von Bürger/innen")

    class Confirmation(models.TextChoices):
        STILL_THERE = "still_there", _("Der Mangel ist noch da")
        FIXED = "fixed", _("Der Mangel ist behoben")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    old_status = models.CharField(max_length=20, blank=True)
    new_status = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)
    # Citizens' updates only: the confirmation and the moderation state.
    confirmation = models.CharField(max_length=20, choices=Confirmation.choices, blank=True)
    moderation = models.CharField(max_length=20, choices=Report.Moderation.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.kind}"

    @property
    def is_citizen(self) -> bool:
        return self.kind == self.Kind.CITIZEN

    @property
    def new_status_label(self) -> str:
        labels = {**dict(Report.Status.choices), **dict(Report.Moderation.choices)}
        return str(labels.get(self.new_status, self.new_status))


class Open311Client(TenantModel):
    """A posting client (app, partner portal) with its own API key (only its hash is stored)."""

    name = models.CharField(_("Name"), max_length=120)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=8)
    is_active = models.BooleanField(_("aktiv"), default=True)
    contact = models.CharField(_("Kontakt"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311-Client")
        verbose_name_plural = _("Open311-Clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class AreaAlert(TenantModel):
    """E-mail alert for new reports and their updates in an area or a street
    (FixMyStreet's local alerts). Double opt-in; personal data: the e-mail address."""

    email = models.EmailField(_("E-Mail-Adresse"))
    # A box south-west/north-east; empty when the alert is for a street only.
    south = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    west = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    north = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    east = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    street = models.CharField(_("Straße"), max_length=120, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Reports published or changed after this moment are "new" for the next e-mail.
    checked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Gebietsbenachrichtigung")
        verbose_name_plural = _("Gebietsbenachrichtigungen")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(street="")
                | models.Q(
                    south__isnull=False, west__isnull=False, north__isnull=False, east__isnull=False
                ),
                name="area_alert_has_area_or_street",
            )
        ]

    def __str__(self) -> str:
        return self.street or f"{self.south},{self.west} – {self.north},{self.east}"

    @property
    def area_label(self) -> str:
        if self.street:
            return str(_("Straße: %(s)s") % {"s": self.street})
        return str(
            _("Gebiet %(s)s, %(w)s bis %(n)s, %(e)s")
            % {"s": self.south, "w": self.west, "n": self.north, "e": self.east}
        )


class RoutingRule(TenantModel):
    """Routing by category and area: reports of ``category`` (all when empty) in the box
    or on the street go to ``office`` instead of the category's office. The first rule
    by ``position`` that matches wins."""

    category = models.ForeignKey(
        ReportCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("Kategorie (leer: alle)"),
    )
    street = models.CharField(_("Straße"), max_length=120, blank=True)
    south = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    west = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    north = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    east = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="report_routing_rules",
        verbose_name=_("Zuständige Organisationseinheit"),
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Zuständigkeitsregel")
        verbose_name_plural = _("Zuständigkeitsregeln")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.category or '*'} / {self.street or 'Gebiet'} -> {self.office}"


class StreetAddress(TenantModel):
    """The town's own address list (imported from a CSV), used to give address-only
    reports a map position without any external service."""

    street = models.CharField(_("Straße"), max_length=120)
    street_key = models.CharField(max_length=120, db_index=True)
    house_number = models.CharField(_("Hausnummer"), max_length=12, blank=True)
    postcode = models.CharField(_("Postleitzahl"), max_length=5, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)

    class Meta:
        verbose_name = _("Adresse")
        verbose_name_plural = _("Adressen")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "street_key", "house_number"], name="street_address_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.street} {self.house_number}".strip()
