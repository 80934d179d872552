"""Ready-made form definitions for six common municipal services.

The forms are data (``data/forms/buergerservice.json``, the format of ``rathaus forms
import``): the demo loads them through that import path like a city would, and
``install(service)`` creates version 1 of one of them for a single catalog service
(tests, and towns that pick one form); an operator can then change it as a new version.
"""

import json
from pathlib import Path

LIBRARY_FILE = Path(__file__).resolve().parent / "data" / "forms" / "buergerservice.json"
FORMS: dict[str, dict] = {
    record["service"]: record
    for record in json.loads(LIBRARY_FILE.read_text(encoding="utf-8"))["forms"]
}


def install(service, *, publish=True, actor=None):
    """Create (idempotently) version 1 of the library form for a catalog service."""
    from . import services
    from .models import FormDefinition

    spec = FORMS[service.slug]
    form, _ = FormDefinition.objects.get_or_create(
        service=service,
        version=1,
        defaults={
            "municipality": service.municipality,
            "title": spec["title"],
            "intro": spec["intro"],
            "title_en": spec.get("title_en", ""),
            "intro_en": spec.get("intro_en", ""),
            "schema": {
                "steps": spec["steps"],
                **({"representation": spec["representation"]} if "representation" in spec else {}),
            },
            "guest_allowed": spec["guest_allowed"],
            "processing_days": spec["processing_days"],
            "retention_days": spec["retention_days"],
            "maturity_level": spec["maturity_level"],
            "notice_title": spec["notice_title"],
            "case_statuses": spec.get("case_statuses", []),
        },
    )
    if publish and form.state != FormDefinition.State.PUBLISHED:
        services.publish_form(form, actor=actor)
    return form
