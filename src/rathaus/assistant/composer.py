"""Turning facts into an answer. The shipped composer is rule based; an operator may
plug in a language model through the ``AnswerComposer`` protocol (setting
``RATHAUS_ASSISTANT_COMPOSER``), but it receives only these facts and must cite them.

Answers use only the municipality's data. Where the catalog has no entry for what was
asked, the answer says so and names the phone numbers instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from . import english
from . import intents as I
from .facts import Link, ServiceFacts

if TYPE_CHECKING:
    from rathaus.catalog.elsewhere import Elsewhere
    from rathaus.catalog.models import Service

PHRASES = {
    "de": {
        "fits": "Dazu passt die Leistung „{name}“.",
        "cost": "Was „{name}“ kostet:",
        "cost_none": "Für „{name}“ sind im Katalog keine Gebühren angegeben.",
        "documents": "Für „{name}“ bringen Sie bitte mit:",
        "documents_none": "Für „{name}“ sind im Katalog keine Unterlagen aufgeführt.",
        "where": "Zuständig für „{name}“ ist: {office}.",
        "place": "{place}, {address}",
        "hours_today": "Heute ({date}) geöffnet: {windows}.",
        "walk_in_today": "Sprechzeit ohne Termin heute: {windows}.",
        "walk_in_open": "Jetzt ohne Termin geöffnet bis {closes} Uhr.",
        "walk_in_next": "Ohne Termin wieder am {date} von {opens} bis {closes} Uhr.",
        "walk_in_none": "Hier gibt es keine Sprechzeiten ohne Termin; bitte buchen Sie einen "
        "Termin.",
        "walk_in_all": "Alle Sprechzeiten ohne Termin der Woche",
        "closed_today": "Heute ({date}) geschlossen{reason}.",
        "hours_intro": "Öffnungszeiten heute für „{name}“:",
        "appointment": "Nächster freier Termin für „{name}“: {when} ({place}).",
        "appointment_link": "Termin buchen",
        "appointment_none": "Einen freien Online-Termin für „{name}“ kann ich gerade nicht nennen.",
        "appointment_walk_in": "Ohne Termin können Sie während der Sprechzeit kommen.",
        "online": "„{name}“ können Sie online erledigen.",
        "online_link": "Zum Online-Antrag",
        "online_none": "„{name}“ ist noch nicht online möglich.",
        "online_planned": "Geplant ist ein Online-Angebot bis {date}.",
        "processing": "Bearbeitungsdauer für „{name}“: {text}",
        "processing_none": "Zur Bearbeitungsdauer von „{name}“ steht nichts im Katalog.",
        "requirements": "Voraussetzungen für „{name}“: {text}",
        "requirements_none": "Für „{name}“ nennt der Katalog keine besonderen Voraussetzungen.",
        "deadline": "Fristen bei „{name}“: {text}",
        "deadline_none": "Für „{name}“ ist im Katalog keine Frist genannt.",
        "waiting": "Aktuelle Wartezeit in {place}: etwa {minutes} Minuten.",
        "waiting_none": "Eine aktuelle Wartezeit für „{name}“ kann ich nicht angeben.",
        "waiting_place_none": "Eine aktuelle Wartezeit kann ich hier nicht angeben.",
        "fee_line": "{label}: {amount}",
        "online_available": "Das geht auch online.",
        "appointment_needed": "Sie müssen dafür persönlich vorsprechen.",
        "clarify": "Dazu passen mehrere Leistungen. Welche meinen Sie?",
        "search_choices": "Sicher bin ich mir nicht. Meinen Sie eine dieser Leistungen?",
        "search_none": "Wenn keine davon passt:",
        "clarify_focus": "Zu welcher Leistung möchten Sie das wissen? Nennen Sie bitte Ihr "
        "Anliegen, zum Beispiel „Reisepass beantragen“.",
        "fallback": "Dazu habe ich in den Leistungen von {town} leider nichts Passendes gefunden. "
        "Ich möchte nicht raten.",
        "phone": "Persönliche Auskunft gibt es unter der Behördennummer {service_phone}{city}.",
        "city_phone": " oder bei der Stadt unter {phone}",
        "missing": "Fragen Sie gern telefonisch nach: {service_phone}.",
        "sources": "Quellen",
        "situation": "Das klingt nach der Lebenslage „{name}“. Diese Leistungen der Stadt "
        "helfen Ihnen, am besten in dieser Reihenfolge:",
        "step": "{number}. {name} – zuständig: {office}",
        "situation_more": "Alles zur Lebenslage „{name}“ finden Sie auf ihrer Übersichtsseite.",
        "situation_pick": "Fragen Sie gern nach einem dieser Schritte, zum Beispiel "
        "„Was kostet {name}?“",
        "elsewhere": "Dafür ist nicht die Stadt {town} zuständig, sondern: {authority}.",
        "elsewhere_phone": "Telefon: {phone}",
        "elsewhere_link": "Zur zuständigen Stelle",
        "s_cost": "Was kostet das?",
        "s_documents": "Welche Unterlagen brauche ich?",
        "s_where": "Wo muss ich hin?",
        "s_hours": "Wann ist heute geöffnet?",
        "s_appointment": "Wann ist der nächste freie Termin?",
        "s_online": "Geht das auch online?",
        "s_requirements": "Welche Voraussetzungen gibt es?",
        "date": "%d.%m.%Y",
        "when": "%d.%m.%Y um %H:%M Uhr",
        "window": "{opens}–{closes} Uhr",
        "joiner": " und ",
    },
    "en": {
        "fits": "The matching service is “{name}”.",
        "cost": "What “{name}” costs:",
        "cost_german": "What “{name}” costs (fee names in German):",
        "cost_none": "The catalogue lists no fees for “{name}”.",
        "documents": "For “{name}” please bring:",
        "documents_german": "For “{name}” please bring (list in German):",
        "documents_none": "The catalogue lists no documents for “{name}”.",
        "where": "“{name}” is handled by: {office}.",
        "place": "{place}, {address}",
        "hours_today": "Open today ({date}): {windows}.",
        "walk_in_today": "Walk-in hours today (no appointment): {windows}.",
        "walk_in_open": "Open for walk-ins now until {closes}.",
        "walk_in_next": "Next walk-in hours: {date}, {opens}–{closes}.",
        "walk_in_none": "There are no walk-in hours here; please book an appointment.",
        "walk_in_all": "All walk-in hours of the week",
        "closed_today": "Closed today ({date}){reason}.",
        "hours_intro": "Opening hours today for “{name}”:",
        "appointment": "Next free appointment for “{name}”: {when} ({place}).",
        "appointment_link": "Book an appointment",
        "appointment_none": "I cannot name a free online appointment for “{name}” right now.",
        "appointment_walk_in": "Without an appointment you can come during walk-in hours.",
        "online": "You can do “{name}” online.",
        "online_link": "Go to the online application",
        "online_none": "“{name}” is not available online yet.",
        "online_planned": "An online service is planned by {date}.",
        "processing": "Processing time for “{name}”: {text}",
        "processing_german": "Processing time for “{name}” (in German): {text}",
        "processing_none": "The catalogue says nothing about the processing time of “{name}”.",
        "requirements": "Requirements for “{name}”: {text}",
        "requirements_german": "Requirements for “{name}” (in German): {text}",
        "requirements_none": "The catalogue names no particular requirements for “{name}”.",
        "deadline": "Deadlines for “{name}”: {text}",
        "deadline_german": "Deadlines for “{name}” (in German): {text}",
        "deadline_none": "The catalogue names no deadline for “{name}”.",
        "waiting": "Current waiting time at {place}: about {minutes} minutes.",
        "waiting_none": "I cannot give a current waiting time for “{name}”.",
        "waiting_place_none": "I cannot give a current waiting time here.",
        "fee_line": "{label}: {amount}",
        "online_available": "This can also be done online.",
        "appointment_needed": "You have to come in person.",
        "clarify": "Several services fit. Which one do you mean?",
        "search_choices": "I am not sure. Do you mean one of these services?",
        "search_none": "If none of them fits:",
        "clarify_focus": "Which service would you like to know this about? Please name your "
        "matter, for example “apply for a passport”.",
        "fallback": "I could not find anything that fits among the services of {town}. "
        "I would rather not guess.",
        "phone": "For personal advice call the public service number {service_phone}{city}.",
        "city_phone": " or the city on {phone}",
        "missing": "Feel free to ask by phone: {service_phone}.",
        "sources": "Sources",
        "situation": "This sounds like the life situation “{name}”. These services of the town "
        "help you, best in this order:",
        "step": "{number}. {name} – handled by: {office}",
        "situation_more": "Everything about “{name}” is on its overview page.",
        "situation_pick": "Ask about any of these steps, for example “What does {name} cost?”",
        "elsewhere": "The town of {town} does not handle this; it is done by: {authority}.",
        "elsewhere_phone": "Phone: {phone}",
        "elsewhere_link": "Go to the responsible authority",
        "s_cost": "What does it cost?",
        "s_documents": "What do I need to bring?",
        "s_where": "Where do I have to go?",
        "s_hours": "When is it open today?",
        "s_appointment": "When is the next free appointment?",
        "s_online": "Can I do this online?",
        "s_requirements": "What are the requirements?",
        "date": "%d/%m/%Y",
        "when": "%d/%m/%Y at %H:%M",
        "window": "{opens}–{closes}",
        "joiner": " and ",
    },
}


@dataclass(frozen=True)
class Choice:
    slug: str
    name: str
    office: str = ""  # for the steps of a Lebenslage: who handles the step


@dataclass
class Answer:
    text: str
    language: str
    confidence: float
    fallback: bool = False
    intents: list[str] = field(default_factory=list)
    service: Service | None = None
    sources: list[Link] = field(default_factory=list)
    actions: list[Link] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    # Other services that fit nearly as well, offered after a service answer.
    alternatives: list[Choice] = field(default_factory=list)
    missing: bool = False  # the catalog lacks what was asked
    # A story answered with the steps of a Lebenslage (its services, in order).
    steps: list[Choice] = field(default_factory=list)
    situation: Link | None = None
    # Another authority handles it (or it no longer exists): the catalog's pointer.
    elsewhere: Elsewhere | None = None
    # In an English answer: catalog texts shown in German, marked lang="de" on the page.
    german: list[str] = field(default_factory=list)


class AnswerComposer(Protocol):
    def service_answer(
        self, facts: ServiceFacts, intents: list[str], language: str, municipality
    ) -> Answer: ...

    def clarification(self, choices: list[Choice], language: str) -> Answer: ...

    def search_choices(self, choices: list[Choice], language: str, municipality) -> Answer: ...

    def fallback(self, municipality, language: str, *, needs_topic: bool = False) -> Answer: ...

    def place_answer(self, locations, intents, language: str, municipality, *, now) -> Answer: ...

    def situation_answer(self, situation, steps, language: str, municipality) -> Answer: ...

    def elsewhere_answer(self, entry, language: str, municipality) -> Answer: ...


def phrases(language: str) -> dict:
    return PHRASES.get(language, PHRASES["de"])


def phrase(p: dict, key: str, facts, part: str) -> str:
    """The phrase for ``key``; in English, the variant that says the text is German
    when the catalog has no English text for ``part``."""
    german = f"{key}_german"
    return p[german] if german in p and part in facts.german else p[key]


def phone_line(municipality, p: dict) -> str:
    city = p["city_phone"].format(phone=municipality.phone) if municipality.phone else ""
    return p["phone"].format(service_phone=municipality.service_phone or "115", city=city)


def windows_text(windows, p) -> str:
    return p["joiner"].join(
        p["window"].format(opens=w.opens.strftime("%H:%M"), closes=w.closes.strftime("%H:%M"))
        for w in windows
    )


def text_section(key):
    """A section that quotes one free-text field of the catalog."""

    def section(self, facts, p):
        value = getattr(facts, key)
        if not value:
            return [p[f"{SECTION_KEYS[key]}_none"].format(name=facts.name)], True
        return [phrase(p, SECTION_KEYS[key], facts, key).format(name=facts.name, text=value)], False

    return section


SECTION_KEYS = {
    "processing_time": "processing",
    "requirements": "requirements",
    "deadlines": "deadline",
}


class RuleBasedComposer:
    """Composes answers from facts with fixed sentences in German and English."""

    SUGGESTION_ORDER = (I.COST, I.DOCUMENTS, I.ONLINE, I.APPOINTMENT, I.HOURS, I.WHERE)

    def service_answer(self, facts, intents, language, municipality) -> Answer:
        p = phrases(language)
        lines: list[str] = []
        missing = False
        asked = [i for i in intents if i in self.SECTIONS] or [None]
        if asked == [None]:
            lines += self.overview(facts, p)
        for intent in asked[:2] if asked != [None] else []:
            section, lacks = self.SECTIONS[intent](self, facts, p)
            lines += section
            missing = missing or lacks
        if missing:
            lines.append(p["missing"].format(service_phone=municipality.service_phone or "115"))
        answer = Answer(
            text="\n".join(lines),
            language=language,
            confidence=1.0,
            intents=[i for i in asked if i],
            service=facts.service,
            sources=self.sources(facts, asked),
            actions=self.actions(facts, p),
            suggestions=self.suggestions(facts, asked, p),
            missing=missing,
            german=english.german_texts(facts) if language == "en" else [],
        )
        return answer

    def suggestions(self, facts, asked, p) -> list[str]:
        """Follow-up questions not answered yet (the overview already shows the fees)."""
        answered = set(asked) | ({I.COST} if asked == [None] and facts.fees else set())
        return [p[f"s_{i}"] for i in self.SUGGESTION_ORDER if i not in answered][:3]

    # --- sections: each returns (lines, whether the catalog lacked the information) ---

    def overview(self, facts, p) -> list[str]:
        lines = [p["fits"].format(name=facts.name)]
        if facts.summary:
            lines.append(facts.summary)
        if facts.fees:
            lines.append(phrase(p, "cost", facts, "fees").format(name=facts.name))
            lines += [
                f"• {p['fee_line'].format(label=f.label, amount=f.amount)}" for f in facts.fees
            ]
        if facts.online_url:
            lines.append(p["online_available"])
        elif facts.appointment_required:
            lines.append(p["appointment_needed"])
        return lines

    def cost(self, facts, p):
        if not facts.fees:
            return [p["cost_none"].format(name=facts.name)], True
        lines = [phrase(p, "cost", facts, "fees").format(name=facts.name)]
        for fee in facts.fees:
            line = p["fee_line"].format(label=fee.label, amount=fee.amount)
            lines.append(f"• {line}" + (f" ({fee.note})" if fee.note else ""))
        return lines, False

    def documents(self, facts, p):
        if not facts.documents:
            return [p["documents_none"].format(name=facts.name)], True
        intro = phrase(p, "documents", facts, "documents").format(name=facts.name)
        return [intro] + [f"• {d}" for d in facts.documents], False

    def where(self, facts, p):
        lines = [p["where"].format(name=facts.name, office=facts.office_name)]
        lines += [
            "• " + p["place"].format(place=place.name, address=place.address)
            for place in facts.places
        ]
        return lines, False

    def hours(self, facts, p):
        if not facts.places:
            return [p["where"].format(name=facts.name, office=facts.office_name)], True
        lines = [p["hours_intro"].format(name=facts.name)]
        for place in facts.places:
            lines.append(f"• {place.name}: " + " ".join(self.day_lines(place.today, p)))
        return lines, False

    @staticmethod
    def day_lines(day, p) -> list[str]:
        date = day.date.strftime(p["date"])
        if not day.is_open:
            reason = f" ({day.closed_reason})" if day.closed_reason else ""
            return [p["closed_today"].format(date=date, reason=reason)]
        lines = []
        opening = day.of_kind("open")
        walk_in = day.of_kind("walk_in")
        if opening:
            lines.append(p["hours_today"].format(date=date, windows=windows_text(opening, p)))
        if walk_in:
            lines.append(p["walk_in_today"].format(windows=windows_text(walk_in, p)))
        return lines

    def appointment(self, facts, p):
        slot = facts.next_appointment
        if slot:
            when = timezone.localtime(slot.start).strftime(p["when"])
            return [
                p["appointment"].format(name=facts.name, when=when, place=slot.location_name)
            ], False
        lines = [p["appointment_none"].format(name=facts.name)]
        walk_in = [pl for pl in facts.places if pl.today.of_kind("walk_in")]
        if walk_in:
            lines.append(p["appointment_walk_in"])
            for place in walk_in:
                lines.append(f"• {place.name}: " + " ".join(self.day_lines(place.today, p)))
            return lines, False
        # No walk-in hours today (a weekend, say): tell when the next ones are rather
        # than leave the citizen with nothing.
        later = self.next_walk_in_lines(facts.places, p, facts.now or timezone.now())
        return lines + later, not later and not facts.booking_url

    def next_walk_in_lines(self, places, p, now) -> list[str]:
        lines = []
        for place in places:
            if place.location is None:
                continue
            line = self.walk_in_line(place.location, p, now)
            if line != p["walk_in_none"]:
                lines.append(f"• {place.name}: {line}")
        return lines

    def online(self, facts, p):
        if facts.online_url:
            return [p["online"].format(name=facts.name)], False
        lines = [p["online_none"].format(name=facts.name)]
        if facts.planned_online:
            lines.append(p["online_planned"].format(date=facts.planned_online))
        return lines, False

    def waiting(self, facts, p):
        from .facts import waiting_times

        found = waiting_times(facts.service)
        if not found:
            return [p["waiting_none"].format(name=facts.name)], False
        return [p["waiting"].format(place=w.location_name, minutes=w.minutes) for w in found], False

    SECTIONS = {
        I.COST: cost,
        I.DOCUMENTS: documents,
        I.WHERE: where,
        I.HOURS: hours,
        I.APPOINTMENT: appointment,
        I.ONLINE: online,
        I.PROCESSING_TIME: text_section("processing_time"),
        I.REQUIREMENTS: text_section("requirements"),
        I.DEADLINE: text_section("deadlines"),
        I.WAITING: waiting,
    }

    # --- links ---

    def sources(self, facts, asked) -> list[Link]:
        links = [Link(facts.name, facts.url, "service")]
        if set(asked) & {I.WHERE, I.HOURS, I.APPOINTMENT, I.WAITING}:
            links.append(Link(facts.office_name, facts.office_url, "office"))
            links += [Link(place.name, place.url, "location") for place in facts.places]
        return links

    def actions(self, facts, p) -> list[Link]:
        links = []
        if facts.booking_url:
            links.append(Link(p["appointment_link"], facts.booking_url, "booking"))
        if facts.online_url:
            links.append(Link(p["online_link"], facts.online_url, "online"))
        return links

    # --- a place instead of a service ("Wann hat das Bürgerbüro heute auf?") ---

    def place_answer(self, locations, intents, language, municipality, *, now) -> Answer:
        from django.urls import reverse

        from rathaus.core.opening import day_schedule

        p = phrases(language)
        lines, sources = [], []
        for location in locations:
            today = day_schedule(location, now.date())
            lines.append(f"{location.name}, {location.address_line}")
            lines += [f"• {line}" for line in self.day_lines(today, p)]
            lines.append(f"• {self.walk_in_line(location, p, now)}")
            if I.WAITING in intents:
                lines.append(f"• {self.place_waiting(location, p)}")
            sources.append(
                Link(location.name, reverse("core:location", args=[location.slug]), "location")
            )
        sources.append(Link(p["walk_in_all"], reverse("core:walk_in_hours"), "location"))
        return Answer(
            text="\n".join(lines),
            language=language,
            confidence=1.0,
            intents=list(intents),
            sources=sources,
        )

    @staticmethod
    def walk_in_line(location, p, now) -> str:
        """Open for walk-ins now, or when next: the same status the location page shows."""
        from rathaus.core import walkin

        status = walkin.status(location, now)
        if status.current is not None:
            return p["walk_in_open"].format(closes=status.current.closes.strftime("%H:%M"))
        if status.next_day is None or status.next_window is None:
            return p["walk_in_none"]
        return p["walk_in_next"].format(
            date=status.next_day.strftime(p["date"]),
            opens=status.next_window.opens.strftime("%H:%M"),
            closes=status.next_window.closes.strftime("%H:%M"),
        )

    @staticmethod
    def place_waiting(location, p) -> str:
        from . import live

        estimate = live.waiting_times.current(None, location)
        if estimate is None:
            return p["waiting_place_none"]
        return p["waiting"].format(place=location.name, minutes=estimate.minutes)

    # --- a story: the steps of a Lebenslage ---

    def situation_answer(self, situation, steps, language, municipality) -> Answer:
        from django.urls import reverse

        p = phrases(language)
        english = language == "en"
        name = situation.name_en if english and situation.name_en else situation.name
        choices = [
            Choice(s.slug, s.name_en if english and s.name_en else s.name, s.office.name)
            for s in steps
        ]
        lines = [p["situation"].format(name=name)]
        lines += [
            p["step"].format(number=n, name=c.name, office=c.office)
            for n, c in enumerate(choices, start=1)
        ]
        lines.append(p["situation_more"].format(name=name))
        if choices:
            lines.append(p["situation_pick"].format(name=choices[0].name))
        link = Link(name, reverse("catalog:life_situation", args=[situation.slug]), "situation")
        return Answer(
            text="\n".join(lines),
            language=language,
            confidence=0.6,
            steps=choices,
            situation=link,
            sources=[link]
            + [Link(c.name, reverse("catalog:service", args=[c.slug]), "service") for c in choices],
        )

    # --- another authority handles it ---

    def elsewhere_answer(self, entry, language, municipality) -> Answer:
        p = phrases(language)
        name, authority, note = entry.localised(language)
        lines = [f"{name}: " + p["elsewhere"].format(town=municipality.name, authority=authority)]
        if note:
            lines.append(note)
        if entry.phone:
            lines.append(p["elsewhere_phone"].format(phone=entry.phone))
        sources = [Link(authority, entry.url, "external")] if entry.url else []
        actions = [Link(p["elsewhere_link"], entry.url, "external")] if entry.url else []
        return Answer(
            text="\n".join(lines),
            language=language,
            confidence=0.9,
            sources=sources,
            actions=actions,
            elsewhere=entry,
        )

    # --- no single service ---

    def clarification(self, choices, language) -> Answer:
        from django.urls import reverse

        lines = [phrases(language)["clarify"]] + [f"• {choice.name}" for choice in choices]
        return Answer(
            text="\n".join(lines),
            language=language,
            confidence=0.5,
            choices=choices,
            sources=[
                Link(c.name, reverse("catalog:service", args=[c.slug]), "service") for c in choices
            ],
        )

    def search_choices(self, choices, language, municipality) -> Answer:
        """The search's best services offered when the assistant is unsure (ADR 0064):
        a question, never an answer, so it keeps the phone numbers of the fallback."""
        p = phrases(language)
        answer = self.clarification(choices, language)
        lines = [p["search_choices"]] + [f"• {choice.name}" for choice in choices]
        lines += [p["search_none"] + " " + phone_line(municipality, p)]
        answer.text = "\n".join(lines)
        answer.confidence = 0.3
        return answer

    def fallback(self, municipality, language, *, needs_topic=False) -> Answer:
        p = phrases(language)
        if needs_topic:
            text = p["clarify_focus"]
        else:
            text = p["fallback"].format(town=municipality.name) + "\n" + phone_line(municipality, p)
        return Answer(text=text, language=language, confidence=0.0, fallback=True)


def get_composer() -> AnswerComposer:
    path = getattr(settings, "RATHAUS_ASSISTANT_COMPOSER", "")
    return import_string(path)() if path else RuleBasedComposer()
