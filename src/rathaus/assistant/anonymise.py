"""The assistant's anonymiser now lives in core (the catalog's satisfaction answers use it
too, and the catalog may not import the assistant)."""

from rathaus.core.anonymise import PATTERNS, anonymise

__all__ = ["PATTERNS", "anonymise"]
