"""National reference data: the 14 OZG Themenfelder and the Lebenslagen.

These are the same for every municipality, so production needs them as much as
the demo: a data migration loads them and the demo loader re-syncs them
(``sync_taxonomy``). The slugs are stable identifiers used by content, the API
and the XZuFi export; names and descriptions may be edited here.
"""

# slug: (German name, English name, short description)
TOPICS: dict[str, tuple[str, str, str]] = {
    "arbeit-ruhestand": (
        "Arbeit und Ruhestand",
        "Work and retirement",
        "Arbeitssuche, Arbeitsschutz, Rente und Leistungen im Alter.",
    ),
    "bauen-wohnen": (
        "Bauen und Wohnen",
        "Building and housing",
        "Bauanträge, Grundstücke, Hausnummern, Wohngeld und Wohnberechtigung.",
    ),
    "bildung": (
        "Bildung",
        "Education",
        "Schule, Ausbildung, Studium, BAföG und Weiterbildung.",
    ),
    "ein-auswanderung": (
        "Ein- und Auswanderung",
        "Immigration and emigration",
        "Aufenthaltstitel, Einbürgerung, Visa und Anerkennung ausländischer Abschlüsse.",
    ),
    "engagement-hobby": (
        "Engagement und Hobby",
        "Volunteering and leisure",
        "Ehrenamt, Vereine, Veranstaltungen, Jagd, Fischerei und Freizeit.",
    ),
    "familie-kind": (
        "Familie und Kind",
        "Family and children",
        "Geburt, Elterngeld, Kita, Unterhalt, Heirat und Familienleistungen.",
    ),
    "forschung-foerderung": (
        "Forschung und Förderung",
        "Research and funding",
        "Förderprogramme, Zuschüsse und Forschungsförderung.",
    ),
    "gesundheit": (
        "Gesundheit",
        "Health",
        "Gesundheitsschutz, Infektionsschutz, Pflege und Behinderung.",
    ),
    "mobilitaet-reisen": (
        "Mobilität und Reisen",
        "Mobility and travel",
        "Fahrzeugzulassung, Führerschein, Parken, Reisepass und Verkehr.",
    ),
    "querschnitt": (
        "Ausweise, Melden und Bescheinigungen",
        "IDs, registration and certificates",
        "Ausweise, Meldewesen, Beglaubigungen, Wahlen und Auskünfte.",
    ),
    "recht-ordnung": (
        "Recht und Ordnung",
        "Law and public order",
        "Führungszeugnis, Fundsachen, Waffen, Ordnungswidrigkeiten und Sicherheit.",
    ),
    "steuern-zoll": (
        "Steuern und Zoll",
        "Taxes and customs",
        "Hundesteuer, Grundsteuer, Gewerbesteuer und weitere kommunale Abgaben.",
    ),
    "umwelt": (
        "Umwelt",
        "Environment",
        "Abfall, Sperrmüll, Bäume, Wasser, Natur- und Tierschutz.",
    ),
    "unternehmensfuehrung": (
        "Unternehmensführung und -entwicklung",
        "Running a business",
        "Gewerbeanmeldung, Genehmigungen, Gaststätten und Märkte.",
    ),
}

LIFE_SITUATIONS: dict[str, tuple[str, str, str]] = {
    "umzug": ("Umzug", "Moving house", "Wohnsitz anmelden, ummelden oder abmelden."),
    "geburt": ("Geburt", "Birth of a child", "Geburtsurkunde, Elterngeld, Vaterschaft."),
    "heirat": ("Heirat", "Getting married", "Eheschließung, Trautermin, Namensführung."),
    "todesfall": ("Todesfall", "Death of a relative", "Sterbeurkunde, Bestattung, Grabstelle."),
    "hund": ("Hund", "Dogs", "Hundesteuer, Anmeldung und Haltung von Hunden."),
    "fahrzeug": ("Fahrzeug", "Vehicles", "Zulassung, Kennzeichen, Führerschein und Parken."),
    "bauen": ("Bauen", "Building", "Baugenehmigung, Hausnummer und Bauanzeigen."),
    "gewerbegruendung": (
        "Gewerbegründung",
        "Starting a business",
        "Gewerbe anmelden, Erlaubnisse und Steuern für Unternehmen.",
    ),
    "zuwanderung": (
        "Zuwanderung",
        "Moving to Germany",
        "Aufenthalt, Einbürgerung und erste Schritte in Deutschland.",
    ),
    "kita": ("Kita", "Day care", "Kita-Platz, Elternbeiträge und Kindertagespflege."),
    "schule": ("Schule", "School", "Einschulung, Schülerbeförderung und Bildungspaket."),
    "pflege": ("Pflege", "Long-term care", "Hilfe zur Pflege und Unterstützung für Angehörige."),
    "ruhestand": (
        "Ruhestand",
        "Retirement",
        "Rente, Grundsicherung im Alter und Lebensbescheinigung.",
    ),
    "wahlen": ("Wahlen", "Elections", "Briefwahl, Wahlhelfer und Wahlvorschläge."),
    "ehrenamt": ("Ehrenamt", "Volunteering", "Ehrenamtskarte und bürgerschaftliches Engagement."),
    "ausweisdokumente": (
        "Ausweisdokumente",
        "Identity documents",
        "Personalausweis, Reisepass, Online-Ausweis und Verlustmeldung.",
    ),
    "behinderung": (
        "Behinderung",
        "Disability",
        "Schwerbehindertenausweis, Parkerleichterungen und Eingliederungshilfe.",
    ),
    "ausbildung-studium": (
        "Ausbildung und Studium",
        "Training and studies",
        "BAföG, Führungszeugnis für die Ausbildung und Beglaubigungen.",
    ),
    "finanzielle-hilfe": (
        "Finanzielle Hilfe",
        "Financial support",
        "Wohngeld, Grundsicherung, Unterhaltsvorschuss und Bildung und Teilhabe.",
    ),
    "stadtleben": (
        "Leben in der Stadt",
        "City life",
        "Abfall, Mängelmelder, Veranstaltungen, Bäume und Bürgerhaushalt.",
    ),
}


def sync_taxonomy(topic_model, life_situation_model) -> None:
    """Create or update every Themenfeld and Lebenslage (idempotent).

    Takes the model classes so the data migration can pass its historical models.
    """
    for order, (slug, (name, name_en, description)) in enumerate(TOPICS.items()):
        topic_model.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "name_en": name_en, "description": description, "order": order},
        )
    for order, (slug, (name, name_en, description)) in enumerate(LIFE_SITUATIONS.items()):
        life_situation_model.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "name_en": name_en, "description": description, "order": order},
        )
