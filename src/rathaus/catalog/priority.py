"""The OZG services the IT-Planungsrat prioritised for re-use (EfA), as seed 002 lists
those in a municipality's remit (Potsdam, Anlage "Priorisierte EfA-Leistungen des IT
Planungsrates": 24 of 35). A catalog service names the one it belongs to
(``Service.ozg_priority``); the OZG dashboard lists them with their maturity."""

ITPLR_PRIORITY = (
    "Genehmigung zur Leitungsverlegung (Breitbandausbau)",
    "Bauvorbescheid und Baugenehmigung",
    "Zulassung, Änderung, Zurücknahme von Wahlvorschlägen",
    "Wahlhelferanmeldung und -verpflichtung",
    "Gewerbesteuer",
    "Elterngeld",
    "Unterhaltsvorschuss",
    "Ummeldung",
    "Personalausweis",
    "Meldebescheinigung und -registerauskunft",
    "Verpflichtungserklärung (Ein- und Auswanderung)",
    "Einbürgerung",
    "Eheschließung",
    "Kraftfahrzeugzulassung, -um- und -abmeldung",
    "Führerschein",
    "Parkerleichterungen für Schwerbehinderte",
    "Aufenthaltskarten und aufenthaltsrelevante Bescheinigungen",
    "Aufenthaltstitel",
    "Leistungen zum Infektionsschutz",
    "Ausbildungsförderung (BAföG)",
    "Eingliederungshilfe",
    "Hilfe zur Pflege",
    "Wohngeld",
    "Anlagengenehmigung und -zulassung",
)
