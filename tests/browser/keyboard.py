"""Drive a page by keyboard alone and count the Tab presses a citizen needs (issue 16)."""

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


class Keyboard:
    def __init__(self, page):
        self.page = page
        self.tabs = 0

    def focused_matches(self, selector: str, text: str = "") -> bool:
        return self.page.evaluate(
            """([s, text]) => { const e = document.activeElement;
                 return !!e && e.matches(s) && (e.innerText || e.value || "").includes(text); }""",
            [selector, text],
        )

    def tab_to(self, selector: str, text: str = "", limit: int = 60) -> None:
        """Press Tab until the focused element matches ``selector`` (and contains ``text``);
        stays where it is if it already does."""
        for _ in range(limit):
            if self.focused_matches(selector, text):
                return
            self.page.keyboard.press("Tab")
            self.tabs += 1
        raise AssertionError(f"could not reach {selector} with Tab on {self.page.url}")

    def type_into(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.type(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def submit(self, selector: str = "main button[type=submit]", text: str = "") -> None:
        """Tab to the button, press Enter, wait for the next page and check it."""
        self.tab_to(selector, text)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.check_page()

    def check_page(self) -> None:
        self.page.wait_for_load_state()
        assert self.page.evaluate(NO_SIDEWAYS_SCROLL), f"sideways scrolling on {self.page.url}"
        self.page.check_axe()
