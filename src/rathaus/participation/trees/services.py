"""The one write path of Baumgießen: imports, waterings, adoptions; and the need figures."""

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from rathaus.core import audit

from . import water
from .models import Adoption, Rainfall, StreetGroupMember, Tree, Watering

MAX_LITRES = 1000


# --- imports ----------------------------------------------------------------------

TREE_FIELDS = {
    "id": ("id", "baumnummer", "gml_id", "tree_id"),
    "species": ("species", "art", "art_dtsch", "baumart"),
    "planting_year": ("planting_year", "pflanzjahr"),
    "lat": ("lat", "latitude", "breitengrad"),
    "lon": ("lon", "lng", "long", "longitude", "laengengrad"),
    "street": ("street", "strasse", "strname", "straße"),
    "district": ("district", "bezirk", "stadtteil"),
}


def _pick(row: dict, name: str):
    lowered = {str(k).strip().lower(): v for k, v in row.items()}
    for alias in TREE_FIELDS[name]:
        if lowered.get(alias) not in (None, ""):
            return lowered[alias]
    return None


def _tree_rows_from_csv(text: str):
    sample = text[:2048]
    dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
    yield from csv.DictReader(io.StringIO(text), dialect=dialect)


def _tree_rows_from_geojson(text: str):
    data = json.loads(text)
    for feature in data.get("features", []):
        row = dict(feature.get("properties") or {})
        geometry = feature.get("geometry") or {}
        if geometry.get("type") == "Point":
            lon, lat = geometry["coordinates"][:2]
            row.setdefault("lon", lon)
            row.setdefault("lat", lat)
        yield row


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _coordinate(value, low, high) -> Decimal:
    number = Decimal(str(value).replace(",", ".")).quantize(Decimal("0.000001"))
    if not low <= number <= high:
        raise InvalidOperation
    return number


@transaction.atomic
def import_trees(municipality, text: str, fmt: str) -> ImportResult:
    """Create or update trees by their id (idempotent); bad rows are reported, not half-saved."""
    rows = _tree_rows_from_geojson(text) if fmt == "geojson" else _tree_rows_from_csv(text)
    result = ImportResult()
    for number, row in enumerate(rows, start=1):
        external_id = str(_pick(row, "id") or "").strip()
        try:
            if not external_id:
                raise ValueError("ohne Baumnummer")
            lat = _coordinate(_pick(row, "lat"), -90, 90)
            lon = _coordinate(_pick(row, "lon"), -180, 180)
            year = _pick(row, "planting_year")
            year = int(float(year)) if year not in (None, "", "0") else None
        except (InvalidOperation, ValueError, TypeError) as exc:
            result.errors.append(f"Zeile {number}: ungültig ({exc or 'Koordinaten'})")
            continue
        _, created = Tree.objects.update_or_create(
            municipality=municipality,
            external_id=external_id[:60],
            defaults={
                "species": str(_pick(row, "species") or "")[:120],
                "planting_year": year,
                "latitude": lat,
                "longitude": lon,
                "street": str(_pick(row, "street") or "")[:120],
                "district": str(_pick(row, "district") or "")[:120],
            },
        )
        result.created += created
        result.updated += not created
    audit.record(
        "participation.trees.imported",
        municipality,
        municipality=municipality,
        data={"created": result.created, "updated": result.updated, "errors": len(result.errors)},
    )
    return result


@transaction.atomic
def import_rainfall(municipality, text: str) -> ImportResult:
    """Daily precipitation (date, mm) from CSV; a day imported twice is overwritten."""
    result = ImportResult()
    for number, row in enumerate(_tree_rows_from_csv(text), start=1):
        lowered = {str(k).strip().lower(): (v or "").strip() for k, v in row.items()}
        try:
            day = date.fromisoformat(lowered.get("date") or lowered.get("datum") or "")
            mm = Decimal((lowered.get("mm") or lowered.get("niederschlag") or "").replace(",", "."))
            if mm < 0 or mm > 500:
                raise InvalidOperation
        except (ValueError, InvalidOperation):
            result.errors.append(f"Zeile {number}: Datum (JJJJ-MM-TT) und mm ≥ 0 erwartet")
            continue
        _, created = Rainfall.objects.update_or_create(
            municipality=municipality, date=day, defaults={"mm": mm}
        )
        result.created += created
        result.updated += not created
    audit.record(
        "participation.rainfall.imported",
        municipality,
        municipality=municipality,
        data={"created": result.created, "updated": result.updated},
    )
    return result


# --- citizens' actions -----------------------------------------------------------


@transaction.atomic
def add_watering(tree, *, litres: int, day: date, name: str, user=None) -> Watering:
    today = timezone.localdate()
    if not 1 <= litres <= MAX_LITRES:
        raise ValidationError(f"Bitte geben Sie zwischen 1 und {MAX_LITRES} Litern an.")
    if day > today:
        raise ValidationError("Das Datum liegt in der Zukunft.")
    if (today - day).days > 30:
        raise ValidationError("Gießen kann bis zu 30 Tage rückwirkend eingetragen werden.")
    watering = Watering.objects.create(
        tree=tree, litres=litres, date=day, name=(name or "").strip()[:40] or "Anonym", user=user
    )
    audit.record("participation.trees.watered", tree, actor=user, data={"litres": litres})
    return watering


@transaction.atomic
def adopt(tree, user) -> bool:
    _, created = Adoption.objects.get_or_create(tree=tree, user=user)
    if created:
        audit.record("participation.trees.adopted", tree, actor=user)
    return created


@transaction.atomic
def release(tree, user) -> bool:
    deleted, _ = Adoption.objects.filter(tree=tree, user=user).delete()
    if deleted:
        audit.record("participation.trees.released", tree, actor=user)
    return bool(deleted)


# --- street watering groups ------------------------------------------------------------


def street_exists(municipality, street: str) -> bool:
    return (
        bool(street) and Tree.objects.for_municipality(municipality).filter(street=street).exists()
    )


@transaction.atomic
def join_street_group(municipality, street: str, user, name: str) -> StreetGroupMember:
    """Join the watering group of a street with trees (once; a second join renames)."""
    name = name.strip()
    if not street_exists(municipality, street):
        raise ValidationError("In dieser Straße gibt es keine Bäume.")
    if not name or len(name) > 40:
        raise ValidationError("Bitte geben Sie einen Namen (Pseudonym, bis 40 Zeichen) an.")
    member, created = StreetGroupMember.objects.get_or_create(
        municipality=municipality, street=street, user=user, defaults={"name": name}
    )
    if not created and member.name != name:
        member.name = name
        member.save(update_fields=["name"])
    if created:
        audit.record("participation.trees.group_joined", member, actor=user)
    return member


@transaction.atomic
def leave_street_group(municipality, street: str, user) -> bool:
    members = StreetGroupMember.objects.for_municipality(municipality).filter(
        street=street, user=user
    )
    member = members.first()
    if member is None:
        return False
    audit.record("participation.trees.group_left", member, actor=user)
    member.delete()
    return True


def street_week(municipality, street: str, today: date | None = None) -> dict:
    """A street's trees with their need, this week's litres and the group's pseudonyms."""
    today = today or timezone.localdate()
    trees = with_needs(
        Tree.objects.for_municipality(municipality).filter(street=street), municipality, today
    )
    start, end = water.week(today)
    litres = (
        Watering.objects.filter(tree__municipality=municipality, tree__street=street)
        .filter(date__range=(start, end))
        .aggregate(s=Sum("litres"))["s"]
        or 0
    )
    members = StreetGroupMember.objects.for_municipality(municipality).filter(street=street)
    trees.sort(key=lambda t: (not t.need.should_water, -t.need.missing, t.external_id))
    return {
        "trees": trees,
        "to_water": sum(1 for t in trees if t.need.should_water),
        "missing": sum(t.need.missing for t in trees if t.need.should_water),
        "litres_week": litres,
        "members": list(members.values_list("name", flat=True)),
    }


# --- figures ---------------------------------------------------------------------------


def rain_sum(municipality, today: date) -> float:
    start, end = water.window(today)
    total = (
        Rainfall.objects.for_municipality(municipality)
        .filter(date__range=(start, end))
        .aggregate(s=Sum("mm"))["s"]
    )
    return float(total or 0)


def this_week(tree, today: date | None = None) -> dict:
    """The tree's week: need, rain, litres watered and the pseudonyms who watered."""
    today = today or timezone.localdate()
    start, end = water.week(today)
    rain = (
        Rainfall.objects.for_municipality(tree.municipality)
        .filter(date__range=(start, end))
        .aggregate(s=Sum("mm"))["s"]
    )
    waterings = tree.waterings.filter(date__range=(start, end))
    litres = waterings.aggregate(s=Sum("litres"))["s"] or 0
    names = sorted({name for name in waterings.values_list("name", flat=True) if name})
    return {
        "need": water.week_need(tree.planting_year, float(rain or 0), litres, today),
        "names": names,
        "start": start,
        "end": end,
    }


def with_needs(trees, municipality, today: date | None = None):
    """Annotate each tree with ``need`` (WaterNeed) using one query for the waterings."""
    today = today or timezone.localdate()
    start, end = water.window(today)
    rain = rain_sum(municipality, today)
    trees = trees.annotate(
        watered_30=Sum("waterings__litres", filter=Q(waterings__date__range=(start, end)))
    )
    result = []
    for tree in trees:
        tree.need = water.water_need(tree.planting_year, rain, tree.watered_30 or 0, today)
        result.append(tree)
    return result


@dataclass
class Total:
    name: str
    trees: int = 0
    to_water: int = 0
    missing: int = 0
    watered: int = 0


def totals(trees_with_needs, key: str) -> list[Total]:
    """Street or district totals for self-organised street-by-street watering."""
    groups: dict[str, Total] = defaultdict(lambda: Total(name=""))
    for tree in trees_with_needs:
        name = getattr(tree, key) or "—"
        group = groups[name]
        group.name = name
        group.trees += 1
        group.watered += tree.need.watered
        if tree.need.should_water:
            group.to_water += 1
            group.missing += tree.need.missing
    return sorted(groups.values(), key=lambda t: (-t.missing, t.name))


# --- sponsorships with plaque and water vouchers (staff) -------------------------------

GRANT_MAX_YEARS = 10


@transaction.atomic
def issue_grant(
    tree,
    *,
    user,
    kind: str,
    valid_until: date,
    actor,
    plaque_text: str = "",
    litres: int | None = None,
):
    """Record a sponsorship (with plaque) or a water voucher for an account.

    Idempotent per kind, tree, account and day: a double submit returns the first
    record (created=False). Audited with ids only.
    """
    from django.db import IntegrityError

    from .models import TreeGrant

    today = timezone.localdate()
    if kind not in TreeGrant.Kind.values:
        raise ValidationError("Unbekannte Art.")
    if valid_until < today:
        raise ValidationError("„Gültig bis“ liegt in der Vergangenheit.")
    if (valid_until - today).days > GRANT_MAX_YEARS * 366:
        raise ValidationError(f"Höchstens {GRANT_MAX_YEARS} Jahre gültig.")
    if kind == TreeGrant.Kind.SPONSORSHIP and not plaque_text.strip():
        raise ValidationError("Bitte geben Sie den Text des Schildes an.")
    if kind == TreeGrant.Kind.WATER_VOUCHER and not litres:
        raise ValidationError("Bitte geben Sie die Liter des Gutscheins an.")
    fields = {
        "municipality": tree.municipality,
        "kind": kind,
        "tree": tree,
        "user": user,
        "issued_on": today,
    }
    existing = TreeGrant.objects.filter(**fields).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            grant = TreeGrant.objects.create(
                **fields,
                valid_until=valid_until,
                plaque_text=plaque_text.strip() if kind == TreeGrant.Kind.SPONSORSHIP else "",
                litres=litres if kind == TreeGrant.Kind.WATER_VOUCHER else None,
                issued_by=actor,
            )
    except IntegrityError:  # a parallel double submit won
        return TreeGrant.objects.get(**fields), False
    audit.record(
        "participation.trees.grant_issued",
        grant,
        actor=actor,
        municipality=tree.municipality,
        data={"kind": kind, "tree": tree.pk, "user": user.pk},
    )
    return grant, True
