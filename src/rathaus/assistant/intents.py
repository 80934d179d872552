"""What the citizen wants to know about a service: a small lexicon in German and English.

Each intent lists word stems; a token matches when it starts with a stem (so
"kostet", "Kosten", "kostenlos" all hit "kost"). Multi-word cues are matched on the
lower-cased question. No rule knows a particular question: the lexicon describes
the *kind* of information asked for, the catalog decides which service.
"""

from dataclasses import dataclass

from .text import normalise, tokens

COST = "cost"
DOCUMENTS = "documents"
WHERE = "where"
HOURS = "hours"
APPOINTMENT = "appointment"
ONLINE = "online"
PROCESSING_TIME = "processing_time"
REQUIREMENTS = "requirements"
DEADLINE = "deadline"
WAITING = "waiting"

INTENTS = (
    COST,
    DOCUMENTS,
    WHERE,
    HOURS,
    APPOINTMENT,
    ONLINE,
    PROCESSING_TIME,
    REQUIREMENTS,
    DEADLINE,
    WAITING,
)


@dataclass(frozen=True)
class Lexicon:
    stems: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()


LEXICON: dict[str, Lexicon] = {
    COST: Lexicon(
        stems=(
            "kost",
            "gebühr",
            "preis",
            "teuer",
            "bezahl",
            "zahl",
            "euro",
            "cost",
            "fee",
            "price",
            "pay",
            "charge",
            "expensive",
        ),
        phrases=("wie viel", "wieviel", "wie hoch", "how much"),
    ),
    DOCUMENTS: Lexicon(
        stems=(
            "unterlag",
            "dokument",
            "mitbring",
            "mitnehm",
            "nachweis",
            "document",
            "bring",
            "paperwork",
        ),
        phrases=("was brauche ich", "was muss ich mitbringen", "what do i need"),
    ),
    WHERE: Lexicon(
        stems=(
            "wo",
            "wohin",
            "adress",
            "standort",
            "zuständig",
            "stelle",
            "amt",
            "where",
            "address",
            "location",
            "office",
            "responsible",
        ),
        phrases=("wo muss ich hin", "where do i go", "where can i"),
    ),
    HOURS: Lexicon(
        stems=(
            "öffnungszeit",
            "geöffnet",
            "offen",
            "sprechzeit",
            "sprechstunde",
            "kontingent",
            "uhrzeit",
            "hours",
            "opening",
            "closes",
            "close",
        ),
        phrases=(
            "auf hat",
            "auf haben",
            "aufhat",
            "hat auf",
            "haben auf",
            "ohne termin",
            "without an appointment",
            "without appointment",
            "open today",
            "is open",
            "are open",
            "wann hat",
            "when does",
        ),
    ),
    APPOINTMENT: Lexicon(
        stems=("termin", "buch", "reservier", "appointment", "book", "slot"),
        phrases=("ohne termin",),
    ),
    ONLINE: Lexicon(
        stems=(
            "online",
            "internet",
            "digital",
            "formular",
            "web",
            "elektronisch",
            "form",
            "internetportal",
        ),
        phrases=("von zu hause", "von zuhause", "from home"),
    ),
    PROCESSING_TIME: Lexicon(
        stems=("bearbeitungs", "dauer", "dauert", "lange", "long", "takes", "processing"),
        phrases=("wie lange", "how long", "wann bekomme", "when will i get"),
    ),
    REQUIREMENTS: Lexicon(
        stems=(
            "voraussetzung",
            "bedingung",
            "berechtigt",
            "anspruch",
            "requirement",
            "eligib",
            "condition",
            "entitled",
        ),
        phrases=("wer darf", "wer kann", "who can", "can i get"),
    ),
    DEADLINE: Lexicon(
        stems=("frist", "deadline", "spätestens", "bis wann", "verspät", "late"),
        phrases=("bis wann", "by when", "how soon", "wie schnell muss"),
    ),
    WAITING: Lexicon(
        stems=("wartezeit", "warten", "wait", "queue", "schlange"),
        phrases=("wie voll", "how busy"),
    ),
}

# Single words that are too short or too common to be used as prefixes.
EXACT_ONLY = frozenset({"wo", "amt", "web", "pay", "form", "book", "late", "lange", "long"})


def _matches(token: str, stem: str) -> bool:
    if stem in EXACT_ONLY:
        return token == stem
    return token.startswith(stem)


def detect_intents(question: str) -> list[str]:
    """The intents named in the question, strongest first (by number of cues)."""
    text = normalise(question).lower()
    words = tokens(text)
    scores: dict[str, int] = {}
    for intent, lexicon in LEXICON.items():
        hits = sum(1 for w in words for s in lexicon.stems if _matches(w, s))
        hits += sum(2 for p in lexicon.phrases if p in text)
        if hits:
            scores[intent] = hits
    return sorted(scores, key=lambda i: (-scores[i], INTENTS.index(i)))


def intent_words(question: str) -> set[str]:
    """Tokens of the question that only say *what* is asked (cost, where, ...)."""
    found = set()
    for w in tokens(question):
        for lexicon in LEXICON.values():
            if any(_matches(w, s) for s in lexicon.stems):
                found.add(w)
    return found
