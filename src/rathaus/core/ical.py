"""Helpers for iCalendar output (RFC 5545) shared by the modules that publish events."""


def stable_uid(municipality, kind: str, pk) -> str:
    """A UID that stays the same for an object under every host name it is served from.

    RFC 5545 §3.8.4.7: the UID identifies the event for good. A UID built from the
    request's host would make a calendar subscribed under two host names (or after a
    domain change) hold every event twice. The AGS is the municipality's permanent
    official key, so the UID is unique across installations too.
    """
    return f"{kind}-{pk}-{municipality.ags}@rathaus"
