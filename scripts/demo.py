"""`make demo`: the example DAGs run end to end against the SendPulse emulator on a local Airflow.

Starts the emulator on a free loopback port, prepares Airflow on SQLite in ``.airflow-demo/``, points the
``sendpulse_default`` connection at the emulator through an environment variable, and runs the example DAGs
with ``airflow dags test`` (deferred tasks really defer: ``dags test`` runs their triggers in-process). Waits
are shortened by configuration (``[sendpulse] default_poll_interval`` and the emulator's campaign clock), not
by editing the DAGs. Prints what happened, then shuts everything down.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from airflow_stack import (
    AIRFLOW,
    EXAMPLE_DAGS,
    ROOT,
    AirflowStack,
    airflow_env,
    airflow_stack,
    emulator_connection_env,
)

from airflow_provider_sendpulse.client import Contact, SendPulseClient, api
from airflow_provider_sendpulse.client.core import ClientConfig
from airflow_provider_sendpulse.emulator import run_emulator
from airflow_provider_sendpulse.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.events.statuses import status_name

HOME = Path(os.environ.get("SENDPULSE_DEMO_HOME", ROOT / ".airflow-demo")).resolve()
SIGNUPS = [
    Contact("hana.new@example.com", {"Name": "Hana", "Phone": "380501112233"}),
    Contact("omar.new@example.com", {"Name": "Omar"}),
    Contact("lea.new@example.com", {"Name": "Lea", "Phone": "380671234567"}),
]


def display(path: Path) -> str:
    """``path`` relative to the checkout when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def say(text: str) -> None:
    print(text, flush=True)


def heading(text: str) -> None:
    say(f"\n== {text} " + "=" * max(0, 70 - len(text)))


class Demo:
    """One demo run: an emulator, an Airflow home, and the DAG runs against them."""

    def __init__(self, url: str, emulator: EmulatorControl) -> None:
        self.url = url
        self.emulator = emulator
        self.env_overrides = emulator_connection_env(url, poll_interval=2)
        self.env = airflow_env(HOME, EXAMPLE_DAGS, self.env_overrides)
        self.client = SendPulseClient(
            ClientConfig(base_url=url, client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET)
        )

    def airflow(self, *args: str, log_name: str, env: Mapping[str, str] | None = None) -> None:
        log = HOME / "logs" / f"{log_name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w") as out:
            result = subprocess.run(
                [AIRFLOW, *args],
                env={**self.env, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
        text = log.read_text(errors="replace")
        if result.returncode != 0 or "state=failed" in text:
            raise SystemExit(f"`airflow {' '.join(args)}` failed; its output is in {log}")

    def dag_test(self, dag_id: str, conf: Mapping[str, Any], env: Mapping[str, str] | None = None) -> float:
        started = time.monotonic()
        self.airflow("dags", "test", dag_id, "--conf", json.dumps(conf), log_name=dag_id, env=env)
        return time.monotonic() - started

    def list_named(self, name: str) -> dict[str, Any]:
        (found,) = [item for item in self.emulator.state()["lists"] if item["name"] == name]
        return dict(found)

    def contacts_sync(self) -> int:
        heading("1. sendpulse_contacts_sync: create or reuse a list, import a CSV")
        seconds = self.dag_test("sendpulse_contacts_sync", {"list_name": "Newsletter subscribers"})
        mailing_list = self.list_named("Newsletter subscribers")
        say(f"DAG run succeeded in {seconds:.1f} s")
        contacts = len(mailing_list["contacts"])
        say(f"Mailing list #{mailing_list['id']} '{mailing_list['name']}': {contacts} contacts")
        say("The sample CSV has 22 rows; 2 malformed emails were skipped and reported by line number.")
        again = self.dag_test("sendpulse_contacts_sync", {"list_name": "Newsletter subscribers"})
        after = self.list_named("Newsletter subscribers")
        say(f"Second run ({again:.1f} s) reused list #{after['id']}: still {len(after['contacts'])} contacts")
        return int(mailing_list["id"])

    def campaign(self) -> None:
        heading("2. sendpulse_campaign: send, wait (deferred), read statistics, branch")
        seen: list[int] = []
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                for campaign in self.emulator.state()["campaigns"]:
                    if not seen or seen[-1] != campaign["status"]:
                        seen.append(int(campaign["status"]))
                time.sleep(0.2)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            seconds = self.dag_test("sendpulse_campaign", {})  # the defaults, as from the Trigger button
        finally:
            done.set()
            watcher.join()
        (campaign,) = self.emulator.state()["campaigns"]
        path = " -> ".join(f"{code} ({status_name(code)})" for code in seen)
        say(f"DAG run succeeded in {seconds:.1f} s")
        say(f"Campaign #{campaign['id']} '{campaign['name']}'")
        say(f"Status path seen in SendPulse: {path}")
        details = self.client.run(api.get_campaign(int(campaign["id"])))
        counts = {item["explain"]: item["count"] for item in details.get("statistics") or []}
        say(f"Statistics: {counts}")
        run_log = (HOME / "logs" / "sendpulse_campaign.log").read_text(errors="replace")
        decision = next((line for line in run_log.splitlines() if "Open rate" in line), "")
        if decision:
            say("Branch decision: Open rate" + decision.split("Open rate", 1)[1].split('"', 1)[0])

    def new_subscribers(self, list_id: int) -> None:
        heading("3. sendpulse_new_subscribers: deferrable sensor, then a welcome SMS per new subscriber")
        env: dict[str, str] = {}  # the defaults: the list "Newsletter subscribers", the SMS sender "Acme"
        total_path = f"/addressbooks/{list_id}/emails/total"
        earlier = self.count_requests(total_path)
        result: dict[str, float] = {}
        runner = threading.Thread(
            target=lambda: result.update(seconds=self.dag_test("sendpulse_new_subscribers", {}, env)),
            daemon=True,
        )
        runner.start()
        self.wait_until(lambda: self.count_requests(total_path) >= earlier + 2, timeout=180)
        polls = self.count_requests(total_path) - earlier
        say(f"Sensor recorded the list's position and is polling: {polls} polls, 2 requests per idle poll")
        self.client.run(api.add_contacts(list_id, SIGNUPS))
        say(f"{len(SIGNUPS)} people signed up ({sum('Phone' in c.variables for c in SIGNUPS)} with a phone)")
        runner.join(timeout=300)
        if "seconds" not in result:
            raise SystemExit("sendpulse_new_subscribers did not finish; see .airflow-demo/logs")
        sms = self.emulator.state()["sms_campaigns"]
        polls = self.count_requests(total_path) - earlier
        say(f"DAG run succeeded in {result['seconds']:.1f} s; {polls} polls in all")
        say(f"Welcome SMS sent: {len(sms)} (one per new subscriber with a phone)")
        for item in sms:
            say(f"  SMS campaign #{item['id']} from {item['sender']}: {len(item['phones'])} recipient(s)")

    def event_driven(self, list_id: int) -> None:
        heading("4. sendpulse_event_driven: an AssetWatcher schedules the DAG (real scheduler + triggerer)")
        bot = self.emulator.add_bot("telegram", "Shop bot")
        (contact,) = self.emulator.add_chat_contacts(bot, ["Telegram customer"], write="hello")
        extra = {
            **self.env_overrides,
            "SENDPULSE_WATCHED_LIST_ID": str(list_id),
            "SENDPULSE_TELEGRAM_BOT_ID": bot,
        }
        started = time.monotonic()
        with airflow_stack(HOME / "event-driven", EXAMPLE_DAGS, extra) as stack:
            for dag_id in ("sendpulse_event_driven", "sendpulse_chatbot_replies"):
                stack.wait_for_dag(dag_id)
                stack.cli("dags", "unpause", dag_id)
            took = time.monotonic() - started
            say(f"Scheduler, triggerer, DAG processor and API server up in {took:.0f} s")
            watermarks = "SELECT COUNT(*) FROM asset_state_store"
            self.wait_until(lambda: stack.query(watermarks)[0][0] >= 2, timeout=180)
            say("The watchers' triggers recorded the list's and the bot's positions in the asset state store")
            newcomers = [Contact(f"event.{n}@example.com", {"Name": f"Guest {n}"}) for n in range(4)]
            self.client.run(api.add_contacts(list_id, newcomers))
            say(f"{len(newcomers)} more people signed up")
            runs = "SELECT run_id FROM dag_run WHERE dag_id = 'sendpulse_event_driven'"
            run_id = str(self.wait_until(lambda: stack.query(runs), timeout=180)[0][0])
            state = stack.wait_for_run("sendpulse_event_driven", run_id, timeout=180)
            log = stack.task_log("sendpulse_event_driven", run_id, "greet_new_subscribers")
            greeted = next((line for line in log.splitlines() if "new subscribers in this run" in line), "")
            count = greeted.split("new subscribers in this run")[0].rsplit('"', 1)[-1].strip()
            say(f"Asset event -> DAG run {run_id}: {state}; it greeted {count} new subscribers")
            self.chatbot_replies(stack, contact)
        say(f"Step finished in {time.monotonic() - started:.0f} s (processes stopped)")

    def chatbot_replies(self, stack: AirflowStack, contact: str) -> None:
        heading("5. sendpulse_chatbot_replies: a Telegram message schedules the DAG, which answers")
        self.emulator.contact_writes(contact, "Where is my order?")
        say("A customer wrote to the Telegram bot")
        runs = "SELECT run_id FROM dag_run WHERE dag_id = 'sendpulse_chatbot_replies'"
        run_id = str(self.wait_until(lambda: stack.query(runs), timeout=180)[0][0])
        state = stack.wait_for_run("sendpulse_chatbot_replies", run_id, timeout=180)
        replies = self.emulator.sent_messages(contact)
        say(f"Asset event -> DAG run {run_id}: {state}; the bot sent {len(replies)} reply to the customer")

    def reverse_etl(self) -> None:
        heading("6. sendpulse_reverse_etl: CSV rows -> Automation 360 events, then a report email")
        self.emulator.add_automation_event("order_paid")
        seconds = self.dag_test("sendpulse_reverse_etl", {})
        automation = self.emulator.automation_state(cap=0)
        (event,) = automation["events"]
        say(f"DAG run succeeded in {seconds:.1f} s")
        say(
            f"Event '{event['name']}' started flows for {event['starts']} buyers "
            f"({self.count_requests('/events/name/order_paid')} requests at <= 10/s); the sample CSV has "
            "21 rows, 1 with a malformed email, skipped and reported by line number"
        )
        smtp = self.emulator.smtp_state()
        (report,) = smtp["recent"]
        say(f"Report email {report['id']} sent to {report['recipient']}: {report['subject']!r}")

    def crm_deals(self) -> None:
        heading("7. sendpulse_crm_deals: a won deal (sendpulse_crm_deal_won) and a nightly export of deals")
        emulator = self.emulator
        (ada,) = emulator.add_crm_contacts([{"first_name": "Ada", "emails": ["ada.customer@example.com"]}])
        sales = emulator.add_pipeline("Sales", ["New", "Negotiation"])
        onboarding = emulator.add_pipeline("Onboarding", ["Waiting", "Kick-off"])
        (deal,) = emulator.add_deals(
            [
                {
                    "pipeline_id": sales["id"],
                    "step_id": sales["steps"][1]["id"],
                    "name": "Acme renewal",
                    "price": 1200,
                    "contacts": [ada],
                }
            ]
        )
        (follow_up,) = emulator.add_deals(
            [
                {
                    "pipeline_id": onboarding["id"],
                    "step_id": onboarding["steps"][0]["id"],
                    "name": "Onboarding: Acme renewal",
                }
            ]
        )
        say("CRM seeded: pipelines Sales and Onboarding, the deal 'Acme renewal', its contact, its follow-up")
        polls = "/crm/v1/deals/get-list"
        earlier = self.count_requests(polls)
        result: dict[str, float] = {}
        runner = threading.Thread(
            target=lambda: result.update(seconds=self.dag_test("sendpulse_crm_deal_won", {})), daemon=True
        )
        runner.start()
        self.wait_until(lambda: self.count_requests(polls) >= earlier + 2, timeout=180)
        say(
            f"Sensor recorded the deals' position and is polling "
            f"({self.count_requests(polls) - earlier} polls, 1 request per idle poll)"
        )
        emulator.advance_clock(1)
        emulator.win_deal(deal)
        say("The deal 'Acme renewal' was marked won")
        runner.join(timeout=300)
        if "seconds" not in result:
            raise SystemExit("sendpulse_crm_deal_won did not finish; see .airflow-demo/logs")
        customers = self.list_named("Customers")
        moved = next(d for d in emulator.crm_state()["deals"] if d["id"] == follow_up)
        step = next(s["name"] for s in onboarding["steps"] if s["id"] == moved["stepId"])
        say(
            f"DAG run succeeded in {result['seconds']:.1f} s: list 'Customers' has "
            f"{len(customers['contacts'])} contact(s); the follow-up deal is now at step '{step}'"
        )
        exports = HOME / "exports"
        seconds = self.dag_test(
            "sendpulse_crm_nightly_export", {}, {"AIRFLOW_VAR_SENDPULSE_EXPORT_DIR": str(exports)}
        )
        (written,) = exports.glob("deals-*.csv")
        rows = len(written.read_text().splitlines()) - 1
        say(
            f"Nightly export ran in {seconds:.1f} s: {rows} deal(s) changed in the last day "
            f"-> {display(written)}"
        )

    def count_requests(self, path: str) -> int:
        return sum(1 for r in self.emulator.requests() if r["path"] == path)

    @staticmethod
    def wait_until(check: Callable[[], Any], timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.5)
        raise SystemExit(f"gave up waiting after {timeout} s")


def main() -> None:
    # The emulator speaks plain http on loopback; the client's warning about that is expected here.
    logging.getLogger("airflow_provider_sendpulse").setLevel(logging.ERROR)
    started = time.monotonic()
    shutil.rmtree(HOME, ignore_errors=True)
    HOME.mkdir()
    heading("SendPulse emulator and a local Airflow")
    request_log = os.environ.get("SENDPULSE_DEMO_REQUEST_LOG")
    with (
        run_emulator(campaign_step_seconds=2, rate_limit=10, record_bodies=bool(request_log)) as url,
        EmulatorControl(url) as emulator,
    ):
        demo = Demo(url, emulator)
        say(f"Emulator serving the SendPulse API at {url} (10 requests/s per account, like SendPulse)")
        demo.airflow("db", "migrate", log_name="db-migrate")
        say(f"Airflow metadata database ready in {display(HOME)}/ (SQLite)")
        list_id = demo.contacts_sync()
        demo.campaign()
        demo.new_subscribers(list_id)
        demo.event_driven(list_id)
        demo.reverse_etl()
        demo.crm_deals()
        heading("Requests the emulator served")
        log = emulator.requests()
        mints = sum(1 for r in log if r["path"] == "/oauth/access_token")
        limited = sum(1 for r in log if r["status"] == 429)
        say(f"{len(log)} requests, {mints} token mints (one per process), {limited} rate-limit answers")
        if request_log:  # for the test suite's wire-format audit
            Path(request_log).write_text(json.dumps(log))
    say(f"\nDemo finished in {time.monotonic() - started:.0f} s. Logs: {display(HOME)}/logs/")


if __name__ == "__main__":
    sys.exit(main())
