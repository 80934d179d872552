"""Keep OParl ``modified`` honest for objects that show other objects.

OParl 1.1 (§2-08 "Gelöschte Objekte") requires that the ``modified`` of every object
an object is embedded in changes with it, and depublishing counts as deletion. A
client syncing with ``modified_since`` sees only what changed, so when a file,
membership or agenda item changes, its embedding parents must change too; when a
paper or meeting changes visibility, everything shown (or hidden) through it must.

Called from ``OParlObject.save()`` through its ``oparl_saved`` signal: every write
path (services, importer, admin) goes through it. The updates use ``QuerySet.update``
so they do not recurse. A new object changes no visibility (nothing is shown through
it yet), so creating one touches only its parents.
"""

from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from .models import oparl_saved


def _parents(obj) -> list:
    """Querysets of the objects that embed ``obj`` (or show a link that depends on it)."""
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

    if isinstance(obj, Membership):
        return [
            Person.objects.filter(pk=obj.person_id),
            Organization.objects.filter(pk=obj.organization_id),
        ]
    if isinstance(obj, AgendaItem):
        return [
            Meeting.objects.filter(pk=obj.meeting_id),
            Consultation.objects.filter(agenda_item=obj),
            Paper.objects.filter(consultations__agenda_item=obj),
        ]
    if isinstance(obj, Consultation):
        return [Paper.objects.filter(pk=obj.paper_id)]
    if isinstance(obj, File):
        found = []
        if obj.paper_id:
            found.append(Paper.objects.filter(pk=obj.paper_id))
        if obj.meeting_id:
            found.append(Meeting.objects.filter(pk=obj.meeting_id))
        if obj.agenda_item_id:
            found.append(AgendaItem.objects.filter(pk=obj.agenda_item_id))
            found.append(Meeting.objects.filter(agenda_items=obj.agenda_item_id))
        return found
    if isinstance(obj, LegislativeTerm):
        return [Body.objects.filter(pk=obj.body_id)]
    if isinstance(obj, Place):
        return [Meeting.objects.filter(place=obj), Organization.objects.filter(place=obj)]
    return []


def _shown_through(obj) -> list:
    """Querysets of objects whose visibility (or visible links) follows ``obj``."""
    from .models import AgendaItem, Consultation, File, Meeting, Paper

    if isinstance(obj, Paper):
        return [
            Consultation.objects.filter(paper=obj),
            File.objects.filter(paper=obj),
            AgendaItem.objects.filter(consultation__paper=obj),
            Meeting.objects.filter(agenda_items__consultation__paper=obj),
            Paper.objects.filter(
                Q(superordinated=obj) | Q(pk=obj.superordinated_id) | Q(related_papers=obj)
            ),
        ]
    if isinstance(obj, AgendaItem):
        return [File.objects.filter(agenda_item=obj)]
    if isinstance(obj, Meeting):
        return [
            AgendaItem.objects.filter(meeting=obj),
            File.objects.filter(Q(meeting=obj) | Q(agenda_item__meeting=obj)),
            Consultation.objects.filter(Q(meeting=obj) | Q(agenda_item__meeting=obj)),
            Paper.objects.filter(consultations__agenda_item__meeting=obj),
        ]
    return []


def _mark_shown(obj) -> None:
    """A published agenda shows its public items: hiding them later is a deletion."""
    from .models import AgendaItem, Meeting

    if isinstance(obj, Meeting) and (obj.is_published or obj.state == Meeting.State.HELD):
        AgendaItem.objects.filter(meeting=obj, public=True, was_public=False).update(
            was_public=True
        )


@receiver(oparl_saved)
def _on_oparl_saved(sender, instance, visibility_changed: bool, **kwargs) -> None:
    touch_after_save(instance, visibility_changed=visibility_changed)


def touch_after_save(obj, *, visibility_changed: bool) -> None:
    if visibility_changed:
        _mark_shown(obj)
    querysets = _parents(obj)
    if visibility_changed:
        querysets += _shown_through(obj)
    now = timezone.now()
    for queryset in querysets:
        # One UPDATE each; Django turns a filter across a relation into a subquery.
        queryset.exclude(modified__gte=now).update(modified=now)
