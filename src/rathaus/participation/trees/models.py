"""Baumgießen: street trees, waterings, adoptions, pumps and daily rainfall."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import TenantModel


class Tree(TenantModel):
    external_id = models.CharField(_("Baumnummer"), max_length=60)
    species = models.CharField(_("Baumart"), max_length=120, blank=True)
    planting_year = models.PositiveSmallIntegerField(_("Pflanzjahr"), null=True, blank=True)
    latitude = models.DecimalField(_("Breitengrad"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("Längengrad"), max_digits=9, decimal_places=6)
    street = models.CharField(_("Straße"), max_length=120, blank=True, db_index=True)
    district = models.CharField(_("Stadtteil"), max_length=120, blank=True, db_index=True)

    class Meta:
        verbose_name = _("Straßenbaum")
        verbose_name_plural = _("Straßenbäume")
        ordering = ["street", "external_id"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "external_id"], name="tree_external_id")
        ]

    def __str__(self) -> str:
        return f"{self.species or _('Baum')} {self.external_id}"


class Watering(models.Model):
    tree = models.ForeignKey(Tree, on_delete=models.CASCADE, related_name="waterings")
    litres = models.PositiveSmallIntegerField(
        _("Liter"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    date = models.DateField(_("Datum"), db_index=True)
    name = models.CharField(_("Name (Pseudonym)"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.tree}: {self.litres} l"


class Adoption(models.Model):
    tree = models.ForeignKey(Tree, on_delete=models.CASCADE, related_name="adoptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tree", "user"], name="one_adoption")]

    def __str__(self) -> str:
        return f"{self.tree}: {self.user}"


class WaterPump(TenantModel):
    class Condition(models.TextChoices):
        WORKING = "working", _("funktionsfähig")
        BROKEN = "broken", _("defekt")
        LOCKED = "locked", _("verriegelt")

    name = models.CharField(_("Bezeichnung"), max_length=120)
    latitude = models.DecimalField(_("Breitengrad"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("Längengrad"), max_digits=9, decimal_places=6)
    condition = models.CharField(
        _("Zustand"), max_length=10, choices=Condition.choices, default=Condition.WORKING
    )
    note = models.CharField(_("Hinweis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Wasserpumpe")
        verbose_name_plural = _("Wasserpumpen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Rainfall(TenantModel):
    date = models.DateField(_("Datum"))
    mm = models.DecimalField(_("Niederschlag (mm)"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("Tagesniederschlag")
        verbose_name_plural = _("Tagesniederschläge")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "date"], name="rainfall_per_day"),
            models.CheckConstraint(condition=models.Q(mm__gte=0), name="rainfall_not_negative"),
        ]


class StreetGroupMember(TenantModel):
    """A street's self-organised watering group (22/SVV/1134): neighbours join the group
    of their street under a pseudonym; the street page lists them and what is missing."""

    street = models.CharField(_("Straße"), max_length=120)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(_("Name (Pseudonym)"), max_length=40)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Mitglied einer Gießgruppe")
        verbose_name_plural = _("Mitglieder von Gießgruppen")
        ordering = ["street", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "street", "user"], name="one_street_group_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.street}: {self.name}"


class TreeGrant(TenantModel):
    """A Baumpatenschaft with plaque or a water voucher issued by staff (22/SVV/1134):
    who (account), which tree, issued when and by whom, valid until when."""

    class Kind(models.TextChoices):
        SPONSORSHIP = "sponsorship", _("Baumpatenschaft mit Schild")
        WATER_VOUCHER = "water_voucher", _("Wassergutschein")

    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    tree = models.ForeignKey(Tree, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tree_grants"
    )
    plaque_text = models.CharField(_("Text des Schildes"), max_length=80, blank=True)
    litres = models.PositiveIntegerField(_("Liter (Gutschein)"), null=True, blank=True)
    issued_on = models.DateField(_("ausgegeben am"))
    valid_until = models.DateField(_("gültig bis"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Patenschaft oder Wassergutschein")
        verbose_name_plural = _("Patenschaften und Wassergutscheine")
        ordering = ["-issued_on", "-id"]
        constraints = [
            # a second click (or a parallel one) on the same day records nothing new
            models.UniqueConstraint(
                fields=["kind", "tree", "user", "issued_on"], name="tree_grant_once_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(issued_on__lte=models.F("valid_until")),
                name="tree_grant_valid_after_issue",
            ),
        ]
        indexes = [models.Index(fields=["valid_until"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.tree}"
