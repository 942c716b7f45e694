"""Operators for SendPulse mailing lists (address books)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from airflow_provider_sendpulse.operators.base import SendPulseBaseOperator
from airflow_provider_sendpulse.operators.validation import (
    SendPulseInputError,
    check_choice,
    check_flag,
    check_positive_int,
    check_text,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

_IF_EXISTS = ("reuse", "fail")


class SendPulseCreateMailingListOperator(SendPulseBaseOperator):
    """Create a mailing list and return its id.

    SendPulse list names are unique per account. When a list with ``name`` already exists, its id is
    returned (``if_exists="reuse"``, the default, which also makes retries safe) or the task fails
    (``if_exists="fail"``).

    :param name: list name (templated).
    :param if_exists: ``"reuse"`` or ``"fail"``.
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    """

    template_fields: Sequence[str] = ("name",)

    def __init__(self, *, name: str, if_exists: Literal["reuse", "fail"] = "reuse", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.if_exists = check_choice(if_exists, "if_exists", _IF_EXISTS)

    def execute(self, context: Context) -> int:
        name = check_text(self.name, "name").strip()
        list_id, created = self.hook.create_or_find_mailing_list(name)
        if created:
            self.log.info("Created mailing list %r with id %s", name, list_id)
        elif self.if_exists == "fail":
            raise SendPulseInputError(f"name: a mailing list named {name!r} already exists (id {list_id}).")
        else:
            self.log.info("Mailing list %r already exists with id %s; reusing it", name, list_id)
        return list_id


class SendPulseDeleteMailingListOperator(SendPulseBaseOperator):
    """Delete a mailing list.

    :param list_id: id of the list (templated).
    :param missing_ok: succeed when the list does not exist (e.g. a retry after the delete went through).
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    """

    template_fields: Sequence[str] = ("list_id",)

    def __init__(self, *, list_id: int | str, missing_ok: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.list_id = list_id
        self.missing_ok = check_flag(missing_ok, "missing_ok")

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_sendpulse.client.errors import SendPulseNotFoundError

        list_id = check_positive_int(self.list_id, "list_id")
        try:
            self.hook.delete_mailing_list(list_id)
        except SendPulseNotFoundError:
            if not self.missing_ok:
                raise
            self.log.warning("Mailing list %s does not exist; nothing to delete", list_id)
            return {"list_id": list_id, "deleted": False}
        self.log.info("Deleted mailing list %s", list_id)
        return {"list_id": list_id, "deleted": True}


class SendPulseListMailingListsOperator(SendPulseBaseOperator):
    """Return the account's mailing lists (id, name and counters), optionally only those whose name matches.

    :param name_contains: keep only lists whose name contains this text, case-insensitive (templated).
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    """

    template_fields: Sequence[str] = ("name_contains",)

    def __init__(self, *, name_contains: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name_contains = name_contains

    def execute(self, context: Context) -> list[dict[str, Any]]:
        needle = (self.name_contains or "").lower()
        lists = [
            dict(item)
            for item in self.hook.iter_mailing_lists()
            if needle in str(item.get("name", "")).lower()
        ]
        self.log.info("Found %d mailing list(s)", len(lists))
        return lists
