"""Fees are rules evaluated against the answers, not the sum of the catalog's fee rows.

The worked examples use the demo catalog's own fee rows (Hundesteuer, Sperrmüll,
Urkunden), so the data a city sees is the data tested. The bug this guards against:
the dog registration charged 96 + 144 + 600 = 840 € instead of 96 €.
"""

import re
from decimal import Decimal

import pytest

from rathaus.applications import cases, library, services
from rathaus.applications.models import Application, Payment
from rathaus.catalog import demo as catalog_demo
from rathaus.catalog import fee_rules
from rathaus.catalog.models import Fee

from .conftest import make_service, pdf_file
from .helpers import post_step, start

pytestmark = pytest.mark.django_db


def demo_fee_rows(slug):
    record = next(r for r in catalog_demo.all_demo_services() if r["slug"] == slug)
    return [
        Fee(
            label=f["label"],
            amount=Decimal(f["amount"]),
            amount_max=Decimal(f["amount_max"]) if f.get("amount_max") else None,
            note=f.get("note") or "",
            rule=f.get("rule") or {},
        )
        for f in record["fees"]
    ]


def charge(slug, answers):
    return fee_rules.total_cents(fee_rules.evaluate(demo_fee_rows(slug), answers))


def dogs(*kinds, already="nein"):
    """Answers with one group row per dog: "n" ordinary, "g" dangerous (listed breed);
    a suffix ":tierheim" etc. names the dog's reduction."""
    rows = []
    for kind in kinds:
        base, _sep, reduction = kind.partition(":")
        rows.append(
            {"listenhund": "ja" if base == "g" else "nein", "ermaessigung": reduction or "keine"}
        )
    return {"hunde": rows, "schon_hund": already}


# Worked examples of the Hundesteuersatzung (demo catalog): first dog 96 €, each further
# dog 144 €, each dangerous dog 600 € (dangerous dogs do not count as first or further).
@pytest.mark.parametrize(
    ("answers", "cents"),
    [
        (dogs("n"), 9600),  # first dog, ordinary breed: 96 €, not 840 €
        (dogs("n", "n"), 9600 + 14400),  # 240 €
        (dogs("n", "n", "n"), 9600 + 2 * 14400),  # 384 €
        (dogs("n", already="ja"), 14400),  # a dog is already registered: 144 €
        (dogs("n", "n", already="ja"), 2 * 14400),  # 288 €
        (dogs("g"), 60000),  # a listed breed, even as the first dog: 600 €
        (dogs("g", "n"), 60000 + 9600),  # the ordinary dog is still the first: 696 €
        (dogs("g", "g", "n", "n"), 2 * 60000 + 9600 + 14400),  # 1440 €
        (dogs("n:tierheim"), 4800),  # first dog from the shelter: 50 % off
        (dogs("n", "n:tierheim"), 9600 + 7200),  # only the shelter dog is reduced: 168 €
        (dogs("n:rettungshund", already="ja"), 7200),  # 144 € − 50 %
        (dogs("n:blindenhund"), 0),  # guide dogs are exempt
        (dogs("n:blindenhund", "n"), 14400),  # the guide dog counted first, exempt: 144 €
        (dogs("g:tierheim"), 60000),  # no reduction for listed breeds
    ],
)
def test_dog_tax_worked_examples(answers, cents):
    assert charge("hund-anmelden", answers) == cents


def test_dog_tax_lines_name_the_counted_rows():
    lines = fee_rules.evaluate(demo_fee_rows("hund-anmelden"), dogs("n", "n", "n:tierheim", "g"))
    assert [line.as_dict() for line in lines] == [
        {"label": "Hundesteuer für den ersten Hund pro Jahr", "cents": 9600},
        {"label": "Hundesteuer für jeden weiteren Hund pro Jahr (× 2)", "cents": 28800},
        {"label": "Hundesteuer für einen gefährlichen Hund pro Jahr", "cents": 60000},
        {"label": "Ermäßigung für Hunde aus dem Tierheim (erstes Jahr) (−50 %)", "cents": -7200},
    ]


def test_a_rule_can_count_the_rows_of_a_group():
    rows = [Fee(label="je Kind", amount=Decimal("10"), rule={"je": {"feld": "kinder"}})]
    assert fee_rules.total_cents(fee_rules.evaluate(rows, {"kinder": [{}, {}, {}]})) == 3000
    assert fee_rules.total_cents(fee_rules.evaluate(rows, {"kinder": []})) == 0


@pytest.mark.parametrize(("first", "cents"), [("ja", 0), ("nein", 3500)])
def test_bulky_waste_first_pickup_free_further_35(first, cents):
    assert charge("sperrmuell-anmelden", {"erste_abholung": first}) == cents


@pytest.mark.parametrize(("copies", "cents"), [(1, 1200), (2, 1800), (3, 2400), (10, 6600)])
def test_certificate_first_copy_12_each_further_6(copies, cents):
    assert charge("geburtsurkunde-bestellen", {"anzahl": copies}) == cents


def test_largest_reduction_counts_once_and_lines_explain_the_sum():
    rows = [
        Fee(label="Grundgebühr", amount=Decimal("100.00"), rule={"wenn": []}),
        Fee(label="A", amount=0, rule={"ermaessigung_prozent": 20}),
        Fee(label="B", amount=0, rule={"ermaessigung_prozent": 50}),
    ]
    lines = fee_rules.evaluate(rows, {})
    assert [line.cents for line in lines] == [10000, -5000]
    assert fee_rules.total_cents(lines) == 5000


def test_a_range_is_never_charged_as_a_guess():
    rows = [Fee(label="Spanne", amount=Decimal("10"), amount_max=Decimal("50"))]
    with pytest.raises(fee_rules.FeeRuleError):
        fee_rules.evaluate(rows, {})


@pytest.mark.parametrize(
    "rule",
    [
        [],
        {"wenn": {"feld": "x"}},
        {"wenn": [{"feld": "x"}]},
        {"wenn": [{"feld": "x", "gleich": "a", "in": ["a"]}]},
        {"je": {"feld": "n", "abzueglich": -1}},
        {"ermaessigung_prozent": 0},
        {"ermaessigung_prozent": True},
        {"ermaessigung_prozent": 50, "je": {"feld": "n"}},
        {"summe": 1},
    ],
)
def test_malformed_rules_are_refused(rule):
    with pytest.raises(fee_rules.FeeRuleError):
        fee_rules.check_rule(rule)


# --- the form: shown before payment == charged == on the notice ------------------------


@pytest.fixture
def dog(town_a):
    service = make_service(town_a, "hund-anmelden")
    for order, fee in enumerate(demo_fee_rows("hund-anmelden")):
        fee.service, fee.order = service, order
        fee.save()
    library.install(service)
    return service


def dog_rows(kinds):
    """The group's inputs of the dog step: "n"/"g" per dog, ":tierheim" for a reduction."""
    post = {"hunde-anzahl": str(len(kinds))}
    for index, kind in enumerate(kinds):
        base, _sep, reduction = kind.partition(":")
        post.update(
            {
                f"hunde-{index}-hund_name": f"Hund{index}",
                f"hunde-{index}-rasse": "Labrador",
                f"hunde-{index}-wurfdatum": "2024-01-01",
                f"hunde-{index}-haltung_seit": "2025-01-01",
                f"hunde-{index}-listenhund": "ja" if base == "g" else "nein",
                f"hunde-{index}-ermaessigung": reduction or "keine",
            }
        )
    return post


def fill_dog(client, kinds=("n",), already="nein"):
    app, url = start(client, "hund-anmelden")
    url = post_step(
        client,
        url,
        {"vorname": "Erika", "nachname": "Mustermann", "geburtsdatum": "1980-05-01"},
    )
    url = post_step(client, url, {"strasse": "Lindenstraße 5", "plz": "14467", "ort": "M"})
    url = post_step(client, url, {**dog_rows(kinds), "schon_hund": already})
    if any(kind.startswith("g") for kind in kinds):
        url = post_step(client, url, {"erlaubnis": pdf_file("erlaubnis.pdf")})
    if any(":" in kind for kind in kinds):
        url = post_step(client, url, {"nachweis": pdf_file()})
    url = post_step(client, url, {"email": "erika@example.org"})
    assert url.endswith("/pruefen/"), url
    return app, url


def shown_amount(page: str) -> str:
    return re.search(r"<strong>([\d.,]+) €</strong>", page).group(1)


@pytest.mark.parametrize(
    ("answers", "shown", "cents"),
    [
        ({}, "96,00", 9600),
        ({"already": "ja"}, "144,00", 14400),
        ({"kinds": ("g",)}, "600,00", 60000),
        ({"kinds": ("n:tierheim",)}, "48,00", 4800),
        ({"kinds": ("n", "n")}, "240,00", 24000),
        ({"kinds": ("n", "n:tierheim", "g")}, "768,00", 76800),
        ({"kinds": ("n", "n"), "already": "ja"}, "288,00", 28800),
    ],
)
def test_dog_form_shows_charges_and_notices_the_same_amount(
    client_a, citizen, dog, clerk_a, answers, shown, cents
):
    client_a.force_login(citizen)
    app, check_url = fill_dog(client_a, **answers)
    page = client_a.get(check_url).content.decode()
    assert shown_amount(page) == shown
    assert f'name="fee_cents" value="{cents}"' in page

    response = client_a.post(f"/antraege/antrag/{app.key}/absenden/", {"fee_cents": cents})
    assert response["Location"].endswith("/bezahlen/")
    client_a.post(f"/antraege/antrag/{app.key}/bezahlen/")
    app.refresh_from_db()
    assert app.fee_cents == cents
    assert Payment.objects.get(application=app).amount_cents == cents
    assert sum(line["cents"] for line in app.fee_lines) == cents

    html = cases.notice_html(app, "approved", "Bewilligt.", clerk_a)
    assert f"Die Gebühr von {shown} € wurde bereits online entrichtet" in html


def test_submit_refuses_when_the_shown_amount_is_stale(client_a, citizen, dog):
    """A second tab changed the answers after the check page showed 96 €: nothing is charged."""
    client_a.force_login(citizen)
    app, _ = fill_dog(client_a)
    data = Application.objects.get(pk=app.pk).data
    Application.objects.filter(pk=app.pk).update(
        data={
            **data,
            "hunde": [{"listenhund": "ja", "ermaessigung": "keine"}],
            "_steps_done": [*data["_steps_done"], "erlaubnis"],
        }
    )
    response = client_a.post(f"/antraege/antrag/{app.key}/absenden/", {"fee_cents": 9600})
    assert response["Location"].endswith("/pruefen/")
    app.refresh_from_db()
    assert app.is_draft and app.fee_cents == 60000
    assert not Payment.objects.filter(application=app).exists()


def test_start_page_lists_the_rows_instead_of_a_sum(client_a, citizen, dog):
    client_a.force_login(citizen)
    page = client_a.get("/antraege/hund-anmelden/").content.decode()
    assert "840,00" not in page  # the sum as an amount; a bare "840" may occur in random tokens
    assert "96,00 €" in page and "144,00 €" in page and "600,00 €" in page
    assert "Die Gebühr richtet sich nach Ihren Angaben" in page


def test_a_form_cannot_be_published_over_fee_rows_without_rules(town_a):
    """The dog-tax bug cannot come back: several rows without rules block publishing."""
    service = make_service(town_a, "hund-anmelden")
    for label, amount in (("erster Hund", "96"), ("weiterer Hund", "144")):
        Fee.objects.create(service=service, label=label, amount=Decimal(amount))
    with pytest.raises(services.ApplicationError, match="keine Regel"):
        library.install(service)
    service.refresh_from_db()
    assert service.maturity_level == 1


def test_a_rule_may_only_read_answers_the_form_asks(town_a):
    service = make_service(town_a, "hund-anmelden")
    Fee.objects.create(
        service=service,
        label="Zweithund",
        amount=Decimal("144"),
        rule={"wenn": [{"feld": "anzahl_hunde", "gleich": "2"}]},
    )
    with pytest.raises(services.ApplicationError, match="anzahl_hunde"):
        library.install(service)


@pytest.mark.parametrize("slug", sorted(library.FORMS))
def test_every_library_form_can_charge_its_demo_fees(town_a, slug):
    """Each service with an online form has fee rows its form's answers can decide."""
    service = make_service(town_a, slug)
    for order, fee in enumerate(demo_fee_rows(slug)):
        fee.service, fee.order = service, order
        fee.save()
    library.install(service)
    assert services.published_form(service) is not None
