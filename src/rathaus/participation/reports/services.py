"""The one write path of the Mängelmelder: every change in a transaction with an audit entry."""

import math
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from rathaus.core import audit, tenancy

from ..maps import town_centre
from ..tasks import mail_after_commit
from .geocoding import geocode
from .images import sanitize_photo
from .models import Report, ReportCategory, ReportPhoto, ReportUpdate, RoutingRule

MAX_PHOTOS = 3
MAX_UPDATE_PHOTOS = 2
REOPEN_SALT = "participation.report.reopen"
EARTH_RADIUS_M = 6_371_000


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp = p2 - p1
    dl = math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def nearby_reports(municipality, category, latitude, longitude, radius_m=None):
    """Open, published reports of the same category within ``radius_m``, nearest first."""
    if latitude is None or longitude is None:
        return []
    radius_m = radius_m or settings.PARTICIPATION_DUPLICATE_RADIUS_M
    # A bounding box keeps the query on an index-friendly range; haversine refines it.
    dlat = Decimal(radius_m / 111_320)
    dlon = Decimal(radius_m / (111_320 * max(0.1, math.cos(math.radians(float(latitude))))))
    lat, lon = Decimal(str(latitude)), Decimal(str(longitude))
    candidates = Report.objects.for_municipality(municipality).filter(
        category=category,
        moderation=Report.Moderation.PUBLISHED,
        status__in=Report.OPEN_STATUSES,
        latitude__range=(lat - dlat, lat + dlat),
        longitude__range=(lon - dlon, lon + dlon),
    )
    found = []
    for report in candidates:
        distance = distance_m(lat, lon, report.latitude, report.longitude)
        if distance <= radius_m:
            report.distance_m = round(distance)
            found.append(report)
    return sorted(found, key=lambda r: r.distance_m)


def add_draft_photo(draft_key: str, upload) -> ReportPhoto:
    """Check and clean one uploaded photo now; it is attached when the report is submitted."""
    if ReportPhoto.objects.filter(draft_key=draft_key, report=None).count() >= MAX_PHOTOS:
        raise ValidationError(f"Höchstens {MAX_PHOTOS} Fotos sind möglich.")
    clean = sanitize_photo(upload)
    photo = ReportPhoto(draft_key=draft_key)
    photo.image.save(clean.name or "foto.jpg", clean, save=True)
    return photo


def draft_photos(draft_key: str):
    return ReportPhoto.objects.filter(draft_key=draft_key, report=None) if draft_key else []


def remove_draft_photo(draft_key: str, photo_id) -> None:
    """The citizen removes a photo before submitting (no report yet, nothing to audit)."""
    draft_photos(draft_key).filter(pk=photo_id).delete()


def set_media_url(report: Report, media_url: str) -> None:
    """A client's photo link (Open311 ``media_url``), stored with the new report."""
    Report.objects.filter(pk=report.pk).update(media_url=media_url)


def validate_location(latitude, longitude, address, municipality=None):
    if (latitude is None) != (longitude is None):
        raise ValidationError("Bitte geben Sie Breiten- und Längengrad zusammen an.")
    if latitude is None and not (address or "").strip():
        raise ValidationError(
            "Bitte wählen Sie einen Ort auf der Karte oder geben Sie eine Adresse an."
        )
    if latitude is not None and not (
        -90 <= float(latitude) <= 90 and -180 <= float(longitude) <= 180
    ):
        raise ValidationError("Die Koordinaten sind ungültig.")
    if latitude is not None and municipality is not None:
        centre = town_centre(municipality)
        limit_km = settings.PARTICIPATION_MAX_DISTANCE_KM
        if distance_m(centre[0], centre[1], latitude, longitude) > limit_km * 1000:
            raise ValidationError(
                f"Der Ort liegt mehr als {limit_km} km außerhalb von {municipality.name}."
            )


@transaction.atomic
def submit_report(
    municipality,
    *,
    category: ReportCategory,
    description: str,
    latitude=None,
    longitude=None,
    address: str = "",
    attributes: dict | None = None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    source: str = "web",
    draft_key: str = "",
    photos=(),
) -> Report:
    """Create a report (waiting for moderation), routed to the category's office."""
    if category.municipality_id != municipality.pk or not category.is_active:
        raise ValidationError("Diese Kategorie gibt es hier nicht.")
    validate_location(latitude, longitude, address, municipality)
    geocoded = False
    if latitude is None:
        found = geocode(municipality, address)
        if found is not None:
            latitude, longitude = found
            geocoded = True
    office = route_office(municipality, category, latitude, longitude, address)
    now = timezone.now()
    report = Report.objects.create(
        municipality=municipality,
        category=category,
        office=office,
        geocoded=geocoded,
        due_at=now + timedelta(days=category.service_days) if category.service_days else None,
        description=description.strip(),
        latitude=None if latitude is None else Decimal(str(latitude)).quantize(Decimal("0.000001")),
        longitude=None
        if longitude is None
        else Decimal(str(longitude)).quantize(Decimal("0.000001")),
        address=address.strip(),
        attributes=attributes or {},
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip().lower(),
        contact_phone=contact_phone.strip(),
        source=source,
        status_changed_at=now,
    )
    if draft_key:
        ReportPhoto.objects.filter(draft_key=draft_key, report=None).update(
            report=report, draft_key=""
        )
    for upload in photos:
        if report.photos.count() >= MAX_PHOTOS:
            break
        clean = sanitize_photo(upload)
        photo = ReportPhoto(report=report)
        photo.image.save(clean.name or "foto.jpg", clean, save=True)
    audit.record(
        "participation.report.submitted",
        report,
        data={"category": category.code, "source": source, "office": office.slug},
    )
    if report.contact_email:
        mail_after_commit("report_received", report.pk)
    return report


def _report(pk) -> Report | None:
    return Report.objects.select_related("category", "office", "municipality").filter(pk=pk).first()


def received_mail(pk, ids=()):
    """Confirmation to the reporter, rendered when the task runs (the task row has the id)."""
    report = _report(pk)
    if report is None or not report.contact_email:
        return None
    return (
        f"Ihre Meldung Nr. {report.pk} ist eingegangen",
        f"Vielen Dank für Ihre Meldung ({report.category.name}).\n\n"
        "Wir prüfen sie kurz und veröffentlichen sie dann. Über Änderungen des Bearbeitungsstands "
        "informieren wir Sie per E-Mail.\n\n"
        f"Meldung ansehen (nach Freigabe): {public_url(report)}",
        report.contact_email,
        report.municipality,
    )


def office_mail(pk, ids=()):
    """A published report, to the responsible office's address."""
    report = _report(pk)
    if report is None or not report.office.email:
        return None
    staff_path = reverse("participation:staff_report", args=[report.pk])
    return (
        f"Neue Meldung Nr. {report.pk}: {report.category.name}",
        f"Eine neue Meldung für {report.office.name} ist freigegeben:\n\n"
        f"{report.description}\n{report.address}\n\n"
        f"Bearbeiten: {tenancy.public_url(report.municipality, staff_path)}",
        report.office.email,
        report.municipality,
    )


def rejected_mail(update_pk, ids=()):
    """The reporter learns that the report is not published, with the moderation reason."""
    update = (
        ReportUpdate.objects.select_related("report__municipality").filter(pk=update_pk).first()
    )
    if update is None or not update.report.contact_email:
        return None
    return (
        f"Ihre Meldung Nr. {update.report_id} wird nicht veröffentlicht",
        "Ihre Meldung wurde geprüft und wird nicht veröffentlicht."
        + (f"\n\nBegründung: {update.text}" if update.text else ""),
        update.report.contact_email,
        update.report.municipality,
    )


def route_office(municipality, category, latitude, longitude, address: str):
    """The office for a new report: the first routing rule of the category (or of all
    categories) whose street or box matches, else the category's own office."""
    from .geocoding import split_address, street_key

    key = street_key(split_address(address)[0]) if address else ""
    rules = (
        RoutingRule.objects.for_municipality(municipality)
        .filter(models.Q(category=category) | models.Q(category=None))
        .select_related("office")
    )
    for rule in rules:
        if rule.street:
            if key and street_key(rule.street) == key:
                return rule.office
        elif latitude is not None and None not in (rule.south, rule.west, rule.north, rule.east):
            lat, lon = Decimal(str(latitude)), Decimal(str(longitude))
            if rule.south <= lat <= rule.north and rule.west <= lon <= rule.east:
                return rule.office
    return category.office


def public_url(report) -> str:
    path = reverse("participation:report_detail", args=[report.pk])
    return tenancy.public_url(report.municipality, path)


def _lock(report) -> Report:
    return Report.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def moderate(report, *, publish: bool, actor, reason: str = "") -> Report:
    report = _lock(report)
    if report.moderation != Report.Moderation.PENDING:
        return report  # double submit: already decided
    if publish:
        report.moderation = Report.Moderation.PUBLISHED
    else:
        report.moderation = Report.Moderation.REJECTED
        report.status = Report.Status.CLOSED
        report.close_reason = Report.CloseReason.OTHER
        report.status_changed_at = timezone.now()
    report.save()
    update = ReportUpdate.objects.create(
        report=report,
        kind=ReportUpdate.Kind.MODERATION,
        text=reason,
        new_status=report.moderation,
        actor=actor,
    )
    audit.record("participation.report.moderated", report, actor=actor, data={"publish": publish})
    if publish and report.office.email:
        mail_after_commit("report_to_office", report.pk)
    if not publish and report.contact_email:
        mail_after_commit("report_rejected", update.pk)
    return report


@transaction.atomic
def assign(report, *, assignee, actor) -> Report:
    report = _lock(report)
    report.assignee = assignee
    report.save(update_fields=["assignee", "updated_at"])
    ReportUpdate.objects.create(
        report=report,
        kind=ReportUpdate.Kind.ASSIGNMENT,
        text=str(assignee) if assignee else "",
        actor=actor,
    )
    audit.record(
        "participation.report.assigned",
        report,
        actor=actor,
        data={"assignee": assignee.pk if assignee else None},
    )
    return report


@transaction.atomic
def reroute(report, *, office, actor) -> Report:
    """Hand the report to another office (wrong category or shared responsibility)."""
    report = _lock(report)
    if office.municipality_id != report.municipality_id:
        raise ValidationError("Diese Organisationseinheit gibt es hier nicht.")
    if office.pk == report.office_id:
        return report
    old = report.office
    report.office = office
    report.assignee = None
    report.save(update_fields=["office", "assignee", "updated_at"])
    ReportUpdate.objects.create(
        report=report,
        kind=ReportUpdate.Kind.ASSIGNMENT,
        text=f"Weitergeleitet von {old.name} an {office.name}",
        actor=actor,
    )
    audit.record(
        "participation.report.rerouted",
        report,
        actor=actor,
        data={"from": old.slug, "to": office.slug},
    )
    return report


@transaction.atomic
def add_note(report, *, text: str, actor, public: bool = False) -> ReportUpdate:
    """A staff note; internal unless ``public`` (then it shows on the report's page and
    counts as news for area alerts)."""
    report = _lock(report)
    note = ReportUpdate.objects.create(
        report=report, kind=ReportUpdate.Kind.NOTE, text=text.strip(), actor=actor, is_public=public
    )
    if public:
        report.save(update_fields=["updated_at"])
    audit.record("participation.report.noted", report, actor=actor, data={"public": public})
    return note


# --- citizens' updates ----------------------------------------------------------------


def _clean_update_photos(photos) -> list:
    """Check every photo before anything is stored: one bad photo refuses the update."""
    photos = [p for p in photos if p]
    if len(photos) > MAX_UPDATE_PHOTOS:
        raise ValidationError(f"Höchstens {MAX_UPDATE_PHOTOS} Fotos je Hinweis sind möglich.")
    return [sanitize_photo(p) for p in photos]


@transaction.atomic
def add_citizen_update(report, *, text: str, confirmation: str = "", photos=()) -> ReportUpdate:
    """A citizen adds a hint, photos or a confirmation ("still there"/"fixed") to an open,
    published report. It waits for moderation like a report; a double submit (same text
    and confirmation while the first still waits) returns the first."""
    report = _lock(report)
    if not report.is_public or not report.is_open:
        raise ValidationError("Zu dieser Meldung sind keine Hinweise mehr möglich.")
    if confirmation and confirmation not in ReportUpdate.Confirmation.values:
        raise ValidationError("Unbekannte Bestätigung.")
    text = text.strip()
    if not text and not confirmation and not any(photos):
        raise ValidationError("Bitte schreiben Sie einen Hinweis oder wählen Sie eine Bestätigung.")
    same = report.updates.filter(
        kind=ReportUpdate.Kind.CITIZEN,
        moderation=Report.Moderation.PENDING,
        text=text,
        confirmation=confirmation,
    ).first()
    if same is not None:
        return same
    clean = _clean_update_photos(photos)
    update = ReportUpdate.objects.create(
        report=report,
        kind=ReportUpdate.Kind.CITIZEN,
        text=text,
        confirmation=confirmation,
        moderation=Report.Moderation.PENDING,
    )
    for content in clean:
        photo = ReportPhoto(update=update)
        photo.image.save(content.name, content, save=True)
    audit.record(
        "participation.report.citizen_update",
        report,
        actor_label="Bürger/in",
        data={"update": update.pk, "confirmation": confirmation, "photos": len(clean)},
    )
    return update


@transaction.atomic
def moderate_update(update, *, publish: bool, actor) -> ReportUpdate:
    """Publish or reject a citizen's update (moderators); decided once."""
    report = _lock(update.report)
    update = ReportUpdate.objects.select_for_update().get(pk=update.pk)
    if update.kind != ReportUpdate.Kind.CITIZEN or update.moderation != (Report.Moderation.PENDING):
        return update
    update.moderation = Report.Moderation.PUBLISHED if publish else Report.Moderation.REJECTED
    update.is_public = publish
    update.save(update_fields=["moderation", "is_public"])
    if publish:
        report.save(update_fields=["updated_at"])  # news for area alerts
    else:
        for photo in update.photos.all():
            photo.delete()  # a rejected photo is not kept
    audit.record(
        "participation.report.citizen_update_moderated",
        report,
        actor=actor,
        data={"update": update.pk, "publish": publish},
    )
    return update


def confirmations(report) -> dict:
    """Published confirmations since the last status change: how many say what."""
    rows = report.updates.filter(
        kind=ReportUpdate.Kind.CITIZEN, moderation=Report.Moderation.PUBLISHED
    ).exclude(confirmation="")
    if report.status_changed_at:
        rows = rows.filter(created_at__gte=report.status_changed_at)
    counts = dict(rows.values_list("confirmation").annotate(n=models.Count("id")))
    return {
        "still_there": counts.get(ReportUpdate.Confirmation.STILL_THERE, 0),
        "fixed": counts.get(ReportUpdate.Confirmation.FIXED, 0),
    }


@transaction.atomic
def change_status(
    report, *, status: str, actor, note: str = "", close_reason: str = "", duplicate_of=None
) -> Report:
    """Staff change the status; "erledigt" and "geschlossen" stay distinct outcomes."""
    report = _lock(report)
    if status not in Report.Status.values:
        raise ValidationError("Unbekannter Status.")
    if status == report.status:
        return report
    if status == Report.Status.CLOSED and not close_reason:
        raise ValidationError("Bitte geben Sie einen Grund für das Schließen an.")
    if close_reason == Report.CloseReason.DUPLICATE:
        if duplicate_of is None or duplicate_of.pk == report.pk:
            raise ValidationError("Bitte geben Sie die ursprüngliche Meldung an.")
        if duplicate_of.municipality_id != report.municipality_id:
            raise ValidationError("Die ursprüngliche Meldung gibt es hier nicht.")
    old = report.status
    report.status = status
    report.close_reason = close_reason if status == Report.Status.CLOSED else ""
    report.duplicate_of = duplicate_of if report.close_reason == "duplicate" else None
    if note:
        report.status_notes = note.strip()
    report.status_changed_at = timezone.now()
    report.save()
    update = ReportUpdate.objects.create(
        report=report,
        kind=ReportUpdate.Kind.STATUS,
        old_status=old,
        new_status=status,
        text=note.strip(),
        is_public=True,
        actor=actor,
    )
    audit.record(
        "participation.report.status_changed",
        report,
        actor=actor,
        data={"from": old, "to": status, "reason": report.close_reason},
    )
    if report.contact_email:
        mail_after_commit("report_status", update.pk)
    return report


def status_mail(update_pk, ids=()):
    """The reporter learns the new status (of this change; the rest as the report is now)."""
    update = (
        ReportUpdate.objects.select_related("report__category", "report__municipality")
        .filter(pk=update_pk)
        .first()
    )
    if update is None or not update.report.contact_email:
        return None
    report = update.report
    status_label = dict(Report.Status.choices).get(update.new_status, update.new_status)
    lines = [
        f"der Bearbeitungsstand Ihrer Meldung Nr. {report.pk} ({report.category.name}) "
        f"ist jetzt: {status_label}.",
    ]
    if report.close_reason:
        lines.append(f"Grund: {report.get_close_reason_display()}.")
    if report.status_notes:
        lines.append(f"Rückmeldung der Verwaltung: {report.status_notes}")
    if report.status in Report.FINAL_STATUSES:
        days = settings.PARTICIPATION_REOPEN_DAYS
        lines.append(
            f"Ist der Mangel nicht behoben? Innerhalb von {days} Tagen können Sie die Meldung "
            f"über diesen Link wieder öffnen: {reopen_url(report)}"
        )
    lines.append(f"Meldung ansehen: {public_url(report)}")
    return (
        f"Neuer Stand Ihrer Meldung Nr. {report.pk}",
        "Guten Tag,\n\n" + "\n\n".join(lines),
        report.contact_email,
        report.municipality,
    )


def reopen_token(report) -> str:
    # The status timestamp is signed along: a link from an earlier closing stops working.
    stamp = report.status_changed_at.isoformat() if report.status_changed_at else ""
    return signing.TimestampSigner(salt=REOPEN_SALT).sign_object({"r": report.pk, "s": stamp})


def reopen_url(report) -> str:
    path = reverse("participation:report_reopen", args=[reopen_token(report)])
    return tenancy.public_url(report.municipality, path)


def report_for_reopen_token(municipality, token: str):
    """The report a reopen link belongs to, or None (tampered, expired, used or foreign)."""
    max_age = timedelta(days=settings.PARTICIPATION_REOPEN_DAYS)
    try:
        data = signing.TimestampSigner(salt=REOPEN_SALT).unsign_object(token, max_age=max_age)
    except (signing.BadSignature, signing.SignatureExpired, ValueError, TypeError):
        return None
    report = Report.objects.for_municipality(municipality).filter(pk=data.get("r")).first()
    if report is None or report.status not in Report.FINAL_STATUSES:
        return None
    stamp = report.status_changed_at.isoformat() if report.status_changed_at else ""
    return report if stamp == data.get("s") else None


@transaction.atomic
def reopen(report, *, reason: str) -> Report:
    report = _lock(report)
    if report.status not in Report.FINAL_STATUSES:
        return report
    old = report.status
    report.status = Report.Status.REOPENED
    report.close_reason = ""
    report.duplicate_of = None
    report.status_changed_at = timezone.now()
    report.save()
    ReportUpdate.objects.create(
        report=report,
        kind=ReportUpdate.Kind.STATUS,
        old_status=old,
        new_status=report.status,
        text=reason.strip(),
        is_public=True,
    )
    audit.record("participation.report.reopened", report, actor_label="Meldende Person")
    return report


def statistics(municipality) -> dict:
    """Public key figures: published reports by outcome and the median days to "erledigt"."""
    from statistics import median

    public = Report.objects.for_municipality(municipality).filter(
        moderation=Report.Moderation.PUBLISHED
    )
    since = timezone.now() - timedelta(days=365)
    fixed = public.filter(status=Report.Status.FIXED, status_changed_at__gte=since)
    days = [
        (changed - created).total_seconds() / 86400
        for created, changed in fixed.values_list("created_at", "status_changed_at")
    ]
    now = timezone.now()
    overdue = public.filter(status__in=Report.OPEN_STATUSES, due_at__lt=now)
    with_deadline = fixed.exclude(due_at=None)
    on_time = with_deadline.filter(status_changed_at__lte=models.F("due_at")).count()
    return {
        "open": public.filter(status__in=Report.OPEN_STATUSES).count(),
        "fixed": public.filter(status=Report.Status.FIXED).count(),
        "closed": public.filter(status=Report.Status.CLOSED).count(),
        "median_days_to_fix": round(median(days), 1) if days else None,
        "overdue": overdue.count(),
        "on_time_percent": round(100 * on_time / with_deadline.count())
        if with_deadline.exists()
        else None,
        "by_category": service_levels(municipality, public, since, now),
    }


def service_levels(municipality, public, since, now) -> list[dict]:
    """Per category with a deadline: the promise, open, overdue, and fixed in time."""
    rows = []
    categories = ReportCategory.objects.for_municipality(municipality).exclude(service_days=None)
    for category in categories:
        mine = public.filter(category=category)
        fixed = mine.filter(
            status=Report.Status.FIXED, status_changed_at__gte=since, due_at__isnull=False
        )
        done = fixed.count()
        rows.append(
            {
                "category": category,
                "days": category.service_days,
                "open": mine.filter(status__in=Report.OPEN_STATUSES).count(),
                "overdue": mine.filter(status__in=Report.OPEN_STATUSES, due_at__lt=now).count(),
                "fixed": done,
                "on_time_percent": round(
                    100 * fixed.filter(status_changed_at__lte=models.F("due_at")).count() / done
                )
                if done
                else None,
            }
        )
    return rows
