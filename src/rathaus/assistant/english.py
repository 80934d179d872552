"""English questions: general English vocabulary the assistant needs besides the catalog.

The catalog carries English names, keywords and texts for its services (``name_en``,
``keywords_en``, ``summary_en``…); the assistant finds services through them. What an
English question adds around those words is ordinary English: function words ("while",
"since", "ourselves"), words of circumstance ("twins", "evening", "seventeen") and
everyday phrases for what the catalog says in one word ("passed away" for "died").
Unlisted, each of them counted as an unknown topic word and pushed an English story
below the assistant's coverage threshold, so it fell back where the German story of the
same need was answered (ADR 0119).

Nothing here names a service: the lists are general English, and a test checks that no
word of them is a word of the catalog's German names or synonyms (they are skipped in
German questions, too).
"""

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# English function words (pronouns, determiners, prepositions, conjunctions, auxiliaries,
# adverbs of degree and time): they carry no information about which service is meant.
FUNCTION_WORDS = _words(
    """
    myself ourselves yourself yourselves himself herself itself themselves
    him his her hers its ours yours theirs whom whose
    anyone anybody anything everyone everybody everything somebody something
    nobody nothing nowhere somewhere anywhere everywhere
    because since while until unless though although whether than as if
    against between through during above below up down out off over under
    around behind beside near across along onto upon within via
    again further then once now ever never always often sometimes already yet
    more most less least other others another same such own each both few several
    too very quite rather almost enough even just really
    doing having getting going being done gone made
    i've we've you've they've i'd we'd you'd i'll we'll you'll don't doesn't didn't
    can't cannot won't isn't aren't wasn't weren't haven't hasn't
    like would've whats
    """
)

# Words of circumstance (who, when, how many): background of a story, like the German
# ones in ``text.CONTEXT_WORDS``; they weigh little instead of counting as unknown.
CONTEXT_WORDS = _words(
    """
    twins toddler teenager teen husband's wife's friend friends boyfriend
    girlfriend fiance fiancee grandson granddaughter grandchildren relatives relative
    morning mornings afternoon tonight today tomorrow ago recently
    january february march april may june july august september october november december
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy
    eighty ninety hundred
    third last next few couple
    english american british australian canadian irish scottish indian chinese
    spanish italian french polish turkish ukrainian syrian russian portuguese dutch
    """
)

# Everyday English phrases and the plain word the catalog's English texts use for them
# ("passed away" is what keywords call "died"). Phrasal verbs of general English only.
PHRASES: dict[str, str] = {
    "passed away": "died",
    "pass away": "died",
    "has died": "died",
    "look after": "care",
    "looks after": "care",
    "take care of": "care",
    "get rid of": "disposal",
    "throw away": "disposal",
    "throw out": "disposal",
    "dispose of": "disposal",
    "pick up": "collection",
    "pick them up": "collection",
    "pick it up": "collection",
    "move in": "moving",
    "moved in": "moving",
    "move out": "moving away",
    "moved out": "moving away",
    "set up": "start",
    "sign up": "register",
    "signed up": "register",
    "fill in": "form",
    "fill out": "form",
    "nowhere to go": "homeless",
    "nowhere to live": "homeless",
    "nowhere to sleep": "homeless",
}

_PHRASE = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(PHRASES, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def plain(question: str) -> str:
    """The question with everyday English phrases replaced by the catalog's plain words."""
    return _PHRASE.sub(lambda m: PHRASES[m.group(1).lower()], question)


def german_texts(facts) -> list[str]:
    """The catalog texts an English answer about ``facts`` shows in German (no English
    text written yet): the page marks them ``lang="de"`` so that screen readers read them
    with a German voice, as the catalog's own English pages do (ADR 0120)."""
    texts: list[str] = []
    if "fees" in facts.german:
        for fee in facts.service.fees.all():
            if not getattr(fee, "label_en", ""):
                texts.append(fee.label)
            if fee.note and not getattr(fee, "note_en", ""):
                texts.append(fee.note)
    if "documents" in facts.german:
        texts += facts.documents
    for part in ("requirements", "deadlines", "processing_time"):
        if part in facts.german:
            texts.append(getattr(facts, part))
    # Opening hours: the reason a place is closed today is written in German only.
    texts += [place.today.closed_reason for place in facts.places if place.today.closed_reason]
    return [text for text in dict.fromkeys(texts) if text.strip()]
