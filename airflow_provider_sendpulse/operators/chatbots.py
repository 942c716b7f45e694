"""Operators for SendPulse chatbots: messages and flows to contacts on any channel, WhatsApp templates.

Recipients come from a list, an XCom or a CSV / JSON-lines file (``operators/sources.py``); every recipient
gets an outcome, a refused one never stops the others, and a task retry does not send again to a recipient
already reached (``hooks/chatbot_sends.py``). When some recipients were not reached the task fails after
trying all of them, naming each and why (``fail_on_error=False`` returns the outcomes instead).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_sendpulse.operators.base import SendPulseBaseOperator
from airflow_provider_sendpulse.operators.validation import (
    SendPulseInputError,
    check_flag,
    check_text,
    normalise_phone,
    rendered_list,
    rendered_value,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_sendpulse.hooks.chatbot_sends import Recipient

CONTACT_ID = "contact_id"
PHONE = "phone"
MAX_LISTED_FAILURES = 10


def _id_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        return "must be a non-empty contact id"
    return None


def _phone_problem(value: object) -> str | None:
    return normalise_phone(value)[1]


class _RecipientsOperator(SendPulseBaseOperator):
    """Recipients from ``recipients`` (list or XCom of ids or objects) or ``path`` (CSV / JSON lines)."""

    key = CONTACT_ID

    def __init__(
        self,
        *,
        recipients: Any = None,
        path: str | None = None,
        file_format: str | None = None,
        column_mapping: Mapping[str, str] | None = None,
        storage_conn_id: str | None = None,
        fail_on_error: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.recipients = recipients
        self.path = path
        self.file_format = file_format
        self.column_mapping = column_mapping
        self.storage_conn_id = storage_conn_id
        self.fail_on_error = check_flag(fail_on_error, "fail_on_error")

    def payload(self, who: str, values: dict[str, Any]) -> Any:
        """What the recipient gets besides the common part (its row's other columns)."""
        return values or None

    def read_recipients(self) -> Iterator[Recipient]:
        """Every recipient, after a first pass that refuses the whole input when a row is unusable."""
        from airflow_provider_sendpulse.hooks.chatbot_sends import Recipient
        from airflow_provider_sendpulse.operators.sources import ContactSource

        items = rendered_list(self.recipients) if self.recipients is not None else None
        source = ContactSource(
            contacts=items,
            path=self.path or None,
            file_format=self.file_format,
            column_mapping=self.column_mapping,
            storage_conn_id=self.storage_conn_id,
            key=self.key,
            key_problem=_phone_problem if self.key == PHONE else _id_problem,
        )
        problems = [f"{row.position} {row.problem}" for row in source.rows() if row.problem]
        if problems:
            shown = "; ".join(problems[:MAX_LISTED_FAILURES])
            more = (
                f" (and {len(problems) - MAX_LISTED_FAILURES} more)"
                if len(problems) > MAX_LISTED_FAILURES
                else ""
            )
            where = source.describe()
            raise SendPulseInputError(
                f"recipients: {len(problems)} unusable row(s) in {where}, nothing sent: {shown}{more}."
            )
        for row in source.rows():
            if row.email is None:
                continue  # a blank line
            who = str(row.email).strip()
            if self.key == PHONE:
                who = normalise_phone(who)[0] or who
            yield Recipient(who, row.position, self.payload(who, dict(row.variables)))

    def name_of(self, outcome: Mapping[str, Any]) -> str:
        """How an error names a recipient: a contact id as such, a phone (personal data) by its row only."""
        if self.key == PHONE:
            return f"recipient at {outcome['position']}"
        return f"{self.key} {outcome['recipient']!r} ({outcome['position']})"

    def finish(
        self, context: Context, what: str, outcomes: list[dict[str, Any]], **fields: Any
    ) -> dict[str, Any]:
        """Log the counts, push the outcomes, and fail when recipients were not reached."""
        from airflow_provider_sendpulse.hooks.chatbot_sends import summarise

        counts = summarise(outcomes)
        self.log.info(
            "%s: %d sent, %d already sent by an earlier try, %d failed, of %d recipient(s)",
            what,
            counts["sent"],
            counts["already_sent"],
            counts["failed"],
            len(outcomes),
        )
        summary = {**fields, "recipients": len(outcomes), **counts, "outcomes": outcomes}
        failed = [o for o in outcomes if o["status"] == "failed"]
        if failed and self.fail_on_error:
            context["ti"].xcom_push(key="outcomes", value=outcomes)
            listed = "; ".join(f"{self.name_of(o)}: {o['error']}" for o in failed[:MAX_LISTED_FAILURES])
            more = (
                f"; and {len(failed) - MAX_LISTED_FAILURES} more" if len(failed) > MAX_LISTED_FAILURES else ""
            )
            message = f"{what}: {len(failed)} of {len(outcomes)} recipient(s) not reached: {listed}{more}"
            if any(o.get("retryable") for o in failed):
                # A retry sends only to the recipients not reached yet.
                raise RuntimeError(message + ". A retry sends only to the recipients not reached yet.")
            raise SendPulseInputError(message + ".")
        return summary


class SendPulseChatbotMessageOperator(_RecipientsOperator):
    """Send a text (or a structured message in the channel's own shape) to chatbot contacts on any channel.

    Recipients are contact ids: ``recipients`` as a list of ids, or of objects with ``contact_id`` (and
    optionally ``text``, that contact's own text), from a list or an XCom; or ``path``, a CSV / JSON-lines
    file with the same columns (``column_mapping`` renames yours). Each recipient gets an outcome. WhatsApp
    accepts a free-form message only within 24 hours of the contact's last message: a contact outside that
    window is refused with an error naming it (send a template with
    :class:`SendPulseWhatsAppTemplateOperator` instead); nothing is lost silently.

    Retry safety: each recipient's send is recorded in the task state store (Airflow 3.3+), so a retry
    sends only to the recipients not reached yet; a recipient whose send may have gone through unrecorded
    is reported, not sent twice.

    :param channel: ``telegram``, ``whatsapp``, ``messenger``, ``instagram``, ``viber``, ``livechat`` or
        ``tiktok`` (templated).
    :param text: the message text (templated); or
    :param message: a message in the channel's shape, e.g. Telegram ``{"type": "photo", "photo": url}``
        (a list for channels that take several, such as Instagram) (templated).
    :param recipients: contact ids or objects with ``contact_id`` (templated; an XCom works).
    :param path: a CSV or JSON-lines file of recipients instead (local path or object storage URL)
        (templated).
    :param file_format: ``csv`` or ``jsonl`` when the file name does not say.
    :param column_mapping: source column -> ``contact_id`` or ``text``.
    :param storage_conn_id: connection for an object-storage ``path``.
    :param fail_on_error: fail the task when recipients were not reached (after trying every one).
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"channel", "recipients", "sent", "already_sent", "failed", "outcomes"}``.
    """

    template_fields: Sequence[str] = ("channel", "text", "message", "recipients", "path")

    def __init__(
        self,
        *,
        channel: str,
        text: str | None = None,
        message: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.channel = channel
        self.text = text
        self.message = message

    def payload(self, who: str, values: dict[str, Any]) -> Any:
        own = values.get("text")
        return str(own) if own not in (None, "") else self._text

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_sendpulse.hooks.create_once import Attempt

        channel = _channel(self.channel)
        has_text = self.text not in (None, "")
        has_message = self.message not in (None, "", [], {})
        if has_text == has_message:
            raise SendPulseInputError("text/message: give exactly one of text and message.")
        self._text = check_text(self.text, "text") if has_text else None
        message = rendered_value(self.message) if has_message else None
        if has_message and not isinstance(message, dict | list):
            raise SendPulseInputError(
                "message: expected an object (or a list) in the channel's message shape."
            )
        outcomes = self.hook.send_chat_messages(
            Attempt.from_context(context), channel, self.read_recipients(), message
        )
        return self.finish(context, f"{channel} message", outcomes, channel=channel)


class SendPulseRunChatbotFlowOperator(_RecipientsOperator):
    """Start a chatbot flow for contacts on any channel, with external data per contact.

    Recipients as for :class:`SendPulseChatbotMessageOperator`; every other column of a recipient's row is
    external data for the flow (over ``external_data``, which all recipients share). Each recipient gets an
    outcome; a retry does not start the flow again for a recipient already started (task state store).

    :param channel: the bot's channel (templated).
    :param flow_id: the flow to start (templated).
    :param external_data: data every start gets, e.g. ``{"campaign": "spring"}`` (templated).
    :param recipients: contact ids or objects with ``contact_id`` and data (templated; an XCom works).
    :param path: a CSV or JSON-lines file of recipients instead (templated).
    :param file_format: ``csv`` or ``jsonl`` when the file name does not say.
    :param column_mapping: source column -> ``contact_id`` or a data name.
    :param storage_conn_id: connection for an object-storage ``path``.
    :param fail_on_error: fail the task when flows did not start (after trying every recipient).
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"channel", "flow_id", "recipients", "sent", "already_sent", "failed", "outcomes"}``.
    """

    template_fields: Sequence[str] = ("channel", "flow_id", "external_data", "recipients", "path")

    def __init__(
        self,
        *,
        channel: str,
        flow_id: str,
        external_data: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.channel = channel
        self.flow_id = flow_id
        self.external_data = external_data

    def payload(self, who: str, values: dict[str, Any]) -> Any:
        return {**self._shared, **values} or None

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_sendpulse.hooks.create_once import Attempt

        channel = _channel(self.channel)
        flow_id = check_text(self.flow_id, "flow_id").strip()
        shared = rendered_value(self.external_data) if self.external_data else {}
        if not isinstance(shared, Mapping):
            raise SendPulseInputError('external_data: expected a mapping such as {"order": "A-1"}.')
        self._shared = dict(shared)
        attempt = Attempt.from_context(context)
        outcomes = self.hook.run_chat_flows(attempt, channel, flow_id, self.read_recipients())
        return self.finish(context, f"{channel} flow {flow_id}", outcomes, channel=channel, flow_id=flow_id)


class SendPulseWhatsAppTemplateOperator(_RecipientsOperator):
    """Send an approved WhatsApp template by phone number, with variables, to many recipients.

    Recipients are phones in international format (``+``, spaces and dashes are removed): ``recipients`` as
    a list of phones, or of objects with ``phone`` and the template's body variables as further columns
    (in order, or chosen and ordered by ``variable_columns``); or ``path``, a CSV / JSON-lines file with the
    same columns. ``variables`` gives values every recipient shares (used when a row has none). A number the
    bot has not talked to yet becomes a contact.

    Never twice to the same recipient on a task retry: each recipient is recorded in the task state store
    (Airflow 3.3+) before and after its send; a recipient whose send may have gone through unrecorded (the
    try died, the answer was lost), and every recipient on a retry without a state store, is looked up in
    its conversation (this template sent since the DAG run started) before anything is sent again.

    :param bot_id: the WhatsApp bot (templated).
    :param template_name: the template's name (templated).
    :param language: the template's language code, e.g. ``en`` (templated).
    :param variables: body variables every recipient shares, in order (templated).
    :param variable_columns: the row columns holding each recipient's body variables, in order.
    :param recipients: phones, or objects with ``phone`` and variables (templated; an XCom works).
    :param path: a CSV or JSON-lines file of recipients instead (templated).
    :param file_format: ``csv`` or ``jsonl`` when the file name does not say.
    :param column_mapping: source column -> ``phone`` or a variable name.
    :param storage_conn_id: connection for an object-storage ``path``.
    :param fail_on_error: fail the task when recipients were not reached (after trying every one).
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: ``{"bot_id", "template", "recipients", "sent", "already_sent", "failed", "outcomes"}``.
    """

    key = PHONE
    template_fields: Sequence[str] = (
        "bot_id",
        "template_name",
        "language",
        "variables",
        "recipients",
        "path",
    )

    def __init__(
        self,
        *,
        bot_id: str,
        template_name: str,
        language: str = "en",
        variables: Sequence[Any] | None = None,
        variable_columns: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.bot_id = bot_id
        self.template_name = template_name
        self.language = language
        self.variables = variables
        self.variable_columns = list(variable_columns) if variable_columns is not None else None

    def payload(self, who: str, values: dict[str, Any]) -> Any:
        if self.variable_columns is not None:
            missing = [c for c in self.variable_columns if values.get(c) in (None, "")]
            if missing:
                raise SendPulseInputError(f"recipients: a row has no value for {', '.join(missing)}.")
            return [str(values[c]) for c in self.variable_columns]
        own = [str(v) for v in values.values()]
        return own or self._shared

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_sendpulse.hooks.create_once import Attempt

        bot_id = check_text(self.bot_id, "bot_id").strip()
        name = check_text(self.template_name, "template_name").strip()
        language = check_text(self.language, "language").strip()
        shared = rendered_list(self.variables) if self.variables not in (None, "") else []
        if isinstance(shared, str | bytes) or not isinstance(shared, Sequence):
            raise SendPulseInputError('variables: expected a list of values such as ["Ann", "A-1"].')
        self._shared = [str(v) for v in shared]
        recipients = list(self.read_recipients())  # every row checked before the first send
        outcomes = self.hook.send_whatsapp_templates_once(
            Attempt.from_context(context), bot_id, name, language, recipients
        )
        return self.finish(context, f"WhatsApp template {name}", outcomes, bot_id=bot_id, template=name)


def _channel(value: object) -> str:
    from airflow_provider_sendpulse.client.api.chatbots import CHANNELS

    channel = value.strip().lower() if isinstance(value, str) else ""
    if channel not in CHANNELS:
        raise SendPulseInputError(
            f"channel: {value!r} is not a chatbot channel; use one of {', '.join(CHANNELS)}."
        )
    return channel
