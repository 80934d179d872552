"""Round trip through the own OParl API: export town A, import into town B, compare.

The importer reads exactly what strict clients read; if the two towns differ, either
the API leaves something out or the importer loses it.
"""

from datetime import date

import pytest

from rathaus.council import services
from rathaus.council.models import Paper

from .roundtrip import differences, round_trip

pytestmark = pytest.mark.django_db


def test_round_trip_gives_the_same_objects(council_a, town_b):
    c = council_a
    services.publish_agenda(c.meeting)
    services.record_result(c.item, result="beschlossen", unanimous=True, resolution_text="Ja.")
    answer = services.create_paper(
        c.town,
        name="Beantwortung",
        reference="22/SVV/0792-1",
        paper_type=Paper.Type.ANSWER,
        superordinated=c.paper,
        date=date(2022, 10, 1),
    )
    answer.related_papers.add(c.paper)
    c.paper.originator_persons.add(c.chair)
    c.paper.originator_organizations.add(c.committee)
    services.soft_delete(services.create_paper(c.town, name="Weg", paper_type="Antrag"))
    report, before, after = round_trip(c.town, town_b, "a.test")
    print("\nOParl round trip (export a.test -> import b):")
    for name in before:
        print(f"  {name}: {len(before[name])} exportiert, {len(after[name])} importiert")
    print("  " + report.progress_line())
    assert differences(before, after) == []
    assert all(before[name] for name in ("papers", "meetings", "agenda items", "files"))
    assert "Geheimweg" not in str(after)  # the non-public paper never left town A
