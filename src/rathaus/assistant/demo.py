def load(municipality):
    """Demo data of this module for Musterstadt (idempotent)."""
    return municipality
