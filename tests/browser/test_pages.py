"""The dashboard and the agent's page in a real browser: Debian's Chromium driven by Playwright
against a real server. Both pages ask to sign in first. A planner imports the sample as CSV
files, maps the columns, fixes a bad row and adds a case in the table, plans, moves a case,
re-optimises, publishes, downloads and prints a day; an agent opens the day on a phone and
records an outcome. Wrong passwords, rate limits, ended sign-ins, signing out and an agent
user's view of other agents' days are checked too. Each step is saved as a screenshot
(DOORSTEP_SCREENSHOTS_DIR, default a temp folder).
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
import openpyxl
import pytest
from playwright.sync_api import Browser, Page, Response, Route, expect, sync_playwright

from tests.auth import PASSWORD
from tests.conftest import DATA_DIR, SAMPLE_REQUEST
from tests.live_server import live_server, sign_in

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Chromium at /usr/bin/chromium (apt-get install chromium; scripts/test.sh does)",
)
DATE = "2026-12-01"
UNKNOWN_ADDRESS = "Nirgendwostrasse 9, 9490 Vaduz"
TIMEOUT_MS = 60_000
SHIFT_COLUMNS = ("shift_start", "shift_end")
ADMIN = "admin"  # the first user, made with DOORSTEP_INITIAL_ADMIN_PASSWORD
TOKEN_KEY = "doorstep.token"  # where the pages keep the sign-in token (sessionStorage)


def _write_agents(path: Path, agents: list[dict[str, Any]]) -> Path:
    """The agents as a table: an Excel workbook for a .xlsx path, else CSV."""
    rows: list[list[Any]] = [
        ["id", "start_address", "start_lat", "start_lon", "end_address", *SHIFT_COLUMNS]
    ]
    for agent in agents:
        start, end = agent["start"], agent.get("end") or {}
        rows.append(
            [
                agent["id"],
                start.get("address", ""),
                start.get("lat", ""),
                start.get("lon", ""),
                end.get("address", ""),
                agent["shift"]["start"],
                agent["shift"]["end"],
            ]
        )
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        for row in rows:
            sheet.append(row)
        book.save(path)
        return path
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _write_csvs(folder: Path) -> tuple[Path, Path, Path, dict[str, Any]]:
    """The sample request as files (cases as CSV, agents as an Excel workbook, and agents
    with a fifth one starting nowhere as CSV), with headers a planner might have (some not
    matching the field names), a case nobody can find and a row with a bad duration."""
    sample: dict[str, Any] = json.loads(SAMPLE_REQUEST.read_text(encoding="utf-8"))
    cases_csv = folder / "cases.csv"
    with cases_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["Reference", "Address", "Visit length", "window_start", "window_end", "Name", "Phone"]
        )
        for case in sample["cases"]:
            windows = case["time_windows"]
            writer.writerow(
                [
                    case["id"],
                    case["address"],
                    case["service_minutes"],
                    ";".join(w["start"] for w in windows),
                    ";".join(w["end"] for w in windows),
                    case["borrower"]["name"],
                    case["borrower"]["phone"],
                ]
            )
        writer.writerow(["C-NOWHERE", UNKNOWN_ADDRESS, 15, "", "", "", ""])
        writer.writerow(["C-BAD", "Städtle 1, 9490 Vaduz", "a quarter hour", "", "", "", ""])
    agents_csv = _write_agents(folder / "agents.xlsx", sample["agents"])  # Excel works too
    lost = {
        "id": "A-5",
        "start": {"address": UNKNOWN_ADDRESS},
        "shift": sample["agents"][0]["shift"],
    }
    bad_agents_csv = _write_agents(folder / "agents-bad.csv", [*sample["agents"], lost])
    return cases_csv, agents_csv, bad_agents_csv, sample


class Shots:
    """Numbered screenshots of each step."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True)

    def take(self, page: Page, name: str, *, full_page: bool = True) -> None:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=path, full_page=full_page)


def _watch(page: Page, base: str, outside: list[str], errors: list[str]) -> None:
    """Refuse and record any request that leaves the server; record script errors, answers
    that are errors, and anything the Content-Security-Policy refuses in any tab of the page's
    context (the printable page opened from a Blob keeps the page's policy)."""
    host = urlsplit(base).netloc

    def guard(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == host or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", guard)

    def failed(response: Response) -> None:
        if response.status >= 400:
            errors.append(f"{response.status} {urlsplit(response.url).path}")

    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", failed)
    page.context.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def base_url(regions_dir: Path, tmp_path: Path) -> Iterator[str]:
    env = {
        "DOORSTEP_DATA_DIR": str(DATA_DIR),
        "DOORSTEP_REGIONS_DIR": str(regions_dir),
        "DOORSTEP_VAR_DIR": str(tmp_path / "var"),
        "DOORSTEP_DATABASE_URL": f"sqlite:///{tmp_path / 'doorstep.db'}",
        "DOORSTEP_SOLVER_WORKERS": "1",
        "DOORSTEP_INITIAL_ADMIN_PASSWORD": PASSWORD,
    }
    with live_server(env, tmp_path / "server.log") as base:
        yield base


@pytest.fixture
def shots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Shots:
    folder = Path(os.environ.get("DOORSTEP_SCREENSHOTS_DIR") or tmp_path / "screenshots")
    with capsys.disabled():
        print(f"\nscreenshots: {folder}")  # noqa: T201 - where to look, on every run
    return Shots(folder)


def _sign_in_on_the_form(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the page's form, which is shown and focused on the username first;
    the page's data comes only after it."""
    form = page.locator("#sign-in-form")
    expect(form).to_be_visible()
    expect(page.locator("main[data-session]")).to_be_hidden()
    expect(page.get_by_label("Username")).to_be_focused()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(form).to_be_hidden()
    expect(page.locator("#session-name")).to_have_text(username)
    expect(page.locator("main[data-session]")).to_be_visible()


def _import_and_map(page: Page, cases_csv: Path, agents_csv: Path, shots: Shots) -> None:
    page.set_input_files("#cases-file", cases_csv)
    page.set_input_files("#agents-file", agents_csv)
    # Names that match are pre-filled; "Visit length" is mapped by hand.
    expect(page.locator("#map-cases-id option:checked")).to_have_text("Reference")
    expect(page.locator("#map-cases-address option:checked")).to_have_text("Address")
    expect(page.locator("#map-cases-borrower_name option:checked")).to_have_text("Name")
    expect(page.locator("#map-cases-borrower_phone option:checked")).to_have_text("Phone")
    expect(page.locator("#map-agents-shift_start option:checked")).to_have_text("shift_start")
    expect(page.locator("#map-cases-service_minutes")).to_have_value("-1")
    report = page.locator("#validation-report tbody tr")
    expect(report).to_have_count(0)  # durations are optional: nothing wrong while unmapped
    page.select_option("#map-cases-service_minutes", label="Visit length")
    # Now the row with "a quarter hour" is wrong, and it is shown, not dropped.
    expect(report).to_have_count(1)
    expect(report.first).to_contain_text("service_minutes")
    expect(report.first).to_contain_text("a quarter hour")
    expect(page.locator("#check-summary")).to_contain_text("41 of 42 case rows ready")
    expect(page.locator("#check-summary")).to_contain_text("4 of 4 agent rows ready")
    shots.take(page, "import-mapping-check")


def _edit_in_the_table(page: Page, shots: Shots) -> None:
    """Fix the bad row in the table, add a case by hand, add and delete an agent: the check
    follows every edit and keeps naming rows by their number."""
    report = page.locator("#validation-report tbody tr")
    summary = page.locator("#check-summary")
    cases = page.locator("#cases-table")
    bad_row = report.first.get_attribute("data-row")
    assert bad_row == "42"
    expect(cases.get_by_label("Case 42 id", exact=True)).to_have_value("C-BAD")
    cell = cases.get_by_label("Case 42 service_minutes", exact=True)
    expect(cell).to_have_value("a quarter hour")
    expect(cell).to_have_attribute("aria-invalid", "true")
    report.first.get_by_role("button", name="Go to case 42 service_minutes").click()
    expect(cell).to_be_focused()  # the report leads to the cell
    cell.fill("15")
    expect(report).to_have_count(0)
    expect(summary).to_contain_text("42 of 42 case rows ready")
    expect(cell).not_to_have_attribute("aria-invalid", "true")

    page.get_by_role("button", name="Add case").click()
    expect(cases.locator("tbody tr")).to_have_count(43)
    expect(summary).to_contain_text("42 of 43 case rows ready")  # an empty row: no id yet
    expect(report.first).to_have_attribute("data-row", "43")
    expect(cases.get_by_label("Case 43 id", exact=True)).to_be_focused()
    page.keyboard.type("C-HAND")
    page.keyboard.press("Tab")
    page.keyboard.type("Städtle 43, 9490 Vaduz")
    cases.get_by_label("Case 43 service_minutes", exact=True).fill("10")
    expect(report).to_have_count(0)
    expect(summary).to_contain_text("43 of 43 case rows ready")

    agents = page.locator("#agents-table tbody tr")
    page.get_by_role("button", name="Add agent").click()
    expect(agents).to_have_count(5)
    expect(summary).to_contain_text("4 of 5 agent rows ready")
    page.get_by_role("button", name="Delete agent 5", exact=True).click()
    expect(agents).to_have_count(4)
    expect(summary).to_contain_text("4 of 4 agent rows ready")
    expect(page.get_by_role("button", name="Delete agent 4", exact=True)).to_be_focused()
    page.locator("#records-panel").scroll_into_view_if_needed()
    cases.get_by_label("Case 43 service_minutes", exact=True).scroll_into_view_if_needed()
    shots.take(page, "table-edited", full_page=False)  # a full page shot smears the scroll box


def _refused_plan_names_the_row(page: Page, bad_agents_csv: Path, agents_csv: Path) -> None:
    """A plan the server refuses (422) shows each error at its CSV row and column."""
    page.set_input_files("#agents-file", bad_agents_csv)
    expect(page.locator("#check-summary")).to_contain_text("5 of 5 agent rows ready")
    with page.expect_response("**/plan", timeout=TIMEOUT_MS) as answer:
        page.click("#plan-button")
    assert answer.value.status == 422
    errors = page.locator("#plan-errors li")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("Agent row 5 (A-5), start_address:")
    page.set_input_files("#agents-file", agents_csv)
    expect(page.locator("#check-summary")).to_contain_text("4 of 4 agent rows ready")


def _plan(page: Page, sample: dict[str, Any], shots: Shots) -> dict[str, Any]:
    page.fill("#time-limit", "1")
    with (
        page.expect_request("**/plan", timeout=TIMEOUT_MS) as sent,
        page.expect_response("**/plan", timeout=TIMEOUT_MS) as answer,
    ):
        page.click("#plan-button")
        expect(page.locator("#progress")).to_be_visible()
    plan: dict[str, Any] = answer.value.json()
    assert answer.value.status == 200, plan
    # The request comes from the edited table: the fixed row and the hand-made one are in it.
    body = sent.value.post_data_json
    assert isinstance(body, dict)
    sent_cases = {c["id"]: c for c in body["cases"]}
    assert len(sent_cases) == len(sample["cases"]) + 3
    assert sent_cases["C-BAD"]["service_minutes"] == 15
    assert sent_cases["C-1"]["borrower"] == sample["cases"][0]["borrower"]
    assert sent_cases["C-HAND"] == {
        "id": "C-HAND",
        "address": "Städtle 43, 9490 Vaduz",
        "service_minutes": 10,
    }
    for case_id in ("C-HAND", "C-BAD"):  # visited, or unassigned with a reason
        shown = page.locator(
            f'.itinerary tr[data-case-id="{case_id}"], #unassigned > li[data-case-id="{case_id}"]'
        )
        expect(shown).to_have_count(1)
    expect(page.locator("#progress")).to_be_hidden()
    with_stops = [it for it in plan["itineraries"] if it["stops"]]
    assert with_stops
    expect(page.locator("#map path.route")).to_have_count(len(with_stops))
    for itinerary in with_stops:
        expect(
            page.locator(f'#map path.route[data-agent-id="{itinerary["agent_id"]}"]')
        ).to_be_visible()
    rows = page.locator(".timeline-row[data-agent-id]")
    expect(rows).to_have_count(len(sample["agents"]))
    first = with_stops[0]
    visits = page.locator(f'.timeline-row[data-agent-id="{first["agent_id"]}"] .block.visit')
    expect(visits).to_have_count(len(first["stops"]))
    # Every unassigned case with its reason (and rule); the compliance report; key figures.
    unassigned = {u["case_id"]: u for u in plan["unassigned"]}
    assert "C-NOWHERE" in unassigned
    expect(page.locator("#unassigned > li[data-case-id]")).to_have_count(len(unassigned))
    for case_id, why in unassigned.items():
        item = page.locator(f'#unassigned > li[data-case-id="{case_id}"]')
        expect(item.locator(".reason")).to_have_text(why["reason"])
        expect(item).to_contain_text(why["detail"])
        if why.get("rule_id"):
            expect(item).to_contain_text(why["rule_id"])
    for profile in plan["compliance"]["profiles"]:
        expect(page.locator("#compliance-profiles")).to_contain_text(
            f"{profile['id']} v{profile['version']}"
        )
    expect(page.locator("#compliance")).to_be_visible()
    assigned = page.locator('#summary [data-key="assigned"] dd')
    expect(assigned).to_have_text(str(plan["summary"]["assigned"]))
    shots.take(page, "planned")
    return plan


def _move_a_case(page: Page, plan: dict[str, Any], shots: Shots) -> tuple[str, str]:
    """Move the first visit of the busiest agent to the front of another agent's day."""
    ordered = sorted(plan["itineraries"], key=lambda it: -len(it["stops"]))
    source, target = ordered[0], ordered[-1]
    case_id = source["stops"][0]["case_id"]
    row = page.locator(
        f'.itinerary[data-agent-id="{source["agent_id"]}"] tr[data-case-id="{case_id}"]'
    )
    row.locator("select.move-agent").select_option(target["agent_id"])
    row.locator("input.move-position").fill("1")
    with page.expect_response("**/evaluate", timeout=TIMEOUT_MS) as answer:
        row.locator("button.move").click()
    evaluation: dict[str, Any] = answer.value.json()
    assert answer.value.status == 200, evaluation
    target_row = page.locator(f'.timeline-row[data-agent-id="{target["agent_id"]}"]')
    expect(target_row.locator(f'.block.visit[data-case-id="{case_id}"]')).to_have_count(1)
    moved = page.locator(
        f'.itinerary[data-agent-id="{target["agent_id"]}"] tr[data-case-id="{case_id}"]'
    )
    expect(moved.locator("td").first).to_have_text("1")
    expect(page.locator("#violations-panel")).to_be_visible()
    violations = evaluation["violations"]
    expect(page.locator("#violations li")).to_have_count(len(violations))
    if not violations:  # no rule broken: the times shown are the re-checked ones
        stop = next(
            s
            for it in evaluation["itineraries"]
            if it["agent_id"] == target["agent_id"]
            for s in it["stops"]
            if s["case_id"] == case_id
        )
        expect(moved.locator("td.arrival")).to_have_text(stop["arrival"][11:16])
    expect(page.locator("#publish-button")).to_be_disabled()  # the edit is not stored yet
    shots.take(page, "moved-and-rechecked")
    return case_id, target["agent_id"]


def _reoptimise_and_publish(
    page: Page, case_id: str, agent_id: str, shots: Shots
) -> dict[str, Any]:
    """Plan again around the moved case, pinned where it was put; publish that plan."""
    is_plan = "**/plan"
    with (
        page.expect_request(is_plan, timeout=TIMEOUT_MS) as sent,
        page.expect_response(is_plan, timeout=TIMEOUT_MS) as answer,
    ):
        page.click("#reoptimise-button")
    body = sent.value.post_data_json
    assert isinstance(body, dict)
    pinned = next(c for c in body["cases"] if c["id"] == case_id)
    assert (pinned["pinned_agent_id"], pinned["locked_position"]) == (agent_id, 0)
    replanned: dict[str, Any] = answer.value.json()
    assert answer.value.status == 200, replanned
    expect(page.locator("#violations-panel")).to_be_hidden()
    with page.expect_response("**/publish") as published:
        page.click("#publish-button")
    assert published.value.status == 200
    expect(page.locator("#publish-state")).to_contain_text("Published at")
    expect(page.locator("#publish-button")).to_be_disabled()
    shots.take(page, "replanned-and-published")
    return replanned


def _sign_in_ends_and_the_page_carries_on(page: Page, agent_id: str, shots: Shots) -> None:
    """The token stops working (as when it expires): the next API call answers 401, the form
    comes back with a message, and signing in again returns to the page as it was."""
    page.evaluate(
        """(key) => sessionStorage.setItem(key, JSON.stringify(
             {value: 'no-longer-valid', expires: Date.now() + 3600000}))""",
        TOKEN_KEY,
    )
    exports = page.locator(f'.itinerary[data-agent-id="{agent_id}"] .exports')
    with page.expect_response("**/*.csv") as refused:
        exports.get_by_role("button", name=f"CSV of {agent_id}").click()
    assert refused.value.status == 401
    expect(page.get_by_role("alert")).to_contain_text("Your sign-in has ended")
    expect(page.locator(".layout")).to_be_hidden()
    expect(page.get_by_label("Username")).to_have_value(ADMIN)  # the user who was signed in
    shots.take(page, "sign-in-ended", full_page=False)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.locator(".layout")).to_be_visible()
    expect(page.locator("#status")).to_have_text("Signed in again: the page is as you left it.")
    expect(page.locator("#publish-state")).to_contain_text("Published at")  # nothing was lost
    expect(page.locator("#region")).to_have_value("liechtenstein")


def _export_a_day(page: Page, plan: dict[str, Any], agent_id: str, shots: Shots) -> None:
    """CSV and iCalendar come as downloads, the printable day in a new tab: each fetched with
    the token (a plain link could not send it) and handed over from a Blob URL."""
    exports = page.locator(f'.itinerary[data-agent-id="{agent_id}"] .exports')
    expect(exports.get_by_role("button")).to_have_count(3)  # CSV, iCalendar, print
    expect(exports.get_by_role("link", name="Agent page")).to_have_attribute(
        "href", f"/agent/{agent_id}?date={DATE}"
    )
    stops = next(it["stops"] for it in plan["itineraries"] if it["agent_id"] == agent_id)

    with page.expect_download() as csv_download:
        exports.get_by_role("button", name=f"CSV of {agent_id}").click()
    assert csv_download.value.suggested_filename == f"{agent_id}-{plan['plan_id'][:8]}.csv"
    rows = list(csv.DictReader(csv_download.value.path().read_text(encoding="utf-8").splitlines()))
    assert [row["case_id"] for row in rows] == [stop["case_id"] for stop in stops]

    with page.expect_download() as ics_download:
        exports.get_by_role("button", name=f"Calendar (.ics) of {agent_id}").click()
    assert ics_download.value.suggested_filename == f"{agent_id}-{plan['plan_id'][:8]}.ics"
    calendar = ics_download.value.path().read_text(encoding="utf-8")
    assert calendar.startswith("BEGIN:VCALENDAR")
    assert calendar.count("BEGIN:VEVENT") == len(stops)

    with page.context.expect_page() as opened:
        exports.get_by_role("button", name=f"Print the day of {agent_id}").click()
    printed = opened.value
    expect(printed.locator("h1")).to_have_text(f"Day of {agent_id}, {DATE}")
    assert printed.url.startswith("blob:")
    expect(printed.locator("tbody tr")).to_have_count(len(stops))
    # The page's own stylesheet applies: the pages' CSP allows it by its hash.
    assert printed.evaluate("getComputedStyle(document.body).marginTop") == "28px"
    assert printed.evaluate("window.opener") is None
    shots.take(printed, "printable-day")
    printed.close()


def _agent_records_an_outcome(page: Page, base: str, agent_id: str, shots: Shots) -> None:
    headers = sign_in(base, ADMIN, PASSWORD)
    day = httpx2.get(f"{base}/itinerary/{agent_id}", params={"date": DATE}, headers=headers).json()
    assert day["published"]
    assert day["stops"]
    page.goto(f"{base}/agent/{agent_id}?date={DATE}")
    expect(page.locator("#stops")).to_be_hidden()  # nothing before signing in
    shots.take(page, "agent-sign-in", full_page=False)
    _usable_by_keyboard_at_this_size(page)
    _sign_in_on_the_form(page, ADMIN)
    stops = page.locator("#stops > li.stop")
    expect(stops).to_have_count(len(day["stops"]))
    first, second = day["stops"][0], day["stops"][1] if len(day["stops"]) > 1 else None
    item = stops.first
    expect(item).to_contain_text(first["service_start"][11:16])
    lat, lon = first["location"]["lat"], first["location"]["lon"]
    expect(item.locator(f'a[href="geo:{lat},{lon}"]')).to_have_count(1)
    expect(item.locator('a[href^="https://www.openstreetmap.org/?mlat="]')).to_have_count(1)
    if day["conduct"]:
        expect(page.locator("#conduct-list li")).to_have_count(len(day["conduct"]))
    for nothing in ("null", "undefined"):  # absent fields leave no trace
        expect(page.locator("#stops")).not_to_contain_text(nothing)
    named = [(k, s) for k, s in enumerate(day["stops"]) if s["borrower_name"]]
    assert named  # the sample's cases name their borrowers
    for k, stop in named:  # whom to ask for, and a phone to call ahead
        borrower = stops.nth(k).locator(".borrower")
        expect(borrower).to_contain_text(stop["borrower_name"])
        call = borrower.locator("a.phone")
        expect(call).to_have_text(stop["borrower_phone"])
        tel = "tel:" + "".join(c for c in stop["borrower_phone"] if c.isdigit() or c == "+")
        expect(call).to_have_attribute("href", tel)
    shots.take(page, "agent-day", full_page=False)
    item.get_by_role("button", name=f"Met, {first['case_id']}").click()
    expect(item.locator(".recorded")).to_contain_text("Recorded: Met")
    expect(item.locator('.history-outcomes li[data-outcome="met"]')).to_have_count(1)
    if second is not None:
        other = stops.nth(1)
        other.get_by_role("button", name=f"Promise to pay, {second['case_id']}").click()
        other.get_by_label("Promised pay date").fill("2026-12-10")
        other.get_by_label("Amount").fill("120")
        other.get_by_role("button", name="Record").click()
        expect(
            other.locator('.history-outcomes li[data-outcome="promise_to_pay"]')
        ).to_contain_text("120.00")
    stops.first.scroll_into_view_if_needed()
    shots.take(page, "agent-outcome-recorded", full_page=False)
    history = httpx2.get(f"{base}/cases/{first['case_id']}/history", headers=headers).json()
    assert [o["outcome"] for o in history["outcomes"]] == ["met"]


_UNUSABLE_CONTROLS = """() => {
  const controls = [...document.querySelectorAll('input, select, button, textarea, a[href]')]
    .filter((c) => c.offsetParent !== null);
  const named = (c) => (c.labels && c.labels.length > 0) || c.getAttribute('aria-label')
    || c.getAttribute('aria-labelledby') || (c.textContent || '').trim() || c.title;
  return controls
    .filter((c) => !named(c) || c.tabIndex < 0 || c.disabled && c.tagName === 'A')
    .map((c) => c.outerHTML.slice(0, 120));
}"""


def _usable_by_keyboard_at_this_size(page: Page) -> None:
    """Every visible control has a name (label, aria-label or text) and takes the keyboard
    focus, and nothing spills sideways out of the screen."""
    assert page.evaluate(_UNUSABLE_CONTROLS) == []
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_plan_edit_publish_and_record_an_outcome(
    browser: Browser, base_url: str, tmp_path: Path, shots: Shots
) -> None:
    cases_csv, agents_csv, bad_agents_csv, sample = _write_csvs(tmp_path)
    outside: list[str] = []
    errors: list[str] = []
    desk = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    desk.set_default_timeout(TIMEOUT_MS)
    _watch(desk, base_url, outside, errors)
    desk.goto(base_url)
    shots.take(desk, "sign-in")
    _usable_by_keyboard_at_this_size(desk)
    _sign_in_on_the_form(desk, ADMIN)
    expect(desk.locator("#session-role")).to_have_text("(admin)")
    expect(desk.locator("#region")).to_have_value("liechtenstein")
    expect(desk.locator("#map path.roads")).to_have_count(1)
    desk.fill("#plan-date", DATE)
    # No file yet: empty tables to fill by hand.
    expect(desk.locator("#cases-table")).to_contain_text("No cases yet")
    expect(desk.get_by_role("button", name="Add agent")).to_be_visible()
    _import_and_map(desk, cases_csv, agents_csv, shots)
    _edit_in_the_table(desk, shots)
    _usable_by_keyboard_at_this_size(desk)
    _refused_plan_names_the_row(desk, bad_agents_csv, agents_csv)
    plan = _plan(desk, sample, shots)
    _usable_by_keyboard_at_this_size(desk)
    case_id, agent_id = _move_a_case(desk, plan, shots)
    replanned = _reoptimise_and_publish(desk, case_id, agent_id, shots)
    busy = [it["agent_id"] for it in replanned["itineraries"] if it["stops"]]
    agent_id = agent_id if agent_id in busy else busy[0]
    _sign_in_ends_and_the_page_carries_on(desk, agent_id, shots)
    _export_a_day(desk, replanned, agent_id, shots)

    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.set_default_timeout(TIMEOUT_MS)
    _watch(phone, base_url, outside, errors)
    _agent_records_an_outcome(phone, base_url, agent_id, shots)
    _usable_by_keyboard_at_this_size(phone)
    assert outside == []
    csv_path = f"/plans/{replanned['plan_id']}/itineraries/{agent_id}.csv"
    # The refused plan, on purpose; the export asked for after the token stopped working.
    assert errors == ["422 /plan", f"401 {csv_path}"]


def test_wrong_password_rate_limit_and_signing_out(
    browser: Browser, base_url: str, shots: Shots
) -> None:
    """A wrong password and a rate limit get a clear message and show no data; a token that
    no longer works brings the form back; signing out leaves no token and no data, also after
    a reload; the token is kept in sessionStorage only."""
    outside: list[str] = []
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(TIMEOUT_MS)
    _watch(page, base_url, outside, errors)
    data_calls: list[str] = []
    page.on(
        "request",
        lambda request: (
            data_calls.append(request.url) if "/regions" in urlsplit(request.url).path else None
        ),
    )
    page.goto(base_url)
    form = page.locator("#sign-in-form")
    expect(form).to_be_visible()
    username, password = page.get_by_label("Username"), page.get_by_label("Password")
    expect(username).to_be_focused()
    expect(username).to_have_attribute("autocomplete", "username")
    expect(password).to_have_attribute("autocomplete", "current-password")
    expect(password).to_have_attribute("type", "password")

    username.fill(ADMIN)
    password.fill("not the password at all")
    with page.expect_response("**/auth/token") as refused:
        page.get_by_role("button", name="Sign in").click()
    assert refused.value.status == 401
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(re.compile("Wrong username or password"))
    expect(password).to_have_value("")
    expect(password).to_be_focused()
    expect(page.locator("main.layout")).to_be_hidden()
    expect(page.locator("#region")).to_be_hidden()
    expect(page.locator("#session")).to_be_hidden()
    shots.take(page, "sign-in-wrong-password")
    _usable_by_keyboard_at_this_size(page)

    # Over the limit: the server answers 429 with Retry-After (stood in for here, so that
    # this test does not lock itself out); the page says how long to wait.
    page.route(
        "**/auth/token",
        lambda route: route.fulfill(
            status=429,
            headers={"Retry-After": "2"},
            json={"detail": "too many requests: retry in 2 s"},
        ),
    )
    password.fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(alert).to_have_text(re.compile(r"Too many sign-in attempts\. Wait 2 seconds"))
    expect(page.get_by_role("button", name="Sign in")).to_be_disabled()
    shots.take(page, "sign-in-rate-limited")
    page.unroute("**/auth/token")
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    assert data_calls == []  # nothing of the service's data was asked for

    page.get_by_role("button", name="Sign in").click()
    expect(form).to_be_hidden()
    expect(page.locator("#region")).to_have_value("liechtenstein")
    expect(page.locator("#session-name")).to_have_text(ADMIN)
    expect(page.locator("#session-role")).to_have_text("(admin)")
    stored = page.evaluate("(key) => JSON.parse(sessionStorage.getItem(key))", TOKEN_KEY)
    assert stored["value"]
    assert page.evaluate("localStorage.length") == 0
    shots.take(page, "signed-in", full_page=False)

    # A token the server no longer takes: the form comes back on loading the page.
    page.evaluate(
        """(key) => sessionStorage.setItem(key, JSON.stringify(
             {value: 'forged', expires: Date.now() + 3600000}))""",
        TOKEN_KEY,
    )
    page.reload()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Your sign-in has ended"))
    expect(page.locator("main.layout")).to_be_hidden()
    assert page.evaluate("(key) => sessionStorage.getItem(key)", TOKEN_KEY) is None
    _sign_in_on_the_form(page, ADMIN)

    # Signing in loads the regions and the map's roads: let those requests finish, so that
    # any data asked for from here on was asked for after signing out.
    page.wait_for_load_state("networkidle")
    data_calls.clear()
    page.get_by_role("button", name="Sign out").click()
    expect(form).to_be_visible()
    expect(page.get_by_label("Username")).to_be_focused()
    expect(page.locator("main.layout")).to_be_hidden()
    expect(page.locator("#region")).to_be_hidden()
    assert page.evaluate("(key) => sessionStorage.getItem(key)", TOKEN_KEY) is None
    page.reload()
    expect(form).to_be_visible()
    expect(page.locator("main.layout")).to_be_hidden()
    expect(page.locator("#region option")).to_have_text(["loading…"])  # no data came
    shots.take(page, "signed-out")
    assert data_calls == []
    assert outside == []
    assert errors == ["401 /auth/token", "429 /auth/token", "401 /auth/me"]


def test_an_agent_sees_only_their_own_day(browser: Browser, base_url: str, shots: Shots) -> None:
    """An agent user signs in on their page and sees their published day; another agent's
    page shows no stops (the API answers 404, as if there were no day); the dashboard sends
    them to their own page."""
    admin = sign_in(base_url, ADMIN, PASSWORD)
    body: dict[str, Any] = json.loads(SAMPLE_REQUEST.read_text(encoding="utf-8"))
    body["options"] = {"time_limit_seconds": 1}
    planned = httpx2.post(f"{base_url}/plan", json=body, headers=admin, timeout=120)
    assert planned.status_code == 200, planned.text
    plan = planned.json()
    published = httpx2.post(f"{base_url}/plans/{plan['plan_id']}/publish", headers=admin)
    assert published.status_code == 200, published.text
    busy = [it for it in plan["itineraries"] if it["stops"]]
    mine = busy[0]
    other = next(a["id"] for a in body["agents"] if a["id"] != mine["agent_id"])
    username = "agent-one"
    created = httpx2.post(
        f"{base_url}/users",
        json={
            "username": username,
            "password": PASSWORD,
            "role": "agent",
            "agent_id": mine["agent_id"],
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text

    outside: list[str] = []
    errors: list[str] = []
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.set_default_timeout(TIMEOUT_MS)
    _watch(phone, base_url, outside, errors)
    phone.goto(f"{base_url}/agent/{mine['agent_id']}?date={DATE}")
    expect(phone.locator("#stops")).to_be_hidden()
    _sign_in_on_the_form(phone, username)
    expect(phone.locator("#session-role")).to_have_text(f"(agent {mine['agent_id']})")
    stops = phone.locator("#stops > li.stop")
    expect(stops).to_have_count(len(mine["stops"]))
    expect(stops.first).to_contain_text(mine["stops"][0]["case_id"])
    expect(phone.locator("#day-summary")).to_contain_text("Published plan")
    shots.take(phone, "agent-user-day", full_page=False)
    _usable_by_keyboard_at_this_size(phone)
    first = stops.first
    expect(first.locator("details.history")).to_have_count(0)  # no case history for agents
    first_case = mine["stops"][0]["case_id"]
    first.get_by_role("button", name=f"Not home, {first_case}").click()
    expect(first.locator(".recorded")).to_contain_text("Recorded: Not home")

    phone.goto(f"{base_url}/agent/{other}?date={DATE}")  # same tab: still signed in
    expect(phone.locator("#status")).to_have_text(f"No day found for {other} on {DATE}.")
    expect(phone.locator("#stops > li")).to_have_count(0)
    own_day = phone.get_by_role("link", name=f"Open your own day ({mine['agent_id']})")
    expect(own_day).to_have_attribute("href", f"/agent/{mine['agent_id']}?date={DATE}")
    shots.take(phone, "agent-user-other-day", full_page=False)

    phone.goto(base_url)  # the dashboard is the planners'
    expect(phone).to_have_url(f"{base_url}/agent/{mine['agent_id']}")
    expect(phone.locator("#session-name")).to_have_text(username)
    # Today's day, whatever it holds, once it has been asked for.
    expect(phone.locator("#day-summary, #status:has-text('No day found')").first).to_be_visible()
    assert outside == []
    today_404 = f"404 /itinerary/{mine['agent_id']}"
    assert [e for e in errors if e != today_404] == [f"404 /itinerary/{other}"]
