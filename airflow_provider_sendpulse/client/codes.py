"""SendPulse's wire codes that event detection and validation need: plain data, cheap to import anywhere."""

from __future__ import annotations

#: Chatbot channel name -> path prefix.
CHANNELS: dict[str, str] = {
    "telegram": "/telegram",
    "whatsapp": "/whatsapp",
    "messenger": "/messenger",
    "instagram": "/instagram",
    "viber": "/viber/chatbots",
    "livechat": "/live-chat",
    "tiktok": "/tiktok",
}

#: SendPulse's ``service`` number of a dialog or account (chatbots.yml) -> channel name.
SERVICES: dict[int, str] = {
    1: "messenger",
    3: "telegram",
    4: "whatsapp",
    5: "instagram",
    6: "viber",
    7: "livechat",
    8: "tiktok",
}

DIRECTION_IN = 1
"""A chatbot message's ``direction`` when the contact wrote it."""

#: CRM deal statuses as the CRM numbers them.
DEAL_DELETED, DEAL_ACTIVE, DEAL_LOST, DEAL_WON = 0, 1, 2, 3
