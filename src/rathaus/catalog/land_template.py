"""The Land catalog template (ADR 0211, storage ADR 0217): service texts kept once per
Land, adopted by towns, updates reaching every town that has not changed the field.

``Service.land_service`` names the template and ``Service.own_fields`` the fields the
town changed. The long texts (``models.STORED_ONCE``) are stored once, in the Land's
row: a following town's column is empty and ``service.summary`` reads the Land's text
(``models.TemplateTextAttribute``), so every reader stays as it was. A change of the
Land text is one row update; the followers' search indexes are invalidated and their
``updated_at`` moves (memo keys). Names stay copied (short, read and ordered by
everywhere): one UPDATE per changed name. Fees, office, locations, links and local
additions (hints, synonyms, online URL) are never template fields: they are the town's.
"""

from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from rathaus.core import audit

from . import search
from .models import STORED_ONCE, LandService, Service, Topic

# The names are copied to the towns, the long texts stored once (ADR 0217).
TEMPLATE_FIELDS = ("name", "name_en", *STORED_ONCE)


def own_fields(service: Service) -> set[str]:
    return {name for name in service.own_fields.split(",") if name}


def _store(names: set[str]) -> str:
    return f",{','.join(sorted(names))}," if names else ""


@transaction.atomic
def save_land_service(
    land: str, slug: str, *, topic, leika_key: str = "", actor=None, actor_label="", **texts
) -> tuple[LandService, int]:
    """Create or change the Land's text; returns it and how many town rows show the
    change (fields they follow; the long texts are read from this row, ADR 0217)."""
    unknown = set(texts) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ValueError(f"keine Felder der Vorlage: {sorted(unknown)}")
    found = LandService.objects.select_for_update().filter(land=land, slug=slug).first()
    created = found is None
    template = LandService(land=land, slug=slug) if found is None else found
    changed = [name for name, value in texts.items() if getattr(template, name) != value]
    for name, value in texts.items():
        setattr(template, name, value)
    template.topic = topic
    template.leika_key = leika_key
    template.save()
    towns_changed = 0
    if not created and changed:
        adoptions = Service.objects.filter(land_service=template)
        following = {name: ~Q(own_fields__contains=f",{name},") for name in changed}
        # How many town rows show the change (one query); names are copies, the long
        # texts are read from the template row saved above.
        counts = adoptions.aggregate(
            **{f"n_{name}": Count("pk", filter=condition) for name, condition in following.items()}
        )
        towns_changed = sum(counts.values())
        now = timezone.now()
        for name in changed:
            if name not in STORED_ONCE:
                adoptions.filter(following[name]).update(**{name: texts[name]}, updated_at=now)
        texts_changed = [name for name in changed if name in STORED_ONCE]
        if texts_changed:
            # Memo keys (pk, updated_at) of the towns that show the new text.
            anyone = Q()
            for name in texts_changed:
                anyone |= following[name]
            adoptions.filter(anyone).update(updated_at=now)
        for town_id in set(adoptions.values_list("municipality_id", flat=True)):
            transaction.on_commit(partial(search.invalidate, town_id))
    audit.record(
        "catalog.land_service_saved",
        template,
        actor=actor,
        actor_label=actor_label,
        data={"land": land, "fields": sorted(changed), "rows": towns_changed},
    )
    return template, towns_changed


@transaction.atomic
def adopt(town, template: LandService, *, office, locations=(), actor=None, actor_label=""):
    """The town's Service from the Land's text (new, or an existing one by slug that
    then follows the template for every field it has not changed)."""
    if office.municipality_id != town.pk:
        raise ValueError("Die Organisationseinheit gehört nicht zu dieser Kommune.")
    if template.land != town.land:
        raise ValueError("Die Vorlage gehört zu einem anderen Land.")
    texts = {name: getattr(template, name) for name in TEMPLATE_FIELDS}
    service = Service.objects.for_municipality(town).filter(slug=template.slug).first()
    if service is None:
        service = Service.objects.create(
            municipality=town,
            slug=template.slug,
            leika_key=template.leika_key,
            topic=template.topic,
            office=office,
            land_service=template,
            **texts,
        )
        created = True
    else:
        differing = {name for name, value in texts.items() if getattr(service, name) != value}
        service.land_service = template
        service.own_fields = _store(differing)
        # The texts equal to the Land's are stored empty from now on (ADR 0217).
        service.save(update_fields=["land_service", "own_fields", *STORED_ONCE])
        created = False
    if created and locations:
        # An existing service keeps the town's office and locations as they are.
        service.locations.set(locations)
    audit.record(
        "catalog.land_service_adopted",
        service,
        actor=actor,
        actor_label=actor_label,
        data={"template": template.pk, "created": created},
    )
    transaction.on_commit(lambda: search.invalidate(town.pk))
    return service


def note_town_edit(service: Service, changed_fields) -> None:
    """After a town edited its service: a template field that now differs from the
    Land's text is the town's own (``Service.save`` marks it already); one set back to
    the Land's text follows it again, and its column no longer keeps a copy."""
    if service.land_service_id is None:
        return
    template = service.land_service
    mine = own_fields(service)
    back = set()
    for name in set(changed_fields) & set(TEMPLATE_FIELDS):
        if getattr(service, name) == getattr(template, name):
            if name in mine:
                back.add(name)
            mine.discard(name)
        else:
            mine.add(name)
    stored = _store(mine)
    if stored != service.own_fields:
        service.own_fields = stored
        emptied = {name: [] if name.startswith("documents") else "" for name in back}
        Service.objects.filter(pk=service.pk).update(
            own_fields=stored, **{k: v for k, v in emptied.items() if k in STORED_ONCE}
        )


@transaction.atomic
def follow_land_again(service: Service, fields, *, actor=None) -> Service:
    """Give up the town's own text of ``fields``: the Land's text is shown again."""
    template = service.land_service
    if template is None:
        raise ValueError("Die Leistung folgt keiner Vorlage des Landes.")
    names = set(fields) & set(TEMPLATE_FIELDS)
    for name in names:
        setattr(service, name, getattr(template, name))
    service.own_fields = _store(own_fields(service) - names)
    service.save()
    audit.record("catalog.land_text_restored", service, actor=actor, data={"fields": sorted(names)})
    transaction.on_commit(lambda: search.invalidate(service.municipality_id))
    return service


@transaction.atomic
def save_land_set(land: str, records: list[dict], *, actor=None, actor_label="") -> tuple[int, int]:
    """Save a Land's texts (content records of ``xzufi.validate_land``) in one
    transaction; returns (services saved, town rows brought up to date)."""
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    rows = 0
    for record in records:
        texts = {name: record[name] for name in TEMPLATE_FIELDS if name in record}
        _, changed = save_land_service(
            land,
            record["slug"],
            topic=topics[record["topic"]],
            leika_key=record.get("leika_key", ""),
            actor=actor,
            actor_label=actor_label,
            **texts,
        )
        rows += changed
    return len(records), rows


@dataclass
class Adopted:
    created: int = 0  # new services from the Land's text
    linked: int = 0  # services the town had, now following the Land where they agree
    already: int = 0  # adopted before: left as they are


@transaction.atomic
def adopt_many(town, templates, *, office, locations=(), actor=None, actor_label="") -> Adopted:
    """Adopt several of the Land's services at once, in one transaction. Idempotent: a
    service that already follows its template is left as it is (its office, locations
    and own texts are the town's)."""
    locations = list(locations)
    if any(location.municipality_id != town.pk for location in locations):
        raise ValueError("Der Standort gehört nicht zu dieser Kommune.")
    templates = list(templates)
    following = set(
        Service.objects.for_municipality(town)
        .filter(land_service__in=templates)
        .values_list("land_service_id", flat=True)
    )
    have = set(Service.objects.for_municipality(town).values_list("slug", flat=True))
    result = Adopted()
    for template in templates:
        if template.pk in following:
            result.already += 1
            continue
        adopt(
            town, template, office=office, locations=locations, actor=actor, actor_label=actor_label
        )
        if template.slug in have:
            result.linked += 1
        else:
            result.created += 1
    audit.record(
        "catalog.land_set_adopted",
        town,
        actor=actor,
        actor_label=actor_label,
        municipality=town,
        data={"created": result.created, "linked": result.linked, "already": result.already},
    )
    return result


def followers(template: LandService) -> dict:
    """How many towns adopted the template and, per field, how many changed it (one query)."""
    counts = Service.objects.filter(land_service=template).aggregate(
        towns=Count("pk"),
        **{
            f"own_{name}": Count("pk", filter=Q(own_fields__contains=f",{name},"))
            for name in TEMPLATE_FIELDS
        },
    )
    towns = counts["towns"]
    return {
        "towns": towns,
        "fields": {
            name: {"own": counts[f"own_{name}"], "follow": towns - counts[f"own_{name}"]}
            for name in TEMPLATE_FIELDS
        },
    }


def field_states(service: Service) -> list[dict]:
    """For a town's adopted service: every template field, whether it follows the Land."""
    if service.land_service_id is None:
        return []
    mine = own_fields(service)
    return [
        {
            "name": name,
            "label": getattr(Service._meta.get_field(name), "verbose_name", name),
            "own": name in mine,
        }
        for name in TEMPLATE_FIELDS
    ]
