"""Answer people who write to a Telegram bot: an incoming chatbot message schedules this DAG, which replies.

An ``AssetWatcher`` runs :class:`SendPulseEventTrigger` with the ``chatbot_incoming_message`` event in the
triggerer, polling the bot's dialogs (one request when nobody wrote). Each batch of inbound messages becomes
an asset event carrying the contact, text and time of every message; this DAG turns them into replies and
sends them through the bot with :class:`SendPulseChatbotMessageOperator`, one outcome per contact.

The watched bot is read from the environment variable ``SENDPULSE_TELEGRAM_BOT_ID`` when the DAG file is
parsed (trigger arguments are fixed at parse time; no API call is made then); without it every Telegram bot
of the account is watched.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from airflow.sdk import Asset, AssetWatcher, dag, task

from airflow_provider_sendpulse.operators.chatbots import SendPulseChatbotMessageOperator
from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger

BOT_ID = os.environ.get("SENDPULSE_TELEGRAM_BOT_ID", "")
WATCH: dict[str, Any] = {"channel": "telegram", **({"bot_id": BOT_ID} if BOT_ID else {})}

incoming_messages = Asset(
    f"sendpulse://chatbots/telegram/{BOT_ID or 'all'}/incoming",
    watchers=[
        AssetWatcher(
            name=f"sendpulse_telegram_incoming_{BOT_ID or 'all'}",
            trigger=SendPulseEventTrigger(event_type="chatbot_incoming_message", event_params=WATCH),
        )
    ],
)


@dag(
    dag_id="sendpulse_chatbot_replies",
    schedule=[incoming_messages],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["sendpulse", "example", "chatbots"],
    doc_md=__doc__,
)
def sendpulse_chatbot_replies() -> None:
    @task
    def compose_replies(**context: Any) -> list[dict[str, str]]:
        """One reply per contact that wrote, from the messages the asset events carry."""
        latest: dict[str, dict[str, Any]] = {}
        for asset_events in context["triggering_asset_events"].values():
            for asset_event in asset_events:
                payload = asset_event.extra.get("payload", asset_event.extra)
                for event in payload.get("events", []):
                    latest[event["contact_id"]] = event  # the newest message of each contact wins
        replies = []
        for contact_id, event in latest.items():
            asked = (event.get("text") or "").strip()
            answer = "Thanks for your message! A person from our team will answer shortly."
            if "order" in asked.lower():
                answer = "Thanks! You can follow your order at https://example.com/orders."
            replies.append({"contact_id": contact_id, "text": answer})
        # Counts only: messages and names are personal data.
        print(f"{len(replies)} replies to compose")
        return replies

    SendPulseChatbotMessageOperator(
        task_id="answer",
        channel="telegram",
        recipients=compose_replies(),
        text="Thanks for your message!",
    )


sendpulse_chatbot_replies()
