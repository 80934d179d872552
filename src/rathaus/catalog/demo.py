def load(municipality):
    """Filled by the catalog issue: topics, life situations and the Musterstadt services."""
    return municipality
