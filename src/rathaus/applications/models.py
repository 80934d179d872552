"""Online applications: form definitions, applications, payments, cases, Postfach.

Three separate append-only histories (DESIGN.md, "Applications"): the submission
(draft → submitted), the payment (GOV.UK Pay states) and the case (ordered
statuses per service, the outcome as its own field).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import TenantModel

DEFAULT_CASE_STATUSES = [
    ["eingegangen", "Eingegangen"],
    ["in_bearbeitung", "In Bearbeitung"],
    ["unterlagen_nachgefordert", "Unterlagen nachgefordert"],
    ["entschieden", "Entschieden"],
    ["abgeschlossen", "Abgeschlossen"],
]


class AppendOnly(models.Model):
    """Rows of a history are written once and never changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("History entries are append-only")
        super().save(*args, **kwargs)


class FormDefinition(TenantModel):
    """The online form of one service, as data; every change is a new version."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        PUBLISHED = "published", _("veröffentlicht")
        RETIRED = "retired", _("abgelöst")

    service = models.ForeignKey(
        "catalog.Service", on_delete=models.CASCADE, related_name="form_definitions"
    )
    version = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    title = models.CharField(_("Titel"), max_length=200)
    intro = models.TextField(_("Einleitung"), blank=True)
    title_en = models.CharField(_("Titel (englisch)"), max_length=200, blank=True)
    intro_en = models.TextField(_("Einleitung (englisch)"), blank=True)
    schema = models.JSONField(
        _("Schritte und Felder"),
        default=dict,
        help_text=_(
            "Englische Texte: title_en/intro_en je Schritt, label_en/hint_en je Feld, "
            "Auswahlwerte als [Wert, Bezeichnung, englische Bezeichnung]."
        ),
    )
    guest_allowed = models.BooleanField(_("Antrag ohne Konto möglich"), default=False)
    case_statuses = models.JSONField(_("Bearbeitungsstände"), default=list)
    processing_days = models.PositiveSmallIntegerField(_("Bearbeitungsfrist (Tage)"), default=14)
    retention_days = models.PositiveIntegerField(
        _("Aufbewahrungsfrist (Tage)"),
        default=365,
        help_text=_("Nach Abschluss werden personenbezogene Daten nach dieser Frist gelöscht."),
    )
    notice_title = models.CharField(_("Bescheid: Überschrift"), max_length=200, blank=True)
    # Pick-up (ADR 0029): the catalog service whose appointments are the pick-up slots
    # ("Abholung"); the citizen gets a link to book one when the clerk marks the case ready.
    pickup_service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Abholung: Terminleistung"),
    )
    maturity_level = models.PositiveSmallIntegerField(
        _("Reifegrad bei Veröffentlichung"), default=3
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Formular")
        verbose_name_plural = _("Formulare")
        ordering = ["service__name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["service", "version"], name="form_version_unique"),
            models.UniqueConstraint(
                fields=["service"],
                condition=models.Q(state="published"),
                name="one_published_form_per_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def statuses(self) -> list[list[str]]:
        return self.case_statuses or DEFAULT_CASE_STATUSES

    def status_label(self, key: str) -> str:
        return dict(self.statuses()).get(key, key)


class FormDraft(TenantModel):
    """The form builder's working copy of a service's next form version (ADR 0036).

    ``record`` is one ``rathaus-forms-json`` record (the form's keys, its steps, and the
    service's office, documents and fees): publishing hands it to the import path, so
    what the builder makes is exactly what ``rathaus forms import`` accepts. One draft
    per service; it holds no personal data (who edited is in the audit log).
    """

    service = models.OneToOneField(
        "catalog.Service", on_delete=models.CASCADE, related_name="form_draft"
    )
    based_on = models.PositiveIntegerField(
        _("Grundlage (Version)"), null=True, blank=True, help_text=_("leer: neues Formular")
    )
    record = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Formularentwurf (Baukasten)")
        verbose_name_plural = _("Formularentwürfe (Baukasten)")

    def __str__(self) -> str:
        return f"{self.record.get('title', '')} (Entwurf)"


class Application(TenantModel):
    """An Antrag: a draft until submitted, then a case (Vorgang) for the office."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        SUBMITTED = "submitted", _("eingereicht")

    class Outcome(models.TextChoices):
        PENDING = "", _("offen")
        APPROVED = "approved", _("bewilligt")
        PARTLY = "partly", _("teilweise bewilligt")
        REJECTED = "rejected", _("abgelehnt")
        WITHDRAWN = "withdrawn", _("zurückgenommen")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("Aktenzeichen"), max_length=32, blank=True, db_index=True)
    form = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="applications")
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
    )
    guest_email = models.EmailField(_("E-Mail (Gast)"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Acting for someone else (ADR 0028): the capacity and the represented person's or
    # company's data, derived from the answers of the generated "Für wen?" step.
    acting_as = models.CharField(
        _("Antrag gestellt"),
        max_length=12,
        blank=True,
        choices=[
            ("selbst", _("für sich selbst")),
            ("elternteil", _("als Elternteil")),
            ("betreuung", _("als gesetzliche Betreuung")),
            ("firma", _("als Vertretung einer Firma")),
        ],
    )
    represented = models.JSONField(_("Vertretene Person oder Firma"), default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    case_status = models.CharField(_("Bearbeitungsstand"), max_length=40, blank=True)
    outcome = models.CharField(
        _("Ergebnis"), max_length=10, choices=Outcome.choices, default="", blank=True
    )
    fee_cents = models.PositiveIntegerField(_("Gebühr (Cent)"), default=0)
    # The lines behind fee_cents ({"label", "cents"}), fixed at submission: the notice
    # shows exactly what was charged even if the catalog's fees change later.
    fee_lines = models.JSONField(_("Gebührenzeilen"), default=list, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
    )
    due_date = models.DateField(_("Frist"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Vom Fachverfahren abgeholt")
    )
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # Pick-up (ADR 0029): when the clerk marked it ready (once), and the booked slot.
    pickup_ready_at = models.DateTimeField(_("Abholbereit seit"), null=True, blank=True)
    pickup_booking = models.ForeignKey(
        "appointments.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Abholtermin"),
    )

    @property
    def representation_line(self) -> str:
        """ "als gesetzliche Betreuung für Max Muster (geb. 01.02.1950)" – or ""."""
        from .representation import describe

        return describe(self.acting_as, self.represented) if self.acting_as != "selbst" else ""

    class Meta:
        verbose_name = _("Antrag")
        verbose_name_plural = _("Anträge")
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference"],
                condition=~models.Q(reference=""),
                name="application_reference_unique",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "state", "case_status"])]

    def __str__(self) -> str:
        return self.reference or f"Entwurf {self.key}"

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def contact_email(self) -> str:
        return self.applicant.email if self.applicant_id else self.guest_email

    @property
    def fee_euros(self):
        return self.fee_cents / 100

    @property
    def fee_lines_euros(self) -> list[dict]:
        return [{"label": line["label"], "euros": line["cents"] / 100} for line in self.fee_lines]

    def latest_payment(self):
        return self.payments.order_by("-created_at", "-id").first()

    @property
    def is_paid(self) -> bool:
        if not self.fee_cents:
            return True
        return self.payments.filter(status=Payment.Status.SUCCESS).exists()

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class SubmissionEvent(AppendOnly):
    """History of the submission: draft → submitted."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="submission_events"
    )
    state = models.CharField(max_length=10, choices=Application.State.choices)

    class Meta(AppendOnly.Meta):
        verbose_name = _("Antragsstatus")

    def __str__(self) -> str:
        return f"{self.application} {self.state}"


class CaseEvent(AppendOnly):
    """History of the case: status changes, notes, assignments, requests, decision."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Statuswechsel")
        NOTE = "note", _("Interne Notiz")
        ASSIGN = "assign", _("Zuweisung")
        DUE = "due", _("Frist")
        REQUEST = "request", _("Unterlagen nachgefordert")
        DOCUMENTS = "documents", _("Unterlagen eingegangen")
        DECISION = "decision", _("Entscheidung")
        PAYMENT = "payment", _("Zahlung")
        MESSAGE = "message", _("Nachricht an Bürger/in")
        ACK = "ack", _("Vom Fachverfahren abgeholt")
        ANONYMISED = "anonymised", _("Daten gelöscht")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="case_events"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    actor_label = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=40, blank=True)
    text = models.TextField(blank=True)
    internal = models.BooleanField(default=True)

    class Meta(AppendOnly.Meta):
        verbose_name = _("Vorgangsereignis")

    def __str__(self) -> str:
        return f"{self.application} {self.kind}"


def upload_path(instance, filename):
    app = instance.application
    return f"antraege/{app.municipality_id}/{app.key}/{uuid.uuid4().hex}"


class Upload(models.Model):
    """A file that belongs to an application: a form upload, a later document or a notice."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="uploads")
    field = models.CharField(max_length=60, blank=True)
    file = models.FileField(upload_to=upload_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    is_notice = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Datei")
        verbose_name_plural = _("Dateien")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Payment(TenantModel):
    """One attempt to pay a fee with a provider (GOV.UK Pay model): an application's fee,
    or a booking's reservation fee (the wedding calendar beyond six months, issue 15)."""

    class Status(models.TextChoices):
        CREATED = "created", _("angelegt")
        STARTED = "started", _("begonnen")
        SUCCESS = "success", _("bezahlt")
        FAILED = "failed", _("fehlgeschlagen")
        CANCELLED = "cancelled", _("abgebrochen")
        ERROR = "error", _("Fehler")

    FINISHED = {Status.SUCCESS, Status.FAILED, Status.CANCELLED, Status.ERROR}

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="payments", null=True, blank=True
    )
    # A booking is anonymised, never deleted, when its period ends; the payment stays.
    booking = models.ForeignKey(
        "appointments.Booking",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    provider = models.CharField(max_length=40)
    provider_id = models.CharField(max_length=100, blank=True)
    amount_cents = models.PositiveIntegerField()
    description = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CREATED)
    next_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Zahlung")
        verbose_name_plural = _("Zahlungen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_id"],
                condition=~models.Q(provider_id=""),
                name="payment_provider_id_unique",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status="success"),
                name="one_successful_payment",
            ),
            models.UniqueConstraint(
                fields=["booking"],
                condition=models.Q(status="success"),
                name="one_successful_booking_payment",
            ),
            models.CheckConstraint(
                condition=models.Q(application__isnull=False, booking__isnull=True)
                | models.Q(application__isnull=True, booking__isnull=False),
                name="payment_for_application_or_booking",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount_cents / 100:.2f} € ({self.status})"

    @property
    def reference(self) -> str:
        """What the citizen sees on the provider's page: the file or booking number."""
        if self.application_id is not None:
            return self.application.reference
        return f"Termin {self.booking.code}" if self.booking_id is not None else ""

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class PaymentEvent(AppendOnly):
    """History of a payment; a provider event id is recorded once (webhook idempotency)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=10, choices=Payment.Status.choices)
    source = models.CharField(max_length=20)
    provider_event_id = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta(AppendOnly.Meta):
        verbose_name = _("Zahlungsereignis")

    def __str__(self) -> str:
        return f"{self.payment_id} {self.status}"


class DemoPaymentSession(models.Model):
    """The demo provider's own record of a payment (its 'remote' state)."""

    class Status(models.TextChoices):
        CREATED = "created", _("angelegt")
        STARTED = "started", _("begonnen")
        SUCCESS = "success", _("bezahlt")
        FAILED = "failed", _("abgelehnt")
        CANCELLED = "cancelled", _("abgebrochen")

    token = models.CharField(max_length=40, unique=True)
    amount_cents = models.PositiveIntegerField()
    description = models.CharField(max_length=200)
    reference = models.CharField(max_length=60)
    return_url = models.URLField(max_length=500)
    webhook_url = models.URLField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CREATED)
    card_last4 = models.CharField(max_length=4, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Demo-Zahlung")
        verbose_name_plural = _("Demo-Zahlungen")

    def __str__(self) -> str:
        return self.token


class Message(TenantModel):
    """A Postfach message between the administration and a citizen."""

    class Direction(models.TextChoices):
        TO_CITIZEN = "out", _("an Bürger/in")
        FROM_CITIZEN = "in", _("von Bürger/in")

    class Kind(models.TextChoices):
        STATUS = "status", _("Statusmitteilung")
        REQUEST = "request", _("Nachforderung")
        NOTICE = "notice", _("Bescheid")
        REPLY = "reply", _("Antwort")
        INFO = "info", _("Mitteilung")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="messages", null=True, blank=True
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="postfach",
        help_text=_("Das Konto der Bürgerin oder des Bürgers"),
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INFO)
    subject = models.CharField(_("Betreff"), max_length=200)
    body = models.TextField(_("Nachricht"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attachments = models.ManyToManyField(Upload, blank=True, related_name="messages")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Postfach-Nachricht")
        verbose_name_plural = _("Postfach-Nachrichten")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class ApiClient(TenantModel):
    """A case-management system that pulls submissions (FIT-Connect-like)."""

    name = models.CharField(_("Name"), max_length=120)
    key_prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    office = models.ForeignKey(
        "core.Office",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Leer: alle Organisationseinheiten der Kommune"),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API-Zugang (Fachverfahren)")
        verbose_name_plural = _("API-Zugänge (Fachverfahren)")

    def __str__(self) -> str:
        return self.name


class WebhookEndpoint(TenantModel):
    """An outgoing webhook: Rathaus POSTs signed events here."""

    url = models.URLField(_("URL"))
    secret = models.CharField(_("Geheimnis"), max_length=100)
    events = models.JSONField(default=list, blank=True, help_text=_("Leer: alle Ereignisse"))
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("Webhook")
        verbose_name_plural = _("Webhooks")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=60)
    payload = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class TotpDevice(models.Model):
    """A citizen's authenticator app (TOTP, RFC 6238)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)
    last_used_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"TOTP {self.user}"


class RecoveryCode(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=128)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Wiederherstellungscode {self.user}"


class OidcProvider(TenantModel):
    """An OpenID Connect provider (BundID, a Land account) a municipality offers for login."""

    slug = models.SlugField()
    name = models.CharField(_("Anzeigename"), max_length=120)
    issuer = models.URLField(_("Issuer"))
    client_id = models.CharField(max_length=200)
    client_secret = models.CharField(max_length=200, blank=True)
    scopes = models.CharField(max_length=200, default="openid email profile")
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("OpenID-Connect-Anbieter")
        verbose_name_plural = _("OpenID-Connect-Anbieter")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="oidc_slug_per_town")
        ]

    def __str__(self) -> str:
        return self.name


class OidcIdentity(models.Model):
    """Links an account to a subject at an OIDC issuer."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities"
    )
    issuer = models.URLField()
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"
