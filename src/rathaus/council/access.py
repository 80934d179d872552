"""Who may see non-public council content, and the audit of every such access.

Non-public agenda items, papers and files are visible to the council office
(and administrators) and to councillors who are - through the Person linked to
their login - current members of the organization concerned. Where a body's rules
say so (``Organization.councillors_may_read_non_public``, 22/SVV/0792), every
elected councillor - a current member of the council itself - may read them too. Public pages,
feeds, search and the OParl API never ask this module: they use ``visible()``.
"""

from django.db.models import Q
from django.utils import timezone

from rathaus.core import audit
from rathaus.core.models import Role
from rathaus.core.permissions import has_role

from .models import AgendaItem, File, Meeting, Membership, Organization, Paper


def is_council_office(user, municipality) -> bool:
    return has_role(user, municipality, Role.COUNCIL_OFFICE)


def is_councillor(user, municipality) -> bool:
    return has_role(user, municipality, Role.COUNCILLOR, Role.COUNCIL_OFFICE)


def member_organization_ids(user, municipality) -> set[int]:
    """Organizations the user currently belongs to as a councillor."""
    if not has_role(user, municipality, Role.COUNCILLOR):
        return set()
    today = timezone.localdate()
    return set(
        Membership.objects.for_municipality(municipality)
        .alive()
        .filter(person__user=user, person__deleted=False)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("organization_id", flat=True)
    )


def is_elected_councillor(user, municipality) -> bool:
    """A councillor login whose person is a current member of the council (Vertretung)."""
    member_of = member_organization_ids(user, municipality)
    return (
        Organization.objects.for_municipality(municipality)
        .alive()
        .filter(pk__in=member_of, kind=Organization.Kind.COUNCIL)
        .exists()
    )


def readable_organization_ids(user, municipality) -> set[int]:
    """Organizations whose non-public content this councillor may read."""
    readable = member_organization_ids(user, municipality)
    if readable and is_elected_councillor(user, municipality):
        readable |= set(
            Organization.objects.for_municipality(municipality)
            .alive()
            .filter(councillors_may_read_non_public=True)
            .values_list("pk", flat=True)
        )
    return readable


def organizations_of(obj) -> set[int]:
    """The organizations whose members may see a non-public object."""
    if isinstance(obj, Organization):
        return {obj.pk}
    if isinstance(obj, Meeting):
        return {obj.organization_id}
    if isinstance(obj, AgendaItem):
        return {obj.meeting.organization_id}
    if isinstance(obj, Paper):
        return set(obj.consultations.values_list("organization_id", flat=True))
    if isinstance(obj, File):
        found: set[int] = set()
        for parent in (obj.meeting, obj.agenda_item, obj.paper, obj.organization):
            if parent is not None:
                found |= organizations_of(parent)
        return found
    return set()


def can_see_non_public(user, municipality, obj) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if is_council_office(user, municipality):
        return True
    return bool(organizations_of(obj) & readable_organization_ids(user, municipality))


def log_access(request, obj) -> None:
    """Every view of non-public content leaves an audit entry (who, what, when)."""
    audit.record(
        "council.non_public_viewed",
        obj,
        actor=request.user,
        municipality=request.municipality,
        data={"path": request.path},
    )
