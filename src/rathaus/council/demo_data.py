"""Texts of the demo council: seed 002 (Potsdam committee, 10.01.2023), seed 000
(Rostock statement on appointment booking) and seed 001 (Weimar inquiry), mapped into
Musterstadt but with the seeds' content, plus plausible papers for a year of meetings.
"""

PTD = "Ausschuss für Partizipation, Transparenz und Digitalisierung"
SVV = "Stadtverordnetenversammlung"

ORGANIZATIONS = [
    # name, short name, kind, description
    (SVV, "SVV", "council", "Die gewählte Vertretung der Bürgerinnen und Bürger von Musterstadt."),
    ("Hauptausschuss", "HA", "committee", "Koordiniert die Arbeit der Ausschüsse."),
    (PTD, "PTD", "committee", "Bürgerbeteiligung, Transparenz der Verwaltung, Digitalisierung."),
    ("Ausschuss für Soziales, Gesundheit und Migration", "SGM", "committee", ""),
    ("Ausschuss für Stadtentwicklung, Umwelt und Ordnung", "SUO", "committee", ""),
    ("Jugendhilfeausschuss", "JHA", "committee", ""),
    (
        "Seniorenbeirat",
        "SBR",
        "advisory_board",
        "Vertritt die Interessen der älteren Einwohnerinnen und Einwohner (§ 12 Hauptsatzung).",
    ),
    (
        "Migrantenbeirat",
        "MBR",
        "advisory_board",
        "Vertritt die Interessen der Einwohnerinnen und Einwohner mit Migrationsgeschichte "
        "(§ 8 Hauptsatzung).",
    ),
    (
        "Beirat für Menschen mit Behinderung",
        "BBR",
        "advisory_board",
        "Berät Stadtverordnete und Verwaltung in allen Fragen der Inklusion (§ 10 Hauptsatzung).",
    ),
    (
        "Klimarat",
        "KR",
        "advisory_board",
        "Berät die Stadt bei Klimaschutz und Klimaanpassung (§ 13 Hauptsatzung); "
        "Mitglieder aus Wissenschaft, Initiativen und Stadtwerken.",
    ),
    (
        "Naturschutzbeirat",
        "NSB",
        "advisory_board",
        "Unabhängiges Beratungsgremium der unteren Naturschutzbehörde "
        "(§ 39 Brandenburgisches Naturschutzausführungsgesetz).",
    ),
    (
        "Tierheimbeirat",
        "THB",
        "advisory_board",
        "Begleitet den Betrieb des Tierheims; je eine Vertreterin oder ein Vertreter jeder "
        "Fraktion (§ 13 Hauptsatzung).",
    ),
    ("Fraktion SPD", "SPD", "group", ""),
    ("Fraktion Bündnis 90/Die Grünen", "Bündnis 90/Die Grünen", "group", ""),
    ("Fraktion CDU", "CDU", "group", ""),
    ("Fraktion DIE LINKE", "DIE LINKE", "group", ""),
    ("Fraktion DIE aNDERE", "DIE aNDERE", "group", ""),
    ("Fraktion AfD", "AfD", "group", ""),
    ("Fraktion Freie Demokraten", "Freie Demokraten", "group", ""),
    ("Fraktion BürgerBündnis", "BürgerBündnis", "group", ""),
]

RULES = (
    "§ 1 Aufgaben\nDer Beirat berät die Stadtverordnetenversammlung, ihre Ausschüsse und "
    "die Verwaltung und gibt Stellungnahmen und Empfehlungen ab.\n\n"
    "§ 2 Sitzungen\nDer Beirat tagt in der Regel monatlich und öffentlich. Zeit, Ort und "
    "Tagesordnung werden spätestens eine Woche vorher im Ratsinformationssystem "
    "veröffentlicht.\n\n"
    "§ 3 Niederschrift\nÜber jede Sitzung wird eine Niederschrift gefertigt und nach "
    "Freigabe veröffentlicht.\n\n"
    "§ 4 Vertretung in den Ausschüssen\nDer Beirat entsendet je eine Vertreterin oder einen "
    "Vertreter mit Rederecht in die Fachausschüsse."
)

# Rules of the boards that differ from RULES: (rules, all councillors may read the
# non-public part). 22/SVV/0792: where information cannot be public, the elected
# councillors get it "niedrigschwellig" - here by the rules of the body.
BOARD_RULES = {
    "Klimarat": (
        "§ 1 Aufgaben\nDer Klimarat berät die Stadt bei der Umsetzung des "
        "Klimaschutzkonzepts und gibt Empfehlungen ab.\n\n"
        "§ 2 Zusammensetzung\nBis zu zwölf Mitglieder aus Wissenschaft, Initiativen und "
        "Stadtwerken, berufen vom Hauptausschuss; die Arbeitsverteilung wird veröffentlicht."
        "\n\n§ 3 Sitzungen\nDer Klimarat tagt vierteljährlich öffentlich.",
        False,
    ),
    "Naturschutzbeirat": (
        "§ 1 Aufgaben\nDer Beirat berät die untere Naturschutzbehörde und nimmt zu "
        "Eingriffen in Natur und Landschaft Stellung.\n\n"
        "§ 2 Sitzungen\nDie Sitzungen sind nichtöffentlich, soweit Standorte geschützter "
        "Arten oder Daten Dritter beraten werden.\n\n"
        "§ 3 Unterrichtung der Stadtverordneten\nAlle Stadtverordneten können die "
        "nichtöffentlichen Niederschriften und Stellungnahmen im Ratsinformationssystem "
        "einsehen; sie sind zur Verschwiegenheit verpflichtet. Jeder Zugriff wird "
        "protokolliert.",
        True,
    ),
    "Tierheimbeirat": (
        "§ 1 Aufgaben\nDer Beirat begleitet den Betrieb des Tierheims und berät über den "
        "Betreibervertrag.\n\n"
        "§ 2 Sitzungen\nDer Beirat tagt zweimal im Jahr; Vertragsangelegenheiten werden "
        "nichtöffentlich beraten.\n\n"
        "§ 3 Unterrichtung der Stadtverordneten\nAlle Stadtverordneten können die "
        "nichtöffentlichen Unterlagen einsehen (Zugriff protokolliert).",
        True,
    ),
}

# Attendance of 10.01.2023 (seed 002): form of address, title, given, family, group,
# function, status, from, until
ATTENDANCE = [
    (
        "Frau",
        "Dr.",
        "Mechthild",
        "Rünger",
        "Bündnis 90/Die Grünen",
        "Ausschussvorsitz",
        "present",
        None,
        None,
    ),
    ("Herr", "", "Nico", "Marquardt", "SPD", "Ausschussmitglieder", "present", None, None),
    ("Herr", "", "Karsten", "Dornhöfer", "SPD", "Ausschussmitglieder", "present", None, "20:00"),
    (
        "Frau",
        "",
        "Janny",
        "Armbruster",
        "Bündnis 90/Die Grünen",
        "Ausschussmitglieder",
        "present",
        None,
        None,
    ),
    ("Frau", "", "Anna", "Lüdcke", "CDU", "Ausschussmitglieder", "present", None, None),
    ("Herr", "", "Denny", "Menzel", "DIE aNDERE", "Ausschussmitglieder", "present", None, None),
    (
        "Herr",
        "",
        "Stefan",
        "Wollenberg",
        "DIE LINKE",
        "stellv. Ausschussmitglieder",
        "present",
        None,
        None,
    ),
    (
        "Frau",
        "",
        "Sylvia",
        "Frenzel",
        "BürgerBündnis",
        "sachkundige Einwohner",
        "present",
        None,
        "20:05",
    ),
    ("Herr", "", "Robert", "Hirsch", "CDU", "sachkundige Einwohner", "present", None, None),
    ("Herr", "", "Frank", "Hübner", "DIE aNDERE", "sachkundige Einwohner", "present", None, None),
    ("Herr", "", "Peter", "Mundt", "DIE LINKE", "sachkundige Einwohner", "present", None, None),
    (
        "Frau",
        "Dr.",
        "Sophia",
        "Rost",
        "Bündnis 90/Die Grünen",
        "sachkundige Einwohner",
        "present",
        None,
        None,
    ),
    (
        "Frau",
        "Prof. Dr.",
        "Karin",
        "Schwarz",
        "SPD",
        "sachkundige Einwohner",
        "present",
        "18:05",
        None,
    ),
    (
        "Herr",
        "",
        "Timo-Daniel",
        "Seifert",
        "Freie Demokraten",
        "sachkundige Einwohner",
        "present",
        None,
        "19:30",
    ),
    (
        "Herr",
        "",
        "Dieter",
        "Jetschmanegg",
        "Geschäftsbereich 5",
        "Beigeordnete",
        "present",
        None,
        None,
    ),
    (
        "Herr",
        "",
        "Peter",
        "Hahnel",
        "Seniorenbeirat",
        "Vertreter der Beiräte",
        "present",
        None,
        None,
    ),
    (
        "Herr",
        "",
        "Viktor",
        "Kalitke",
        "Migrantenbeirat",
        "Vertreter der Beiräte",
        "present",
        None,
        None,
    ),
    ("Herr", "", "Sascha", "Krämer", "DIE LINKE", "Ausschussmitglieder", "excused", None, None),
    ("Herr", "", "Chaled-Uwe", "Said", "AfD", "Ausschussmitglieder", "absent", None, None),
    (
        "Herr",
        "",
        "Wolfhard",
        "Kirsch",
        "BürgerBündnis",
        "zusätzliches Mitglied",
        "absent",
        None,
        None,
    ),
    (
        "Frau",
        "Dr. med.",
        "Carmen",
        "Klockow",
        "BürgerBündnis",
        "Vertreter des zusätzlichen Mitgliedes",
        "absent",
        None,
        None,
    ),
]
VOTING_FUNCTIONS = {"Ausschussvorsitz", "Ausschussmitglieder", "stellv. Ausschussmitglieder"}

SEED_PAPERS = {
    "22/SVV/0792": {
        "name": "Transparenz der Tätigkeit von Beiräten",
        "paper_type": "Antrag",
        "date": "2022-09-08",
        # The form's "Beschlussverfolgung gewünscht" / "Termin": the SVV wants the state
        # of affairs in December 2022.
        "tracking_requested": True,
        "tracking_due_date": "2022-12-07",
        "lead_office": "buero-oberbuergermeister",
        "originator": "Fraktion DIE aNDERE und Stadtverordneter Andreas Menzel (BVB/FW)",
        "text": (
            "Die Stadtverordnetenversammlung möge beschließen:\n\n"
            "Der Oberbürgermeister wird beauftragt, für eine transparente Darstellung der "
            "Tätigkeit der Beiräte, die gem. §§ 8, 10, 12 und 13 der Hauptsatzung gebildet "
            "wurden, Sorge zu tragen.\n\n"
            "Dazu sollen auf der Homepage der Stadt an einer gut auffindbaren Stelle mindestens "
            "die folgenden Angaben zu allen Beiräten veröffentlicht werden:\n"
            "- Zusammensetzung und Geschäftsordnung des Beirates,\n"
            "- Protokolle und Termine der Beiratssitzungen sowie\n"
            "- fachliche Stellungnahmen und Empfehlungen.\n\n"
            "Soweit der Veröffentlichung dieser Angaben und Dokumente rechtliche Gründe oder "
            "Regelungen entgegenstehen, wird der Oberbürgermeister beauftragt, Möglichkeiten "
            "aufzuzeigen, wie den gewählten Stadtverordneten diese Informationen niedrigschwellig "
            "zugänglich gemacht werden können.\n\n"
            "Die Stadtverordnetenversammlung soll im Dezember 2022 über den Sachstand informiert "
            "werden."
        ),
        "reasoning": (
            "Die Stadt hat in ihrer Hauptsatzung die Bildung des Migrantenbeirates (§ 8), des "
            "Beirates für Menschen mit Behinderung (§ 10) und des Seniorenbeirates (§ 12) "
            "festgelegt. Darüber hinaus wurden mehrere nichtformalisierte Beratungsgremien gem. "
            "§ 13 der Hauptsatzung (z. B. Klimarat oder Tierheimbeirat) geschaffen.\n\n"
            "Diese Beiräte bereichern die Arbeit der Verwaltung durch fachliche Stellungnahmen "
            "und Empfehlungen. Leider ist der Zugang zu diesen Informationen für die gewählten "
            "Stadtverordneten nicht immer niedrigschwellig.\n\n"
            "Mit unserem Antrag wollen wir sicherstellen, dass die Tätigkeit dieser und weiterer "
            "Beiräte aufgewertet wird, dass deren fachliche Expertise der Öffentlichkeit und den "
            "Stadtverordneten niedrigschwellig zugänglich gemacht wird und dass die relevanten "
            "Informationen übersichtlich auf der Homepage bereitgestellt werden."
        ),
    },
    "22/SVV/1084": {
        "name": "Konzept Stadtteildialoge umsetzen und weiterentwickeln",
        "paper_type": "Antrag",
        "date": "2022-11-15",
        "originator": "Fraktion DIE LINKE",
        "text": (
            "Die Stadtverordnetenversammlung möge beschließen:\n\n"
            "Der Oberbürgermeister wird aufgefordert, den Bürgerdialog kontinuierlicher zu "
            "gestalten und dazu an das im Januar 2019 vorgelegte Konzept "
            "Stadtteilkonferenzen/Stadtteilwanderungen und Bürgersprechstunden (Drucksache "
            "19/SVV/0108) anzuknüpfen.\n\n"
            "Besonderer Wert soll dabei auf eine langfristige Vorbereitung in Form einer "
            "abgestimmten Jahresplanung und auf eine gründliche Auswertung der Veranstaltungen "
            "gelegt werden.\n\n"
            "Dazu soll im Januar 2023 eine Planung für die Stadtteildialoge und "
            "Stadtteilwanderungen im Jahr 2023 vorgelegt und im Hauptausschuss diskutiert werden."
        ),
        "reasoning": (
            "Anfang 2019 hat der Oberbürgermeister, einem Beschluss der SVV folgend, ein "
            "anspruchsvolles Konzept zu Stadtteilkonferenzen, Stadtteilwanderungen und "
            "Bürgersprechstunden vorgelegt. Nicht zuletzt durch die Pandemie hat das Konzept "
            "bisher keine Umsetzung gefunden. Damit wird wichtiges Potential für einen "
            "kontinuierlichen Dialog mit den Einwohnerinnen und Einwohnern nicht genutzt."
        ),
    },
    "22/SVV/1134": {
        "name": (
            "Bürgerhaushalt 2023/24 „TOP 20 - Liste der Bürgerinnen und Bürger“ Nummer 15: "
            "Gemeinsame Baumpflege mit der Bürgerschaft"
        ),
        "paper_type": "Antrag",
        "date": "2022-11-21",
        "originator": "Stadtverordneter Heuer als Vorsitzender der StVV",
        "text": (
            "Die Stadtverordnetenversammlung möge beschließen:\n\n"
            "Um den Baumbestand zu sichern und vor Trockenschäden zu schützen, wird "
            "bürgerschaftliches Engagement dazu gefördert. Dazu werden Wasser-Gutscheine und "
            "Paten-Plaketten eingesetzt. Begleitend werden Grundwasserpumpen aktiviert und "
            "stadtweit mehr Bewässerungsbeutel eingesetzt. Auch wird ein öffentlicher "
            "Bewässerungsplan ausgearbeitet, der es allen ermöglicht sich zu beteiligen: An den "
            "Bäumen werden Hinweisschilder angebracht, die konkrete Auskunft zum "
            "Bewässerungsstand geben."
        ),
        "reasoning": (
            "Der Vorschlag wurde im Bürgerhaushalt 2023/24 eingereicht. Er erhielt bei der "
            "abschließenden Votierung insgesamt 2232 Punkte, wurde unter der Nummer 15 in die "
            "„TOP 20 - Liste der Bürgerinnen und Bürger“ aufgenommen und am 7. Dezember 2022 der "
            "Stadtverordnetenversammlung übergeben.\n\n"
            "Einschätzung der Verwaltung (Stand August 2022): Wassergutscheine sind denkbar; bei "
            "entsprechender Nachfrage ist mit ca. 10.000 Euro pro Jahr zu rechnen. Eine "
            "Wässerungspatenschaft erfordert zusätzliche Verwaltungskapazitäten (rund 50.000 "
            "Euro pro Jahr). Für den Bau eines Brunnens sind 7.000 Euro einmalig und rund 500 "
            "Euro jährlich für die Unterhaltung zu kalkulieren."
        ),
        "financial_impact": "Ja – siehe Einschätzung der Verwaltung (ca. 10.000 bis 50.000 Euro "
        "pro Jahr).",
    },
    "22/SVV/1207": {
        "name": (
            "Berichterstattung zur Modernisierung der Verwaltung, hier: Umsetzung des "
            "Onlinezugangsgesetzes"
        ),
        "paper_type": "Mitteilungsvorlage",
        "date": "2022-12-02",
        "originator": "Oberbürgermeister, Verwaltungs- u. Managemententwicklung",
        "text": (
            "Der Hauptausschuss nimmt zur Kenntnis:\n\n"
            "Das Onlinezugangsgesetz nennt als Zieldatum für die Digitalisierung der "
            "Bürgerdienstleistungen das Ende des Jahres 2022.\n\n"
            "Der Oberbürgermeister informiert über den Stand zur Umsetzung des "
            "Onlinezugangsgesetzes. Deutlich wird: 90 % der Bürgerdienstleistungen weisen den "
            "digitalen Reifegrad 1 auf. Damit werden die gesetzlichen Anforderungen erreicht. "
            "Das heißt, die Leistungsbeschreibungen sind online verfügbar und das PDF steht als "
            "Download zum Ausdruck zur Verfügung."
        ),
        "reasoning": (
            "Die Stadt hat den Impuls des Onlinezugangsgesetzes aufgenommen. Ergänzend zu den "
            "Maßnahmen auf Bundes- und Landesebene wird an einem tragfähigen Fundament für "
            "Digitalisierung gearbeitet. Hierzu zählen der Aufbau von Managementwerkzeugen und "
            "Digitalisierungskompetenzen sowie der Aufbau technischer Infrastruktur und "
            "organisatorische Rahmenbedingungen.\n\n"
            "Im Reifegrad 2 liegen folgende Leistungen vor: Unternehmensanmeldung und "
            "-genehmigung, Unschädlichkeitszeugnis bei Grundstückseigentum, "
            "Gewerberegisterauszug, Bewohnerparkausweis, Aufenthaltstitel. Im Reifegrad 3: iKfZ, "
            "Melderegisterauskunft, Statusabfrage Personalausweis/Reisepass, Auskünfte aus dem "
            "Gewerberegister. Der Reifegrad 4 wird gegenwärtig durch keine Leistung erfüllt."
        ),
    },
}

# Seed 002 agenda of 10.01.2023: number, name, paper reference, discussion, result,
# unanimous, late
AGENDA_2023_01_10 = [
    (
        "1",
        "Eröffnung der Sitzung",
        None,
        "Die Ausschussvorsitzende, Frau Dr. Rünger, eröffnet die Sitzung.",
        "",
        False,
        False,
    ),
    (
        "2",
        "Feststellung der Anwesenheit sowie der ordnungsgemäßen Ladung / Feststellung der "
        "öffentlichen Tagesordnung / Entscheidung über eventuelle Einwendungen gegen die "
        "Niederschrift des öffentlichen Teils der Sitzung vom 22.11.2022",
        None,
        "Die Ausschussvorsitzende, Frau Dr. Rünger, stellt die ordnungsgemäße Ladung sowie die "
        "Beschlussfähigkeit fest. Zu Beginn der Sitzung sind 6 von 8 stimmberechtigten Mitgliedern "
        "anwesend.\n\nDie Ausschussvorsitzende ergänzt die Tagesordnung um den "
        "Tagesordnungspunkt Berichterstattung Bedrohung der IT-Systeme. Die so geänderte "
        "Tagesordnung wird zur Abstimmung gestellt und einstimmig bestätigt.\n\nDem Antrag auf "
        "Rederecht für Frau Griebisch (externe Unterstützung des Fachbereichs E-Government) und "
        "Herrn Lüpke (IT-Sicherheitsspezialist) wird einstimmig zugestimmt.\n\nZur Niederschrift "
        "der öffentlichen Sitzung vom 22.11.2022 gibt es keine Anmerkungen; die Niederschrift wird "
        "mit Stimmenmehrheit, bei zwei Stimmenthaltungen, bestätigt.",
        "beschlossen",
        True,
        False,
    ),
    ("3", "Überweisungen aus der Stadtverordnetenversammlung", None, "", "", False, False),
    (
        "3.1",
        None,
        "22/SVV/0792",
        "Frau Bojunga, Fachbereich Kommunikation und Partizipation, erläutert, dass die Tätigkeit "
        "der Beiräte auf der städtischen Website durch eine Aktualisierung der Seiten in der "
        "jetzigen Struktur sowie durch eine komplette, nutzerorientierte Neustrukturierung im "
        "Rahmen des Relaunchs transparent dargestellt werden kann.\n\nDurch die Aktualisierung "
        "der Seiten wird ein schneller Überblick der Verteilerseite „Beiräte“ unter Politik und "
        "Verwaltung mit Teaser (Bild und Text) für jeden Beirat eingefügt. Die Seiten der Beiräte "
        "werden jeweils den passenden Themengebieten zugeordnet und die Informationen "
        "vereinheitlicht.\n\nEs folgt ein Austausch zu den Erläuterungen. Anschließend wird die "
        "Erledigung durch Verwaltungshandeln festgestellt und einstimmig bestätigt.",
        "erledigt durch Verwaltungshandeln",
        True,
        False,
    ),
    (
        "3.2",
        None,
        "22/SVV/1084",
        "Frau Arasin, Bereich des Oberbürgermeisters, nimmt anhand einer Präsentation für die "
        "Verwaltung Stellung (die Präsentation ist dem Tagesordnungspunkt als Anlage beigefügt). "
        "Anschließend beantwortet sie Nachfragen der Ausschussmitglieder. Es besteht kein weiterer "
        "Diskussionsbedarf, so dass die Erledigung durch Verwaltungshandeln festgestellt und mit "
        "Stimmenmehrheit bestätigt wird.",
        "erledigt durch Verwaltungshandeln",
        False,
        False,
    ),
    (
        "3.3",
        None,
        "22/SVV/1134",
        "Die Ausschussvorsitzende, Frau Dr. Rünger, erörtert den Antrag. Nach einem regen "
        "Austausch der Ausschussmitglieder wird der Antrag positiv gewertet, jedoch sollten "
        "weitere Managementmodelle geprüft werden, da die Verwaltungs- und damit Kostenbelastung "
        "der Stadt zu hoch erscheint. Es wird sich darauf verständigt, einen Prüfauftrag "
        "auszulösen.",
        "geändert beschlossen",
        True,
        False,
    ),
    ("4", "Partizipation", None, "", "", False, False),
    (
        "4.1",
        "Bericht des Beteiligungsrates",
        None,
        "Frau von Heyden-Hendricks vom Beteiligungsrat berichtet, dass der Beteiligungsrat vom "
        "Team des Bürgerhaushalts um eine Einschätzung zum Bürgerhaushalt 2023/2024 gebeten "
        "wurde. Die Öffentlichkeitsarbeit sollte präsenter, die Onlineanmeldung sei zu "
        "kompliziert und der Anmeldevorgang zu lang gewesen. Sie wünschen sich eine bessere "
        "Kommunikation zur Umsetzung der Ergebnisse.",
        "zur Kenntnis genommen",
        False,
        False,
    ),
    (
        "4.2",
        "Bericht der WerkStadt für Beteiligung",
        None,
        "Frau Bojunga, Fachbereich Kommunikation und Partizipation, teilt mit, dass es aktuell "
        "nichts Neues zu berichten gibt.",
        "zur Kenntnis genommen",
        False,
        False,
    ),
    ("5", "Transparenz", None, "", "", False, False),
    ("6", "Digitalisierung", None, "", "", False, False),
    (
        "6.1",
        None,
        "22/SVV/1207",
        "Frau Sattler, Verwaltungs- und Managemententwicklung, berichtet anhand einer "
        "Präsentation über die Umsetzung des Onlinezugangsgesetzes (die Präsentation ist dem "
        "Tagesordnungspunkt als Anlage beigefügt).",
        "zur Kenntnis genommen",
        False,
        False,
    ),
    (
        "7",
        "Themenspeicher/Themenvorschläge",
        None,
        "Es werden keine Themen benannt.",
        "",
        False,
        False,
    ),
    ("8", "Sonstiges", None, "Es werden keine Themen benannt.", "", False, False),
    (
        "9",
        "Berichterstattung Bedrohung der IT-Systeme",
        None,
        "Die Vorsitzende überträgt die Diskussionsleitung für diesen Teil an den "
        "stellvertretenden Vorsitzenden, Herrn Marquardt.\n\nHerr Jetschmanegg, Dezernent "
        "Zentrale Verwaltung, berichtet zur Bedrohung der IT-Systeme und erläutert, warum "
        "vorsorglich die Verbindung zum Internet abgeschaltet wurde. Die Forensik-Scans stehen "
        "kurz vor dem Abschluss und haben bisher keine Auffälligkeiten ergeben. Es wurden "
        "„Bypässe“ (alternative Dienstleistungserfüllung) reaktiviert. Der Zahlungsverkehr kann "
        "aufrecht erhalten werden. Aktuell wird ein Plan zur stufenweisen Öffnung der Systeme "
        "erarbeitet. Anschließend werden Fragen der Ausschussmitglieder beantwortet.",
        "zur Kenntnis genommen",
        False,
        True,
    ),
]

RESOLUTION_1134 = (
    "Der Oberbürgermeister wird beauftragt, folgenden Bürgervorschlag zu prüfen: Um den "
    "Baumbestand zu sichern und vor Trockenschäden zu schützen, wird bürgerschaftliches "
    "Engagement dazu gefördert. Dazu werden Wasser-Gutscheine und Paten-Plaketten eingesetzt. "
    "Begleitend werden Grundwasserpumpen aktiviert und stadtweit mehr Bewässerungsbeutel "
    "eingesetzt. Auch wird ein öffentlicher Bewässerungsplan ausgearbeitet.\n\n"
    "Ergänzend sollen folgende Maßnahmen geprüft werden: Dezentrales, selbstorganisiertes "
    "straßenweises Gießen, z. B. durch Arbeits- und/oder Wasser-Spenden der Bürgerinnen und "
    "Bürger; Einführung eines Projektes analog „GiessdenKiez.de“ in Berlin; Fördermittelabruf "
    "im Kontext Smart City."
)

PRESENTATION_1084 = (
    "Im Dialog mit dem Oberbürgermeister 2021/2022 – Weiterentwicklung des Konzepts "
    "Stadtteilkonferenzen/Stadtteildialoge. Januar 2019: Vorlage „Konzept "
    "Stadtteilkonferenzen/Stadtteilwanderungen und Bürgersprechstunden“. Juni 2020: "
    "Evaluation. 2021: keine Dialogformate (Pandemielage). 2022: vier Dialogformate und acht "
    "Bürgersprechstunden. Ausblick 2023: vier Dialogformate und sieben Bürgersprechstunden."
)
PRESENTATION_1207 = (
    "Information zur Umsetzung des Onlinezugangsgesetzes. Ziel: Beschleunigung der "
    "Digitalisierung durch Vernetzung der Kompetenzen von Bund, Ländern und Kommunen. "
    "Kernelement: Entwicklung von Onlinezugängen nach dem EfA-Prinzip – Einer für Alle. "
    "Zielsetzung für 2023: Inbetriebnahme und Rollout Kommunalportal und Basiskomponenten "
    "(Nutzerkonto, E-Payment), Implementierung der 24 priorisierten EfA-Leistungen, "
    "Eigenentwicklung für häufig nachgefragte Leistungen."
)

ROSTOCK = {
    "reference": "2024/IV/0123",
    "name": "Bürgerfreundliche Verwaltung: Terminvergaben verbessern",
    "paper_type": "Stellungnahme",
    "date": "2024-02-20",
    "originator": "Oberbürgermeisterin – Grundsatz, Wirtschaft, Ehrenamt und Kultur; "
    "federführend: Hauptamt, beteiligt: Amt für Digitalisierung und IT",
    "text": (
        "1. Sprechzeiten ohne Online-Termin: Neben der Online-Terminvergabe sollen in allen "
        "relevanten Ämtern auch wöchentliche Sprechzeiten ohne Online-Termin angeboten werden.\n"
        "Die Verwaltung begrüßt die Intention des Antrags mit dem Ziel, die Arbeit der "
        "Stadtverwaltung bürger*innenfreundlich zu gestalten.\n\n"
        "2. Bürgerfreundlicher Online-Auftritt: Über die Sprechzeiten und die Möglichkeiten des "
        "Online-Ausweises soll auf der Internetseite und im Stadtanzeiger informiert werden.\n"
        "Mit Blick auf die personellen und fachlichen Rahmenbedingungen wird geprüft, wie in den "
        "Fachbereichen mit ausschließlicher Online-Terminvergabe auch Sprechzeiten ohne "
        "Online-Termin angeboten werden können. Diese Informationen werden prominent in den "
        "unterschiedlichen Medien publiziert.\n\n"
        "3. Umsetzung der Digitalisierung: Die Verwaltung soll bis zum 30.05.2024 einen "
        "Fahrplan vorlegen, wann weitere Bürgerdienste im Online-Verfahren angeboten werden.\n"
        "Die Verwaltung arbeitet derzeit an einem OZG-Zwischenbericht, der auch einen "
        "deutschlandweiten Vergleich berücksichtigt. Er soll der Stadtverordnetenversammlung im "
        "II. Quartal 2024 als Informationsvorlage zur Kenntnis gegeben werden.\n\n"
        "4. Die Verwaltung berichtet dem Stadtentwicklungsausschuss, dem Sozialausschuss und "
        "dem Jugendhilfeausschuss Anfang 2025 über die Ergebnisse der veränderten "
        "Terminvergabe."
    ),
    "reasoning": (
        "Im Sommer 2021 wurde ein OZG-Programm seitens der Landesregierung initiiert. Keine "
        "Kommune in Deutschland ist in der Lage, das OZG allein in Eigenregie umzusetzen, da "
        "ca. 85 % der OZG-Leistungen (kommunaler Vollzug) im übertragenen Wirkungskreis "
        "verortet sind. Somit besteht eine direkte Abhängigkeit von den Projektumsetzungen "
        "anderer Bundesländer (nach dem „Einer-für-alle-Prinzip“)."
    ),
    "financial_impact": "keine",
}
ROSTOCK_PATH = [
    ("2024-03-06", "Ausschuss für Soziales, Gesundheit und Migration", "Kenntnisnahme"),
    ("2024-03-14", "Ausschuss für Stadtentwicklung, Umwelt und Ordnung", "Kenntnisnahme"),
    ("2024-03-19", "Jugendhilfeausschuss", "Kenntnisnahme"),
    ("2024-03-20", SVV, "Kenntnisnahme"),
]

WEIMAR = {
    "reference": "2022/0121 F",
    "name": "Anfrage – Digitalisierungsstrategie der Stadtverwaltung",
    "paper_type": "Anfrage",
    "date": "2022-01-12",
    "answer_due_date": "2022-02-09",
    "originator": "weimarwerk bürgerbündnis e.V. – FDP – Piraten, CDU",
    "text": (
        "Der Oberbürgermeister wird um Beantwortung nachfolgender Fragen gebeten:\n"
        "1. Wie gestaltet sich der Umsetzungsstand des Onlinezugangsgesetzes (OZG) innerhalb "
        "der Stadtverwaltung?\n"
        "2. Wie sieht der aktuelle Zeit- und Rahmenplan aus, um die Vorgaben des OZG bis zum "
        "Jahresende 2022 zu erfüllen?\n"
        "3. Welche Anforderungen und Ziele beinhaltet das interne Qualitätssicherungskonzept?\n"
        "4. Welche Planungen bestehen für die zukünftige Arbeitsweise (Öffnungszeiten, "
        "Rückkehr zur spontanen Erledigung oder verpflichtende vorherige Terminvereinbarung) "
        "des Bürgerbüros und anderer Ämter?"
    ),
}

# The administration's answer to the Weimar inquiry: a paper under a parent paper
# (OParl superordinatedPaper / subordinatedPaper).
WEIMAR_ANSWER = {
    "reference": "2022/0121 F-1",
    "parent": WEIMAR["reference"],
    "name": "Beantwortung der Anfrage – Digitalisierungsstrategie der Stadtverwaltung",
    "paper_type": "Beantwortung",
    "date": "2022-01-24",
    "originator": "Oberbürgermeister – Amt für Digitalisierung und IT",
    "text": (
        "Zu 1.: Der Umsetzungsstand wird im OZG-Dashboard der Stadt je Leistung mit dem "
        "Reifegrad ausgewiesen.\n"
        "Zu 2.: Der Zeit- und Rahmenplan folgt dem Fahrplan des Landes; Leistungen nach dem "
        "Einer-für-alle-Prinzip werden übernommen, sobald sie bereitstehen.\n"
        "Zu 3.: Das Qualitätssicherungskonzept verlangt für jede Online-Leistung einen Test mit "
        "Bürgerinnen und Bürgern vor der Freischaltung.\n"
        "Zu 4.: Das Bürgerbüro bietet neben Online-Terminen feste Sprechzeiten ohne Termin an."
    ),
}

# Plausible papers for the year of meetings: (type, title, originator)
YEAR_PAPERS = [
    ("Beschlussvorlage", "Haushaltssatzung und Haushaltsplan 2026/2027", "Oberbürgermeisterin"),
    ("Antrag", "Radverkehrskonzept 2030 fortschreiben", "Fraktion Bündnis 90/Die Grünen"),
    ("Beschlussvorlage", "Sanierung der Grundschule am Park – Baubeschluss", "Oberbürgermeisterin"),
    (
        "Beschlussvorlage",
        "Bebauungsplan Nr. 47 „Am Mühlenteich“ – Aufstellungsbeschluss",
        "Oberbürgermeisterin",
    ),
    ("Antrag", "Barrierefreier Umbau der Haltestelle Rathaus", "Fraktion SPD"),
    ("Antrag", "Seniorengerechtes Wohnen im Quartier Nord", "Fraktion DIE LINKE"),
    ("Beschlussvorlage", "Integrationskonzept 2026–2030", "Oberbürgermeisterin"),
    ("Mitteilungsvorlage", "Kita-Bedarfsplanung 2026", "Oberbürgermeisterin"),
    ("Anfrage", "Öffnungszeiten der Stadtbibliothek am Samstag", "Fraktion CDU"),
    ("Beschlussvorlage", "Klimaanpassungsstrategie der Stadt", "Oberbürgermeisterin"),
    (
        "Beschlussvorlage",
        "Bürgerhaushalt 2026/27 – TOP 20 Liste der Bürgerinnen und Bürger",
        "Vorsitzender der Stadtverordnetenversammlung",
    ),
    ("Antrag", "Sanierung des Spielplatzes Lindenallee", "Fraktion Freie Demokraten"),
    (
        "Mitteilungsvorlage",
        "Digitalisierung der Schulen – Sachstand DigitalPakt",
        "Oberbürgermeisterin",
    ),
    ("Antrag", "Parkraumbewirtschaftung in der Innenstadt überprüfen", "Fraktion BürgerBündnis"),
    (
        "Stellungnahme",
        "Stellungnahme des Seniorenbeirats zur Taktung im Busverkehr",
        "Seniorenbeirat",
    ),
    (
        "Stellungnahme",
        "Empfehlung des Beirats für Menschen mit Behinderung zur "
        "Barrierefreiheit des Internetauftritts",
        "Beirat für Menschen mit Behinderung",
    ),
    (
        "Stellungnahme",
        "Stellungnahme des Migrantenbeirats zu mehrsprachigen Formularen",
        "Migrantenbeirat",
    ),
    (
        "Stellungnahme",
        "Empfehlung des Klimarats zum Hitzeaktionsplan",
        "Klimarat",
    ),
    (
        "Stellungnahme",
        "Stellungnahme des Naturschutzbeirats zum Bebauungsplan Nr. 47",
        "Naturschutzbeirat",
    ),
    ("Antrag", "Sprechzeiten ohne Termin im Bürgerbüro ausweiten", "Fraktion DIE aNDERE"),
    (
        "Beschlussvorlage",
        "Gebührensatzung für die Sondernutzung öffentlicher Straßen",
        "Oberbürgermeisterin",
    ),
    ("Mitteilungsvorlage", "Bericht zur Wartezeit in der Ausländerbehörde", "Oberbürgermeisterin"),
    ("Antrag", "Gießpatenschaften für Stadtbäume ausbauen", "Fraktion Bündnis 90/Die Grünen"),
    (
        "Stellungnahme",
        "Stellungnahme des Tierheimbeirats zum Betreibervertrag",
        "Tierheimbeirat",
    ),
    ("Beschlussvorlage", "Wirtschaftsplan der Stadtwerke 2026", "Oberbürgermeisterin"),
    ("Anfrage", "Stand der Umsetzung des Onlinezugangsgesetzes", "Fraktion CDU"),
    ("Antrag", "Jugendbeteiligung: Kinder- und Jugendparlament einrichten", "Fraktion SPD"),
]

# More plausible papers so committee agendas are full: (type, title, originator)
MORE_PAPERS = [
    ("Antrag", "Schulwegsicherheit an der Gesamtschule Nord verbessern", "Fraktion SPD"),
    ("Beschlussvorlage", "Fortschreibung des Lärmaktionsplans", "Oberbürgermeisterin"),
    ("Anfrage", "Sanierungsstau in städtischen Sporthallen", "Fraktion CDU"),
    ("Antrag", "Trinkwasserbrunnen in der Innenstadt aufstellen", "Fraktion Bündnis 90/Die Grünen"),
    ("Mitteilungsvorlage", "Sachstand Breitbandausbau in den Ortsteilen", "Oberbürgermeisterin"),
    (
        "Beschlussvorlage",
        "Satzung über die Erhebung von Elternbeiträgen in Kitas",
        "Oberbürgermeisterin",
    ),
    ("Antrag", "Bürgersprechstunden in allen Stadtteilen anbieten", "Fraktion DIE LINKE"),
    (
        "Beschlussvorlage",
        "Vergabe der Reinigungsleistungen für Verwaltungsgebäude",
        "Oberbürgermeisterin",
    ),
    ("Antrag", "Öffentliche Toiletten barrierefrei nachrüsten", "Fraktion DIE aNDERE"),
    ("Mitteilungsvorlage", "Jahresbericht der Gleichstellungsbeauftragten", "Oberbürgermeisterin"),
    ("Anfrage", "Wartezeiten bei der Kfz-Zulassung", "Fraktion Freie Demokraten"),
    ("Beschlussvorlage", "Förderrichtlinie Vereinssport 2026", "Oberbürgermeisterin"),
]

# Standing topics of the advisory boards (agenda items without a paper)
BOARD_TOPICS = {
    "Seniorenbeirat": [
        (
            "Bericht aus dem Sozialausschuss",
            "Die Vertreterin im Sozialausschuss berichtet über die Beratung der "
            "Kita-Bedarfsplanung und des Integrationskonzepts.",
        ),
        (
            "Seniorenwoche 2026 – Planung",
            "Der Beirat sammelt Vorschläge für Veranstaltungen; eine Arbeitsgruppe wird gebildet.",
        ),
        (
            "Sitzbänke an Wegen zum Ärztehaus",
            "Der Beirat empfiehlt zusätzliche Sitzgelegenheiten und bittet die Verwaltung "
            "um Prüfung.",
        ),
    ],
    "Migrantenbeirat": [
        (
            "Bericht aus der Ausländerbehörde",
            "Die Leitung der Ausländerbehörde berichtet über Wartezeiten und Online-Termine.",
        ),
        (
            "Interkulturelle Woche – Auswertung",
            "Die Veranstaltungen waren gut besucht; der Beirat dankt allen Vereinen.",
        ),
    ],
    "Klimarat": [
        (
            "Hitzeaktionsplan – Stellungnahme",
            "Der Klimarat empfiehlt Trinkbrunnen und kühle Orte an allen Schulwegen.",
        ),
        (
            "Bericht der Stadtwerke zur Wärmeplanung",
            "Die Stadtwerke stellen den Zwischenstand der kommunalen Wärmeplanung vor.",
        ),
    ],
    "Naturschutzbeirat": [
        (
            "Stellungnahme zum Bebauungsplan Nr. 47 „Am Mühlenteich“",
            "Der Beirat empfiehlt, den Uferstreifen von Bebauung freizuhalten.",
        ),
        (
            "Baumfällungen im Stadtpark",
            "Die Behörde berichtet über die Verkehrssicherheit; Ersatzpflanzungen sind geplant.",
        ),
    ],
    "Tierheimbeirat": [
        (
            "Bericht der Tierheimleitung",
            "Belegung und Vermittlungen im Halbjahr; der Beirat dankt den Ehrenamtlichen.",
        ),
    ],
    "Beirat für Menschen mit Behinderung": [
        (
            "Ortsbegehung Bahnhofsvorplatz",
            "Fehlende Leitsysteme und zu hohe Bordsteine wurden festgestellt; die Mängelliste geht "
            "an das Tiefbauamt.",
        ),
        (
            "Barrierefreiheit der städtischen Website",
            "Die Verwaltung stellt den Bericht zur Barrierefreiheit (BITV 2.0) vor.",
        ),
    ],
}
