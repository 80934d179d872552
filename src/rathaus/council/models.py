"""Council information (Ratsinformation) in the shape of OParl 1.1.

Every OParl object type has a model here (OParl ``Location`` is ``Place`` because
core already has a ``Location``). Each row carries its municipality (tenant),
``created``/``modified`` timestamps and a ``deleted`` flag: objects are never
removed, they are soft-deleted so OParl clients syncing with ``modified_since``
learn about the deletion. ``public`` flags on papers, agenda items and files keep
non-public content in the same tables; ``visible()`` is the one public filter.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import Office, TenantModel, TenantQuerySet

#: Sent by ``OParlObject.save()`` after the row is written (instance, visibility_changed).
oparl_saved = Signal()


class CouncilQuerySet(TenantQuerySet):
    def alive(self):
        return self.filter(deleted=False)


class OParlObject(TenantModel):
    """Common OParl bookkeeping: timestamps, soft delete and the source id of imports."""

    created = models.DateTimeField(_("erstellt"), default=timezone.now, db_index=True)
    modified = models.DateTimeField(_("geändert"), default=timezone.now, db_index=True)
    deleted = models.BooleanField(_("gelöscht"), default=False)
    # Indexed: the importer looks every object up by its source id.
    external_id = models.URLField(_("ID im Quellsystem"), max_length=500, blank=True, db_index=True)

    objects = CouncilQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._loaded_visibility = obj.visibility_state()
        return obj

    def shown_publicly(self) -> bool:
        """Public by its own flag (parents aside): then a later hiding is a deletion."""
        return getattr(self, "public", False)

    def visibility_state(self) -> tuple:
        """What decides whether this object and what hangs on it are public."""
        return (self.deleted, getattr(self, "public", True))

    def save(self, *args, **kwargs):
        # Every write is a modification an OParl client must see with modified_since.
        self.modified = timezone.now()
        if kwargs.get("update_fields"):
            kwargs["update_fields"] = {*kwargs["update_fields"], "modified"}
        if hasattr(self, "was_public") and self.shown_publicly():
            self.was_public = True
            if kwargs.get("update_fields"):
                kwargs["update_fields"] = {*kwargs["update_fields"], "was_public"}
        super().save(*args, **kwargs)
        # OParl 1.1 §2-08: the objects this one is embedded in change with it; when its
        # visibility changes, so does what is shown (or hidden) through it
        # (oparl_touch.touch_after_save listens, connected in apps.ready).
        loaded = getattr(self, "_loaded_visibility", None)
        changed = loaded is not None and loaded != self.visibility_state()
        oparl_saved.send(sender=type(self), instance=self, visibility_changed=changed)
        self._loaded_visibility = self.visibility_state()


class PublicQuerySet(CouncilQuerySet):
    def visible(self):
        """What anyone may see: alive and public (pages, feeds, search, OParl)."""
        return self.filter(deleted=False, public=True)


class FileQuerySet(PublicQuerySet):
    def visible(self):
        """Public files whose every parent is public and alive.

        A file can hang on a paper, a meeting and an agenda item at once: hiding one
        parent hides the file on every path, or it would stay embedded elsewhere.
        """
        return (
            super()
            .visible()
            .exclude(paper__public=False)
            .exclude(paper__deleted=True)
            .exclude(agenda_item__public=False)
            .exclude(agenda_item__deleted=True)
            .exclude(meeting__deleted=True)
        )


class AgendaItemQuerySet(PublicQuerySet):
    def visible(self):
        """Public items of meetings whose agenda is published (drafts stay internal)."""
        return super().visible().filter(agenda_published(prefix="meeting__"))


def agenda_published(prefix: str = "") -> models.Q:
    return models.Q(**{f"{prefix}agenda_published_at__isnull": False}) | models.Q(
        **{f"{prefix}state": "durchgeführt"}
    )


class Body(OParlObject):
    """The Körperschaft: the council side of a municipality (one per municipality)."""

    name = models.CharField(_("Name"), max_length=300)
    short_name = models.CharField(_("Kurzname"), max_length=100, blank=True)
    website = models.URLField(_("Website"), blank=True)
    license = models.URLField(
        _("Lizenz"), blank=True, default="https://creativecommons.org/licenses/by/4.0/"
    )
    contact_email = models.EmailField(_("Kontakt-E-Mail"), blank=True)
    contact_name = models.CharField(_("Kontakt"), max_length=200, blank=True)
    classification = models.CharField(_("Art"), max_length=100, blank=True, default="Stadt")
    oparl_since = models.DateTimeField(_("OParl seit"), default=timezone.now)

    class Meta:
        verbose_name = _("Körperschaft")
        verbose_name_plural = _("Körperschaften")
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="council_one_body_per_town")
        ]

    def __str__(self) -> str:
        return self.name


class LegislativeTerm(OParlObject):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="legislative_terms")
    name = models.CharField(_("Name"), max_length=200)
    start_date = models.DateField(_("Beginn"), null=True, blank=True)
    end_date = models.DateField(_("Ende"), null=True, blank=True)

    class Meta:
        verbose_name = _("Wahlperiode")
        verbose_name_plural = _("Wahlperioden")
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return self.name


class Place(OParlObject):
    """OParl ``Location``: where a meeting takes place."""

    description = models.CharField(_("Bezeichnung"), max_length=300)
    street_address = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    room = models.CharField(_("Raum"), max_length=100, blank=True)
    postal_code = models.CharField(_("PLZ"), max_length=10, blank=True)
    locality = models.CharField(_("Ort"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("Sitzungsort")
        verbose_name_plural = _("Sitzungsorte")
        ordering = ["description"]

    def __str__(self) -> str:
        return self.description


class Organization(OParlObject):
    """A Gremium: council, committee, advisory board (Beirat), parliamentary group."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("Vertretung (Rat)")
        COMMITTEE = "committee", _("Ausschuss")
        ADVISORY_BOARD = "advisory_board", _("Beirat")
        GROUP = "group", _("Fraktion")
        ADMINISTRATION = "administration", _("Verwaltung")
        OTHER = "other", _("Sonstiges")

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="organizations")
    name = models.CharField(_("Name"), max_length=300)
    short_name = models.CharField(_("Kurzname"), max_length=100, blank=True)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.COMMITTEE)
    description = models.TextField(_("Aufgaben"), blank=True)
    rules_of_procedure = models.TextField(_("Geschäftsordnung"), blank=True)
    start_date = models.DateField(_("gebildet am"), null=True, blank=True)
    end_date = models.DateField(_("aufgelöst am"), null=True, blank=True)
    website = models.URLField(_("Website"), blank=True)
    place = models.ForeignKey(Place, on_delete=models.SET_NULL, null=True, blank=True)
    # 22/SVV/0792: where the board's rules say so, every elected councillor (not only
    # the board's members) may read its non-public information; each access is audited.
    councillors_may_read_non_public = models.BooleanField(
        _("Alle Stadtverordneten dürfen Nichtöffentliches einsehen"),
        default=False,
        help_text=_(
            "Nur setzen, wenn die Geschäftsordnung des Gremiums es vorsieht. "
            "Jeder Zugriff wird protokolliert."
        ),
    )
    sub_organization_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Gremium")
        verbose_name_plural = _("Gremien")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("council:organization", args=[self.pk])

    @property
    def oparl_type(self) -> str:
        """OParl organizationType (German free text)."""
        return {
            "council": "Gremium",
            "committee": "Gremium",
            "advisory_board": "Gremium",
            "group": "Fraktion",
            "administration": "Verwaltungsbereich",
        }.get(self.kind, "Sonstiges")


class Person(OParlObject):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="persons")
    name = models.CharField(_("Name"), max_length=200)
    family_name = models.CharField(_("Nachname"), max_length=100, blank=True)
    given_name = models.CharField(_("Vorname"), max_length=100, blank=True)
    form_of_address = models.CharField(_("Anrede"), max_length=30, blank=True)
    title = models.CharField(_("Titel"), max_length=60, blank=True)
    gender = models.CharField(_("Geschlecht"), max_length=20, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    # Contact data is published (OParl) only when the person chose so; the address
    # of a linked login is never published (see public_email).
    publish_contact = models.BooleanField(
        _("E-Mail und Telefon veröffentlichen"),
        default=False,
        help_text=_("Nur ankreuzen, wenn die Person der Veröffentlichung zugestimmt hat."),
    )
    status = models.CharField(_("Status"), max_length=100, blank=True)
    life = models.TextField(_("Lebenslauf"), blank=True)
    # The login of a councillor: links non-public access to memberships.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_persons",
    )

    class Meta:
        verbose_name = _("Person")
        verbose_name_plural = _("Personen")
        ordering = ["family_name", "given_name", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def public_email(self) -> str:
        if not self.publish_contact or not self.email:
            return ""
        if self.user_id and self.user.email.lower() == self.email.lower():
            return ""  # a login address is never published
        return self.email

    @property
    def public_phone(self) -> str:
        return self.phone if self.publish_contact else ""

    def get_absolute_url(self) -> str:
        return reverse("council:person", args=[self.pk])

    @property
    def display_name(self) -> str:
        return " ".join(p for p in [self.form_of_address, self.title, self.name] if p)


class Membership(OParlObject):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("Rolle"), max_length=100, default="Mitglied")
    voting_right = models.BooleanField(_("stimmberechtigt"), default=True)
    start_date = models.DateField(_("seit"), null=True, blank=True)
    end_date = models.DateField(_("bis"), null=True, blank=True)
    on_behalf_of = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegated_memberships",
        verbose_name=_("für (Fraktion)"),
    )

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        ordering = ["organization__name", "role", "person__family_name"]

    def __str__(self) -> str:
        return f"{self.person} – {self.organization} ({self.role})"

    def is_active(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return (self.start_date is None or self.start_date <= on) and (
            self.end_date is None or self.end_date >= on
        )


class Meeting(OParlObject):
    class State(models.TextChoices):
        PLANNED = "geplant", _("geplant")
        INVITED = "eingeladen", _("eingeladen")
        HELD = "durchgeführt", _("durchgeführt")

    name = models.CharField(_("Bezeichnung"), max_length=300)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("Gremium")
    )
    state = models.CharField(_("Status"), max_length=20, choices=State.choices, default="geplant")
    cancelled = models.BooleanField(_("abgesagt"), default=False)
    start = models.DateTimeField(_("Beginn"))
    end = models.DateTimeField(_("Ende"), null=True, blank=True)
    place = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("Ort, Raum")
    )
    scribe = models.CharField(_("Schriftführer/in"), max_length=200, blank=True)
    agenda_published_at = models.DateTimeField(_("Tagesordnung veröffentlicht"), null=True)
    minutes_approved = models.BooleanField(_("Niederschrift freigegeben"), default=False)
    minutes_notes = models.TextField(_("Vermerke zur Niederschrift"), blank=True)

    class Meta:
        verbose_name = _("Sitzung")
        verbose_name_plural = _("Sitzungen")
        ordering = ["-start"]

    def __str__(self) -> str:
        return f"{self.name} ({timezone.localtime(self.start):%d.%m.%Y})"

    def get_absolute_url(self) -> str:
        return reverse("council:meeting", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.agenda_published_at is not None

    def visibility_state(self) -> tuple:
        return (self.deleted, self.is_published, self.state, self.minutes_approved)


class AgendaItem(OParlObject):
    class Result(models.TextChoices):
        NONE = "", _("– noch offen –")
        ADOPTED = "beschlossen", _("beschlossen")
        ADOPTED_CHANGED = "geändert beschlossen", _("geändert beschlossen")
        REJECTED = "abgelehnt", _("abgelehnt")
        NOTED = "zur Kenntnis genommen", _("zur Kenntnis genommen")
        DEFERRED = "vertagt", _("vertagt")
        REFERRED = "verwiesen", _("verwiesen")
        SETTLED = "erledigt durch Verwaltungshandeln", _("erledigt durch Verwaltungshandeln")
        WITHDRAWN = "zurückgezogen", _("zurückgezogen")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    number = models.CharField(_("Nummer"), max_length=20, blank=True)
    order = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    name = models.CharField(_("Thema"), max_length=500)
    public = models.BooleanField(_("öffentlich"), default=True)
    # Once public, a depublished item is shown as deleted in OParl incremental lists.
    was_public = models.BooleanField(default=False, editable=False)
    late = models.BooleanField(_("Dringlichkeit (nachträglich aufgenommen)"), default=False)
    discussion = models.TextField(_("Beratung"), blank=True)
    result = models.CharField(
        _("Ergebnis"), max_length=60, choices=Result.choices, blank=True, default=""
    )
    unanimous = models.BooleanField(_("einstimmig"), default=False)
    votes_yes = models.PositiveIntegerField(_("Ja"), null=True, blank=True)
    votes_no = models.PositiveIntegerField(_("Nein"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("Enthaltung"), null=True, blank=True)
    resolution_text = models.TextField(_("Beschlusstext"), blank=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("Tagesordnungspunkt")
        verbose_name_plural = _("Tagesordnungspunkte")
        ordering = ["meeting", "order"]

    def __str__(self) -> str:
        return f"TOP {self.number} {self.name}"

    def shown_publicly(self) -> bool:
        # Items of a draft agenda were never shown: hiding them is no deletion.
        meeting = self.meeting
        return self.public and (meeting.is_published or meeting.state == Meeting.State.HELD)

    @property
    def is_visible(self) -> bool:
        """The same rule as ``AgendaItem.objects.visible()`` for a loaded item."""
        meeting = self.meeting
        published = meeting.is_published or meeting.state == Meeting.State.HELD
        return self.public and not self.deleted and published

    @property
    def vote_summary(self) -> str:
        if self.unanimous:
            return str(_("einstimmig"))
        if self.votes_yes is None:
            return ""
        return _("Ja: %(y)s, Nein: %(n)s, Enthaltung: %(a)s") % {
            "y": self.votes_yes,
            "n": self.votes_no or 0,
            "a": self.votes_abstain or 0,
        }


class Paper(OParlObject):
    class Type(models.TextChoices):
        MOTION = "Antrag", _("Antrag")
        INQUIRY = "Anfrage", _("Anfrage")
        DRAFT_RESOLUTION = "Beschlussvorlage", _("Beschlussvorlage")
        NOTICE = "Mitteilungsvorlage", _("Mitteilungsvorlage")
        INFORMATION = "Informationsvorlage", _("Informationsvorlage")
        STATEMENT = "Stellungnahme", _("Stellungnahme")
        ANSWER = "Beantwortung", _("Beantwortung")
        AMENDMENT = "Änderungsantrag", _("Änderungsantrag")

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="papers")
    name = models.CharField(_("Betreff"), max_length=500)
    # Long enough for every vendor's numbering: a cut reference is another paper.
    reference = models.CharField(_("Drucksachen-Nr."), max_length=200, blank=True, db_index=True)
    # Empty when an imported paper has no readable date: never an invented one.
    date = models.DateField(
        _("Erstellungsdatum"), default=timezone.localdate, null=True, blank=True
    )
    paper_type = models.CharField(_("Art"), max_length=40, choices=Type.choices)
    public = models.BooleanField(_("öffentlich"), default=True)
    # Once public, a depublished paper is shown as deleted in OParl incremental lists.
    was_public = models.BooleanField(default=False, editable=False)
    originator = models.CharField(_("Einreicher"), max_length=300, blank=True)
    originator_persons = models.ManyToManyField(Person, blank=True, related_name="papers")
    originator_organizations = models.ManyToManyField(
        Organization, blank=True, related_name="originated_papers"
    )
    lead_office = models.ForeignKey(
        Office,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("federführendes Amt"),
    )
    text = models.TextField(_("Beschlussvorschlag / Inhalt"), blank=True)
    reasoning = models.TextField(_("Begründung / Sachverhalt"), blank=True)
    financial_impact = models.TextField(_("Finanzielle Auswirkungen"), blank=True)
    related_papers = models.ManyToManyField("self", blank=True)
    superordinated = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="subordinated"
    )
    # The Antrag form's "Beschlussverfolgung gewünscht" and "Termin" (seed 002): an
    # adopting decision then creates the tracked task by itself.
    tracking_requested = models.BooleanField(_("Beschlussverfolgung gewünscht"), default=False)
    tracking_due_date = models.DateField(
        _("Termin"),
        null=True,
        blank=True,
        help_text=_("Bis wann der Beschluss umgesetzt sein soll (für die Beschlussverfolgung)."),
    )
    # Anfragen: by when the written answer is due (seed 001).
    answer_due_date = models.DateField(_("Antwort erbeten bis"), null=True, blank=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = _("Drucksache")
        verbose_name_plural = _("Drucksachen")
        # Imported papers may have no date: those go last, not first (PostgreSQL).
        ordering = [models.F("date").desc(nulls_last=True), "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("council:paper", args=[self.pk])


class Consultation(OParlObject):
    """One step of a paper's Beratungsfolge: which body, when, in which role."""

    class Role(models.TextChoices):
        HEARING = "Anhörung", _("Anhörung")
        PREPARATION = "Vorberatung", _("Vorberatung")
        DECISION = "Entscheidung", _("Entscheidung")
        NOTICE = "Kenntnisnahme", _("Kenntnisnahme")

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="consultations")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="consultations"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="consultations"
    )
    agenda_item = models.OneToOneField(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation",
    )
    planned_date = models.DateField(_("geplantes Datum"), null=True, blank=True)
    role = models.CharField(_("Zuständigkeit"), max_length=60, choices=Role.choices)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Beratung")
        verbose_name_plural = _("Beratungsfolge")
        ordering = ["paper", "order", "planned_date"]

    def __str__(self) -> str:
        return f"{self.paper.reference}: {self.organization} ({self.role})"

    @property
    def authoritative(self) -> bool:
        return self.role == self.Role.DECISION

    @property
    def date(self):
        if self.meeting_id:
            return timezone.localtime(self.meeting.start).date()
        return self.planned_date


def file_upload_path(instance, filename: str) -> str:
    return f"council/{instance.municipality_id}/{timezone.now():%Y/%m}/{filename}"


class File(OParlObject):
    class Role(models.TextChoices):
        MAIN = "main", _("Hauptdokument")
        AUXILIARY = "auxiliary", _("Anlage")
        INVITATION = "invitation", _("Einladung")
        RESULTS_PROTOCOL = "results_protocol", _("Niederschrift")
        RULES = "rules", _("Geschäftsordnung")

    name = models.CharField(_("Name"), max_length=300)
    file_name = models.CharField(_("Dateiname"), max_length=255)
    mime_type = models.CharField(_("MIME-Typ"), max_length=100, default="application/pdf")
    date = models.DateField(_("Datum"), default=timezone.localdate, null=True, blank=True)
    size = models.PositiveBigIntegerField(_("Größe"), default=0)
    sha1_checksum = models.CharField(max_length=40, blank=True)
    content = models.FileField(upload_to=file_upload_path, blank=True)
    # Imported files whose content stays at the source system.
    source_url = models.URLField(_("Quelle"), max_length=500, blank=True)
    text = models.TextField(_("Textinhalt"), blank=True)
    public = models.BooleanField(_("öffentlich"), default=True)
    # Once public, a depublished file is shown as deleted in OParl incremental lists.
    was_public = models.BooleanField(default=False, editable=False)
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices, default="auxiliary")
    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )

    objects = FileQuerySet.as_manager()

    class Meta:
        verbose_name = _("Datei")
        verbose_name_plural = _("Dateien")
        ordering = ["date", "name"]

    def __str__(self) -> str:
        return self.name


class Attendance(models.Model):
    """Who was at a meeting, in which function, from/until (Anwesenheit)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("anwesend")
        EXCUSED = "excused", _("entschuldigt")
        ABSENT = "absent", _("nicht entschuldigt")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(_("Anwesenheit"), max_length=10, choices=Status.choices)
    function = models.CharField(_("Funktion"), max_length=100, default="Mitglieder")
    affiliation = models.CharField(_("Fraktion / Bereich"), max_length=100, blank=True)
    voting = models.BooleanField(_("stimmberechtigt"), default=True)
    arrived = models.TimeField(_("ab"), null=True, blank=True)
    left = models.TimeField(_("bis"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Anwesenheit")
        verbose_name_plural = _("Anwesenheiten")
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="council_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_status_display()}"


class ResolutionTask(TenantModel):
    """Beschlussverfolgung: what a resolution asks the administration to do, by when."""

    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        IN_PROGRESS = "in_progress", _("in Bearbeitung")
        DONE = "done", _("erledigt")

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="tasks")
    # The decided paper (from the item's consultation): the public page and the paper
    # page list tasks by it. Hidden with the paper when the paper is not public.
    paper = models.ForeignKey(
        Paper, on_delete=models.SET_NULL, null=True, blank=True, related_name="resolution_tasks"
    )
    # Created by record_result for a paper with "Beschlussverfolgung gewünscht".
    automatic = models.BooleanField(_("automatisch angelegt"), default=False)
    description = models.TextField(_("Auftrag"))
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("zuständiges Amt")
    )
    due_date = models.DateField(_("Frist"))
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default="open")
    report = models.TextField(_("Sachstand"), blank=True)
    reported_at = models.DateTimeField(_("letzter Bericht"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Beschlusskontrolle")
        verbose_name_plural = _("Beschlusskontrolle")
        ordering = ["due_date", "id"]
        constraints = [
            # Recording a result twice (correction, double submit, two clerks) must not
            # create a second automatic task for the same decision.
            models.UniqueConstraint(
                fields=["agenda_item"],
                condition=models.Q(automatic=True),
                name="council_one_automatic_task_per_item",
            )
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def overdue(self) -> bool:
        return self.status != self.Status.DONE and self.due_date < timezone.localdate()

    @property
    def state_label(self) -> str:
        """open / in progress / done, or overdue when the deadline passed undone."""
        return str(_("überfällig")) if self.overdue else self.get_status_display()


class SavedSearch(TenantModel):
    """An e-mail alert for new papers matching a query (double opt-in)."""

    email = models.EmailField(_("E-Mail-Adresse"))
    query = models.CharField(_("Suchbegriff"), max_length=200)
    token = models.CharField(max_length=64, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Papers created after this moment are "new" for the next alert.
    checked_until = models.DateTimeField(default=timezone.now)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Suchabo")
        verbose_name_plural = _("Suchabos")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "email", "query"], name="council_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.query}"


class OParlSource(TenantModel):
    """An OParl server this municipality imports from, and when it last did."""

    system_url = models.URLField(_("System-URL"), max_length=500)
    last_run = models.DateTimeField(_("letzter Import"), null=True, blank=True)

    class Meta:
        verbose_name = _("OParl-Quelle")
        verbose_name_plural = _("OParl-Quellen")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "system_url"], name="council_oparl_source_once"
            )
        ]

    def __str__(self) -> str:
        return self.system_url
