"""Onboarding a town into a Land installation, and a town's own staff (issue 21).

The one write path for the operator's command (``rathaus onboard_town``) and pages
(/land/): a town with its host names, address for e-mail links, sender and first
administrator; its offices and locations with weekly hours; and, for a town's
administrators, inviting staff and granting or revoking roles in their own town.
Every function runs in one transaction and writes an audit entry.
"""

import re
from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from . import audit, geocoding
from .models import (
    LANDS,
    Location,
    Municipality,
    MunicipalityHost,
    Office,
    OpeningException,
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


def parse_hosts(raw: str | list[str], field: str = "hosts", *, town=None) -> list[str]:
    """Host names, one per line or comma: valid, not taken (by another town than
    ``town``), not the operator's."""
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
    others = MunicipalityHost.objects.filter(host__in=hosts)
    if town is not None:
        others = others.exclude(municipality=town)
    taken = list(others.values_list("host", flat=True))
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


NOT_IN_ADDRESS_LIST = (
    "Diese Adresse steht nicht in der Adressliste der Kommune. Laden Sie die Adressliste "
    "hoch oder geben Sie die Position ein."
)
NO_GEOCODER = (
    "Diese Installation kann Adressen nicht in Positionen umrechnen (keine Adressliste). "
    "Bitte geben Sie Breiten- und Längengrad ein."
)


def locate(town, street: str, postcode: str, raw_lat, raw_lon) -> tuple[Decimal, Decimal]:
    """The typed position (checked by ``parse_position``) or, with both fields empty,
    the one of ``street`` (with house number) in the town's address list (ADR 0223)."""
    lat, lon = parse_position(raw_lat, raw_lon)
    if lat is not None and lon is not None:
        return lat, lon
    if not geocoding.available():
        raise ParseError("street", NO_GEOCODER)
    found = geocoding.position_for(town, street, postcode)
    if found is None:
        raise ParseError("street", NOT_IN_ADDRESS_LIST)
    quantum = Decimal("0.000001")
    return Decimal(found[0]).quantize(quantum), Decimal(found[1]).quantize(quantum)


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


@transaction.atomic
def update_town(
    town,
    *,
    name: str,
    hosts: str | list[str],
    base_url: str = "",
    mail_sender: str = "",
    logo=None,
    remove_logo: bool = False,
    actor=None,
    actor_label: str = "",
) -> list[str]:
    """Change a town after onboarding: name, host names (in order; the first is the
    primary one, used for mail links when no base URL is set), base URL, sender, logo.

    Host rows are replaced through the model (signals), so the tenancy memo and the
    allowed host set (ADR 0214) forget them in this process at once and other
    processes after the commit. Returns the names of the changed fields.
    """
    town = Municipality.objects.select_for_update().get(pk=town.pk)
    name = clean_text(name, "name", max_length=200, multiline=False)
    if not name:
        raise ParseError("name", "Bitte den Namen der Kommune angeben.")
    host_list = parse_hosts(hosts, town=town)
    base_url = clean_text(base_url or "", "base_url", max_length=200, multiline=False)
    if base_url:
        base_url = parse_url(base_url, "base_url", max_length=200).rstrip("/")
    mail_sender = _parse_email(mail_sender, "mail_sender", required=False)
    changed = [
        field
        for field, value in (("name", name), ("base_url", base_url), ("mail_sender", mail_sender))
        if getattr(town, field) != value
    ]
    town.name, town.base_url, town.mail_sender = name, base_url, mail_sender
    if logo is not None:
        town.logo = logo
        changed.append("logo")
    elif remove_logo and town.logo:
        town.logo = ""
        changed.append("logo")
    before = list(town.hosts.order_by("pk").values_list("host", flat=True))
    if host_list != before:
        # Delete and create in the new order: the first row (lowest id) is the primary.
        for row in MunicipalityHost.objects.filter(municipality=town):
            row.delete()
        for host in host_list:
            MunicipalityHost.objects.create(municipality=town, host=host)
        changed.append("hosts")
    if changed:
        town.save()
        audit.record(
            "core.town_changed",
            town,
            municipality=town,
            actor=actor,
            actor_label=actor_label,
            data={"fields": changed, "hosts_before": before, "hosts": host_list},
        )
    return changed


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
    """An office (found by name or created) with a new location and its weekly hours.

    Without a typed position the location gets the one of its address from the town's
    address list (``locate``)."""
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
    for window in windows:
        if not window.opens < window.closes:
            raise ParseError(f"hours_{window.weekday}", "„von“ muss vor „bis“ liegen.")
    lat, lon = locate(town, street, postcode, latitude, longitude)
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


MAX_CLOSURE_DAYS = 92  # a longer closure is a new location plan, not a list of days
MAX_CLOSURE_AHEAD_DAYS = 730


def _clean_address(name, street, postcode, city):
    name = clean_text(name, "name", max_length=200, multiline=False)
    street = clean_text(street, "street", max_length=200, multiline=False)
    city = clean_text(city, "city", max_length=100, multiline=False)
    postcode = clean_text(postcode, "postcode", max_length=5, multiline=False)
    for field, value in (("name", name), ("street", street), ("city", city)):
        if not value:
            raise ParseError(field, "Bitte ausfüllen.")
    if not (len(postcode) == 5 and postcode.isascii() and postcode.isdigit()):
        raise ParseError("postcode", "Die Postleitzahl hat 5 Ziffern.")
    return name, street, postcode, city


@transaction.atomic
def update_location(
    location,
    *,
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
    """Change a location's address, position and weekly hours (position empty: from
    the town's address list, ``locate``).

    The weekly hours of the form replace the location's rows without dates
    (``valid_from``/``valid_until`` empty) that the form shows (the first window of a
    kind per weekday, ``weekly_windows``); further windows and dated rows (changes
    announced for a date) stay as they are (Stammdaten).
    """
    location = Location.objects.select_for_update().get(pk=location.pk)
    name, street, postcode, city = _clean_address(name, street, postcode, city)
    for window in windows:
        if window.weekday not in range(7) or not window.opens < window.closes:
            raise ParseError(f"hours_{window.weekday}", "„von“ muss vor „bis“ liegen.")
    lat, lon = locate(location.municipality, street, postcode, latitude, longitude)
    location.name, location.street, location.postcode, location.city = name, street, postcode, city
    location.latitude, location.longitude = lat, lon
    location.save()
    # Rows the weekday form cannot show (a second window of a kind on a day) stay.
    _initial, extra = weekly_windows(location)
    weekly = OpeningHours.objects.filter(
        location=location, valid_from__isnull=True, valid_until__isnull=True
    ).exclude(pk__in=[h.pk for h in extra])
    before = sorted((h.weekday, h.kind, h.opens, h.closes) for h in weekly)
    after = sorted((w.weekday, w.kind, w.opens, w.closes) for w in windows)
    if before != after:
        weekly.delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(
                location=location, kind=w.kind, weekday=w.weekday, opens=w.opens, closes=w.closes
            )
            for w in windows
        )
    audit.record(
        "core.location_changed",
        location,
        actor=actor,
        actor_label=actor_label,
        data={"hours_changed": before != after, "hours": len(windows)},
    )
    return location


@transaction.atomic
def close_location(location, *, first, last, reason: str, actor=None, actor_label: str = "") -> int:
    """Close a location from ``first`` to ``last`` (both included), e.g. "vorübergehend
    geschlossen": one closed day each (``OpeningException``); appointments on those days
    are cancelled by the appointments app after the commit. Returns the new days."""
    reason = clean_text(reason, "reason", max_length=200, multiline=False)
    if not reason:
        raise ParseError("reason", "Bitte einen Grund angeben (er wird Betroffenen mitgeteilt).")
    if last < first:
        raise ParseError("last", "„bis“ liegt vor „ab“.")
    if first > timezone.localdate() + timedelta(days=MAX_CLOSURE_AHEAD_DAYS):
        raise ParseError("first", "Höchstens zwei Jahre im Voraus.")
    days = (last - first).days + 1
    if days > MAX_CLOSURE_DAYS:
        raise ParseError("last", f"Höchstens {MAX_CLOSURE_DAYS} Tage auf einmal.")
    location = Location.objects.select_for_update().get(pk=location.pk)
    taken = set(
        location.exceptions.filter(date__range=(first, last), closed=True).values_list(
            "date", flat=True
        )
    )
    created = 0
    for offset in range(days):
        day = first + timedelta(days=offset)
        if day in taken:
            continue
        # One by one: the appointments app reacts to each saved closure (signal).
        OpeningException.objects.create(location=location, date=day, closed=True, reason=reason)
        created += 1
    audit.record(
        "core.location_closed",
        location,
        actor=actor,
        actor_label=actor_label,
        data={"from": first.isoformat(), "until": last.isoformat(), "days": created},
    )
    return created


@transaction.atomic
def reopen_location(location, *, actor=None, actor_label: str = "", today=None) -> int:
    """Remove the location's closed days from ``today`` on; returns how many."""
    today = today or timezone.localdate()
    location = Location.objects.select_for_update().get(pk=location.pk)
    removed, _detail = location.exceptions.filter(date__gte=today, closed=True).delete()
    if removed:
        audit.record(
            "core.location_reopened",
            location,
            actor=actor,
            actor_label=actor_label,
            data={"days": removed},
        )
    return removed


def weekly_windows(location) -> tuple[dict[str, object], list[OpeningHours]]:
    """Initial values for the weekday form (first window of each kind and day) and the
    undated rows the form cannot show (a second window on the same day and kind)."""
    initial: dict[str, object] = {}
    extra = []
    keys = {OpeningHours.Kind.OPEN: "open", OpeningHours.Kind.WALK_IN: "walk"}
    for hours in location.opening_hours.filter(
        valid_from__isnull=True, valid_until__isnull=True
    ).order_by("weekday", "opens"):
        key = keys.get(hours.kind)
        if key is None or f"{key}_from_{hours.weekday}" in initial:
            extra.append(hours)
            continue
        initial[f"{key}_from_{hours.weekday}"] = hours.opens
        initial[f"{key}_until_{hours.weekday}"] = hours.closes
    return initial, extra


@transaction.atomic
def update_office(
    office,
    *,
    name: str,
    short_name: str = "",
    phone: str = "",
    email: str = "",
    actor=None,
    actor_label: str = "",
) -> Office:
    """Change an office's name and contact (its address in URLs, the slug, stays)."""
    office = Office.objects.select_for_update().get(pk=office.pk)
    name = clean_text(name, "name", max_length=200, multiline=False)
    if not name:
        raise ParseError("name", "Bitte ausfüllen.")
    short_name = clean_text(short_name, "short_name", max_length=60, multiline=False)
    phone = clean_text(phone, "phone", max_length=40, multiline=False)
    if phone and not re.fullmatch(r"[0-9+()/ \-]{3,40}", phone):
        raise ParseError("phone", "Bitte eine Telefonnummer aus Ziffern, +, /, - angeben.")
    email = _parse_email(email, "email", required=False)
    if (
        Office.objects.for_municipality(office.municipality_id)
        .filter(name=name)
        .exclude(pk=office.pk)
        .exists()
    ):
        raise ParseError("name", "Eine andere Organisationseinheit heißt schon so.")
    changed = [
        field
        for field, value in (
            ("name", name),
            ("short_name", short_name),
            ("phone", phone),
            ("email", email),
        )
        if getattr(office, field) != value
    ]
    if changed:
        office.name, office.short_name, office.phone, office.email = name, short_name, phone, email
        office.save()
        audit.record(
            "core.office_changed",
            office,
            actor=actor,
            actor_label=actor_label,
            data={"fields": changed},
        )
    return office
