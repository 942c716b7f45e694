"""Mailing lists (address books)."""

from __future__ import annotations

from typing import Any

from airflow_provider_sendpulse.client.api.call import MAX_PAGE_SIZE, Call
from airflow_provider_sendpulse.client.api.read import (
    as_list,
    first_item,
    int_field,
    nothing,
    page_params,
)
from airflow_provider_sendpulse.client.errors import (
    SendPulseNotFoundError,
)


def create_mailing_list(name: str) -> Call[int]:
    """``POST /addressbooks``: create a mailing list; answers its id.

    Marked as a create: names are unique, so a blind replay would fail with "name in use";
    after an ambiguous failure look the list up by name instead.
    """
    if not name or not name.strip():
        raise ValueError("mailing list name must not be empty")
    return Call("POST", "/addressbooks", None, {"bookName": name}, int_field("id"), is_create=True)


def get_mailing_list(list_id: int) -> Call[dict[str, Any]]:
    """``GET /addressbooks/{id}``: one mailing list (SendPulse wraps it in a one-item array)."""
    return Call("GET", f"/addressbooks/{int(list_id)}", None, None, first_item(f"mailing list {list_id}"))


def list_mailing_lists(limit: int = MAX_PAGE_SIZE, offset: int = 0) -> Call[list[dict[str, Any]]]:
    """``GET /addressbooks``: one page of mailing lists."""
    return Call("GET", "/addressbooks", page_params(limit, offset), None, as_list)


def rename_mailing_list(list_id: int, name: str) -> Call[None]:
    """``PUT /addressbooks/{id}``: rename a mailing list."""
    if not name or not name.strip():
        raise ValueError("mailing list name must not be empty")
    return Call("PUT", f"/addressbooks/{int(list_id)}", None, {"name": name}, nothing)


def delete_mailing_list(list_id: int) -> Call[None]:
    """``DELETE /addressbooks/{id}``: delete a mailing list and its contacts."""
    return Call(
        "DELETE", f"/addressbooks/{int(list_id)}", None, None, nothing, settled_by=(SendPulseNotFoundError,)
    )


def list_variables(list_id: int) -> Call[list[dict[str, Any]]]:
    """``GET /addressbooks/{id}/variables``: the list's variables (``name``, ``type``)."""
    return Call("GET", f"/addressbooks/{int(list_id)}/variables", None, None, as_list)


def count_contacts(list_id: int) -> Call[int]:
    """``GET /addressbooks/{id}/emails/total``: how many contacts the list holds."""
    return Call("GET", f"/addressbooks/{int(list_id)}/emails/total", None, None, int_field("total"))


def list_mailing_list_campaigns(
    list_id: int, limit: int = MAX_PAGE_SIZE, offset: int = 0
) -> Call[list[dict[str, Any]]]:
    """``GET /addressbooks/{id}/campaigns``: one page of campaigns sent to a list."""
    return Call("GET", f"/addressbooks/{int(list_id)}/campaigns", page_params(limit, offset), None, as_list)
