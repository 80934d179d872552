"""The audit trail: every services function records what it changed."""

from .models import AuditEntry


def record(
    action: str, obj, *, actor=None, municipality=None, data=None, actor_label=""
) -> AuditEntry:
    """Append an audit entry for ``obj``; call inside the service's transaction."""
    if municipality is None:
        municipality = getattr(obj, "municipality", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        municipality=municipality,
        actor=actor,
        actor_label=actor_label or (str(actor) if actor else ""),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=data or {},
    )
