"""Map settings shared by the Leaflet pages (passed to static JS through data attributes)."""

from urllib.parse import urlsplit

from django.conf import settings

# Musterstadt's centre as a fallback; municipalities without locations use it too.
DEFAULT_CENTER = (52.40, 13.06)


def town_centre(municipality) -> tuple:
    """Where the town's map opens: its first located office, else the default centre."""
    from rathaus.core.models import Location

    located = (
        Location.objects.for_municipality(municipality)
        .exclude(latitude=None)
        .values_list("latitude", "longitude")
        .first()
    )
    return located if located else DEFAULT_CENTER


def map_context(municipality, **extra) -> dict:
    lat, lon = town_centre(municipality)
    tiles = settings.PARTICIPATION_MAP_TILE_URL
    return {
        "map_tiles": tiles,
        # Tiles from another server are loaded only after the citizen asks for them
        # ("Karte anzeigen"): each tile request hands that server the IP address.
        "map_tiles_ask": bool(tiles) and not settings.PARTICIPATION_MAP_TILES_SELF_HOSTED,
        "map_tiles_host": urlsplit(tiles.replace("{s}", "a")).netloc if tiles else "",
        "map_attribution": settings.PARTICIPATION_MAP_ATTRIBUTION,
        "map_center": f"{float(lat):.6f},{float(lon):.6f}",
        **extra,
    }
