"""Keep the in-memory search index fresh: every catalog change bumps the version counter."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import search
from .models import LifeSituation, Service, Topic


@receiver([post_save, post_delete], sender=Service)
def service_changed(sender, instance, **kwargs):
    search.invalidate(instance.municipality_id)


@receiver(m2m_changed, sender=Service.life_situations.through)
def service_situations_changed(sender, instance, **kwargs):
    if isinstance(instance, Service):
        search.invalidate(instance.municipality_id)
    else:
        invalidate_all()


@receiver([post_save, post_delete], sender=Topic)
@receiver([post_save, post_delete], sender=LifeSituation)
def taxonomy_changed(sender, **kwargs):
    invalidate_all()


def invalidate_all():
    from rathaus.core.models import Municipality

    for municipality_id in Municipality.objects.values_list("pk", flat=True):
        search.invalidate(municipality_id)
