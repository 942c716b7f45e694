"""`ChatbotControl`: the chatbot part of `EmulatorControl` (connect bots, make contacts write to them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ChatbotControl:
    """Calls to `/_emulator/chatbots/*`; mixed into `EmulatorControl`, which provides `_call`."""

    def _call(self, method: str, path: str, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError

    def chatbot_state(self) -> dict[str, Any]:
        """Bots, contacts with every message (direction 1 in, 2 out), flows with their runs, templates."""
        result: dict[str, Any] = self._call("GET", "/chatbots")
        return result

    def add_bot(self, channel: str, name: str = "Emulator bot") -> str:
        """Connect a bot on `channel` (``telegram`` or ``whatsapp``); returns its id."""
        return str(self._call("POST", "/chatbots/bots", json={"channel": channel, "name": name})["id"])

    def add_chat_contacts(
        self,
        bot_id: str,
        names: Sequence[str] = (),
        phones: Sequence[str] = (),
        count: int = 0,
        write: str | None = None,
    ) -> list[str]:
        """Add contacts to a bot (`names`, with `phones` for WhatsApp, and/or `count` numbered ones);
        with `write`, each writes that text to the bot. Returns their ids."""
        body = {
            "bot_id": bot_id,
            "names": list(names),
            "phones": list(phones),
            "count": count,
            "write": write,
        }
        return [str(i) for i in self._call("POST", "/chatbots/contacts", json=body)["ids"]]

    def contact_writes(self, contact_id: str, text: str) -> str:
        """The contact writes `text` to its bot; returns the new message's id."""
        body = {"contact_id": contact_id, "text": text}
        return str(self._call("POST", "/chatbots/incoming", json=body)["id"])

    def add_flow(self, bot_id: str, name: str, active: bool = True) -> str:
        """Add a flow to a bot; returns its id."""
        return str(
            self._call("POST", "/chatbots/flows", json={"bot_id": bot_id, "name": name, "active": active})[
                "id"
            ]
        )

    def add_whatsapp_template(
        self, bot_id: str, name: str, language: str = "en", params: int = 0, status: str = "APPROVED"
    ) -> str:
        """Add a WhatsApp template with `params` body variables; returns its id."""
        body = {"bot_id": bot_id, "name": name, "language": language, "params": params, "status": status}
        return str(self._call("POST", "/chatbots/templates", json=body)["id"])

    def sent_messages(self, contact_id: str) -> list[dict[str, Any]]:
        """Outbound messages to a contact, oldest first."""
        for contact in self.chatbot_state()["contacts"]:
            if contact["id"] == contact_id:
                return [m for m in contact["messages"] if m["direction"] == 2]
        raise KeyError(f"no chatbot contact {contact_id}")
