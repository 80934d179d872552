"""The embedded booking in a listed website's frame at 320 px (keyboard, axe), and the same
frame refused on a website that is not listed (ADR 0008)."""

import pytest

from rathaus.core import embedding
from tests.appointments.conftest import make_offer, make_service
from tests.conftest import CHROMIUM

from .keyboard import NO_SIDEWAYS_SCROLL, Keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Other ports of the test server's host: other origins, served by the browser itself
# (a public https name framing localhost would meet Chromium's private-network rules).
LISTED, OTHER = "http://localhost:1", "http://localhost:2"
LOCAL_NETWORK_CHECKS_OFF = (
    "--disable-features=PrivateNetworkAccessForNavigations,PrivateNetworkAccessForIframes,"
    "BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessRespectPreflightResults,"
    "LocalNetworkAccessChecks"
)
PATH = "/einbetten/termine/leistung/personalausweis-beantragen/"


def host_page(context, origin: str, src: str) -> None:
    """The town's website (or another one), served by the browser itself, with the snippet."""
    html = (
        '<!DOCTYPE html><html lang="de"><head><title>Website</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
        f'<iframe src="{src}" title="Terminbuchung" style="width:100%;height:600px;border:0">'
        "</iframe></body></html>"
    )
    context.route(f"{origin}/", lambda route: route.fulfill(body=html, content_type="text/html"))


def test_listed_website_frames_the_booking_and_another_does_not(
    page, _playwright, live_server, town_a, admin_a
):
    make_offer(town_a, make_service(town_a), lead_time_hours=24)
    embedding.add_origin(town_a, LISTED, actor=admin_a)
    # The embedded page itself: lean, 320 px without sideways scrolling, axe, keyboard.
    page.set_viewport_size({"width": 320, "height": 640})
    kb = Keyboard(page)
    page.goto(PATH)
    kb.check_page()
    assert page.locator("header.site-header").count() == 0
    kb.tab_to("main a", "Termine ansehen")
    with page.expect_navigation():
        kb.press("Enter")
    kb.check_page()
    assert page.url.startswith(live_server.url + PATH)
    # A link to a page that can't be framed opens on top instead of in a blocked frame.
    assert page.locator("footer a", has_text="Datenschutz").get_attribute("target") == "_top"

    # The websites' pages are served by the browser itself, which Chromium treats as a
    # public address framing a local one; its local-network checks are off for this.
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=["--no-sandbox", LOCAL_NETWORK_CHECKS_OFF]
    )
    try:
        context = browser.new_context(locale="de-DE")
        site = context.new_page()
        site.set_viewport_size({"width": 320, "height": 640})
        messages = []
        site.on("console", lambda msg: messages.append(msg.text))
        host_page(context, LISTED, live_server.url + PATH)
        site.goto(LISTED + "/")
        frame = site.frame_locator("iframe")
        assert frame.locator("h1").inner_text().startswith("Termin: Personalausweis")
        assert site.evaluate(NO_SIDEWAYS_SCROLL)
        assert not any("frame-ancestors" in text for text in messages)
        # Another website gets a refused frame.
        host_page(context, OTHER, live_server.url + PATH)
        site.goto(OTHER + "/")
        site.wait_for_timeout(1500)
        assert "Termin: Personalausweis" not in site.frames[1].content()
        assert any("frame-ancestors" in text for text in messages), messages
    finally:
        browser.close()


def test_staff_page_lists_a_website_and_shows_the_snippet_by_keyboard_at_320_px(page, town_a):
    from rathaus.core.models import Role
    from tests.conftest import make_staff

    make_offer(town_a, make_service(town_a))
    make_staff(town_a, "admin@a.test", Role.ADMINISTRATOR)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/anmelden/?next=/verwaltung/einbetten/")
    page.fill("#id_username", "admin@a.test")
    page.fill("#id_password", "geheim-123!")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    kb = Keyboard(page)
    kb.check_page()
    kb.type_into("#origin", "https://www.a.test")
    kb.submit("main button[type=submit]", "Website erlauben")
    assert "https://www.a.test darf jetzt einbetten." in page.inner_text("main")
    kb.tab_to("#seite")
    page.select_option("#seite", label="Personalausweis beantragen")
    kb.submit("main button[type=submit]", "Code zeigen")
    snippet = page.input_value("#snippet")
    assert snippet.startswith("<iframe src=") and "/einbetten/termine/leistung/" in snippet


def test_embedded_assistant_and_form_at_320_px(page, town_a):
    from rathaus.applications import library
    from tests.applications.conftest import make_service as make_application_service

    library.install(make_application_service(town_a, "hund-anmelden"))
    page.set_viewport_size({"width": 320, "height": 640})
    kb = Keyboard(page)
    for path in ("/einbetten/assistent/", "/einbetten/antraege/hund-anmelden/"):
        page.goto(path)
        kb.check_page()
        assert page.locator("header.site-header").count() == 0
    kb.type_into("#id_email", "gast@example.org")
    kb.submit("main button", "Als Gast beginnen")
    assert "/einbetten/antraege/antrag/" in page.url  # the form's steps stay embedded
    kb.type_into("#id_vorname", "Max")
