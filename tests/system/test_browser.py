"""The provider in a real browser: Debian's Chromium, driven by Selenium, against a real Airflow API server.

Adds a SendPulse connection through the UI's form, saves and reopens it, tests it through the API the
Test button calls (right and wrong secret), runs the campaign example DAG with its defaults and follows
the "SendPulse campaign" extra link to the emulator's page of that campaign. Screenshots are saved under
``.artifacts/browser/`` (git-ignored). Deselect with ``-m "not browser"``.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from airflow_stack import EXAMPLE_DAGS, ROOT, AirflowStack, airflow_stack

from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = ROOT / ".artifacts" / "browser"
CONN_ID = "sendpulse_default"

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip(
        "needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver",
        allow_module_level=True,
    )
webdriver = pytest.importorskip("selenium.webdriver", reason="browser test needs selenium (the test extra)")

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402


def wait_for(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except Exception:  # the page is still rendering
            value = None
        if value:
            return value
        time.sleep(0.3)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
    ):
        options.add_argument(argument)
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def stack(tmp_path: Path, emulator: EmulatorControl) -> Iterator[AirflowStack]:
    env = {
        "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__SENDPULSE__DEFAULT_POLL_INTERVAL": "1",
        "AIRFLOW__SENDPULSE__DEFAULT_CAMPAIGN_POLL_INTERVAL": "1",
    }
    with airflow_stack(tmp_path / "airflow", EXAMPLE_DAGS, env) as running:
        base = f"http://127.0.0.1:{running.env['AIRFLOW__API__PORT']}"
        wait_for(lambda: requests.get(f"{base}/api/v2/monitor/health", timeout=2).ok, "the API server", 180)
        yield running


def shot(driver: WebDriver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def button(driver: WebDriver, text: str = "", label: str = "") -> WebElement:
    found = [
        b
        for b in driver.find_elements(By.TAG_NAME, "button")
        if b.is_displayed() and (b.text.strip() == text if text else b.get_attribute("aria-label") == label)
    ]
    return found[0] if found else None  # type: ignore[return-value]


def labels(driver: WebDriver) -> dict[str, WebElement]:
    """Visible form labels -> their input (by the label's ``for`` or its Chakra field id)."""
    found: dict[str, WebElement] = {}
    for label in driver.find_elements(By.TAG_NAME, "label"):
        text = label.text.replace("*", "").strip()
        field_id = label.get_attribute("for") or (label.get_attribute("id") or "").split("::")[1:2]
        if not text or not field_id:
            continue
        field_id = field_id if isinstance(field_id, str) else field_id[0]
        inputs = driver.find_elements(By.ID, field_id)
        if inputs:
            found[text] = inputs[0]
    return found


def form_with(driver: WebDriver, label: str, filled: bool = False) -> dict[str, WebElement] | None:
    """The form's fields once ``label`` is shown (and, with ``filled``, has a value)."""
    fields = labels(driver)
    field = fields.get(label)
    if field is None or (filled and not field.get_attribute("value")):
        return None
    return fields


def test_connection_form_test_and_campaign_link_in_chromium(
    stack: AirflowStack, browser: WebDriver, emulator: EmulatorControl
) -> None:
    base = f"http://127.0.0.1:{stack.env['AIRFLOW__API__PORT']}"

    # --- add the connection through the form ------------------------------------------------
    browser.get(f"{base}/connections")
    wait_for(lambda: button(browser, "Add Connection"), "the connections page").click()
    wait_for(lambda: browser.find_element(By.NAME, "connection_id"), "the form").send_keys(CONN_ID)
    conn_type = labels(browser)["Connection Type"]
    conn_type.send_keys("SendPulse")
    time.sleep(1)
    conn_type.send_keys(Keys.ENTER)
    fields = wait_for(lambda: form_with(browser, "API Secret"), "the SendPulse fields")
    assert {"API base URL", "API ID", "API Secret"} <= set(fields)
    assert fields["API Secret"].get_attribute("type") == "password"  # masked while typed
    assert fields["API base URL"].get_attribute("placeholder") == "https://api.sendpulse.com"
    names = {element.get_attribute("name") for element in browser.find_elements(By.TAG_NAME, "input")}
    assert "schema" not in names
    assert "port" not in names
    assert "element_allow_insecure_http" in names  # the extra fields are on the form too
    fields["API base URL"].send_keys(emulator.url)
    fields["API ID"].send_keys(DEFAULT_CLIENT_ID)
    fields["API Secret"].send_keys(DEFAULT_CLIENT_SECRET)
    shot(browser, "1-add-connection-form")
    button(browser, "Save").click()
    wait_for(lambda: button(browser, label="Edit Connection"), "the saved connection in the list")
    shot(browser, "2-connection-list")

    # --- reopen it: values kept, the secret not shown ------------------------------------------
    button(browser, label="Edit Connection").click()
    reopened = wait_for(lambda: form_with(browser, "API base URL", filled=True), "the edit form")
    assert reopened["API base URL"].get_attribute("value") == emulator.url
    assert reopened["API ID"].get_attribute("value") == DEFAULT_CLIENT_ID
    assert reopened["API Secret"].get_attribute("type") == "password"
    assert DEFAULT_CLIENT_SECRET not in browser.page_source
    shot(browser, "3-edit-connection")

    # --- test it through the API the Test button calls --------------------------------------------
    token = requests.get(f"{base}/auth/token", timeout=10).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "connection_id": CONN_ID,
        "conn_type": "sendpulse",
        "host": emulator.url,
        "login": DEFAULT_CLIENT_ID,
        "password": DEFAULT_CLIENT_SECRET,
    }
    good = requests.post(f"{base}/api/v2/connections/test", json=body, headers=headers, timeout=60).json()
    assert good["status"] is True, good
    assert "Connected to SendPulse" in good["message"]
    wrong = {**body, "password": "not-the-secret"}
    bad = requests.post(f"{base}/api/v2/connections/test", json=wrong, headers=headers, timeout=60).json()
    assert bad["status"] is False, bad
    assert "Check the API ID and API Secret" in bad["message"]
    assert "not-the-secret" not in bad["message"]

    # --- the campaign example DAG with its defaults, then its extra link ------------------------------
    emulator.configure(campaign_step_seconds=0.5)
    list_id = emulator.create_list("Newsletter subscribers")
    emulator.seed_contacts(list_id, 5)
    stack.wait_for_dag("sendpulse_campaign")
    run_id = stack.trigger("sendpulse_campaign")
    state = stack.wait_for_run("sendpulse_campaign", run_id, timeout=300)
    events = stack.task_events("sendpulse_campaign", run_id)
    logs = "\n".join(stack.task_log("sendpulse_campaign", run_id, task)[-2000:] for task, _ in events)
    assert state == "success", f"{events}\n{logs}"
    (campaign,) = emulator.state()["campaigns"]

    # The task instance's Details tab lists its extra links.
    browser.get(f"{base}/dags/sendpulse_campaign/runs/{run_id}/tasks/send_campaign/details")
    try:
        link = wait_for(
            lambda: next(
                a for a in browser.find_elements(By.TAG_NAME, "a") if a.text.strip() == "SendPulse campaign"
            ),
            "the SendPulse campaign extra link",
            60,
        )
    except TimeoutError:
        shot(browser, "4-task-without-extra-link")
        anchors = [(a.text, a.get_attribute("href")) for a in browser.find_elements(By.TAG_NAME, "a")]
        api = f"{base}/api/v2/dags/sendpulse_campaign/dagRuns/{run_id}/taskInstances/send_campaign/links"
        answer = requests.get(api, headers=headers, timeout=30)
        raise AssertionError(
            f"no extra link on {browser.current_url}: {anchors}; {answer.status_code} {answer.text}"
        ) from None
    shot(browser, "4-task-with-extra-link")
    href = link.get_attribute("href")
    assert href == f"{emulator.url}/_emulator/campaigns/{campaign['id']}"
    browser.get(href)
    wait_for(lambda: "Campaign" in browser.find_element(By.TAG_NAME, "h1").text, "the campaign page")
    assert f"Campaign {campaign['id']}" in browser.find_element(By.TAG_NAME, "h1").text
    shot(browser, "5-emulator-campaign-page")
