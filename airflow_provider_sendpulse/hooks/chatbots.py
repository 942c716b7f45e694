"""The hook's chatbot methods: bots, dialogs, contacts, messages, flows, chats and WhatsApp templates.

Mixed into :class:`~airflow_provider_sendpulse.hooks.sendpulse.SendPulseHook`; every method is one
:mod:`~airflow_provider_sendpulse.client.api` call (or a walk over pages). The async side is the same calls
sent by :class:`~airflow_provider_sendpulse.client.AsyncSendPulseClient` (``await client.run(call)``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_sendpulse.client.api import Call, chatbots

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client.sync_client import SendPulseClient

T = TypeVar("T")


class ChatbotHookMixin:
    """Chatbot calls for a hook that provides :meth:`run` and :meth:`get_conn`."""

    if TYPE_CHECKING:

        def run(self, call: Call[T]) -> T: ...

        def get_conn(self) -> SendPulseClient: ...

    def list_bots(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Connected bots, of every channel or of ``channel`` only."""
        call = chatbots.list_bots() if channel is None else chatbots.list_channel_bots(channel)
        return self.run(call)

    def list_dialogs(self, size: int = 100, skip: int = 0, order: str = "desc") -> dict[str, Any]:
        """One page of dialogs of every channel by last activity: ``{"list": [...], "total": N}``."""
        return self.run(chatbots.list_dialogs(size, skip, order))

    def get_chat_contact(self, channel: str, contact_id: str) -> dict[str, Any]:
        """One contact of a bot on ``channel``."""
        return self.run(chatbots.get_chat_contact(channel, contact_id))

    def send_chat_message(
        self, channel: str, contact_id: str, *, text: str | None = None, message: Any = None
    ) -> Any:
        """Send ``text``, or a ``message`` in the channel's own shape, to one contact (never replayed)."""
        if (text is None) == (message is None):
            raise ValueError("give exactly one of text and message")
        if text is not None:
            return self.run(chatbots.send_chat_text(channel, contact_id, text))
        key = "messages" if isinstance(message, list) else "message"
        return self.run(chatbots.send_chat_message(channel, contact_id, message, key))

    def run_chat_flow(
        self, channel: str, contact_id: str, flow_id: str, external_data: Mapping[str, Any] | None = None
    ) -> None:
        """Start a flow for one contact, with ``external_data`` for its steps (never replayed)."""
        self.run(chatbots.run_chat_flow(channel, contact_id, flow_id, external_data))

    def list_chat_flows(self, channel: str, bot_id: str) -> list[dict[str, Any]]:
        """A bot's flows."""
        return self.run(chatbots.list_chat_flows(channel, bot_id))

    def iter_chats(self, channel: str, bot_id: str) -> Iterator[dict[str, Any]]:
        """A bot's chats, page by page."""
        from airflow_provider_sendpulse.client.pagination import iter_items

        yield from iter_items(
            self.get_conn(), lambda size, skip: chatbots.list_chats(channel, bot_id, size, skip)
        )

    def iter_chat_messages(
        self, channel: str, contact_id: str, order: str = "desc"
    ) -> Iterator[dict[str, Any]]:
        """A contact's messages, newest first by default."""
        from airflow_provider_sendpulse.client.pagination import iter_items

        yield from iter_items(
            self.get_conn(),
            lambda size, skip: chatbots.list_chat_messages(channel, contact_id, size, skip, order),
        )

    def set_chat_variables(self, channel: str, contact_id: str, variables: Mapping[str, Any]) -> None:
        """Set a contact's variables by name."""
        self.run(chatbots.set_chat_variables(channel, contact_id, variables))

    def set_chat_tags(self, channel: str, contact_id: str, tags: Sequence[str]) -> None:
        """Add tags to a contact."""
        self.run(chatbots.set_chat_tags(channel, contact_id, tags))

    def get_whatsapp_contact_by_phone(self, bot_id: str, phone: str) -> dict[str, Any]:
        """A WhatsApp bot's contact by phone number."""
        return self.run(chatbots.get_whatsapp_contact_by_phone(bot_id, phone))

    def send_whatsapp_by_phone(self, bot_id: str, phone: str, text: str) -> Any:
        """A WhatsApp text by phone number (only inside the contact's 24-hour window)."""
        _, message = chatbots.text_message("whatsapp", text)
        return self.run(chatbots.send_whatsapp_by_phone(bot_id, phone, message))

    def send_whatsapp_template_by_phone(
        self, bot_id: str, phone: str, name: str, language: str = "en", variables: Sequence[Any] = ()
    ) -> Any:
        """A WhatsApp template message by phone number, with body ``variables`` in order (never replayed)."""
        template = chatbots.whatsapp_template(name, language, variables)
        return self.run(chatbots.send_whatsapp_template_by_phone(bot_id, phone, template))

    def list_whatsapp_templates(self, bot_id: str) -> list[dict[str, Any]]:
        """A WhatsApp bot's templates with their status."""
        return self.run(chatbots.list_whatsapp_templates(bot_id))
