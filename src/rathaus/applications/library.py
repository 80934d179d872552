"""Ready-made form definitions for six common municipal services (as data).

``install(service)`` creates version 1 of the form for a catalog service and
publishes it; an operator can then change it in the admin as a new version.
"""

PERSON_STEP = {
    "key": "person",
    "title": "Angaben zu Ihrer Person",
    "title_en": "About you",
    "fields": [
        {
            "name": "anrede",
            "type": "select",
            "label": "Anrede",
            "label_en": "Title",
            "required": False,
            "choices": [
                ["frau", "Frau", "Ms"],
                ["herr", "Herr", "Mr"],
                ["divers", "ohne Anrede", "no title"],
            ],
        },
        {
            "name": "vorname",
            "type": "text",
            "label": "Vorname",
            "label_en": "First name",
            "prefill": "first_name",
        },
        {
            "name": "nachname",
            "type": "text",
            "label": "Nachname",
            "label_en": "Last name",
            "prefill": "last_name",
        },
        {
            "name": "geburtsdatum",
            "type": "date",
            "label": "Geburtsdatum",
            "label_en": "Date of birth",
            "max_date": "today-5840",
            "hint": "Sie müssen mindestens 16 Jahre alt sein.",
            "hint_en": "You must be at least 16 years old.",
        },
    ],
}


def address_step(title="Ihre Anschrift", intro="", title_en=None):
    """The address step; its English title only for the default German one, unless given."""
    if title_en is None:
        title_en = "Your address" if title == "Ihre Anschrift" else ""
    return {
        "key": "anschrift",
        "title": title,
        "title_en": title_en,
        "intro": intro,
        "fields": [
            {
                "name": "strasse",
                "type": "text",
                "label": "Straße und Hausnummer",
                "label_en": "Street and house number",
            },
            {"name": "plz", "type": "postcode", "label": "Postleitzahl", "label_en": "Postcode"},
            {"name": "ort", "type": "text", "label": "Ort", "label_en": "Town or city"},
        ],
    }


CONTACT_STEP = {
    "key": "kontakt",
    "title": "Wie erreichen wir Sie?",
    "title_en": "How can we reach you?",
    "fields": [
        {
            "name": "email",
            "type": "email",
            "label": "E-Mail-Adresse",
            "label_en": "E-mail address",
            "prefill": "email",
        },
        {
            "name": "telefon",
            "type": "phone",
            "label": "Telefon",
            "label_en": "Phone",
            "required": False,
            "hint": "Für Rückfragen, z. B. 0331 123456",
            "hint_en": "In case we have questions, e.g. 0331 123456",
        },
    ],
}

FORMS = {
    "hund-anmelden": {
        "title": "Hund anmelden (Hundesteuer)",
        "intro": "Melden Sie Ihren Hund innerhalb von zwei Wochen nach Anschaffung oder Zuzug "
        "zur Hundesteuer an. Sie erhalten den Steuerbescheid und die Hundesteuermarke per Post.",
        "guest_allowed": True,
        "processing_days": 14,
        "retention_days": 3650,
        "maturity_level": 3,
        "notice_title": "Hundesteuerbescheid",
        "steps": [
            PERSON_STEP,
            address_step(),
            {
                "key": "hund",
                "title": "Ihre Hunde",
                "title_en": "Your dogs",
                "intro": "Melden Sie jeden Hund einzeln an. Mit „Weiteren Hund hinzufügen“ "
                "melden Sie mehrere Hunde in einem Antrag an.",
                "fields": [
                    {
                        "name": "hunde",
                        "type": "group",
                        "label": "Angaben zu den Hunden",
                        "label_en": "About the dogs",
                        "item_label": "Hund",
                        "item_label_en": "Dog",
                        "add_label": "Weiteren Hund hinzufügen",
                        "add_label_en": "Add another dog",
                        "min": 1,
                        "max": 10,
                        "fields": [
                            {"name": "hund_name", "type": "text", "label": "Name des Hundes"},
                            {
                                "name": "rasse",
                                "type": "text",
                                "label": "Rasse",
                                "hint": "oder Mischling, z. B. Labrador-Mischling",
                            },
                            {
                                "name": "wurfdatum",
                                "type": "date",
                                "label": "Geburtsdatum (Wurftag)",
                                "max_date": "today",
                            },
                            {
                                "name": "haltung_seit",
                                "type": "date",
                                "label": "Gehalten seit",
                                "max_date": "today+14",
                            },
                            {
                                "name": "chipnummer",
                                "type": "text",
                                "label": "Transpondernummer (Chip)",
                                "required": False,
                                "max_length": 15,
                                "hint": "15 Ziffern, falls vorhanden",
                            },
                            {
                                "name": "listenhund",
                                "type": "radio",
                                "label": "Gehört der Hund zu einer als gefährlich geltenden Rasse?",
                                "choices": [["nein", "Nein"], ["ja", "Ja"]],
                            },
                            {
                                "name": "ermaessigung",
                                "type": "radio",
                                "label": "Ermäßigung oder Befreiung für diesen Hund?",
                                "choices": [
                                    ["keine", "Nein"],
                                    ["blindenhund", "Blindenführhund / Assistenzhund"],
                                    ["rettungshund", "geprüfter Rettungshund"],
                                    ["tierheim", "Hund aus dem Tierheim"],
                                ],
                            },
                        ],
                    },
                    {
                        "name": "schon_hund",
                        "type": "radio",
                        "label": "Ist in Musterstadt schon ein anderer Hund auf Sie angemeldet?",
                        "hint": "Für den ersten Hund gilt der niedrigere Steuersatz.",
                        "choices": [
                            ["nein", "Nein, diese Anmeldung enthält meinen ersten Hund"],
                            ["ja", "Ja, ein Hund ist schon angemeldet"],
                        ],
                    },
                    {
                        "name": "iban",
                        "type": "iban",
                        "label": "IBAN für das SEPA-Lastschriftmandat",
                        "required": False,
                        "hint": "Optional: die Hundesteuer wird dann abgebucht.",
                    },
                ],
            },
            {
                "key": "erlaubnis",
                "title": "Erlaubnis für gefährliche Hunde",
                "show_if": {"field": "hunde.listenhund", "equals": "ja"},
                "fields": [
                    {
                        "name": "erlaubnis",
                        "type": "file",
                        "label": "Erlaubnis nach Hundehalterverordnung",
                        "hint": "PDF oder Foto, höchstens 5 MB; bei mehreren Hunden in einer Datei",
                    },
                ],
            },
            {
                "key": "ermaessigung",
                "title": "Nachweis für die Ermäßigung",
                "show_if": {
                    "field": "hunde.ermaessigung",
                    "in": ["blindenhund", "rettungshund", "tierheim"],
                },
                "fields": [
                    {
                        "name": "nachweis",
                        "type": "file",
                        "label": "Nachweis für die Ermäßigung",
                        "hint": "PDF oder Foto, höchstens 5 MB; bei mehreren Hunden in einer Datei",
                    },
                ],
            },
            CONTACT_STEP,
        ],
    },
    "bewohnerparkausweis-beantragen": {
        "title": "Bewohnerparkausweis beantragen",
        "intro": "Als Bewohnerin oder Bewohner einer Parkzone können Sie einen Parkausweis für "
        "ein auf Sie zugelassenes oder von Ihnen dauerhaft genutztes Fahrzeug beantragen.",
        "guest_allowed": False,
        "processing_days": 7,
        "retention_days": 730,
        "maturity_level": 4,
        "notice_title": "Bewohnerparkausweis",
        "steps": [
            PERSON_STEP,
            address_step(
                "Ihre Hauptwohnung", "Sie müssen in der Parkzone mit Hauptwohnsitz gemeldet sein."
            ),
            {
                "key": "fahrzeug",
                "title": "Fahrzeug und Parkzone",
                "fields": [
                    {
                        "name": "kennzeichen",
                        "type": "plate",
                        "label": "Amtliches Kennzeichen",
                        "hint": "z. B. P-AB 123",
                    },
                    {
                        "name": "zone",
                        "type": "select",
                        "label": "Bewohnerparkzone",
                        "choices": [
                            ["A", "Zone A – Innenstadt"],
                            ["B", "Zone B – Bahnhofsviertel"],
                            ["C", "Zone C – Altstadt Nord"],
                            ["D", "Zone D – Holländisches Viertel"],
                        ],
                    },
                    {
                        "name": "halter",
                        "type": "radio",
                        "label": "Wer ist Halter/in des Fahrzeugs?",
                        "choices": [
                            ["selbst", "Ich selbst"],
                            ["firma", "Mein Arbeitgeber (Firmenwagen)"],
                            ["andere", "Eine andere Person"],
                        ],
                    },
                    {
                        "name": "nachweis_nutzung",
                        "type": "file",
                        "label": "Nachweis der dauerhaften Nutzung",
                        "hint": "z. B. Überlassungserklärung des Arbeitgebers oder des Halters "
                        "(PDF, JPEG, PNG; höchstens 5 MB)",
                        "show_if": {"field": "halter", "in": ["firma", "andere"]},
                    },
                    {
                        "name": "fahrzeugschein",
                        "type": "file",
                        "label": "Zulassungsbescheinigung Teil I (Fahrzeugschein)",
                        "hint": "Scan oder Foto der Vorderseite (PDF, JPEG, PNG; höchstens 5 MB)",
                    },
                ],
            },
            {
                "key": "laufzeit",
                "title": "Gültigkeit",
                "fields": [
                    {
                        "name": "laufzeit",
                        "type": "radio",
                        "label": "Wie lange soll der Ausweis gelten?",
                        "choices": [["12", "12 Monate"], ["24", "24 Monate"]],
                    },
                    {
                        "name": "beginn",
                        "type": "date",
                        "label": "Gültig ab",
                        "min_date": "today",
                        "max_date": "today+90",
                    },
                ],
            },
            CONTACT_STEP,
        ],
    },
    "sperrmuell-anmelden": {
        "title": "Sperrmüll anmelden",
        "title_en": "Book a bulky waste collection",
        "intro_en": "The first collection of the year (up to 3 cubic metres) is included in "
        "the waste fee; each further one costs €35. Choose a collection day (a weekday, at "
        "least 5 days ahead).",
        "intro": "Die erste Abholung im Jahr (bis 3 Kubikmeter) ist in der Abfallgebühr "
        "enthalten, jede weitere kostet 35 €. Wählen Sie einen Abholtermin (Werktag, "
        "frühestens in 5 Tagen).",
        "guest_allowed": True,
        "processing_days": 3,
        "retention_days": 180,
        "maturity_level": 4,
        "notice_title": "Auftragsbestätigung Sperrmüllabholung",
        "case_statuses": [
            ["eingegangen", "Eingegangen"],
            ["in_bearbeitung", "Tourenplanung"],
            ["unterlagen_nachgefordert", "Rückfrage"],
            ["entschieden", "Abholtermin bestätigt"],
            ["abgeholt", "Abgeholt"],
            ["abgeschlossen", "Abgeschlossen"],
        ],
        "steps": [
            {
                "key": "person",
                "title": "Angaben zu Ihrer Person",
                "title_en": "About you",
                "fields": PERSON_STEP["fields"][1:3],
            },
            address_step("Abholadresse", title_en="Collection address"),
            {
                "key": "abholung",
                "title": "Was und wann sollen wir abholen?",
                "title_en": "What should we collect, and when?",
                "fields": [
                    {
                        "name": "abholdatum",
                        "type": "date",
                        "label": "Gewünschter Abholtermin",
                        "label_en": "Preferred collection day",
                        "min_date": "today+5",
                        "max_date": "today+90",
                        "weekdays_only": True,
                        "hint": "Montag bis Freitag, frühestens in 5 Tagen",
                        "hint_en": "Monday to Friday, at least 5 days ahead",
                    },
                    {
                        "name": "menge",
                        "type": "number",
                        "label": "Menge in Kubikmetern",
                        "label_en": "Amount in cubic metres",
                        "min": 1,
                        "max": 3,
                        "hint": "Höchstens 3 m³ je Abholung",
                        "hint_en": "At most 3 m³ per collection",
                    },
                    {
                        "name": "erste_abholung",
                        "type": "radio",
                        "label": "Ist das Ihre erste Sperrmüllabholung in diesem Jahr?",
                        "label_en": "Is this your first bulky waste collection this year?",
                        "hint": "Die erste Abholung im Jahr ist kostenlos, jede weitere 35 €.",
                        "hint_en": "The first collection of the year is free, each further "
                        "one costs €35.",
                        "choices": [["ja", "Ja", "Yes"], ["nein", "Nein, eine weitere", "No"]],
                    },
                    {
                        "name": "gegenstaende",
                        "type": "checkboxes",
                        "label": "Was wird abgeholt?",
                        "label_en": "What is to be collected?",
                        "choices": [
                            ["moebel", "Möbel", "Furniture"],
                            ["matratzen", "Matratzen", "Mattresses"],
                            ["teppiche", "Teppiche", "Carpets"],
                            [
                                "elektro",
                                "Elektrogroßgeräte (Kühlschrank, Waschmaschine)",
                                "Large appliances (fridge, washing machine)",
                            ],
                            ["holz", "Holz und Bretter"],
                        ],
                    },
                    {
                        "name": "kuehlgeraete",
                        "type": "number",
                        "label": "Anzahl Kühl- und Gefriergeräte",
                        "label_en": "Number of fridges and freezers",
                        "min": 1,
                        "max": 3,
                        "show_if": {"field": "gegenstaende", "in": ["elektro"]},
                        "required": False,
                    },
                    {
                        "name": "standort",
                        "type": "textarea",
                        "label": "Hinweis zum Standort",
                        "label_en": "Where will the items be?",
                        "required": False,
                        "max_length": 500,
                        "hint": "z. B. „vor dem Hauseingang links“",
                    },
                ],
            },
            CONTACT_STEP,
        ],
    },
    "hausnummer-beantragen": {
        "title": "Hausnummer beantragen",
        "intro": "Für Neubauten und neu geteilte Grundstücke vergibt die Stadt die Hausnummer. "
        "Bitte fügen Sie einen Lageplan bei.",
        "guest_allowed": False,
        "processing_days": 21,
        "retention_days": 3650,
        "maturity_level": 3,
        "notice_title": "Bescheid über die Vergabe einer Hausnummer",
        "steps": [
            PERSON_STEP,
            address_step("Ihre Anschrift"),
            {
                "key": "grundstueck",
                "title": "Grundstück",
                "fields": [
                    {
                        "name": "rolle",
                        "type": "radio",
                        "label": "Sie sind",
                        "choices": [
                            ["eigentuemer", "Eigentümer/in"],
                            ["bevollmaechtigt", "bevollmächtigt (z. B. Architekt/in)"],
                        ],
                    },
                    {
                        "name": "vollmacht",
                        "type": "file",
                        "label": "Vollmacht der Eigentümerin oder des Eigentümers",
                        "show_if": {"field": "rolle", "equals": "bevollmaechtigt"},
                    },
                    {"name": "gemarkung", "type": "text", "label": "Gemarkung"},
                    {"name": "flur", "type": "number", "label": "Flur", "min": 1, "max": 999},
                    {
                        "name": "flurstueck",
                        "type": "text",
                        "label": "Flurstück",
                        "max_length": 20,
                        "hint": "z. B. 123/4",
                    },
                    {
                        "name": "strasse_grundstueck",
                        "type": "text",
                        "label": "Straße, an der das Grundstück liegt",
                    },
                    {
                        "name": "vorhaben",
                        "type": "select",
                        "label": "Art des Vorhabens",
                        "choices": [
                            ["neubau", "Neubau"],
                            ["teilung", "Grundstücksteilung"],
                            ["zugang", "Verlegung des Hauptzugangs"],
                        ],
                    },
                    {
                        "name": "bezugsfertig",
                        "type": "date",
                        "label": "Voraussichtlich bezugsfertig am",
                        "min_date": "today",
                        "required": False,
                    },
                    {
                        "name": "lageplan",
                        "type": "file",
                        "label": "Lageplan mit eingezeichnetem Hauptzugang",
                        "hint": "PDF, JPEG oder PNG, höchstens 10 MB",
                        "max_mb": 10,
                    },
                ],
            },
            CONTACT_STEP,
        ],
    },
    "geburtsurkunde-bestellen": {
        "title": "Geburtsurkunde bestellen",
        "intro": "Sie erhalten die Urkunde per Post. Urkunden erhalten nur die Person selbst, "
        "Ehegatten, Vorfahren und Abkömmlinge oder wer ein rechtliches Interesse nachweist.",
        "guest_allowed": True,
        "processing_days": 7,
        "retention_days": 365,
        "maturity_level": 3,
        "notice_title": "Urkundenbestellung",
        "steps": [
            {
                "key": "urkunde",
                "title": "Welche Urkunde brauchen Sie?",
                "fields": [
                    {
                        "name": "art",
                        "type": "radio",
                        "label": "Art der Urkunde",
                        "choices": [
                            ["geburtsurkunde", "Geburtsurkunde"],
                            ["mehrsprachig", "Internationale (mehrsprachige) Geburtsurkunde"],
                            ["beglaubigter_ausdruck", "Beglaubigter Registerausdruck"],
                        ],
                    },
                    {"name": "anzahl", "type": "number", "label": "Anzahl", "min": 1, "max": 10},
                    {
                        "name": "zweck",
                        "type": "select",
                        "label": "Verwendungszweck",
                        "choices": [
                            ["eheschliessung", "Eheschließung"],
                            ["rente", "Rente"],
                            ["familienforschung", "Familienforschung"],
                            ["sonstiges", "Sonstiges"],
                        ],
                    },
                ],
            },
            {
                "key": "beurkundet",
                "title": "Angaben zur beurkundeten Person",
                "fields": [
                    {
                        "name": "eigene",
                        "type": "radio",
                        "label": "Ist es Ihre eigene Geburtsurkunde?",
                        "choices": [["ja", "Ja"], ["nein", "Nein"]],
                    },
                    {
                        "name": "beziehung",
                        "type": "select",
                        "label": "Ihre Beziehung zur Person",
                        "show_if": {"field": "eigene", "equals": "nein"},
                        "choices": [
                            ["kind", "Ich bin ein Elternteil"],
                            ["eltern", "Ich bin ein Kind"],
                            ["ehegatte", "Ehegatte/Lebenspartner/in"],
                            ["interesse", "rechtliches Interesse"],
                        ],
                    },
                    {
                        "name": "interesse_nachweis",
                        "type": "file",
                        "label": "Nachweis des rechtlichen Interesses",
                        "show_if": {"field": "beziehung", "equals": "interesse"},
                    },
                    {"name": "geburtsname", "type": "text", "label": "Geburtsname"},
                    {"name": "vornamen", "type": "text", "label": "Vornamen"},
                    {
                        "name": "geburtstag",
                        "type": "date",
                        "label": "Geburtsdatum",
                        "max_date": "today",
                    },
                    {"name": "geburtsort", "type": "text", "label": "Geburtsort"},
                    {
                        "name": "registernummer",
                        "type": "text",
                        "label": "Registernummer",
                        "required": False,
                        "hint": "Falls bekannt, z. B. G 1234/1990",
                    },
                ],
            },
            PERSON_STEP,
            address_step("Versandanschrift"),
            CONTACT_STEP,
        ],
    },
    "als-wahlhelferin-oder-wahlhelfer-melden": {
        "title": "Als Wahlhelferin oder Wahlhelfer melden",
        "intro": "Für jede Wahl brauchen wir viele Helferinnen und Helfer in den Wahlvorständen. "
        "Sie erhalten ein Erfrischungsgeld.",
        "guest_allowed": True,
        "processing_days": 30,
        "retention_days": 1460,
        "maturity_level": 4,
        "notice_title": "Berufung in den Wahlvorstand",
        "case_statuses": [
            ["eingegangen", "Eingegangen"],
            ["in_bearbeitung", "In Prüfung"],
            ["unterlagen_nachgefordert", "Rückfrage"],
            ["entschieden", "Berufen / nicht berufen"],
            ["schulung", "Zur Schulung eingeladen"],
            ["abgeschlossen", "Abgeschlossen"],
        ],
        "steps": [
            {
                **PERSON_STEP,
                "fields": [
                    *PERSON_STEP["fields"][1:3],
                    {
                        "name": "geburtsdatum",
                        "type": "date",
                        "label": "Geburtsdatum",
                        "max_date": "today-6570",
                        "hint": "Sie müssen am Wahltag mindestens 18 Jahre alt sein.",
                    },
                    {
                        "name": "wahlberechtigt",
                        "type": "checkbox",
                        "label": "Ich bin in Deutschland wahlberechtigt.",
                    },
                ],
            },
            address_step(),
            {
                "key": "einsatz",
                "title": "Ihr Einsatz",
                "fields": [
                    {
                        "name": "funktion",
                        "type": "radio",
                        "label": "Gewünschte Funktion",
                        "choices": [
                            ["beisitz", "Beisitzer/in"],
                            ["schrift", "Schriftführer/in"],
                            ["vorsitz", "Wahlvorsteher/in"],
                        ],
                    },
                    {
                        "name": "erfahrung",
                        "type": "radio",
                        "label": "Waren Sie schon Wahlhelfer/in?",
                        "choices": [["ja", "Ja"], ["nein", "Nein"]],
                    },
                    {
                        "name": "briefwahl",
                        "type": "checkbox",
                        "label": "Ich helfe auch im Briefwahlvorstand (Auszählung ab 15 Uhr).",
                        "required": False,
                    },
                    {
                        "name": "wunschbezirk",
                        "type": "text",
                        "label": "Wunsch-Wahlbezirk oder Stadtteil",
                        "required": False,
                    },
                    {"name": "iban", "type": "iban", "label": "IBAN für das Erfrischungsgeld"},
                ],
            },
            CONTACT_STEP,
        ],
    },
}


def install(service, *, publish=True, actor=None):
    """Create (idempotently) version 1 of the library form for a catalog service."""
    from . import services
    from .models import FormDefinition

    spec = FORMS[service.slug]
    form, _ = FormDefinition.objects.get_or_create(
        service=service,
        version=1,
        defaults={
            "municipality": service.municipality,
            "title": spec["title"],
            "intro": spec["intro"],
            "title_en": spec.get("title_en", ""),
            "intro_en": spec.get("intro_en", ""),
            "schema": {
                "steps": spec["steps"],
                **({"representation": spec["representation"]} if "representation" in spec else {}),
            },
            "guest_allowed": spec["guest_allowed"],
            "processing_days": spec["processing_days"],
            "retention_days": spec["retention_days"],
            "maturity_level": spec["maturity_level"],
            "notice_title": spec["notice_title"],
            "case_statuses": spec.get("case_statuses", []),
        },
    )
    if publish and form.state != FormDefinition.State.PUBLISHED:
        services.publish_form(form, actor=actor)
    return form
