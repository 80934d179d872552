def load(municipality):
    """The assistant needs no demo data of its own: it answers from the demo catalog,
    the demo offices and locations and the appointments demo loaded before it."""
    return municipality
