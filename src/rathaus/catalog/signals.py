"""Keep the in-memory search index fresh: every catalog change bumps the version counter."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from rathaus.core.models import Office

from . import search
from .models import LifeSituation, Service, Topic


def invalidate(municipality_id):
    """Now (this connection sees the change) and again after commit (other processes)."""
    search.invalidate(municipality_id)
    transaction.on_commit(lambda: search.invalidate(municipality_id))


@receiver([post_save, post_delete], sender=Service)
def service_changed(sender, instance, **kwargs):
    invalidate(instance.municipality_id)


@receiver(m2m_changed, sender=Service.life_situations.through)
def service_situations_changed(sender, instance, **kwargs):
    if isinstance(instance, Service):
        invalidate(instance.municipality_id)
    else:
        invalidate_all()


@receiver(post_save, sender=Office)
def office_renamed(sender, instance, **kwargs):
    # The responsible office's name is part of each service's indexed text.
    invalidate(instance.municipality_id)


@receiver([post_save, post_delete], sender=Topic)
@receiver([post_save, post_delete], sender=LifeSituation)
def taxonomy_changed(sender, **kwargs):
    invalidate_all()


def invalidate_all():
    from rathaus.core.models import Municipality

    for municipality_id in Municipality.objects.values_list("pk", flat=True):
        invalidate(municipality_id)
