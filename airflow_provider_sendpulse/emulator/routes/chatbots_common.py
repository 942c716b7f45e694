"""Helpers shared by the chatbot route modules: the locked state and argument checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.requests import Request

from ..chatbots import ChatbotState, bot_invalid
from .common import emulator_of

#: Most items one page of dialogs, chats or messages holds (SendPulse documents no cap; a guess).
MAX_PAGE = 100


@contextmanager
def locked_bots(request: Request) -> Iterator[ChatbotState]:
    """The chatbots of the account this request reaches, with the emulator's state lock held."""
    state = emulator_of(request).state
    with state.lock:
        yield state.chatbots


def ok(data: Any) -> dict[str, Any]:
    """The chatbot API's success envelope."""
    return {"success": True, "data": data}


def text_arg(args: dict[str, Any], name: str, required: bool = True) -> str | None:
    """A non-empty string argument."""
    value = args.get(name)
    if value is None or value == "":
        if required:
            raise bot_invalid(name, "is required")
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise bot_invalid(name, "must be a string")
    return str(value)


def int_arg(args: dict[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    """An integer argument within [lo, hi]."""
    value = args.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise bot_invalid(name, "must be an integer") from None
    if isinstance(value, bool) or not lo <= number <= hi:
        raise bot_invalid(name, f"must be between {lo} and {hi}")
    return number


def order_arg(args: dict[str, Any], default: str) -> bool:
    """Whether `order` asks for newest first (`desc`)."""
    order = args.get("order", default)
    if order not in ("asc", "desc"):
        raise bot_invalid("order", "must be asc or desc")
    return bool(order == "desc")


def page(items: list[Any], args: dict[str, Any], default_size: int = 20) -> list[Any]:
    """One `size`/`skip` page of `items`."""
    size = int_arg(args, "size", default_size, 1, MAX_PAGE)
    skip = int_arg(args, "skip", 0, 0, 10**9)
    return items[skip : skip + size]
