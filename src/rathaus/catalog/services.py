"""The catalog's write path: every change of a service goes through here, with an audit entry."""

from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rathaus.core import audit
from rathaus.core.models import Location, Office
from rathaus.core.ops import replica

from . import search
from .models import Fee, LifeSituation, MaturityChange, Service, Topic

# Fields copied as they are from a content record (demo data, XZuFi import) to a Service.
SCALAR_FIELDS = (
    "leika_key",
    "ozg_priority",
    "name",
    "name_en",
    "summary",
    "summary_en",
    "description",
    "requirements",
    "documents",
    "procedure",
    "description_en",
    "requirements_en",
    "documents_en",
    "procedure_en",
    "legal_basis",
    "deadlines",
    "deadlines_en",
    "processing_time",
    "processing_time_en",
    "synonyms",
    "keywords_en",
    "hints",
    "online_url",
    "trust_level",
    "planned_level",
    "appointment_required",
    "popularity",
    "is_published",
)


# Apps that know a service's maturity from facts (a published online form, an online
# booking) register a function here: service -> (level, reason) or None. The catalog
# cannot import those apps (dependencies point one way), so they announce themselves.
MaturityFloor = Callable[[Service], "tuple[int, str] | None"]
_maturity_floors: list[MaturityFloor] = []


def register_maturity_floor(floor: MaturityFloor) -> None:
    if floor not in _maturity_floors:
        _maturity_floors.append(floor)


def known_maturity(service: Service) -> tuple[int, str]:
    """The highest maturity the system itself can prove, with its reason (0, "" if none)."""
    known = [found for floor in _maturity_floors if (found := floor(service))]
    return max(known, default=(0, ""))


@transaction.atomic
def record_maturity(
    service: Service, level: int, *, actor=None, changed_on: date | None = None, note: str = ""
) -> MaturityChange | None:
    """Set the service's maturity level and append it to the history.

    Returns the new history entry, or None if the level did not change (saving
    the same level twice must not create a second entry).
    """
    latest = service.maturity_history.order_by("-changed_on", "-id").first()
    if latest is not None and latest.level == level and service.maturity_level == level:
        return None
    previous = service.maturity_level
    if service.maturity_level != level:
        service.maturity_level = level
        service.save(update_fields=["maturity_level", "updated_at"])
    change = MaturityChange.objects.create(
        service=service, level=level, changed_on=changed_on or timezone.localdate(), note=note
    )
    audit.record(
        "catalog.maturity_changed",
        service,
        actor=actor,
        data={"from": previous, "to": level, "on": change.changed_on.isoformat()},
    )
    return change


@transaction.atomic
def count_view(service: Service) -> None:
    """One more view of a service page (ranks the list; a counter, not audited)."""
    with replica.counter_update():  # a view counter: no read-your-writes needed
        Service.objects.filter(pk=service.pk).update(popularity=F("popularity") + 1)


def save_service(service: Service, *, actor=None, created: bool, changed_fields=()) -> Service:
    """Save an edited service (back office) and record who changed what."""
    service.save()
    if not created:
        from .land_template import note_town_edit

        note_town_edit(service, changed_fields)
    audit.record(
        "catalog.service_created" if created else "catalog.service_changed",
        service,
        actor=actor,
        data={"fields": sorted(changed_fields)},
    )
    return service


@transaction.atomic
def upsert_services(municipality, records: list[dict], *, actor=None, action: str) -> int:
    """Create or update services from content records (what ``xzufi.validate`` returns).

    Records must be valid (see ``xzufi.validate`` for imports); offices and locations
    are looked up by slug within the municipality. One audit entry for the batch.
    """
    lookups = {
        "topics": {t.slug: t for t in Topic.objects.all()},
        "situations": {s.slug: s for s in LifeSituation.objects.all()},
        "offices": {o.slug: o for o in Office.objects.for_municipality(municipality)},
        "locations": {loc.slug: loc for loc in Location.objects.for_municipality(municipality)},
    }
    for record in records:
        _upsert(municipality, record, lookups)
    audit.record(
        action,
        municipality,
        actor=actor,
        municipality=municipality,
        data={"services": len(records)},
    )
    transaction.on_commit(lambda: search.invalidate(municipality.pk))
    return len(records)


def _upsert(municipality, record: dict, lookups: dict) -> Service:
    defaults = {key: record[key] for key in SCALAR_FIELDS if key in record}
    for text_field in (
        "leika_key",
        "online_url",
        "name_en",
        "summary_en",
        "description_en",
        "requirements_en",
        "procedure_en",
        "deadlines_en",
        "processing_time_en",
        "hints",
        "keywords_en",
    ):
        if text_field in defaults:
            defaults[text_field] = defaults[text_field] or ""
    defaults["topic"] = lookups["topics"][record["topic"]]
    defaults["office"] = lookups["offices"][record["office"]]
    defaults["planned_date"] = _date(record.get("planned_date"))
    service, created = Service.objects.update_or_create(
        municipality=municipality, slug=record["slug"], defaults=defaults
    )
    situations, locations = lookups["situations"], lookups["locations"]
    service.life_situations.set([situations[s] for s in record.get("life_situations", [])])
    service.locations.set([locations[s] for s in record.get("locations", [])])
    _replace_fees(service, record.get("fees", []))
    _import_maturity(service, record, created=created)
    return service


def _replace_fees(service: Service, fees: list[dict]) -> None:
    service.fees.all().delete()
    Fee.objects.bulk_create(
        Fee(
            service=service,
            label=fee["label"],
            amount=fee["amount"],
            amount_max=fee.get("amount_max") or None,
            note=fee.get("note") or "",
            label_en=fee.get("label_en") or "",
            note_en=fee.get("note_en") or "",
            rule=fee.get("rule") or {},
            order=order,
        )
        for order, fee in enumerate(fees)
    )


def _import_maturity(service: Service, record: dict, *, created: bool) -> None:
    """Append the imported history and level, never below what the system knows.

    History is append-only: imported entries that are not there yet are added, none
    is deleted. The current level is the imported one, raised to the level proven by
    a published form or an online booking (``known_maturity``), see docs/adr/0016.
    """
    have = set(service.maturity_history.values_list("changed_on", "level"))
    new_entries = [
        MaturityChange(service=service, level=level, changed_on=day)
        for day, level in ((_date(d), lvl) for d, lvl in record.get("maturity_history") or [])
        if (day, level) not in have
    ]
    MaturityChange.objects.bulk_create(new_entries)
    imported = record.get("maturity_level", service.maturity_level)
    floor, reason = known_maturity(service)
    level = max(imported, floor)
    if level != service.maturity_level:
        previous = service.maturity_level
        Service.objects.filter(pk=service.pk).update(maturity_level=level)
        service.maturity_level = level
        if not created:
            audit.record("catalog.maturity_changed", service, data={"from": previous, "to": level})
    latest = service.maturity_history.order_by("-changed_on", "-id").first()
    if latest is None or latest.level != level:
        note = reason if floor > imported else ""
        MaturityChange.objects.create(
            service=service, level=level, changed_on=timezone.localdate(), note=note
        )


def _date(value):
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(value)


@transaction.atomic
def add_synonym(service: Service, word: str, *, actor) -> Service:
    """Teach the catalog a citizen's word for a service (e.g. from assistant feedback).

    The word is appended to the service's synonyms (comma-separated) unless it is
    there already; the search index of the town is rebuilt after the commit.
    """
    word = " ".join(word.split())
    present = [s.strip().lower() for s in (service.synonyms or "").split(",") if s.strip()]
    if word and word.lower() not in present:
        service.synonyms = ", ".join(filter(None, [service.synonyms.strip(" ,"), word]))
        service.save(update_fields=["synonyms", "updated_at"])
        audit.record("catalog.synonym_added", service, actor=actor, data={"word": word})
        transaction.on_commit(lambda: search.invalidate(service.municipality_id))
    return service


@transaction.atomic
def link_life_situation(service: Service, situation: LifeSituation, *, actor) -> Service:
    """Put a service into a Lebenslage (so stories about it find the service)."""
    if not service.life_situations.filter(pk=situation.pk).exists():
        service.life_situations.add(situation)
        audit.record(
            "catalog.life_situation_linked",
            service,
            actor=actor,
            data={"situation": situation.slug},
        )
        transaction.on_commit(lambda: search.invalidate(service.municipality_id))
    return service


@transaction.atomic
def ensure_service(
    municipality, slug: str, *, defaults: dict, location=None, actor=None
) -> Service:
    """The town's service with this slug, created from ``defaults`` when missing (for
    modules that need a catalog entry to book, e.g. the mayor's consultation hour).
    Creation is audited like any other catalog change."""
    service = Service.objects.for_municipality(municipality).filter(slug=slug).first()
    if service is not None:
        return service
    service = Service(municipality=municipality, slug=slug, **defaults)
    save_service(service, actor=actor, created=True, changed_fields=["slug", *defaults])
    if location is not None:
        service.locations.add(location)
    transaction.on_commit(lambda: search.invalidate(municipality.pk))
    return service


# --- Satisfaction (Weimar's quality criteria, ADR 0018) ------------------------------


def record_satisfaction(
    municipality, token: str, *, easy: str = "", time_saved: str = "", hard: str = ""
) -> bool:
    """Store one anonymous answer; False if this occasion was answered already.

    One transaction: the occasion's ticket (a keyed hash, no link to the answer) and the
    answer (service, channel, month, choices, anonymised free text). A second submit of
    the same form, or a reload, finds the ticket and stores nothing.
    """
    from django.db import IntegrityError

    from rathaus.core.anonymise import anonymise

    from . import satisfaction
    from .models import SatisfactionAnswer, SatisfactionTicket

    ticket = satisfaction.read(token, municipality)
    service = Service.objects.for_municipality(municipality).filter(pk=ticket.service_id).first()
    if service is None:
        raise satisfaction.InvalidTicket
    month = satisfaction.first_of_month()
    try:
        with transaction.atomic():
            SatisfactionTicket.objects.create(digest=ticket.digest, month=month)
            SatisfactionAnswer.objects.create(
                municipality=municipality,
                service=service,
                channel=ticket.channel,
                month=month,
                easy=easy,
                time_saved=time_saved,
                hard=anonymise(hard[: satisfaction.MAX_HARD])[: satisfaction.MAX_HARD],
            )
            # The entry names the service and the channel, not the answer or the occasion.
            audit.record(
                "catalog.satisfaction_answered",
                service,
                municipality=municipality,
                data={"channel": ticket.channel},
            )
    except IntegrityError:
        return False
    return True


#: Free text is deleted after this many months, the choices after SATISFACTION_KEEP_MONTHS.
SATISFACTION_TEXT_MONTHS = 12
SATISFACTION_KEEP_MONTHS = 36


def purge_satisfaction(now) -> int:
    """Retention job: free text after 12 months; answers and tickets after 36 (a ticket
    must outlive every page that can still show the question for its occasion)."""
    from .models import SatisfactionAnswer, SatisfactionTicket
    from .usage import months_back

    today = timezone.localtime(now).date()
    text_before = months_back(today, SATISFACTION_TEXT_MONTHS)
    keep_before = months_back(today, SATISFACTION_KEEP_MONTHS)
    with transaction.atomic():
        changed = (
            SatisfactionAnswer.objects.filter(month__lt=text_before)
            .exclude(hard="")
            .update(hard="")
        )
        changed += SatisfactionAnswer.objects.filter(month__lt=keep_before).delete()[0]
        changed += SatisfactionTicket.objects.filter(month__lt=keep_before).delete()[0]
    return changed


# --- Facts an online form needs (the staff form builder, ADR 0036) --------------------


def fee_record(fee: Fee) -> dict:
    """One fee row as plain data (the form builder's and ``rathaus forms`` shape)."""
    return {
        "label": fee.label,
        "amount": f"{fee.amount:.2f}",
        "amount_max": None if fee.amount_max is None else f"{fee.amount_max:.2f}",
        "note": fee.note,
        "rule": fee.rule or {},
    }


def form_facts(service: Service) -> dict:
    """The responsible office, the documents and the fee rows of a service, as plain data."""
    return {
        "office": service.office.slug,
        "documents": list(service.documents or []),
        "fees": [fee_record(fee) for fee in service.fees.all()],
    }


@transaction.atomic
def set_form_facts(
    service: Service, *, office: Office, documents: list[str], fees: list[dict], actor=None
) -> bool:
    """Set the responsible office, the required documents and the fee rows of a service
    (records as ``fee_record`` returns them, checked by the caller); False if nothing
    changed. English texts of a fee row whose label stays are kept."""
    before = form_facts(service)
    after = {"office": office.slug, "documents": list(documents), "fees": list(fees)}
    if before == after:
        return False
    changed = sorted(key for key in after if before[key] != after[key])
    if "fees" in changed:
        english = {fee.label: (fee.label_en, fee.note_en) for fee in service.fees.all()}
        _replace_fees(
            service,
            [
                {
                    **fee,
                    "label_en": english.get(fee["label"], ("", ""))[0],
                    "note_en": english.get(fee["label"], ("", ""))[1],
                }
                for fee in fees
            ],
        )
    service.office = office
    service.documents = list(documents)
    save_service(
        service,
        actor=actor,
        created=False,
        changed_fields=changed,
    )
    transaction.on_commit(lambda: search.invalidate(service.municipality_id))
    return True
