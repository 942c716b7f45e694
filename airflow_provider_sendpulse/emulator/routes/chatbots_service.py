"""The channel-independent chatbot API under `/chatbots`: bots of every channel and the dialogs list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from ..chatbot_views import bot_json, dialog_json
from ..params import query_args
from .chatbots_common import MAX_PAGE, int_arg, locked_bots, ok, order_arg

router = APIRouter(prefix="/chatbots")


@router.get("/bots")
async def bots(request: Request) -> dict[str, Any]:
    """Every connected bot, of every channel."""
    with locked_bots(request) as state:
        return ok([bot_json(b, state) for b in state.bots.values()])


@router.get("/dialogs")
async def dialogs(request: Request) -> dict[str, Any]:
    """Dialogs of every channel by last activity (a message in either direction), newest first by default.

    `search_after` takes the `last_inbox_message.id` of the dialog to continue after; `size` (≤ 100) and
    `skip` page.
    """
    args = query_args(request)
    descending = order_arg(args, "desc")
    size = int_arg(args, "size", 20, 1, MAX_PAGE)
    skip = int_arg(args, "skip", 0, 0, 10**9)
    after = args.get("search_after")
    with locked_bots(request) as state:
        ordered = state.dialogs(descending)
        total = len(state.activity)
        if after:
            for contact in ordered:
                if contact.last_inbound is not None and contact.last_inbound.id == after:
                    break
        listed: list[dict[str, Any]] = []
        for n, contact in enumerate(ordered):
            if n < skip:
                continue
            if len(listed) >= size:
                break
            listed.append(dialog_json(contact, state.bots[contact.bot_id]))
        data: dict[str, Any] = {
            "list": listed,
            "sort": {"updated_at": "desc" if descending else "asc"},
            "total": total,
            "size": size,
            "order": "desc" if descending else "asc",
        }
        last = listed[-1].get("last_inbox_message") if listed else None
        if last:
            data["search_after"] = last["id"]
        return ok(data)
