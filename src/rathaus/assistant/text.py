"""Cheap text handling for the assistant: tokens, language detection, question filler.

Language detection is lexicon based: counting very frequent function words of German
and English is enough for one-line questions and costs microseconds. Umlauts and ß
count for German.
"""

import re
import unicodedata

from . import english

WORD = re.compile(r"[a-zäöüß0-9]+(?:['-][a-zäöüß0-9]+)*", re.IGNORECASE)


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words: frequent, meaningless for retrieval, telling for the language.
GERMAN_FUNCTION = word_set(
    """
    der die das den dem des ein eine einen einem einer eines und oder aber nicht kein keine
    ich du er sie es wir ihr mich mir mein meine meinen meinem meiner uns unser euch euer
    ist sind bin bist war wurde wurden wird werden habe hat haben hatte kann können könnte
    muss müssen möchte möchten will wollen soll sollte darf brauche braucht benötige
    wie was wo wann wer welche welcher welches warum wieso wohin woher wieviel
    mit für auf bei von vom zum zur nach aus über unter vor ohne beim im am an in zu
    auch noch schon nur bitte danke hallo gibt geht heute morgen gerne mal denn dann
    ja nein gut hier dort man sich neuen neue neuer neues ihr ihre ihnen sie
    bis seit gegen durch um ab als wenn ob dass weil so sehr etwas alles nichts jemand
    welchen welchem dein deine deinen meines seine seinen ihren unsere unseren euren
    habt hast seid sein mein bzw usw etc oben unten drin dran
    """
)
ENGLISH_FUNCTION = word_set(
    """
    the a an and or but not no i you he she it we they me my mine our your their us them
    is are am was were be been being have has had do does did can could must should would
    will shall may might need needs want wants what where when who which why how much many
    with for on at by from of to in into about after before without
    also still only please thanks hello there here today tomorrow
    yes good this that these those new get got i'm it's what's
    """
)
# Content words that still betray the language of a question.
GERMAN_CUES = word_set("kostet kosten unterlagen termin öffnungszeiten antrag beantragen anmelden")
ENGLISH_CUES = word_set(
    "cost costs fee fees bring documents appointment opening hours lost apply register"
)

GERMAN_WORDS = GERMAN_FUNCTION | GERMAN_CUES
ENGLISH_WORDS = ENGLISH_FUNCTION | ENGLISH_CUES


def normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def tokens(text: str) -> list[str]:
    return [t.lower() for t in WORD.findall(normalise(text))]


def detect_language(text: str, default: str = "de") -> str:
    """'de' or 'en' for a short question; ``default`` when there is no evidence."""
    words = tokens(text)
    german = sum(1 for w in words if w in GERMAN_WORDS)
    english = sum(1 for w in words if w in ENGLISH_WORDS)
    if re.search(r"[äöüß]", text or "", re.IGNORECASE):
        german += 1
    if german > english:
        return "de"
    if english > german:
        return "en"
    return default if default in ("de", "en") else "de"


# Words that carry no information about *which* service is meant. A question made only
# of these (plus intent words) is a follow-up about the service already in focus.
FILLER = (
    GERMAN_FUNCTION
    | ENGLISH_FUNCTION
    | word_set(
        """
        das dies diese dieses dafür dazu damit davon darum dabei hierfür dort da
        denn eigentlich genau ungefähr etwa jetzt gerade nochmal nochmals also ok okay
        it this that thing one those them there then so again
        sagen sag sagt wissen weiß erfahren fragen frage information informationen infos
        tell know say ask info viel viele hin her weiter wieder immer einfach selbst
        euch ihr eurer bei ihnen mal eben kurz schnell einmal erst letzte nächste
        wurde worden geworden sein gewesen bitte leider schon mehr weniger
        much many any some every just really quite still very
        frei freie freien freier nächste nächsten nächster früheste frühesten erste ersten
        übermorgen woche diese dieser dieses next first earliest free available week
        los hoch alte alten alter altes wirklich genau müsste könnten würde gerne
        kommt komme kommen liegt liegen steht stehen allen alle unserer unserem unseren
        großes große großen groß klein kleine kleiner wenig wenige reicht reichen bald
        läuft laufen letzte letzten letzter nächstes nächstem jahr jahre monat monate
        tag tage wochen sommer winter frühling herbst gestern demnächst sofort dringend
        soon urgent urgently next last year month day days
        ins ans aufs
        """
    )
    | english.FUNCTION_WORDS
)

# Verbs that say *that* something is to be done, not *which* service: on their own they
# do not move the conversation to another service.
GENERIC = word_set(
    """
    beantragen beantrage beantragt antrag anträge stellen
    bestellen bestelle erhalten bekommen bekomme machen mache erledigen erledige holen
    abholen ausstellen ausgestellt lassen brauchen benötigen möchte hilfe
    nutzen benutzen verwenden gehen kommen werden erfüllen erfülle tun
    organisieren organisiere regeln regele klären kläre kümmern kümmere anfordern
    fordere einreichen reiche finden finde suchen suche kaufen kaufe
    anfangen anfange fange beginnen beginne weitermachen vorgehen tun
    buy purchase find search organise organize arrange
    fulfil fulfill meet
    apply applying application get obtain order request make do need help use
    """
)

# Words that tell the *circumstances* of a question, not which service it is about: who
# (family members, people), when (days, seasons, time spans) and how (kaum, allein). In a
# story ("Mein Vater ist verstorben", "die Laterne vor unserem Haus ist seit Tagen kaputt")
# they are background; some are parts of service names ("Vaterschaft", "Hausnummer"), which
# is why they still count a little instead of being dropped like function words.
CONTEXT_WORDS = word_set(
    """
    frau mann ehefrau ehemann gatte gattin partner partnerin freund freundin lebensgefährte
    lebensgefährtin mutter vater mama papa eltern elternteil tochter sohn
    enkel enkelin enkelkind oma opa großmutter großvater großeltern bruder schwester
    geschwister onkel tante cousin cousine familie angehörige angehörigen nachbar nachbarin
    nachbarn nachbarschaft leute menschen person personen jemand erwachsene erwachsener
    erwachsenen jugendliche jugendlicher rentner rentnerin senior seniorin chef chefin
    kollege kollegin
    tag tage tagen woche wochen monat monaten jahr jahren jahrzehnt stunde stunden minute
    minuten nacht nächte nachts abend abends morgens mittag wochenende wochenenden
    montag dienstag mittwoch donnerstag freitag samstag sonntag gestern vorgestern
    frühling sommer herbst winter weihnachten ostern ferien feiertag zeit
    damals neulich demnächst künftig zukunft früher später lange langem kürzlich
    kaum nie niemals allein alleine zusammen gemeinsam plötzlich leider dringend sofort
    ständig oft manchmal endlich total völlig ganz
    wife husband partner mother father mom mum dad parents daughter son child children kid
    kids family brother sister grandmother grandfather neighbour neighbor neighbours
    neighbors people person someone adult adults
    day days week weeks month months year years night tonight weekend yesterday
    monday tuesday wednesday thursday friday saturday sunday summer winter spring autumn
    holidays soon later
    """
)

# Countries and continents are circumstance too: "aus Indien" (moving here) and "nach
# Kanada" (moving away) point to opposite services, so the country itself decides nothing.
COUNTRIES = word_set(
    """
    afghanistan ägypten albanien algerien amerika argentinien armenien aserbaidschan
    äthiopien australien belgien bosnien brasilien bulgarien chile china dänemark
    ecuador england eritrea estland finnland frankreich georgien ghana griechenland
    großbritannien indien indonesien irak iran irland island israel italien japan
    jordanien kanada kasachstan kenia kolumbien kosovo kroatien kuba lettland libanon
    litauen luxemburg marokko mexiko moldau montenegro neuseeland niederlande holland
    nigeria nordmazedonien norwegen österreich pakistan peru philippinen polen portugal
    rumänien russland schottland schweden schweiz serbien singapur slowakei slowenien
    somalia spanien südafrika südkorea korea syrien thailand tschechien tunesien
    türkei ukraine ungarn usa vietnam weißrussland belarus zypern
    europa afrika asien südamerika nordamerika america australia austria belgium brazil
    canada croatia denmark egypt france greece hungary india ireland italy netherlands
    norway poland romania russia spain sweden switzerland turkey syria ukraine
    """
)

CONTEXT_WORDS = CONTEXT_WORDS | english.CONTEXT_WORDS
CONTEXT = CONTEXT_WORDS | COUNTRIES
