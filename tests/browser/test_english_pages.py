"""English pages are English or say they are not (issue 16, WCAG 3.1.2 Language of Parts).

At lang=en, a form step, the defect form and the booking page are searched for text a
screen reader would read (text nodes, aria-label, alt, placeholder) that looks German but
sits in no element marked lang="de". "Looks German": an umlaut or ß, or one of a few words
that exist only in German. The same check on the German page, read as if it declared
lang="en", must find such text: that proves the check can fail.
"""

import re

import pytest

from rathaus.applications import library
from rathaus.participation.reports.models import ReportCategory
from tests.applications.conftest import make_service as make_application_service
from tests.appointments.conftest import make_offer, make_service
from tests.participation.conftest import pothole, road_office  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GERMAN_ONLY = [
    "und", "der", "das", "bitte", "nicht", "mit", "für", "oder", "eine", "einen", "Sie",
    "Ihre", "Ihren", "Ihr", "wählen", "weiter", "zurück", "Termin", "Termine", "Antrag",
    "Meldung", "Straße", "Gebühr", "Schritt", "Angaben", "Ort", "Uhr", "Schalter",
]  # fmt: skip

# Text nodes (and what screen readers read from attributes) that look German and are not
# inside an element with lang="de" (or another lang starting with "de").
UNMARKED_GERMAN_JS = """([words, pretendEnglish]) => {
  const word = new RegExp("(^|[^\\\\p{L}])(" + words.join("|") + ")(?![\\\\p{L}])", "iu");
  const looksGerman = (text) => /[äöüÄÖÜß]/.test(text) || word.test(text);
  const marked = (el) => {
    let holder = el && el.closest("[lang]");
    if (pretendEnglish && holder === document.documentElement) holder = null;
    return holder && holder.getAttribute("lang").toLowerCase().startsWith("de");
  };
  const skipped = (el) => !el || el.closest("script, style, noscript, template, [hidden], "
    + "[aria-hidden=true]");
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    const el = node.parentElement;
    if (text && !skipped(el) && looksGerman(text) && !marked(el)) found.push(text);
  }
  for (const el of document.body.querySelectorAll("[aria-label], [alt], [placeholder]")) {
    for (const name of ["aria-label", "alt", "placeholder"]) {
      const text = (el.getAttribute(name) || "").trim();
      if (text && !skipped(el) && looksGerman(text) && !marked(el)) found.push(`${name}=${text}`);
    }
  }
  return found;
}"""


def unmarked_german(page, pretend_english=False) -> list[str]:
    return page.evaluate(UNMARKED_GERMAN_JS, [GERMAN_ONLY, pretend_english])


def in_language(page, path: str, language: str) -> list[str]:
    origin = re.match(r"https?://[^/]+", page.url).group(0)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": origin}])
    page.goto(path)
    assert page.locator("html").get_attribute("lang") == language
    # On the German page: as if it declared lang="en" with its texts left German.
    return unmarked_german(page, pretend_english=language == "de")


def check_english(page, path: str) -> None:
    found = in_language(page, path, "en")
    assert found == [], f'German text without lang="de" on {path} (English):\n' + "\n".join(found)
    page.check_axe()


def check_detector_fails_on_german(page, path: str) -> None:
    assert len(in_language(page, path, "de")) > 3, f"the check found no German on {path}"


@pytest.fixture
def english_page(page, live_server):
    page.goto("/")  # a URL for the language cookie
    return page


def test_form_step_in_english(english_page, town_a):
    library.install(make_application_service(town_a, "sperrmuell-anmelden"))
    page = english_page
    check_english(page, "/antraege/sperrmuell-anmelden/")
    page.fill("#id_email", "gast@example.org")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    step = page.url.split(page.url.split("/antraege/")[0], 1)[1]
    check_english(page, step)  # about you: English labels
    page.fill("#id_vorname", "Gerd")
    page.fill("#id_nachname", "Gast")
    with page.expect_navigation():
        page.click("main button[name=continue]")
    address = page.url.split("/antraege/", 1)[1]
    check_english(page, f"/antraege/{address}")
    pickup = "/antraege/" + address.replace("anschrift", "abholung")
    check_english(page, pickup)  # radios, checkboxes, one German choice marked
    assert page.locator("label[lang=de]", has_text="Holz und Bretter").count() == 1
    check_detector_fails_on_german(page, pickup)


def test_defect_form_in_english(english_page, town_a, pothole):  # noqa: F811
    pothole.name_en = "Pothole"
    pothole.save()
    ReportCategory.objects.create(  # no English name: shown in German, marked
        municipality=town_a, code="laterne", name="Defekte Laterne", office=pothole.office
    )
    page = english_page
    check_english(page, "/beteiligung/maengel/melden/")
    assert page.locator("label[lang=de]", has_text="Defekte Laterne").count() == 1
    assert page.locator("label:not([lang])", has_text="Pothole").count() == 1
    check_detector_fails_on_german(page, "/beteiligung/maengel/melden/")


def test_booking_page_in_english(english_page, town_a):
    service = make_service(town_a)
    service.name_en = "Apply for an identity card"
    service.save()
    make_offer(town_a, service)
    page = english_page
    check_english(page, f"/termine/leistung/{service.slug}/")
    assert "Apply for an identity card" in page.inner_text("h1")
    calendar = f"/termine/leistung/{service.slug}/schalter/"
    check_english(page, calendar)
    check_detector_fails_on_german(page, calendar)
