"""Transactional email (SMTP service): send a message, read the delivery log, bounces and unsubscribes."""

from __future__ import annotations

import base64
import html as html_lib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any

from airflow_provider_sendpulse.client.api.call import Call
from airflow_provider_sendpulse.client.api.read import as_dict, as_list, base64_html, page_params
from airflow_provider_sendpulse.client.errors import SendPulseError

MAX_RECIPIENTS = 100
"""Addresses (to, cc and bcc together) one message may have; SendPulse answers "Too many recipients"."""


@dataclass(frozen=True)
class Address:
    """A mailbox: an email address and an optional display name."""

    email: str
    name: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email} if self.name else {"email": self.email}


@dataclass(frozen=True)
class EmailMessage:
    """One transactional email: HTML and/or text, or a SendPulse template with variables.

    SendPulse takes either a body (HTML, base64, *and* text) or a template; a body given only as HTML
    gets its text version from the HTML, one given only as text gets an HTML version of the text.
    ``attachments`` map file names to their content (bytes, or text sent as UTF-8).
    """

    sender: Address
    to: Sequence[Address]
    subject: str
    html: str | None = None
    text: str | None = None
    template_id: int | str | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    cc: Sequence[Address] = ()
    bcc: Sequence[Address] = ()
    reply_to: Address | None = None
    attachments: Mapping[str, bytes | str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.to:
            raise ValueError("an email needs at least one recipient in 'to'")
        if len(self.to) + len(self.cc) + len(self.bcc) > MAX_RECIPIENTS:
            raise ValueError(f"at most {MAX_RECIPIENTS} recipients (to, cc and bcc together)")
        has_body = bool(self.html) or bool(self.text)
        if has_body == (self.template_id is not None):
            raise ValueError("give a body (html and/or text) or a template_id, not both and not neither")
        if not self.subject or not self.subject.strip():
            raise ValueError("an email needs a subject")

    @property
    def recipients(self) -> int:
        return len(self.to) + len(self.cc) + len(self.bcc)

    def to_dict(self) -> dict[str, Any]:
        """The ``email`` object of ``POST /smtp/emails``."""
        email: dict[str, Any] = {
            "subject": self.subject,
            "from": {"name": self.sender.name, "email": self.sender.email},
            "to": [a.to_dict() for a in self.to],
        }
        if self.template_id is not None:
            email["template"] = {"id": self.template_id, "variables": dict(self.variables)}
        else:
            html = self.html or _html_of(self.text or "")
            email["html"] = base64_html(html)
            email["text"] = self.text if self.text is not None else text_of(html)
        if self.cc:
            email["cc"] = [a.to_dict() for a in self.cc]
        if self.bcc:
            email["bcc"] = [a.to_dict() for a in self.bcc]
        if self.reply_to is not None:
            email["reply_to"] = self.reply_to.to_dict()
        if self.attachments:
            email["attachments_binary"] = {
                name: base64.b64encode(content if isinstance(content, bytes) else content.encode()).decode()
                for name, content in self.attachments.items()
            }
        return email


class _TextOf(HTMLParser):
    _SKIP = ("script", "style", "head", "title")
    _BREAK = ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def text_of(html: str) -> str:
    """A plain-text version of an HTML body: tags dropped, line breaks kept."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parser.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _html_of(text: str) -> str:
    return "<html><body>" + html_lib.escape(text).replace("\n", "<br>\n") + "</body></html>"


@dataclass(frozen=True)
class SentEmail:
    """SendPulse's answer to a send: the message id."""

    id: str

    @classmethod
    def from_api(cls, body: Any) -> SentEmail:
        message_id = as_dict(body).get("id")
        if not isinstance(message_id, str | int) or isinstance(message_id, bool) or message_id == "":
            raise SendPulseError("SMTP send answer has no message id")
        return cls(str(message_id))


def send_email(message: EmailMessage) -> Call[SentEmail]:
    """``POST /smtp/emails``: send one message; answers its id. Never replayed after a lost answer."""
    return Call(
        "POST", "/smtp/emails", None, {"email": message.to_dict()}, SentEmail.from_api, is_create=True
    )


def _day(value: date, name: str) -> str:
    if not isinstance(value, date):
        raise ValueError(f"{name} must be a date")
    return value.isoformat()[:10]


def list_smtp_emails(
    day_from: date,
    day_to: date,
    limit: int,
    offset: int,
    *,
    sender: str | None = None,
    recipient: str | None = None,
) -> Call[list[dict[str, Any]]]:
    """``GET /smtp/emails``: one page of the delivery log (one record per recipient) for whole days
    ``day_from`` .. ``day_to`` (account dates; SendPulse filters by day only)."""
    params: dict[str, Any] = {"from": _day(day_from, "day_from"), "to": _day(day_to, "day_to")}
    params.update(page_params(limit, offset))
    if sender:
        params["sender"] = sender
    if recipient:
        params["recipient"] = recipient
    return Call("GET", "/smtp/emails", params, None, as_list)


def smtp_bounces(day: date, limit: int, offset: int) -> Call[list[dict[str, Any]]]:
    """``GET /smtp/bounces/day``: one page of one day's bounced recipients."""
    params: dict[str, Any] = {"date": _day(day, "day"), **page_params(limit, offset)}
    return Call("GET", "/smtp/bounces/day", params, None, _bounced_emails)


def _bounced_emails(body: Any) -> list[dict[str, Any]]:
    emails = as_dict(body).get("emails")
    return [dict(e) for e in emails if isinstance(e, Mapping)] if isinstance(emails, list) else []


def smtp_unsubscribes(day: date, limit: int, offset: int) -> Call[list[dict[str, Any]]]:
    """``GET /smtp/unsubscribe``: one page of the addresses unsubscribed from SMTP email on ``day``."""
    params: dict[str, Any] = {"date": _day(day, "day"), **page_params(limit, offset)}
    return Call("GET", "/smtp/unsubscribe", params, None, as_list)
