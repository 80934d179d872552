"""The Leistungskatalog: services (Leistungen), OZG Themenfelder, Lebenslagen, maturity.

Fields follow XZuFi / LeiKa. Topics and life situations are national
taxonomies shared by all municipalities; services belong to one municipality.
"""

import uuid

from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import Location, Office, TenantModel, TenantQuerySet


class Topic(models.Model):
    """One of the 14 OZG Themenfelder."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("Name"), max_length=120)
    name_en = models.CharField(_("Name (englisch)"), max_length=120, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("OZG-Themenfeld")
        verbose_name_plural = _("OZG-Themenfelder")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:topic", args=[self.slug])


class LifeSituation(models.Model):
    """A Lebenslage such as Umzug, Geburt or Hund."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("Name"), max_length=120)
    name_en = models.CharField(_("Name (englisch)"), max_length=120, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("Lebenslage")
        verbose_name_plural = _("Lebenslagen")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:life_situation", args=[self.slug])


class MaturityLevel(models.IntegerChoices):
    """Reifegradmodell 1.1 of the OZG."""

    OFFLINE = 0, _("0 – offline")
    INFORMATION = 1, _("1 – Information")
    FORM = 2, _("2 – Formularassistent")
    ONLINE = 3, _("3 – Online-Leistung")
    TRANSACTION = 4, _("4 – Online-Transaktion")


class TrustLevel(models.TextChoices):
    """eIDAS / TR-03107 Vertrauensniveau required to use the online service."""

    NONE = "none", _("keines")
    LOW = "low", _("niedrig")
    SUBSTANTIAL = "substantial", _("substanziell")
    HIGH = "high", _("hoch")


# --- texts stored once (ADR 0217) -------------------------------------------------------
# A town's Service that follows the Land's template stores an empty value in the template
# text columns; reading ``service.summary`` gives the Land's text. ``own_fields`` decides
# what is the town's own (an own text may be empty, too). Names stay copied (ADR 0217).
STORED_ONCE = (
    "summary",
    "summary_en",
    "description",
    "description_en",
    "requirements",
    "requirements_en",
    "documents",
    "documents_en",
    "procedure",
    "procedure_en",
    "legal_basis",
    "deadlines",
    "deadlines_en",
    "processing_time",
    "processing_time_en",
)


class _StoredEmpty:
    """Marks a template text column loaded empty: resolved on first read (see below)."""

    def __repr__(self) -> str:
        return "STORED_EMPTY"

    def __reduce__(self) -> str:  # pickles as the one module-level instance
        return "STORED_EMPTY"


STORED_EMPTY = _StoredEmpty()


def _empty(field) -> object:
    return [] if isinstance(field, models.JSONField) else ""


class TemplateTextAttribute(DeferredAttribute):
    """``service.summary``: the town's own text, or the Land's text it follows.

    A data descriptor (values live in ``instance.__dict__`` as with Django's own
    attribute): a column loaded empty (``STORED_EMPTY``) is resolved on first read to
    the town's own empty value or the template's text, and kept on the instance like
    any loaded value, so assigning, mutating and saving work as with a copy."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if value is STORED_EMPTY:
            value = instance._land_text(self.field)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class _StoredOnceMixin:
    """The column keeps only what is the town's: a value equal to the Land's text of a
    field the town follows is stored empty (never a silent copy)."""

    descriptor_class = TemplateTextAttribute

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname, STORED_EMPTY)
        if value is STORED_EMPTY or model_instance._follows_land(self.name, value):
            return _empty(self)
        return value


class StoredOnceTextField(_StoredOnceMixin, models.TextField):
    pass


class StoredOnceCharField(_StoredOnceMixin, models.CharField):
    pass


class StoredOnceJSONField(_StoredOnceMixin, models.JSONField):
    pass


class ServiceQuerySet(TenantQuerySet):
    """Loads the Land's template with every service (one LEFT JOIN), so reading a text
    of a following service costs no query of its own."""

    def _without_template_join(self):
        clone = self._chain()
        related = clone.query.select_related
        if isinstance(related, dict) and "land_service" in related:
            related = {k: v for k, v in related.items() if k != "land_service"}
            clone.query.select_related = related or False
        return clone

    def only(self, *fields):
        if fields == (None,):
            return super().only(*fields)
        related = self.query.select_related
        if not (isinstance(related, dict) and "land_service" in related):
            return super().only(*fields)
        if not set(fields) & set(STORED_ONCE):
            # Names only (.only("pk", "name")): no template needed, no join.
            return super(ServiceQuerySet, self._without_template_join()).only(*fields)
        # A reader naming some texts gets them resolved: the template key and
        # own_fields come along (Django refuses a deferred key that is also joined).
        extra = [name for name in ("land_service", "own_fields") if name not in fields]
        return super().only(*fields, *extra)

    def select_for_update(self, *args, **kwargs):
        # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join; the
        # template is not locked anyway (texts resolve through the FK on read).
        return super(ServiceQuerySet, self._without_template_join()).select_for_update(
            *args, **kwargs
        )


class ServiceManager(models.Manager.from_queryset(ServiceQuerySet)):  # type: ignore[misc]
    def get_queryset(self):
        return super().get_queryset().select_related("land_service")


class Service(TenantModel):
    """A Leistung of one municipality."""

    slug = models.SlugField(max_length=120)
    leika_key = models.CharField(
        _("Leistungsschlüssel (LeiKa)"),
        max_length=14,
        blank=True,
        validators=[RegexValidator(r"^\d{14}$", _("Der Leistungsschlüssel hat 14 Ziffern."))],
    )
    name = models.CharField(_("Bezeichnung"), max_length=200)
    name_en = models.CharField(_("Bezeichnung (englisch)"), max_length=200, blank=True)
    ozg_priority = models.CharField(
        _("Priorisierte OZG-Leistung (IT-Planungsrat)"),
        max_length=120,
        blank=True,
        help_text=_("Leer, wenn die Leistung nicht zu den priorisierten EfA-Leistungen gehört"),
    )
    summary = StoredOnceTextField(_("Kurztext"))
    summary_en = StoredOnceTextField(_("Kurztext (englisch)"), blank=True)
    description = StoredOnceTextField(_("Volltext"), blank=True)
    description_en = StoredOnceTextField(_("Volltext (englisch)"), blank=True)
    requirements = StoredOnceTextField(_("Voraussetzungen"), blank=True)
    requirements_en = StoredOnceTextField(_("Voraussetzungen (englisch)"), blank=True)
    documents = StoredOnceJSONField(_("Erforderliche Unterlagen"), default=list, blank=True)
    documents_en = StoredOnceJSONField(
        _("Erforderliche Unterlagen (englisch)"), default=list, blank=True
    )
    procedure = StoredOnceTextField(_("Verfahrensablauf"), blank=True)
    procedure_en = StoredOnceTextField(_("Verfahrensablauf (englisch)"), blank=True)
    legal_basis = StoredOnceTextField(_("Rechtsgrundlage(n)"), blank=True)
    deadlines = StoredOnceTextField(_("Fristen"), blank=True)
    deadlines_en = StoredOnceTextField(_("Fristen (englisch)"), blank=True)
    processing_time = StoredOnceCharField(_("Bearbeitungsdauer"), max_length=200, blank=True)
    processing_time_en = StoredOnceCharField(
        _("Bearbeitungsdauer (englisch)"), max_length=200, blank=True
    )
    synonyms = models.TextField(
        _("Synonyme"),
        blank=True,
        help_text=_("Suchbegriffe der Bürgerinnen und Bürger, kommagetrennt"),
    )
    keywords_en = models.TextField(_("Englische Suchbegriffe"), blank=True)
    hints = models.TextField(_("Hinweise"), blank=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="services")
    life_situations = models.ManyToManyField(LifeSituation, blank=True, related_name="services")
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("Zuständige Stelle"),
    )
    locations = models.ManyToManyField(Location, blank=True, related_name="services")
    online_url = models.URLField(_("Link zum Online-Dienst"), blank=True)
    trust_level = models.CharField(
        _("Vertrauensniveau"), max_length=12, choices=TrustLevel.choices, default=TrustLevel.NONE
    )
    maturity_level = models.PositiveSmallIntegerField(
        _("Reifegrad"), choices=MaturityLevel.choices, default=MaturityLevel.INFORMATION
    )
    planned_level = models.PositiveSmallIntegerField(
        _("Geplanter Reifegrad"),
        choices=MaturityLevel.choices,
        null=True,
        blank=True,
        validators=[MaxValueValidator(4)],
    )
    planned_date = models.DateField(_("Geplant bis"), null=True, blank=True)
    appointment_required = models.BooleanField(_("Persönliche Vorsprache nötig"), default=False)
    popularity = models.PositiveIntegerField(
        _("Aufrufe (Beliebtheit)"), default=0, help_text=_("Für 'meistgenutzte Leistungen'")
    )
    is_published = models.BooleanField(_("veröffentlicht"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The Land catalog template (ADR 0211): texts come from the Land's service unless the
    # town changed them; own_fields names those (",summary,documents,").
    land_service = models.ForeignKey(
        "catalog.LandService",
        # A follower stores no copy of the texts (ADR 0217): the Land's text cannot go
        # while towns read it.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoptions",
        verbose_name=_("Vorlage des Landes"),
    )
    own_fields = models.CharField(max_length=400, blank=True, default="", editable=False)

    objects = ServiceManager()

    class Meta:
        verbose_name = _("Leistung")
        verbose_name_plural = _("Leistungen")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="service_slug_per_town")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:service", args=[self.slug])

    @property
    def is_online(self) -> bool:
        return self.maturity_level >= MaturityLevel.ONLINE

    # --- the Land's texts, stored once (ADR 0217) ---------------------------------------

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        loaded = instance.__dict__
        template = loaded.get("land_service_id", STORED_EMPTY)
        if template is None:
            return instance  # no template: the columns hold the town's texts
        # A template: a field the town does not own reads the Land's text (even if a
        # stale copy sits in the column, e.g. from loaddata; the next save empties it).
        # Key or own_fields not loaded (.only): an empty column is resolved on first read.
        own = loaded.get("own_fields")
        mine = (
            {n for n in own.split(",") if n}
            if template is not STORED_EMPTY and own is not None
            else None
        )
        for name in STORED_ONCE:
            if name not in loaded:
                continue
            if (mine is not None and name not in mine) or loaded[name] in ("", [], None):
                loaded[name] = STORED_EMPTY
        return instance

    def own_field_names(self) -> set[str]:
        return {name for name in self.own_fields.split(",") if name}

    def _land_text(self, field):
        """The value of an empty column: the town's own empty text, or the Land's."""
        if self.land_service_id is not None and field.name not in self.own_field_names():
            value = getattr(self.land_service, field.name)
            return list(value) if isinstance(value, list) else value
        return _empty(field)

    def _follows_land(self, name: str, value) -> bool:
        """Whether ``value`` of field ``name`` is the Land's text the town follows."""
        if self.land_service_id is None or name in self.own_field_names():
            return False
        return value == getattr(self.land_service, name)

    def save(self, *args, **kwargs):
        """A template text that differs from the Land's is the town's own from now on
        (so saving never loses a town's change, and never stores a silent copy)."""
        if self.land_service_id is not None:
            mine = self.own_field_names()
            template = self.land_service
            for name in STORED_ONCE:
                value = self.__dict__.get(name, STORED_EMPTY)
                if (
                    value is not STORED_EMPTY
                    and name not in mine
                    and value != getattr(template, name)
                ):
                    mine.add(name)
            stored = f",{','.join(sorted(mine))}," if mine else ""
            if stored != self.own_fields:
                self.own_fields = stored
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "own_fields"}
        super().save(*args, **kwargs)


class Fee(models.Model):
    """A structured fee line: fixed amount or a range, in euros."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="fees")
    label = models.CharField(_("Bezeichnung"), max_length=200)
    label_en = models.CharField(_("Bezeichnung (englisch)"), max_length=200, blank=True)
    amount = models.DecimalField(_("Betrag (EUR)"), max_digits=9, decimal_places=2)
    amount_max = models.DecimalField(
        _("bis Betrag (EUR)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("Hinweis"), max_length=300, blank=True)
    note_en = models.CharField(_("Hinweis (englisch)"), max_length=300, blank=True)
    # When the row applies to an applicant (see fee_rules); empty: always charged.
    rule = models.JSONField(_("Regel"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("Gebühr")
        verbose_name_plural = _("Gebühren")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.amount} €"

    @property
    def reduction_percent(self) -> int | None:
        """The share this row takes off the other rows, if it is a reduction."""
        return (self.rule or {}).get("ermaessigung_prozent")

    def clean(self):
        from django.core.exceptions import ValidationError

        from .fee_rules import FeeRuleError, check_rule

        try:
            check_rule(self.rule)
        except FeeRuleError as exc:
            raise ValidationError({"rule": f"{exc.path}: {exc.reason}"}) from exc


class MaturityChange(models.Model):
    """History of a service's maturity level (the basis of the OZG dashboard)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="maturity_history")
    level = models.PositiveSmallIntegerField(choices=MaturityLevel.choices)
    changed_on = models.DateField(_("seit"))
    note = models.CharField(_("Anmerkung"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Reifegradänderung")
        verbose_name_plural = _("Reifegradänderungen")
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.service}: {self.level} ab {self.changed_on}"


class SatisfactionChannel(models.TextChoices):
    """When the short satisfaction question is asked (Weimar's quality criteria, seed 001)."""

    BOOKING = "booking", _("nach einer Terminbuchung")
    APPLICATION = "application", _("nach einem Online-Antrag")
    CASE = "case", _("nach einem abgeschlossenen Vorgang")


class SatisfactionAnswer(TenantModel):
    """One anonymous answer to "War es einfach? Hat es Zeit gespart? Was war schwierig?".

    Deliberately without a link to the booking or application, without a time of day
    (only the month) and with a random key (no insertion order to line up with other
    tables). Free text is anonymised before it is stored (ADR 0018).
    """

    class Easy(models.TextChoices):
        YES = "yes", _("ja, einfach")
        PARTLY = "partly", _("teils")
        NO = "no", _("nein, schwierig")

    class TimeSaved(models.TextChoices):
        YES = "yes", _("ja")
        NO = "no", _("nein")
        UNSURE = "unsure", _("weiß nicht")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="+", verbose_name=_("Leistung")
    )
    channel = models.CharField(_("gefragt"), max_length=12, choices=SatisfactionChannel.choices)
    month = models.DateField(_("Monat"), db_index=True)
    easy = models.CharField(_("einfach?"), max_length=6, choices=Easy.choices, blank=True)
    time_saved = models.CharField(
        _("Zeit gespart?"), max_length=6, choices=TimeSaved.choices, blank=True
    )
    hard = models.CharField(_("Was war schwierig? (anonymisiert)"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("Rückmeldung zur Zufriedenheit")
        verbose_name_plural = _("Rückmeldungen zur Zufriedenheit")
        ordering = ["-month", "service"]

    def __str__(self) -> str:
        return f"{self.service}: {self.get_channel_display()} ({self.month:%m/%Y})"


class SatisfactionTicket(models.Model):
    """That one occasion (a booking, an application, a closed case) has been answered.

    Only a keyed hash of the occasion, so a second answer to the same occasion is refused;
    nothing here points to the answer itself.
    """

    digest = models.CharField(max_length=64, primary_key=True)
    month = models.DateField(db_index=True)

    class Meta:
        verbose_name = _("Beantwortete Zufriedenheitsfrage")
        verbose_name_plural = _("Beantwortete Zufriedenheitsfragen")

    def __str__(self) -> str:
        return f"{self.digest[:8]}… ({self.month:%m/%Y})"


class LandService(models.Model):
    """A Land-wide service text kept once (ADR 0211); towns adopt it as their Service."""

    land = models.CharField(_("Land"), max_length=2)
    slug = models.SlugField(max_length=120)
    leika_key = models.CharField(_("Leistungsschlüssel (LeiKa)"), max_length=14, blank=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("Bezeichnung"), max_length=200)
    name_en = models.CharField(_("Bezeichnung (englisch)"), max_length=200, blank=True)
    summary = models.TextField(_("Kurztext"))
    summary_en = models.TextField(_("Kurztext (englisch)"), blank=True)
    description = models.TextField(_("Volltext"), blank=True)
    description_en = models.TextField(_("Volltext (englisch)"), blank=True)
    requirements = models.TextField(_("Voraussetzungen"), blank=True)
    requirements_en = models.TextField(_("Voraussetzungen (englisch)"), blank=True)
    documents = models.JSONField(_("Erforderliche Unterlagen"), default=list, blank=True)
    documents_en = models.JSONField(default=list, blank=True)
    procedure = models.TextField(_("Verfahrensablauf"), blank=True)
    procedure_en = models.TextField(_("Verfahrensablauf (englisch)"), blank=True)
    legal_basis = models.TextField(_("Rechtsgrundlage(n)"), blank=True)
    deadlines = models.TextField(_("Fristen"), blank=True)
    deadlines_en = models.TextField(_("Fristen (englisch)"), blank=True)
    processing_time = models.CharField(_("Bearbeitungsdauer"), max_length=200, blank=True)
    processing_time_en = models.CharField(
        _("Bearbeitungsdauer (englisch)"), max_length=200, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Leistung des Landes")
        verbose_name_plural = _("Leistungen des Landes")
        ordering = ["land", "name"]
        constraints = [
            models.UniqueConstraint(fields=["land", "slug"], name="land_service_slug"),
            models.UniqueConstraint(
                fields=["land", "leika_key"],
                condition=~models.Q(leika_key=""),
                name="land_service_leika",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.land})"
