"""Onboarding a town into a Land installation, and a town's own staff (issue 21).

The one write path for the operator's command (``rathaus onboard_town``) and pages
(/land/): a town with its host names, address for e-mail links, sender and first
administrator; its offices and locations with weekly hours; and, for a town's
administrators, inviting staff and granting or revoking roles in their own town.
Every function runs in one transaction and writes an audit entry.
"""

import re
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from . import audit
from .models import (
    LANDS,
    Location,
    Municipality,
    MunicipalityHost,
    Office,
    OpeningHours,
    Role,
    StaffRole,
    User,
)
from .parsing import ParseError, clean_text, parse_url

# The first two digits of an AGS are the Land (Statistisches Bundesamt).
LAND_OF_AGS_PREFIX = {
    "01": "SH",
    "02": "HH",
    "03": "NI",
    "04": "HB",
    "05": "NW",
    "06": "HE",
    "07": "RP",
    "08": "BW",
    "09": "BY",
    "10": "SL",
    "11": "BE",
    "12": "BB",
    "13": "MV",
    "14": "SN",
    "15": "ST",
    "16": "TH",
}
LAND_NAMES = dict(LANDS)
HOST_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
# Germany's extent with a margin: a position outside is a typing error (swapped or
# missing digits), not a town of this installation.
LATITUDE_RANGE = (Decimal("47.2"), Decimal("55.1"))
LONGITUDE_RANGE = (Decimal("5.8"), Decimal("15.1"))


def parse_ags(raw, field: str = "ags", *, land: str | None = None) -> tuple[str, str]:
    """(AGS, Land code): eight digits whose first two name a Land (and ``land`` if given)."""
    ags = clean_text(raw, field, max_length=8, multiline=False)
    if not (len(ags) == 8 and ags.isascii() and ags.isdigit()):
        raise ParseError(field, "Der AGS hat genau 8 Ziffern.")
    code = LAND_OF_AGS_PREFIX.get(ags[:2])
    if code is None:
        raise ParseError(field, "Die ersten beiden Ziffern des AGS nennen kein Land (01–16).")
    if land and code != land:
        raise ParseError(
            field, f"Der AGS gehört zu {LAND_NAMES[code]}, nicht zu {LAND_NAMES.get(land, land)}."
        )
    if Municipality.objects.filter(ags=ags).exists():
        raise ParseError(field, "Eine Kommune mit diesem AGS ist schon eingerichtet.")
    return ags, code


def parse_hosts(raw: str | list[str], field: str = "hosts") -> list[str]:
    """Host names, one per line or comma: valid, not taken, not the operator's."""
    items = raw if isinstance(raw, list) else re.split(r"[\s,]+", str(raw))
    hosts: list[str] = []
    for item in items:
        host = str(item).strip().lower().rstrip(".")
        if not host:
            continue
        if not HOST_RE.match(host) or "." not in host and host != "localhost":
            raise ParseError(field, f"„{host[:60]}“ ist kein gültiger Hostname.")
        if host in settings.RATHAUS_OPERATOR_HOSTS:
            raise ParseError(field, f"{host} ist die Adresse des Betriebs, keiner Kommune.")
        if host not in hosts:
            hosts.append(host)
    if not hosts:
        raise ParseError(field, "Mindestens ein Hostname ist nötig.")
    if len(hosts) > 10:
        raise ParseError(field, "Höchstens 10 Hostnamen.")
    taken = list(MunicipalityHost.objects.filter(host__in=hosts).values_list("host", flat=True))
    if taken:
        raise ParseError(field, f"Der Hostname {taken[0]} gehört schon einer Kommune.")
    return hosts


def parse_position(raw_lat, raw_lon) -> tuple[Decimal | None, Decimal | None]:
    """Both coordinates or none; inside Germany; six decimals."""
    lat_text = str(raw_lat if raw_lat is not None else "").strip().replace(",", ".")
    lon_text = str(raw_lon if raw_lon is not None else "").strip().replace(",", ".")
    if not lat_text and not lon_text:
        return None, None
    if not lat_text or not lon_text:
        field = "latitude" if not lat_text else "longitude"
        raise ParseError(field, "Bitte Breiten- und Längengrad angeben (oder beide leer lassen).")
    values = []
    for text, field, (low, high) in (
        (lat_text, "latitude", LATITUDE_RANGE),
        (lon_text, "longitude", LONGITUDE_RANGE),
    ):
        if len(text) > 20 or not re.fullmatch(r"-?\d{1,3}(\.\d{1,12})?", text):
            raise ParseError(field, "Bitte eine Dezimalzahl angeben, z. B. 52.520008.")
        value = Decimal(text).quantize(Decimal("0.000001"))
        if not low <= value <= high:
            raise ParseError(
                field, f"Der Wert liegt nicht in Deutschland (erwartet {low} bis {high})."
            )
        values.append(value)
    return values[0], values[1]


def _unique_slug(model, base: str, **scope) -> str:
    base = (slugify(base) or "kommune")[:40].strip("-") or "kommune"
    slug, number = base, 2
    while model.objects.filter(slug=slug, **scope).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


@dataclass
class Onboarded:
    town: Municipality
    admin: User
    invited: bool  # a new account: the mail carries the link to set a password


@transaction.atomic
def onboard_town(
    *,
    name: str,
    ags: str,
    hosts: str | list[str],
    admin_email: str,
    base_url: str = "",
    mail_sender: str = "",
    land: str = "",
    logo=None,
    actor=None,
    actor_label: str = "",
) -> Onboarded:
    """Create a town, its host names and its first administrator (invited by e-mail)."""
    name = clean_text(name, "name", max_length=200, multiline=False)
    if not name:
        raise ParseError("name", "Bitte den Namen der Kommune angeben.")
    ags, land_code = parse_ags(ags, land=land or None)
    host_list = parse_hosts(hosts)
    if base_url:
        base_url = parse_url(base_url, "base_url", max_length=200).rstrip("/")
    mail_sender = _parse_email(mail_sender, "mail_sender", required=False)
    admin_email = _parse_email(admin_email, "admin_email", required=True)
    town = Municipality(
        slug=_unique_slug(Municipality, name),
        name=name,
        ags=ags,
        ars=f"{ags[:5]}0000{ags[5:]}",
        land=land_code,
        base_url=base_url,
        mail_sender=mail_sender,
    )
    if logo is not None:
        town.logo = logo
    town.save()
    for host in host_list:
        MunicipalityHost.objects.create(municipality=town, host=host)
    audit.record(
        "core.town_onboarded",
        town,
        municipality=town,
        actor=actor,
        actor_label=actor_label,
        data={"hosts": host_list, "ags": ags},
    )
    admin, invited = _grant(town, admin_email, Role.ADMINISTRATOR, None, actor, actor_label)
    return Onboarded(town=town, admin=admin, invited=invited)


def _parse_email(raw, field: str, *, required: bool) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    text = clean_text(raw or "", field, max_length=254, multiline=False).lower()
    if not text:
        if required:
            raise ParseError(field, "Bitte eine E-Mail-Adresse angeben.")
        return ""
    try:
        validate_email(text)
    except ValidationError:
        raise ParseError(field, "Bitte eine gültige E-Mail-Adresse angeben.") from None
    return text


def _grant(town, email, role, office, actor, actor_label, first_name="", last_name=""):
    """Give ``role`` to the account with ``email`` (created and invited if new)."""
    user = User.objects.filter(email__iexact=email).first()
    invited = user is None
    if user is None:
        user = User.objects.create_user(email, None, first_name=first_name, last_name=last_name)
        audit.record(
            "core.staff_invited", user, municipality=town, actor=actor, actor_label=actor_label
        )
    staff_role, created = StaffRole.objects.get_or_create(
        user=user, municipality=town, role=role, office=office
    )
    if created:
        audit.record(
            "core.role_granted",
            staff_role,
            actor=actor,
            actor_label=actor_label,
            data={"role": role, "office": office.pk if office else None, "user": user.pk},
        )
        _mail_after_commit(user, town, "invite" if invited else "role")
    return user, invited


def _mail_after_commit(user, town, kind):
    from .tasks import send_staff_mail

    user_id, town_id = user.pk, town.pk
    transaction.on_commit(lambda: send_staff_mail.enqueue(user_id, town_id, kind))


# --- a town's own staff ---------------------------------------------------------------


class NotYours(Exception):
    """The account belongs to another town's staff or is an operator: not this town's."""


def may_manage(actor, town, user) -> bool:
    """An administrator of ``town`` manages accounts without any other town's role and
    that are not installation operators; operators manage everyone."""
    if getattr(actor, "is_superuser", False):
        return True
    if user.is_superuser:
        return False
    return not StaffRole.objects.filter(user=user).exclude(municipality=town).exists()


@transaction.atomic
def invite_staff(
    town, *, email, role, office=None, first_name="", last_name="", actor
) -> tuple[User, bool]:
    """Grant ``role`` in ``town`` to the account with ``email``; a new account is
    created without password and gets an invitation to set one."""
    email = _parse_email(email, "email", required=True)
    if role not in Role.values:
        raise ParseError("role", "Unbekannte Rolle.")
    if office is not None and office.municipality_id != town.pk:
        raise ParseError("office", "Die Organisationseinheit gehört nicht zu dieser Kommune.")
    first_name = clean_text(first_name, "first_name", max_length=150, multiline=False)
    last_name = clean_text(last_name, "last_name", max_length=150, multiline=False)
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is not None and not may_manage(actor, town, existing):
        raise NotYours(email)
    return _grant(town, email, role, office, actor, "", first_name, last_name)


@transaction.atomic
def revoke_role(town, staff_role_id: int, *, actor) -> bool:
    """Remove one role of this town; the last administrator stays (a town never locks
    itself out). Returns False if there was nothing to remove."""
    staff_role = (
        StaffRole.objects.select_for_update()
        .filter(municipality=town, pk=staff_role_id)
        .select_related("user")
        .first()
    )
    if staff_role is None:
        return False
    if staff_role.role == Role.ADMINISTRATOR:
        admins = StaffRole.objects.select_for_update().filter(
            municipality=town, role=Role.ADMINISTRATOR
        )
        if admins.count() <= 1:
            raise ParseError("role", "Die letzte Administration der Kommune bleibt.")
    audit.record(
        "core.role_revoked",
        staff_role,
        actor=actor,
        data={"role": staff_role.role, "user": staff_role.user_id},
    )
    staff_role.delete()
    return True


def town_staff(town):
    """The town's roles with their accounts, for its administrators' page."""
    return (
        StaffRole.objects.for_municipality(town)
        .select_related("user", "office")
        .order_by("user__email", "role")
    )


# --- offices and locations ---------------------------------------------------------------


@dataclass
class Window:
    kind: str  # OpeningHours.Kind
    weekday: int
    opens: time
    closes: time


@transaction.atomic
def add_location(
    town,
    *,
    office_name: str,
    name: str,
    street: str,
    postcode: str,
    city: str,
    latitude=None,
    longitude=None,
    windows: list[Window],
    actor=None,
    actor_label: str = "",
) -> Location:
    """An office (found by name or created) with a new location and its weekly hours."""
    office_name = clean_text(office_name, "office_name", max_length=200, multiline=False)
    name = clean_text(name, "name", max_length=200, multiline=False)
    street = clean_text(street, "street", max_length=200, multiline=False)
    city = clean_text(city, "city", max_length=100, multiline=False)
    postcode = clean_text(postcode, "postcode", max_length=5, multiline=False)
    for field, value in (("office_name", office_name), ("name", name), ("street", street)):
        if not value:
            raise ParseError(field, "Bitte ausfüllen.")
    if not (len(postcode) == 5 and postcode.isascii() and postcode.isdigit()):
        raise ParseError("postcode", "Die Postleitzahl hat 5 Ziffern.")
    lat, lon = parse_position(latitude, longitude)
    for window in windows:
        if not window.opens < window.closes:
            raise ParseError(f"hours_{window.weekday}", "„von“ muss vor „bis“ liegen.")
    office = Office.objects.for_municipality(town).filter(name=office_name).first()
    if office is None:
        office = Office.objects.create(
            municipality=town,
            name=office_name,
            slug=_unique_slug(Office, office_name, municipality=town),
        )
        audit.record("core.office_created", office, actor=actor, actor_label=actor_label)
    location = Location.objects.create(
        municipality=town,
        office=office,
        slug=_unique_slug(Location, name, municipality=town),
        name=name,
        street=street,
        postcode=postcode,
        city=city or town.name,
        latitude=lat,
        longitude=lon,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(
            location=location, kind=w.kind, weekday=w.weekday, opens=w.opens, closes=w.closes
        )
        for w in windows
    )
    audit.record(
        "core.location_created",
        location,
        actor=actor,
        actor_label=actor_label,
        data={"office": office.pk, "hours": len(windows)},
    )
    return location
