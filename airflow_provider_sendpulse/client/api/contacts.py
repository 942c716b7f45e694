"""Contacts (emails) in a mailing list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow_provider_sendpulse.client.api.call import MAX_PAGE_SIZE, Call
from airflow_provider_sendpulse.client.api.read import (
    as_list,
    checked_emails,
    first_item,
    nothing,
    page_params,
    path_segment,
)
from airflow_provider_sendpulse.client.errors import (
    SendPulseValidationError,
)
from airflow_provider_sendpulse.client.models import (
    Contact,
    DoubleOptIn,
)


def add_contacts(
    list_id: int, contacts: Sequence[Contact], double_opt_in: DoubleOptIn | None = None
) -> Call[None]:
    """``POST /addressbooks/{id}/emails``: add (or update) contacts with their variables.

    Adding is an upsert on the email, so this call is safe to replay.
    """
    if not contacts:
        raise ValueError("no contacts given")
    body: dict[str, Any] = {"emails": [c.to_dict() for c in contacts]}
    if double_opt_in is not None:
        body.update(double_opt_in.to_dict())
    return Call("POST", f"/addressbooks/{int(list_id)}/emails", None, body, nothing)


def remove_contacts(list_id: int, emails: Sequence[str]) -> Call[None]:
    """``DELETE /addressbooks/{id}/emails``: remove up to 100 emails from a list."""
    body = {"emails": checked_emails(emails)}
    return Call("DELETE", f"/addressbooks/{int(list_id)}/emails", None, body, nothing)


def unsubscribe_contacts(list_id: int, emails: Sequence[str]) -> Call[None]:
    """``POST /addressbooks/{id}/emails/unsubscribe``: unsubscribe up to 100 emails."""
    body = {"emails": checked_emails(emails)}
    # Replayed after a lost answer, SendPulse refuses with 422 "Active emails not found": done already.
    return Call(
        "POST",
        f"/addressbooks/{int(list_id)}/emails/unsubscribe",
        None,
        body,
        nothing,
        settled_by=(SendPulseValidationError,),
    )


def update_contact_variables(list_id: int, email: str, variables: Mapping[str, Any]) -> Call[None]:
    """``POST /addressbooks/{id}/emails/variable``: set variables of one contact."""
    if not variables:
        raise ValueError("no variables given")
    body = {
        "email": email,
        "variables": [
            {"name": str(name), "value": value if isinstance(value, str) else str(value)}
            for name, value in variables.items()
        ],
    }
    return Call("POST", f"/addressbooks/{int(list_id)}/emails/variable", None, body, nothing)


def list_contacts(
    list_id: int,
    limit: int = MAX_PAGE_SIZE,
    offset: int = 0,
    order: str | None = None,
    active: bool | None = None,
) -> Call[list[dict[str, Any]]]:
    """``GET /addressbooks/{id}/emails``: one page of a list's contacts.

    :param order: ``"asc"`` or ``"desc"`` (SendPulse's order of addition).
    :param active: True for active contacts only, False for inactive only, None for all.
    """
    params = page_params(limit, offset)
    if order is not None:
        if order not in ("asc", "desc"):
            raise ValueError("order must be 'asc' or 'desc'")
        params["order"] = order
    if active is True:
        params["active"] = True
    elif active is False:
        params["not_active"] = True
    return Call("GET", f"/addressbooks/{int(list_id)}/emails", params, None, as_list)


def get_contact(list_id: int, email: str) -> Call[dict[str, Any]]:
    """``GET /addressbooks/{id}/emails/{email}``: one contact of a list."""
    path = f"/addressbooks/{int(list_id)}/emails/{path_segment(email)}"
    return Call("GET", path, None, None, first_item(f"contact {email!r}"))
