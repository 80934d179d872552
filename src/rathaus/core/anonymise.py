"""Remove what could identify a person from a question before staff see it.

Questions are free text: people type their e-mail address, phone number, name or
street into a chat. Staff only need the *wording* to improve the catalog, so we
replace such parts by placeholders. Deliberately greedy: a false positive costs a
word, a false negative leaks personal data.
"""

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}(?:\s?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
# Phone numbers: a run of at least six digits with spaces, slashes, dashes, dots or a +.
PHONE = re.compile(r"(?<![\w])\+?\(?\d[\d\s/().-]{4,}\d(?![\w])")
DATE = re.compile(r"\b\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{2}|\d{4})\b")
# Streets: "Lindenstraße 12", "Am Markt 3a", "Goethestr. 5".
STREET = re.compile(
    r"\b[\wäöüß.-]*(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee)"
    r"\s*\d+\s?[a-z]?\b",
    re.IGNORECASE,
)
LONG_NUMBER = re.compile(r"\b\d{5,}\b")  # postcodes, file and ID numbers
# Names after a title or an introduction ("Frau Müller", "ich heiße Erika Muster").
NAME_AFTER_CUE = re.compile(
    r"\b((?i:herrn?|frau|dr\.?|prof\.?|familie|mr\.?|mrs\.?|ms\.?|"
    r"ich heiße|ich heisse|mein name ist|my name is|i am|i'm|name:))\s+"
    r"([A-ZÄÖÜ][\wäöüß'-]+(?:\s+[A-ZÄÖÜ][\wäöüß'-]+){0,2})",
)
# Signatures: "Gruß, Erika Mustermann" / "Viele Grüße Max".
SIGNATURE = re.compile(
    r"\b((?i:grüßen?|grüße|gruß|gruss|mfg|lg|vg|regards)),?\s+"
    r"([A-ZÄÖÜ][\wäöüß'-]+(?:\s+[A-ZÄÖÜ][\wäöüß'-]+){0,2})",
)

PATTERNS = (
    (EMAIL, "[E-Mail]"),
    (URL, "[Link]"),
    (IBAN, "[IBAN]"),
    (DATE, "[Datum]"),
    (STREET, "[Adresse]"),
    (PHONE, "[Telefon]"),
    (LONG_NUMBER, "[Nummer]"),
)


def anonymise(text: str) -> str:
    """The question with e-mail addresses, phone numbers, names and addresses removed."""
    result = text or ""
    for pattern, placeholder in PATTERNS:
        result = pattern.sub(placeholder, result)
    result = NAME_AFTER_CUE.sub(lambda m: f"{m.group(1)} [Name]", result)
    result = SIGNATURE.sub(lambda m: f"{m.group(1)} [Name]", result)
    return re.sub(r"\s+", " ", result).strip()
