"""OParl 1.1 object serialisation: models -> the JSON objects the specification defines.

Every id is the URL of the object; optional properties without a value are left out
(the specification forbids ``null`` for absent properties); deleted objects shrink to
``{id, type, created, modified, deleted: true}``. Non-public content is filtered by the
querysets in ``oparl.py``; the serializer also drops non-public children it meets.
"""

from django.urls import reverse
from django.utils import timezone

from .models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    LegislativeTerm,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
    Place,
)

OPARL_VERSION = "https://schema.oparl.org/1.1/"


def schema(kind: str) -> str:
    return f"{OPARL_VERSION}{kind}"


def dt(value) -> str | None:
    """xsd:dateTime with the offset, e.g. 2023-01-10T18:00:00+01:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def d(value) -> str | None:
    return value.isoformat() if value else None


def prune(data: dict) -> dict:
    """Leave out empty optional values (the spec forbids null for absent properties)."""
    return {k: v for k, v in data.items() if v not in (None, "", [])}


class Serializer:
    """Turns models into OParl objects; one instance per request (for absolute URLs)."""

    def __init__(self, request, *, omit_internal: bool = False, municipality=None, base_url=""):
        self.request = request
        self.municipality = municipality or request.municipality
        # The Land-wide system (issue 21) lists every town's body under the town's own
        # address (base_url), not under the host of the request.
        self.base_url = base_url.rstrip("/")
        # OParl 1.1 §2-05: with omit_internal=true the internal lists may be left out.
        self.omit_internal = omit_internal
        # URLs are built by prefix: reverse() per property would dominate list pages.
        self.root = self.absolute(reverse("council:oparl_root"))
        self.file_root = self.absolute(reverse("council:file", args=[0]))[:-2]

    def absolute(self, path: str) -> str:
        if self.base_url:
            return self.base_url + path
        return self.request.build_absolute_uri(path)

    def url(self, name: str, *args) -> str:
        return self.absolute(reverse(f"council:{name}", args=args))

    def obj_url(self, kind: str, pk) -> str:
        return f"{self.root}{kind.lower()}/{pk}"

    @staticmethod
    def gone(obj) -> bool:
        """Deleted, or no longer public (OParl: depublished objects count as deleted)."""
        return obj.deleted or getattr(obj, "oparl_gone", False)

    def base(self, kind: str, obj, web: str | None = None) -> dict:
        data = {"id": self.obj_url(kind, obj.pk), "type": schema(kind)}
        if self.gone(obj):
            data.update(created=dt(obj.created), modified=dt(obj.modified), deleted=True)
            return data
        return data

    def tail(self, obj, web: str | None = None) -> dict:
        return prune(
            {
                "web": self.absolute(web) if web else None,
                "created": dt(obj.created),
                "modified": dt(obj.modified),
                "deleted": False,
            }
        )

    # --- object types ---------------------------------------------------------------

    def system(self) -> dict:
        now = timezone.now()
        return prune(
            {
                "id": self.url("oparl_system"),
                "type": schema("System"),
                "oparlVersion": OPARL_VERSION,
                "license": "https://creativecommons.org/licenses/by/4.0/",
                "body": self.url("oparl_bodies"),
                "name": f"Ratsinformation {self.municipality.name}",
                "contactEmail": self.municipality.email,
                "contactName": "Ratsbüro",
                "website": self.municipality.website,
                "vendor": "https://github.com/rathaus",
                "product": "https://github.com/rathaus/rathaus",
                "web": self.absolute(reverse("council:index")),
                "created": dt(now),
                "modified": dt(now),
            }
        )

    def body(self, body: Body) -> dict:
        if self.gone(body):
            return self.base("Body", body)
        lists = {
            kind: self.url("oparl_list", body.pk, kind)
            for kind in (
                "organization",
                "person",
                "meeting",
                "paper",
                "agendaItem",
                "consultation",
                "file",
                "locationList",
                "legislativeTermList",
                "membership",
            )
        }
        municipality = body.municipality
        return {
            **self.base("Body", body),
            **prune(
                {
                    "system": self.url("oparl_system"),
                    "shortName": body.short_name,
                    "name": body.name,
                    "website": body.website,
                    "license": body.license,
                    "licenseValidSince": dt(body.oparl_since),
                    "oparlSince": dt(body.oparl_since),
                    "ags": municipality.ags,
                    "rgs": municipality.ars,
                    "contactEmail": body.contact_email,
                    "contactName": body.contact_name,
                    **lists,
                    "classification": body.classification,
                }
            ),
            # Required by Body.json (also when empty), so never pruned, not even with
            # omit_internal.
            "legislativeTerm": [
                self.legislative_term(t, embedded=True) for t in body.legislative_terms.alive()
            ],
            **self.tail(body, reverse("council:index")),
        }

    def legislative_term(self, term: LegislativeTerm, embedded=False) -> dict:
        if self.gone(term):
            return self.base("LegislativeTerm", term)
        return {
            **self.base("LegislativeTerm", term),
            **prune(
                {
                    "body": None if embedded else self.obj_url("Body", term.body_id),
                    "name": term.name,
                    "startDate": d(term.start_date),
                    "endDate": d(term.end_date),
                }
            ),
            **self.tail(term),
        }

    def location(self, place: Place) -> dict:
        if self.gone(place):
            return self.base("Location", place)
        return {
            **self.base("Location", place),
            **prune(
                {
                    "description": place.description,
                    "streetAddress": place.street_address,
                    "room": place.room,
                    "postalCode": place.postal_code,
                    "locality": place.locality,
                }
            ),
            **self.tail(place),
        }

    def organization(self, org: Organization) -> dict:
        if self.gone(org):
            return self.base("Organization", org)
        memberships = [m for m in org.memberships.all() if not m.deleted]
        return {
            **self.base("Organization", org),
            **prune(
                {
                    "body": self.obj_url("Body", org.body_id),
                    "name": org.name,
                    "shortName": org.short_name,
                    "membership": [self.obj_url("Membership", m.pk) for m in memberships],
                    "meeting": self.url("oparl_org_meetings", org.pk),
                    "organizationType": org.oparl_type,
                    "classification": org.get_kind_display(),
                    "startDate": d(org.start_date),
                    "endDate": d(org.end_date),
                    "website": org.website,
                    "location": self.location(org.place) if org.place_id else None,
                    "subOrganizationOf": self.obj_url("Organization", org.sub_organization_of_id)
                    if org.sub_organization_of_id
                    else None,
                }
            ),
            **self.tail(org, org.get_absolute_url()),
        }

    def person(self, person: Person) -> dict:
        if self.gone(person):
            return self.base("Person", person)
        return {
            **self.base("Person", person),
            **prune(
                {
                    "body": self.obj_url("Body", person.body_id),
                    "name": person.name,
                    "familyName": person.family_name,
                    "givenName": person.given_name,
                    "formOfAddress": person.form_of_address,
                    "title": [person.title] if person.title else [],
                    "gender": person.gender,
                    "email": [person.public_email] if person.public_email else [],
                    "phone": [person.public_phone] if person.public_phone else [],
                    "status": [person.status] if person.status else [],
                    "life": person.life,
                    "membership": []
                    if self.omit_internal
                    else [
                        self.membership(m, embedded=True)
                        for m in person.memberships.all()
                        if not m.deleted
                    ],
                }
            ),
            **self.tail(person, person.get_absolute_url()),
        }

    def membership(self, m: Membership, embedded=False) -> dict:
        if self.gone(m):
            return self.base("Membership", m)
        return {
            **self.base("Membership", m),
            **prune(
                {
                    "person": None if embedded else self.obj_url("Person", m.person_id),
                    "organization": self.obj_url("Organization", m.organization_id),
                    "role": m.role,
                    "votingRight": m.voting_right,
                    "startDate": d(m.start_date),
                    "endDate": d(m.end_date),
                    "onBehalfOf": self.obj_url("Organization", m.on_behalf_of_id)
                    if m.on_behalf_of_id
                    else None,
                }
            ),
            **self.tail(m),
        }

    def meeting(self, meeting: Meeting) -> dict:
        if self.gone(meeting):
            return self.base("Meeting", meeting)
        files = [f for f in getattr(meeting, "public_files", []) if f.agenda_item_id is None]
        if not meeting.minutes_approved:
            files = [f for f in files if f.role != File.Role.RESULTS_PROTOCOL]
        invitation = next((f for f in files if f.role == File.Role.INVITATION), None)
        protocol = next((f for f in files if f.role == File.Role.RESULTS_PROTOCOL), None)
        auxiliary = [f for f in files if f not in (invitation, protocol)]
        published = meeting.is_published or meeting.state == Meeting.State.HELD
        participants = [
            self.obj_url("Person", a.person_id)
            for a in meeting.attendances.all()
            if a.status == "present"
        ]
        return {
            **self.base("Meeting", meeting),
            **prune(
                {
                    "name": meeting.name,
                    "meetingState": meeting.state,
                    "cancelled": meeting.cancelled,
                    "start": dt(meeting.start),
                    "end": dt(meeting.end),
                    "location": self.location(meeting.place) if meeting.place_id else None,
                    "organization": [self.obj_url("Organization", meeting.organization_id)],
                    "participant": participants,
                    "invitation": self.file(invitation, embedded=True) if invitation else None,
                    "resultsProtocol": self.file(protocol, embedded=True) if protocol else None,
                    "auxiliaryFile": []
                    if self.omit_internal
                    else [self.file(f, embedded=True) for f in auxiliary],
                    "agendaItem": [
                        self.agenda_item(i, embedded=True)
                        for i in meeting.agenda_items.all()
                        if i.public and not i.deleted
                    ]
                    if published and not self.omit_internal
                    else [],
                }
            ),
            **self.tail(meeting, meeting.get_absolute_url()),
        }

    def agenda_item(self, item: AgendaItem, embedded=False) -> dict:
        if self.gone(item):
            return self.base("AgendaItem", item)
        consultation = getattr(item, "consultation", None)
        paper = consultation.paper if consultation is not None else None
        if consultation is not None and (consultation.deleted or not paper.public or paper.deleted):
            consultation = None
        files = [f for f in item.files.all() if f.public and not f.deleted]
        return {
            **self.base("AgendaItem", item),
            **prune(
                {
                    "meeting": None if embedded else self.obj_url("Meeting", item.meeting_id),
                    "number": item.number,
                    "order": item.order,
                    "name": item.name,
                    "public": item.public,
                    "consultation": self.obj_url("Consultation", consultation.pk)
                    if consultation
                    else None,
                    "result": item.result,
                    "resolutionText": item.resolution_text,
                    "auxiliaryFile": []
                    if self.omit_internal
                    else [self.file(f, embedded=True) for f in files],
                    "start": dt(item.start),
                    "end": dt(item.end),
                }
            ),
            **self.tail(item, item.meeting.get_absolute_url() if not embedded else None),
        }

    def paper(self, paper: Paper) -> dict:
        if self.gone(paper):
            return self.base("Paper", paper)
        files = [f for f in paper.files.all() if f.public and not f.deleted]
        main = next((f for f in files if f.role == File.Role.MAIN), None)
        if not hasattr(paper, "_links"):
            prepare_papers([paper])
        links = paper._links
        return {
            **self.base("Paper", paper),
            **prune(
                {
                    "body": self.obj_url("Body", paper.body_id),
                    "name": paper.name,
                    "reference": paper.reference,
                    "date": d(paper.date),
                    "paperType": paper.paper_type,
                    "mainFile": self.file(main, embedded=True) if main else None,
                    "auxiliaryFile": []
                    if self.omit_internal
                    else [self.file(f, embedded=True) for f in files if f is not main],
                    "originatorPerson": [self.obj_url("Person", pk) for pk in links["persons"]],
                    "originatorOrganization": [
                        self.obj_url("Organization", pk) for pk in links["organizations"]
                    ],
                    "relatedPaper": [self.obj_url("Paper", pk) for pk in links["related"]],
                    # Arrays in OParl 1.1 (schema Paper.json), not single URLs.
                    "superordinatedPaper": [
                        self.obj_url("Paper", pk) for pk in links["superordinated"]
                    ],
                    "subordinatedPaper": [
                        self.obj_url("Paper", pk) for pk in links["subordinated"]
                    ],
                    "consultation": [
                        self.consultation(c, embedded=True)
                        for c in paper.consultations.all()
                        if not c.deleted
                    ],
                }
            ),
            **self.tail(paper, paper.get_absolute_url()),
        }

    def consultation(self, c: Consultation, embedded=False) -> dict:
        if self.gone(c):
            return self.base("Consultation", c)
        item = c.agenda_item
        item_public = item is not None and item.is_visible
        return {
            **self.base("Consultation", c),
            **prune(
                {
                    "paper": None if embedded else self.obj_url("Paper", c.paper_id),
                    "agendaItem": self.obj_url("AgendaItem", item.pk) if item_public else None,
                    "meeting": self.obj_url("Meeting", c.meeting_id) if c.meeting_id else None,
                    "organization": [self.obj_url("Organization", c.organization_id)],
                    "authoritative": c.authoritative,
                    "role": c.role,
                }
            ),
            **self.tail(c),
        }

    def file(self, f: File, embedded=False) -> dict:
        if self.gone(f):
            return self.base("File", f)
        return {
            **self.base("File", f),
            **prune(
                {
                    "name": f.name,
                    "fileName": f.file_name,
                    "mimeType": f.mime_type,
                    "date": d(f.date),
                    "size": f.size,
                    "sha1Checksum": f.sha1_checksum,
                    "text": f.text,
                    "accessUrl": f"{self.file_root}{f.pk}/",
                    "downloadUrl": f"{self.file_root}{f.pk}/download/",
                    "paper": [self.obj_url("Paper", f.paper_id)] if f.paper_id else [],
                    "meeting": [self.obj_url("Meeting", f.meeting_id)] if f.meeting_id else [],
                    "agendaItem": [self.obj_url("AgendaItem", f.agenda_item_id)]
                    if f.agenda_item_id
                    else [],
                }
            ),
            **self.tail(f),
        }


def prepare_papers(papers) -> None:
    """Many-to-many links of a page of papers in three queries (not three per paper)."""
    ids = [p.pk for p in papers]
    links = {pk: {"persons": [], "organizations": [], "related": []} for pk in ids}
    through = Paper.originator_persons.through.objects.filter(paper_id__in=ids)
    for paper_id, person_id in through.values_list("paper_id", "person_id"):
        links[paper_id]["persons"].append(person_id)
    through = Paper.originator_organizations.through.objects.filter(paper_id__in=ids)
    for paper_id, org_id in through.values_list("paper_id", "organization_id"):
        links[paper_id]["organizations"].append(org_id)
    through = Paper.related_papers.through.objects.filter(
        from_paper_id__in=ids, to_paper__public=True, to_paper__deleted=False
    )
    for paper_id, other_id in through.values_list("from_paper_id", "to_paper_id"):
        links[paper_id]["related"].append(other_id)
    parents = {p.superordinated_id for p in papers if p.superordinated_id}
    visible_parents = set(
        Paper.objects.filter(pk__in=parents, public=True, deleted=False).values_list(
            "pk", flat=True
        )
    )
    children = Paper.objects.filter(superordinated_id__in=ids, public=True, deleted=False)
    for child_id, parent_id in children.order_by("pk").values_list("pk", "superordinated_id"):
        links[parent_id].setdefault("subordinated", []).append(child_id)
    for paper in papers:
        parent = paper.superordinated_id
        links[paper.pk]["superordinated"] = [parent] if parent in visible_parents else []
        links[paper.pk].setdefault("subordinated", [])
        paper._links = links[paper.pk]
