"""What ``chatbot_incoming_message`` costs: requests per poll of one bot by number of dialogs.

Counts, from the emulator's request log, the requests of one poll of a Telegram bot with 10 and 10,000
dialogs: idle (nothing written since the last poll), after the bot replied to one contact (outbound only),
and with 10 new inbound messages in 10 dialogs. Token requests are left out (one per hour).

    .venv/bin/python benchmarks/chatbot_poll.py [--sizes 10,10000]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from airflow_provider_sendpulse.emulator.control import EmulatorControl
from airflow_provider_sendpulse.events import drive, get_event_source
from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook

TOKEN_PATH = "/oauth/access_token"
EVENT_TYPE = "chatbot_incoming_message"


def _requests(control: EmulatorControl) -> int:
    return sum(1 for r in control.requests() if r["path"] != TOKEN_PATH)


def poll_costs(control: EmulatorControl, dialogs: int, conn_id: str) -> dict[str, Any]:
    """Requests of an idle poll, a poll after an outbound reply and a poll with 10 new messages."""
    bot = control.add_bot("telegram", "Bench bot")
    contacts = control.add_chat_contacts(bot, count=dialogs, write="hello")
    hook = SendPulseHook(conn_id)
    client = hook.get_conn()
    source = get_event_source(EVENT_TYPE, {"bot_id": bot})
    cursor = drive(client, source.poll(None, 100)).cursor
    control.clear_requests()
    idle = drive(client, source.poll(cursor, 100))
    idle_requests = _requests(control)
    hook.send_chat_message("telegram", contacts[0], text="Thanks, we are on it")
    control.clear_requests()
    replied = drive(client, source.poll(idle.cursor, 100))
    replied_requests = _requests(control)
    for contact in contacts[-10:]:
        control.contact_writes(contact, "new question")
    control.clear_requests()
    busy = drive(client, source.poll(replied.cursor, 100))
    return {
        "dialogs": dialogs,
        "idle_poll_requests": idle_requests,
        "idle_events": len(idle.events),
        "after_reply_requests": replied_requests,
        "poll_with_10_new_requests": _requests(control),
        "events_10_new": len(busy.events),
    }


def main() -> None:
    """Measure against an emulator in its own process and print the figures as JSON."""
    import os

    from sensor_poll import emulator_process

    from airflow_provider_sendpulse.emulator.control import airflow_connection

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10,10000")
    args = parser.parse_args()
    with emulator_process() as url, EmulatorControl(url, timeout=600) as control:
        os.environ["AIRFLOW_CONN_SENDPULSE_BENCH"] = json.dumps(
            airflow_connection(url, max_requests_per_second=100_000)
        )
        for size in (int(s) for s in args.sizes.split(",")):
            control.reset()
            print(json.dumps(poll_costs(control, size, "sendpulse_bench")))


if __name__ == "__main__":
    main()
