"""The hook's chatbot methods: bots, dialogs, contacts, messages, flows, chats and WhatsApp templates.

Mixed into :class:`~airflow_provider_sendpulse.hooks.sendpulse.SendPulseHook`; every method is one
:mod:`~airflow_provider_sendpulse.client.api` call (or a walk over pages). The async side is the same calls
sent by :class:`~airflow_provider_sendpulse.client.AsyncSendPulseClient` (``await client.run(call)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_sendpulse.client.api import Call, chatbots
from airflow_provider_sendpulse.client.errors import SendPulseNotFoundError
from airflow_provider_sendpulse.events.chatbots import epoch_ms
from airflow_provider_sendpulse.hooks.chatbot_sends import Ledger, Recipient, send_each
from airflow_provider_sendpulse.hooks.create_once import Attempt

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

    # many recipients, once per task instance (see hooks/chatbot_sends.py) ----------------------------

    def send_chat_messages(
        self, attempt: Attempt, channel: str, recipients: Iterable[Recipient], message: Any = None
    ) -> list[dict[str, Any]]:
        """Send each recipient (a contact id) its ``payload`` text, or ``message`` in the channel's shape;
        one outcome per recipient; a retry does not send again to a recipient already reached."""

        def send(recipient: Recipient) -> Any:
            if recipient.payload is not None:
                return self.send_chat_message(channel, recipient.who, text=recipient.payload)
            return self.send_chat_message(channel, recipient.who, message=message)

        return send_each(
            recipients, send, Ledger(attempt, f"sendpulse_chat_message.{channel}"), channel=channel
        )

    def run_chat_flows(
        self, attempt: Attempt, channel: str, flow_id: str, recipients: Iterable[Recipient]
    ) -> list[dict[str, Any]]:
        """Start a flow for each recipient (a contact id) with its ``payload`` as external data; one outcome
        per recipient; a retry does not start it again for a recipient already started."""

        def start(recipient: Recipient) -> None:
            self.run_chat_flow(channel, recipient.who, flow_id, recipient.payload)

        ledger = Ledger(attempt, f"sendpulse_chat_flow.{channel}.{flow_id}")
        return send_each(recipients, start, ledger, channel=channel)

    def send_whatsapp_templates_once(
        self, attempt: Attempt, bot_id: str, name: str, language: str, recipients: Iterable[Recipient]
    ) -> list[dict[str, Any]]:
        """Send the template ``name`` to each recipient (a phone) with its ``payload`` as body variables;
        never twice to one recipient in this task instance, even when an earlier try's answer was lost:
        such a recipient's conversation is searched for this template sent since the DAG run started."""

        def send(recipient: Recipient) -> Any:
            return self.send_whatsapp_template_by_phone(
                bot_id, recipient.who, name, language, recipient.payload
            )

        def find(recipient: Recipient) -> bool:
            return self.whatsapp_template_sent(bot_id, recipient.who, name, attempt.run_started)

        ledger = Ledger(attempt, f"sendpulse_whatsapp_template.{bot_id}.{name}")
        return send_each(recipients, send, ledger, channel="whatsapp", find=find)

    def whatsapp_template_sent(self, bot_id: str, phone: str, name: str, since: datetime | None) -> bool:
        """Whether the bot's conversation with ``phone`` holds the template ``name`` sent at or after
        ``since`` (among its newest messages)."""
        try:
            contact = self.get_whatsapp_contact_by_phone(bot_id, phone)
        except SendPulseNotFoundError:
            return False
        messages = self.run(chatbots.list_chat_messages("whatsapp", str(contact.get("id")), 50, 0, "desc"))
        floor = since.timestamp() if since is not None else None
        for message in messages:
            data = message.get("data")
            template = data.get("template") if isinstance(data, Mapping) else None
            if (
                message.get("direction") == 2
                and isinstance(template, Mapping)
                and template.get("name") == name
            ):
                created = epoch_ms(message.get("created_at")) / 1000
                if floor is None or not created or created >= floor - 1:
                    return True
        return False
