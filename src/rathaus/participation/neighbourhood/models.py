"""One neighbourhood subscription (issue 18, "beyond every peer"): a citizen subscribes
once to a street or an area and gets one weekly digest of what happens there."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import TenantModel


def new_token() -> str:
    return secrets.token_urlsafe(24)


class NeighbourhoodSubscription(TenantModel):
    """Personal data: the e-mail address (and the street or area it is about).

    The area is always a box south-west/north-east, the same geometry as the
    Mängelmelder's area alerts: for a street the box around its known addresses, for
    a radius the box around the address, or a box the citizen entered. ``street`` is
    kept for a street subscription: reports, council papers and trees are also
    matched by the street's name.
    """

    class Way(models.TextChoices):
        STREET = "street", _("Straße")
        RADIUS = "radius", _("Umkreis um eine Adresse")
        AREA = "area", _("Gebiet")

    email = models.EmailField(_("E-Mail-Adresse"))
    way = models.CharField(_("Art"), max_length=10, choices=Way.choices)
    street = models.CharField(_("Straße"), max_length=120, blank=True)
    house_number = models.CharField(_("Hausnummer"), max_length=12, blank=True)
    radius_m = models.PositiveIntegerField(_("Umkreis (Meter)"), null=True, blank=True)
    south = models.DecimalField(max_digits=9, decimal_places=6)
    west = models.DecimalField(max_digits=9, decimal_places=6)
    north = models.DecimalField(max_digits=9, decimal_places=6)
    east = models.DecimalField(max_digits=9, decimal_places=6)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last digest covered everything changed up to this moment.
    digest_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Nachbarschafts-Abo")
        verbose_name_plural = _("Nachbarschafts-Abos")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(south__lt=models.F("north"), west__lt=models.F("east")),
                name="neighbourhood_box_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(way="area") | ~models.Q(street=""),
                name="neighbourhood_street_given",
            ),
        ]
        indexes = [models.Index(fields=["confirmed_at", "digest_until"])]

    def __str__(self) -> str:
        return self.area_label

    @property
    def area_label(self) -> str:
        if self.way == self.Way.STREET:
            return str(_("Straße: %(s)s") % {"s": self.street})
        if self.way == self.Way.RADIUS:
            where = f"{self.street} {self.house_number}".strip()
            return str(_("%(m)s m um %(a)s") % {"m": self.radius_m, "a": where})
        return str(
            _("Gebiet %(s)s, %(w)s bis %(n)s, %(e)s")
            % {"s": self.south, "w": self.west, "n": self.north, "e": self.east}
        )
