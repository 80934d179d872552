"""Bürgerhaushalt: rounds with phases, proposals, supporters, ballots."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import TenantModel


class BudgetRound(TenantModel):
    """One Bürgerhaushalt (e.g. 2025/26); its phase decides what citizens may do."""

    class Phase(models.TextChoices):
        PROPOSALS = "proposals", _("Vorschläge sammeln")
        REVIEW = "review", _("Prüfung durch die Verwaltung")
        VOTING = "voting", _("Abstimmung")
        RESULTS = "results", _("Ergebnis")
        IMPLEMENTATION = "implementation", _("Umsetzung")

    slug = models.SlugField()
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    phase = models.CharField(_("Phase"), max_length=20, choices=Phase.choices)
    points_per_voter = models.PositiveSmallIntegerField(
        _("Punkte je Person"), default=10, validators=[MinValueValidator(1)]
    )
    max_points_per_proposal = models.PositiveSmallIntegerField(
        _("Höchstens Punkte je Vorschlag"), default=5, validators=[MinValueValidator(1)]
    )
    top_n = models.PositiveSmallIntegerField(_("Länge der Ergebnisliste"), default=20)
    voting_ends_at = models.DateTimeField(_("Abstimmung endet"), null=True, blank=True)
    # When the points were cut from the voters (secret ballot, ADR 0170).
    ballots_sealed_at = models.DateTimeField(null=True, blank=True, editable=False)
    categories = models.JSONField(_("Kategorien"), default=list, blank=True)
    districts = models.JSONField(_("Stadtteile"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The Drucksache with the TOP-N list (council module); set once, so the handover
    # is idempotent. SET_NULL: a hard-deleted paper may be handed over again.
    council_paper = models.ForeignKey(
        "council.Paper",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Drucksache im Ratsinformationssystem"),
    )
    # The office answering for the implementation: with it, the round's papers ask the
    # council for Beschlussverfolgung, so a resolution becomes a tracked task by itself.
    office = models.ForeignKey(
        "core.Office",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("federführendes Amt"),
    )

    class Meta:
        verbose_name = _("Bürgerhaushalt")
        verbose_name_plural = _("Bürgerhaushalte")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="budget_round_slug")
        ]

    def __str__(self) -> str:
        return self.title


class Proposal(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Eingereicht")
        MERGED = "merged", _("Zusammengeführt")
        FEASIBLE = "feasible", _("Umsetzbar – zur Abstimmung")
        NOT_FEASIBLE = "not_feasible", _("Nicht umsetzbar")
        SELECTED = "selected", _("In der Bestenliste")
        NOT_SELECTED = "not_selected", _("Nicht in der Bestenliste")
        ACCEPTED = "accepted", _("Beschlossen")
        REJECTED = "rejected", _("Abgelehnt")
        IMPLEMENTING = "implementing", _("In Umsetzung")
        DONE = "done", _("Umgesetzt")

    IMPLEMENTATION_STATUSES = (Status.ACCEPTED, Status.IMPLEMENTING, Status.DONE)

    round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="proposals")
    number = models.PositiveIntegerField(_("Nummer"))
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"))
    category = models.CharField(_("Kategorie"), max_length=80)
    district = models.CharField(_("Stadtteil"), max_length=80)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    feasibility_note = models.TextField(_("Einschätzung der Verwaltung"), blank=True)
    cost_estimate = models.DecimalField(
        _("Geschätzte Kosten (Euro)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_proposals"
    )
    progress_percent = models.PositiveSmallIntegerField(
        _("Umsetzungsstand (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    progress_note = models.TextField(_("Stand der Umsetzung"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(_("geprüft am"), null=True, blank=True)
    # A single proposal brought to the council as its own paper (as 22/SVV/1134 was for
    # No. 15 of Potsdam's TOP-20 list); set once, so the handover is idempotent.
    council_paper = models.ForeignKey(
        "council.Paper",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("eigene Drucksache"),
    )

    class Meta:
        verbose_name = _("Bürgerhaushaltsvorschlag")
        verbose_name_plural = _("Bürgerhaushaltsvorschläge")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="proposal_number_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Support(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_support_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.proposal}"


class Milestone(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("Meilenstein"), max_length=200)
    due = models.DateField(_("Termin"), null=True, blank=True)
    done = models.BooleanField(_("erreicht"), default=False)

    class Meta:
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.title


class VoteCode(models.Model):
    """A one-time code to vote without an account (seed 002, 4.1: registration was too
    long). Only a hash is stored; the code itself exists on the letter or in the e-mail.
    """

    class Channel(models.TextChoices):
        LETTER = "letter", _("Brief")
        EMAIL = "email", _("E-Mail")

    round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="vote_codes")
    code_hash = models.CharField(max_length=64)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # E-mail codes: a keyed hash of the address, so one address gets one code per round
    # without the address being stored.
    email_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Abstimmungscode")
        verbose_name_plural = _("Abstimmungscodes")
        constraints = [
            models.UniqueConstraint(fields=["round", "code_hash"], name="vote_code_once"),
            models.UniqueConstraint(
                fields=["round", "email_hash"],
                condition=~models.Q(email_hash=""),
                name="vote_code_once_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.get_channel_display()}"


class Ballot(models.Model):
    """One ballot in one round: a distribution of points. An account's ballot can be
    changed until the end; a vote code's ballot is cast once."""

    round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="ballots")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True)
    vote_code = models.OneToOneField(
        VoteCode, on_delete=models.PROTECT, null=True, blank=True, related_name="ballot"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="one_ballot_per_person"),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, vote_code__isnull=True)
                | models.Q(user__isnull=True, vote_code__isnull=False),
                name="ballot_by_account_or_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.user}"


class BallotEntry(models.Model):
    """Points for one proposal. Linked to its ballot (the voter) while the vote is open,
    so the distribution can be changed; sealed at the end of the vote: then it names
    only its round, and nobody can tell whose points they were (ADR 0170)."""

    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, related_name="entries", null=True, blank=True
    )
    round = models.ForeignKey(
        BudgetRound,
        on_delete=models.CASCADE,
        related_name="sealed_entries",
        null=True,
        blank=True,
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="ballot_entries")
    points = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "proposal"], name="one_entry_per_proposal"),
            models.CheckConstraint(condition=models.Q(points__gte=1), name="entry_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.points}"


def paper_path(instance, filename):
    """Upload path of the former CouncilPaperDraft; kept because migration 0001 names it."""
    return f"participation/budget/{instance.round.slug}-{filename}"
