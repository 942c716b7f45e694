"""``chatbot_incoming_message``: messages contacts write to a bot, on one channel or one bot.

SendPulse has no "messages since" call, but ``GET /chatbots/dialogs?order=desc`` lists every dialog by its
last activity (``updated_at``, a message in either direction). The cursor holds that activity time as a
position (epoch milliseconds) plus SHA-256 digests, never names or texts:

* ``dialogs``: dialogs (id and ``updated_at``) already handled at or after the position;
* ``messages``: ``"<second>:<digest>"`` of messages delivered in the position's second or later (message
  times have whole seconds, dialog times milliseconds).

A poll reads dialog pages, newest first, until a dialog is older than the position: when nothing changed
that is one request, however many dialogs the account has. Only a changed dialog of the watched channel or
bot whose last inbound message is newer than the position has its messages read (newest first, down
to the position's second); every inbound message newer than the position and not delivered before is an
event, oldest first. After a complete poll the position moves to the newest activity seen. When
``max_events`` cuts a poll short, the position stays and the digests record what was handled, so the next
poll goes on where this one stopped.

Starting "now" records the newest activity and the messages of that same second (read from the few dialogs
active in it; when more than ``BASELINE_READS`` are, that whole second counts as old).
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow_provider_sendpulse.client.codes import CHANNELS, DIRECTION_IN, SERVICES
from airflow_provider_sendpulse.client.limits import MAX_PAGE_SIZE
from airflow_provider_sendpulse.events.base import Cursor, Detection, EventSource, Poll
from airflow_provider_sendpulse.events.registry import register_event_source

if TYPE_CHECKING:
    from airflow_provider_sendpulse.client.api.call import Call

PAGE = MAX_PAGE_SIZE
BASELINE_READS = 10
"""Most dialogs whose messages a baseline reads to tell apart messages in the newest activity's second."""


@register_event_source
class ChatbotIncomingMessageSource(EventSource):
    """Inbound messages to the bots of ``channel`` and/or the bot ``bot_id``.

    Events carry ``channel``, ``bot_id``, ``contact_id``, ``contact_name``, ``message_id``, ``text`` (None
    for a non-text message), ``created_at`` (as SendPulse writes it) and the message's ``data``.
    """

    event_type = "chatbot_incoming_message"

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(params)
        channel = self.params.get("channel")
        bot_id = self.params.get("bot_id")
        if channel is None and bot_id is None:
            raise ValueError("chatbot_incoming_message needs parameter 'channel' and/or 'bot_id'")
        if channel is not None and channel not in CHANNELS:
            raise ValueError(f"parameter 'channel' must be one of {', '.join(CHANNELS)}, got {channel!r}")
        if bot_id is not None and (not isinstance(bot_id, str) or not bot_id.strip()):
            raise ValueError(f"parameter 'bot_id' must be a non-empty bot id string, got {bot_id!r}")
        self.channel: str | None = channel
        self.bot_id: str | None = bot_id.strip() if isinstance(bot_id, str) else None
        self.params = {k: v for k, v in (("channel", self.channel), ("bot_id", self.bot_id)) if v is not None}

    @property
    def resource(self) -> str:
        parts = [
            f"channel-{self.channel}" if self.channel else "",
            f"bot-{self.bot_id}" if self.bot_id else "",
        ]
        return ".".join(p for p in parts if p)

    def beginning(self) -> Cursor:
        return self.new_cursor(position=0, dialogs=[], messages=[], base=False)

    def baseline(self) -> Detection:
        from airflow_provider_sendpulse.client.api import chatbots

        answer: dict[str, Any] = yield chatbots.list_dialogs(PAGE, 0, "desc")
        items = _dialogs(answer)
        if not items:
            return Poll([], self.beginning(), baseline=True)
        position = max(epoch_ms(d.get("updated_at")) for d in items)
        skip = 0
        while len(items) - skip == PAGE and all(
            epoch_ms(d.get("updated_at")) == position for d in items[skip:]
        ):
            # A whole page shares the newest activity: read on until the ties end.
            skip = len(items)
            items += _dialogs((yield chatbots.list_dialogs(PAGE, skip, "desc")))
        at_position = [dialog_digest(d) for d in items if epoch_ms(d.get("updated_at")) == position]
        # Messages written in the position's second are not new: record the ones the watched dialogs hold
        # (few dialogs share one second), or, when too many do, treat that whole second as old.
        floor = position // 1000
        recent = [
            d for d in items if epoch_ms(_inbox(d).get("date")) // 1000 == floor and self._watched_channel(d)
        ]
        if len(recent) > BASELINE_READS:
            cursor = self.new_cursor(position=position, dialogs=at_position, messages=[], base=True)
            return Poll([], cursor, baseline=True)
        seen: dict[str, int] = {}
        for dialog in recent:
            channel = self._watched_channel(dialog) or ""
            page: list[dict[str, Any]] = yield chatbots.list_chat_messages(
                channel, _contact_id(dialog), PAGE, 0, "desc"
            )
            seen.update((message_digest(m), _created_second(m)) for m in page if _created_second(m) >= floor)
        cursor = self.new_cursor(
            position=position, dialogs=at_position, messages=_messages(seen, position), base=False
        )
        return Poll([], cursor, baseline=True)

    def detect(self, cursor: Cursor, max_events: int) -> Detection:
        position = int(cursor["position"])
        handled = set(cursor["dialogs"])
        delivered: dict[str, int] = {_digest_of(m): _second_of(m) for m in cursor["messages"]}
        base = bool(cursor.get("base"))
        changed, newest, at_newest = yield from self._changed_dialogs(position, handled)

        events: list[dict[str, Any]] = []
        done: list[str] = []
        cut = False
        for dialog in sorted(changed, key=lambda d: epoch_ms(d.get("updated_at"))):
            channel = self._watched_channel(dialog)
            if channel is None:
                continue
            inbox = _inbox(dialog)
            if not inbox or epoch_ms(inbox.get("date")) <= position:
                # Only outbound activity since the position: an inbound message at the position itself was
                # handled by the poll (or baseline) that moved the position there.
                done.append(dialog_digest(dialog))
                continue
            room = max_events - len(events)
            if room <= 0:
                cut = True
                break
            new = yield from self._new_messages(channel, dialog, position, delivered, base)
            for message in new[:room]:
                events.append(self._event(channel, dialog, message))
                delivered[message_digest(message)] = _created_second(message)
            if len(new) > room:
                cut = True
                break
            done.append(dialog_digest(dialog))

        events.sort(key=lambda e: (_created_second(e), str(e["message_id"])))
        if cut:
            next_cursor = self.new_cursor(
                position=position,
                dialogs=sorted(handled | set(done)),
                messages=_messages(delivered, position),
                base=base,
            )
        else:
            moved = newest > position
            next_cursor = self.new_cursor(
                position=newest,
                dialogs=sorted(at_newest if moved else handled | set(done)),
                messages=_messages(delivered, newest),
                base=base and not moved,
            )
        return Poll(events, next_cursor)

    def _changed_dialogs(
        self, position: int, handled: set[str]
    ) -> Generator[Call[Any], Any, tuple[list[dict[str, Any]], int, set[str]]]:
        """Dialogs active at or after ``position`` and not handled yet; the newest activity seen; the
        digests of every dialog at that newest activity."""
        from airflow_provider_sendpulse.client.api import chatbots

        changed: list[dict[str, Any]] = []
        newest = position
        at_newest: set[str] = set()
        skip = 0
        while True:
            answer: dict[str, Any] = yield chatbots.list_dialogs(PAGE, skip, "desc")
            items = _dialogs(answer)
            for dialog in items:
                updated = epoch_ms(dialog.get("updated_at"))
                if updated < position:
                    return changed, newest, at_newest
                if updated > newest:
                    newest, at_newest = updated, set()
                if updated == newest:
                    at_newest.add(dialog_digest(dialog))
                if dialog_digest(dialog) not in handled:
                    changed.append(dialog)
            if len(items) < PAGE:
                return changed, newest, at_newest
            skip += len(items)

    def _watched_channel(self, dialog: Mapping[str, Any]) -> str | None:
        """The dialog's channel when this source watches it, else None."""
        channel = SERVICES.get(dialog.get("service"))  # type: ignore[arg-type]
        if channel is None or (self.channel is not None and channel != self.channel):
            return None
        if self.bot_id is not None and str(dialog.get("bot_id")) != self.bot_id:
            return None
        return channel

    def _new_messages(
        self, channel: str, dialog: Mapping[str, Any], position: int, delivered: Mapping[str, int], base: bool
    ) -> Generator[Call[Any], Any, list[dict[str, Any]]]:
        """The dialog's inbound messages after ``position`` not delivered yet, oldest first."""
        from airflow_provider_sendpulse.client.api import chatbots

        floor = position // 1000
        contact_id = _contact_id(dialog)
        found: list[dict[str, Any]] = []
        skip = 0
        while True:
            page: list[dict[str, Any]] = yield chatbots.list_chat_messages(
                channel, contact_id, PAGE, skip, "desc"
            )
            older = False
            for message in page:
                second = _created_second(message)
                if second < floor or (second == floor and base):
                    older = True
                    continue
                if message.get("direction") == DIRECTION_IN and message_digest(message) not in delivered:
                    found.append(message)
            if older or len(page) < PAGE:
                break
            skip += len(page)
        found.sort(key=lambda m: (_created_second(m), str(m.get("id"))))
        return found

    def _event(self, channel: str, dialog: Mapping[str, Any], message: Mapping[str, Any]) -> dict[str, Any]:
        contact = dialog.get("contact")
        name = contact.get("full_name") if isinstance(contact, Mapping) else None
        data = message.get("data")
        return self.event(
            {},
            channel=channel,
            bot_id=str(dialog.get("bot_id")),
            contact_id=_contact_id(dialog),
            contact_name=name,
            message_id=str(message.get("id")),
            text=message_text(data),
            created_at=message.get("created_at"),
            data=data if isinstance(data, Mapping) else {},
        )


def message_text(data: object) -> str | None:
    """The text of a message's ``data`` (``{"text": "..."}`` or WhatsApp's ``{"text": {"body": "..."}}``)."""
    if not isinstance(data, Mapping):
        return None
    text = data.get("text")
    if isinstance(text, Mapping):
        text = text.get("body")
    return text if isinstance(text, str) else None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def dialog_digest(dialog: Mapping[str, Any]) -> str:
    """What the cursor keeps of a handled dialog: a digest of its contact id and last activity."""
    return _digest(f"{_contact_id(dialog)}|{epoch_ms(dialog.get('updated_at'))}")


def message_digest(message: Mapping[str, Any]) -> str:
    """What the cursor keeps of a delivered message: a digest of its id."""
    return _digest(str(message.get("id")))


def _contact_id(dialog: Mapping[str, Any]) -> str:
    contact = dialog.get("contact")
    found = contact.get("id") if isinstance(contact, Mapping) else None
    return str(found or dialog.get("_id"))


def _inbox(dialog: Mapping[str, Any]) -> Mapping[str, Any]:
    inbox = dialog.get("last_inbox_message")
    return inbox if isinstance(inbox, Mapping) else {}


def _dialogs(answer: Any) -> list[dict[str, Any]]:
    items = answer.get("list") if isinstance(answer, Mapping) else None
    return [d for d in items if isinstance(d, dict)] if isinstance(items, list) else []


def epoch_ms(value: object) -> int:
    """A SendPulse date (``2020-12-11T21:00:00.000Z`` or ``2020-12-11 21:00:00+00:00``) as epoch ms; 0 when
    absent or unreadable (an undated item counts as oldest)."""
    if not isinstance(value, str) or not value:
        return 0
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return 0
    if moment.tzinfo is None:
        return 0
    return int(moment.timestamp() * 1000)


def _created_second(item: Mapping[str, Any]) -> int:
    return epoch_ms(item.get("created_at")) // 1000


def _messages(delivered: Mapping[str, int], position: int) -> list[str]:
    floor = position // 1000
    return sorted(f"{second}:{digest}" for digest, second in delivered.items() if second >= floor)


def _digest_of(entry: str) -> str:
    return str(entry).partition(":")[2]


def _second_of(entry: str) -> int:
    return int(str(entry).partition(":")[0] or 0)
