"""The offers the availability read shows, remembered per process (``core.memo``).

Every citizen polling a release asks for the same service, and the offers query was
almost half of a cached availability read. A hold takes its offer from here too
(ADR 0100); the guarded booking statement decides about capacity in the database.
Imported when the app is ready, so every process that saves an offer (admin, management
commands, the task worker) tells the others; a change written with ``QuerySet.update()``
sends no signal and would be seen only after ``seconds``, so offers are saved.
"""

from rathaus.catalog.models import Service
from rathaus.core.memo import Memo
from rathaus.core.models import Location, Municipality

from .models import Offer, Resource

_memo = Memo(
    "shown-offers", seconds=10, depends_on=(Offer, Resource, Service, Location, Municipality)
)


def for_availability(municipality, service: str, location: str | None) -> list[Offer]:
    """Active offers of ``service`` (at ``location``: a location's or a resource's slug)."""

    def load():
        from .views import active_offers

        offers = active_offers(municipality).filter(service__slug=service)
        if location:
            offers = offers.filter(resource__slug=location) | offers.filter(
                resource__location__slug=location
            )
        return list(offers)

    return _memo.get((municipality.pk, service, location), load)


def forget() -> None:
    _memo.clear()
