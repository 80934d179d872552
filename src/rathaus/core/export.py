"""The citizen's data download (Art. 15, 20 DSGVO) and account deletion (Art. 17).

Each app may define in ``privacy.py``

- ``EXPORTERS = [fn, ...]``: ``fn(person) -> Section`` collects the app's records of
  the person, by account and by the account's verified e-mail address;
- ``ERASERS = [fn, ...]``: ``fn(user) -> None`` deletes (or hands over to retention)
  what the app holds of an account that is being deleted, inside the deletion's
  transaction;
- ``ACCOUNT_DELETION = [Statement(...), ...]``: what deleting an account means in
  that app, in plain German, for the confirmation page and e-mail.

Core knows no app (dependencies point one way); it builds the download (``data.json``,
a readable ``zusammenfassung.txt`` and the files themselves, as a ZIP) and runs the
erasers.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from importlib import import_module
from typing import IO

from django.apps import apps
from django.utils import timezone


@dataclass(frozen=True)
class Person:
    """Whose data: the account and the e-mail addresses it has verified (lower case)."""

    user: object
    emails: frozenset[str]

    @classmethod
    def of(cls, user) -> Person:
        return cls(user=user, emails=frozenset({user.email.strip().lower()}))


@dataclass
class ExportFile:
    name: str  # path inside the ZIP, below files/
    open: Callable[[], AbstractContextManager[IO[bytes]]]  # returns an open binary file


@dataclass
class Section:
    key: str  # "appointments.bookings"
    title: str  # "Termine"
    records: list[dict]
    files: list[ExportFile] = field(default_factory=list)


@dataclass(frozen=True)
class Statement:
    area: str
    deleted: str  # what is deleted at once
    kept: str = ""  # what is kept, and until when
    why: str = ""  # why it is kept


def _discover(name: str) -> list:
    found: list = []
    for config in apps.get_app_configs():
        if not config.name.startswith("rathaus."):
            continue
        try:
            module = import_module(f"{config.name}.privacy")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.privacy":
                raise
            continue
        found.extend(getattr(module, name, []))
    return found


def exporters() -> list[Callable[[Person], Section]]:
    return _discover("EXPORTERS")


def erasers() -> list[Callable[[object], None]]:
    return _discover("ERASERS")


def deletion_statements() -> list[Statement]:
    return _discover("ACCOUNT_DELETION")


def collect(person: Person) -> list[Section]:
    return [exporter(person) for exporter in exporters()]


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def as_json(person: Person, sections: list[Section]) -> str:
    payload = {
        "exported_at": timezone.now().isoformat(),
        "emails": sorted(person.emails),
        "sections": {s.key: {"title": s.title, "records": s.records} for s in sections},
    }
    return json.dumps(payload, ensure_ascii=False, indent=2, default=_plain)


def summary(person: Person, sections: list[Section]) -> str:
    """The readable part: every section, every record, field by field."""
    lines = [
        "Ihre Daten im digitalen Rathaus",
        f"Stand: {timezone.localtime():%d.%m.%Y %H:%M} Uhr",
        f"Gesucht nach Ihrem Konto und Ihrer bestätigten E-Mail-Adresse: "
        f"{', '.join(sorted(person.emails))}",
        "",
    ]
    for section in sections:
        lines.append(f"== {section.title} ({len(section.records)}) ==")
        if not section.records:
            lines.append("Keine Einträge.")
        for number, record in enumerate(section.records, start=1):
            lines.append(f"{number}.")
            for key, value in record.items():
                shown = (
                    value
                    if isinstance(value, str)
                    else json.dumps(value, ensure_ascii=False, default=_plain)
                )
                lines.append(f"   {key}: {shown}")
        lines.append("")
    return "\n".join(lines)


def build_zip(person: Person) -> bytes:
    sections = collect(person)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", as_json(person, sections))
        archive.writestr("zusammenfassung.txt", summary(person, sections))
        for section in sections:
            for item in section.files:
                with item.open() as handle:
                    archive.writestr(f"files/{section.key}/{item.name}", handle.read())
    return buffer.getvalue()


def erase_account(user) -> list[Statement]:
    """Run every app's eraser, then delete the account itself (one transaction)."""
    from django.db import transaction

    from . import audit
    from .models import AuditEntry

    with transaction.atomic():
        for eraser in erasers():
            eraser(user)
        # The log keeps what happened, not who: the account's label goes.
        AuditEntry.objects.filter(actor=user).update(actor_label="gelöschtes Konto")
        audit.record(
            "core.account_deleted", user, actor_label="gelöschtes Konto", data={"id": user.pk}
        )
        user.delete()
    return deletion_statements()


def email_q(field: str, emails) -> object:
    """``Q`` matching any of ``emails`` in ``field``, ignoring case."""
    from django.db.models import Q

    query = Q(pk__in=[])
    for email in emails:
        query |= Q(**{f"{field}__iexact": email})
    return query
