"""The audit trail: every services function records what it changed."""

from .models import AuditEntry


def record(
    action: str, obj, *, actor=None, municipality=None, data=None, actor_label=""
) -> AuditEntry:
    """Append an audit entry for ``obj``; call inside the service's transaction."""
    item = entry(
        action, obj, actor=actor, municipality=municipality, data=data, actor_label=actor_label
    )
    item.save(force_insert=True)
    return item


def entry(
    action: str,
    obj,
    *,
    actor=None,
    municipality=None,
    municipality_id: int | None = None,
    data=None,
    actor_label="",
) -> AuditEntry:
    """The unsaved audit entry for ``obj`` (``record`` saves it; a one-statement write
    path inserts it itself, see ``core.rows``). ``municipality_id`` instead of
    ``municipality`` spares building a town instance (the hold's hot path)."""
    town: dict = {"municipality_id": municipality_id}
    if municipality_id is None:
        if municipality is None:
            municipality = getattr(obj, "municipality", None)
        town = {"municipality": municipality}
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry(
        **town,
        actor=actor,
        actor_label=actor_label or (str(actor) if actor else ""),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=data or {},
    )


def record_access(request, action: str, obj, data=None) -> AuditEntry:
    """Log that staff *read* personal data (a case opened, a file downloaded, a search).

    Reads change no state, so they are logged where they happen (the view), not in a
    services module; the entry names no personal data, only ids and counts.
    """
    return record(action, obj, actor=request.user, municipality=request.municipality, data=data)
