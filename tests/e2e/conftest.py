"""Browser tests: Debian's Chromium driven by Playwright against a live server on 127.0.0.1.

`axe_check(page)` runs axe on the page in front of the browser and fails on any
violation. Every document a test loads must be checked: the fixture records
each load and fails the test at the end if one went unchecked.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = "/usr/lib/chromium/chromium"
NO_NET = "MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1"
LANGS = ["en", "pt", "so", "es", "yo", "fr", "tw", "pl"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": [f"--host-resolver-rules={NO_NET}"]}


class AxeWatch:
    def __init__(self):
        self.axe = Axe()
        self.loads: list[str] = []
        self.checked: set[int] = set()
        self.mirrors = {}  # JavaScript-off page -> a page that can run axe on its HTML

    def watch(self, page, mirror=None):
        page.on("load", lambda p: self.loads.append(p.url))
        if mirror is not None:
            self.mirrors[page] = mirror
        return page

    def __call__(self, page):
        page.wait_for_load_state("load")
        self.checked.add(len(self.loads) - 1)
        target = self._mirror(page) if page in self.mirrors else page
        result = self.axe.run(target)
        assert result.violations_count == 0, f"{page.url}\n{result.generate_report()}"

    def _mirror(self, page):
        """axe needs JavaScript, so serve the JavaScript-off page's exact HTML, scripts
        removed, at the same address in a second page, and check that."""
        html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.S)
        mirror = self.mirrors[page]
        address = page.url
        same = lambda url: url == address  # noqa: E731
        mirror.route(same, lambda route: route.fulfill(body=html, content_type="text/html"))
        mirror.goto(address)
        mirror.unroute(same)
        return mirror

    def unchecked(self):
        return [url for i, url in enumerate(self.loads) if i not in self.checked]


@pytest.fixture
def axe_check():
    watch = AxeWatch()
    yield watch
    missed = watch.unchecked()
    assert not missed, f"pages visited without an axe check: {missed}"


@pytest.fixture
def page(page, axe_check):
    return axe_check.watch(page)


@pytest.fixture
def no_js_page(browser, axe_check):
    context = browser.new_context(java_script_enabled=False)
    checker = browser.new_context()
    yield axe_check.watch(context.new_page(), mirror=checker.new_page())
    context.close()
    checker.close()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
