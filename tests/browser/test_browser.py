"""A person's path through the app in headless Chromium, with the network cut.

Log in, switch to Chinese, open the org tree, and save a screenshot. Every request that
does not go to the app itself is refused and recorded, so a page that needs the internet
fails here.
"""

import os
from datetime import date
from pathlib import Path

import pytest

from ventanilla.core.testing import need_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SHOTS = Path(os.environ.get("VENTANILLA_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var"))


@pytest.fixture
def browser_page(live_server):
    chromium = need_chromium()
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1366, "height": 850}, locale="en-US")
        page = context.new_page()

        def guard(route):
            if route.request.url.startswith(live_server.url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        yield page, outside
        context.close()
        browser.close()


def login(page, live_server, username: str, password: str = "pw") -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_log_in_switch_to_chinese_and_open_the_org_tree(network, live_server, browser_page):
    page, outside = browser_page
    login(page, live_server, "subbranch_manager")
    assert page.url.rstrip("/") == live_server.url

    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.goto(f"{live_server.url}/org/tree/")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("body")
    assert "相城支行" in body and "相城营业部" in body
    assert "园区支行" not in body  # the peer sub-branch is out of scope
    # The app's own stylesheet and icon font loaded: Bootstrap sets the body's font stack.
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "PingFang" in font or "Noto" in font, font
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "org-tree-zh.png"), full_page=True)
    assert outside == [], f"pages asked the internet for: {outside}"


def test_other_teller_gets_not_found_on_a_xiangcheng_unit(network, live_server, browser_page):
    page, outside = browser_page
    login(page, live_server, "other_teller")
    response = page.goto(f"{live_server.url}/org/units/XC/")
    assert response is not None and response.status == 404
    assert outside == []


PAGES = [
    "/",
    "/org/tree/",
    "/org/units/XC/",
    "/org/employees/",
    "/org/groups/",
    "/org/contacts/",
    "/org/import/",
    "/audit/",
    "/surveys/",
    "/customers/",
    "/customers/CBROWSER1/",
    "/complaints/",
    "/complaints/figures/",
    "/counters/",
    "/counters/league/published/",
    "/rectification/",
    "/rectification/my/",
    "/rectification/plans/RP-2026-0001/",
    "/reports/",
    "/reports/new/",
    "/api/v1/docs/",
]
# A word of the navigation in each language: the page was rendered in that language.
HOME_WORD = {"zh-hans": "首页", "en": "Home", "es": "Inicio"}


@pytest.mark.parametrize("lang", ["zh-hans", "en", "es"])
def test_every_page_renders_in_each_language_with_the_network_cut(
    network, live_server, browser_page, lang
):
    from ventanilla.customers.tests.factories import customer
    from ventanilla.rectification.tests.factories import plan_with_measure

    plan_with_measure(network)  # a plan page draws its chart with the vendored Chart.js
    customer(network.outlet_a, number="CBROWSER1")
    page, outside = browser_page
    login(page, live_server, "admin")
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    for path in PAGES:
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert response is not None and response.status == 200, path
        if path != "/api/v1/docs/":
            assert page.locator("html").get_attribute("lang") == lang, path
            assert HOME_WORD[lang] in page.inner_text(".sidebar-nav"), path
            # Bootstrap's stylesheet applied: the sidebar is laid out, not a bare list.
            assert page.evaluate("getComputedStyle(document.body).margin") == "0px", path
        else:
            page.wait_for_selector(".swagger-ui .info", timeout=15000)
        for canvas in page.locator("canvas[data-chart]").all():
            # Chart.js drew the chart: the canvas has pixels, not just its element.
            assert canvas.evaluate("c => c.width > 0 && !!Chart.getChart(c)"), path
    assert outside == [], f"pages asked the internet for: {outside}"


def test_a_ticket_file_is_sent_with_its_progress_shown_and_imported(
    network, live_server, browser_page
):
    from ventanilla.counters.models import QueueTicket
    from ventanilla.counters.tests.factories import BusinessTypeFactory
    from ventanilla.counters.tests.test_import_columns import csv_of, varied_rows
    from ventanilla.counters.tests.test_ticket_concurrency import seeded_mappings

    seeded_mappings()
    BusinessTypeFactory(code="P03")
    BusinessTypeFactory(code="P07")
    data = csv_of(varied_rows([date(2026, 3, 2), date(2026, 3, 3)], 2_000, ""))
    page, outside = browser_page
    login(page, live_server, "manager_a")
    page.goto(f"{live_server.url}/counters/imports/")
    page.fill("input[name=outlet]", network.outlet_a.code)
    page.set_input_files(
        "input[type=file]", files=[{"name": "q.csv", "mimeType": "text/csv", "buffer": data}]
    )
    sent = []
    page.on("request", lambda request: sent.append((request.method, request.resource_type)))
    page.click("form[data-upload-progress] button[type=submit]")
    page.wait_for_selector("#import-history td:has-text('q.csv')")
    # Sent by the page's script, which shows the upload's progress, not by the form itself.
    assert ("POST", "xhr") in sent
    assert QueueTicket.objects.filter(outlet=network.outlet_a).count() == 4_000
    assert "4000" in page.inner_text("#import-history")
    assert page.url == f"{live_server.url}/counters/imports/"
    assert outside == []
