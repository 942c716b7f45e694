"""Email campaigns, senders and templates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_provider_sendpulse.client.api.call import MAX_PAGE_SIZE, Call
from airflow_provider_sendpulse.client.api.read import (
    as_dict,
    as_list,
    base64_html,
    first_item,
    int_field,
    nothing,
    page_params,
    path_segment,
)
from airflow_provider_sendpulse.client.models import (
    CampaignSpec,
    as_moment,
)


def create_campaign(spec: CampaignSpec) -> Call[dict[str, Any]]:
    """``POST /campaigns``: create (send or schedule) an email campaign; answers ``id``, ``status``..."""
    return Call("POST", "/campaigns", None, spec.to_dict(), as_dict, is_create=True)


def get_campaign(campaign_id: int) -> Call[dict[str, Any]]:
    """``GET /campaigns/{id}``: a campaign with its status and statistics."""
    return Call("GET", f"/campaigns/{int(campaign_id)}", None, None, first_item(f"campaign {campaign_id}"))


def list_campaigns(
    limit: int = MAX_PAGE_SIZE,
    offset: int = 0,
    order: str | None = "desc",
    status: Sequence[int] | None = None,
) -> Call[list[dict[str, Any]]]:
    """``GET /campaigns``: one page of campaigns, newest first by default."""
    params = page_params(limit, offset)
    if order is not None:
        params["order"] = order
    if status:
        params["status"] = [int(s) for s in status]
    return Call("GET", "/campaigns", params, None, as_list)


EDITABLE_CAMPAIGN_FIELDS = ("name", "subject", "sender_name", "sender_email", "template_id", "send_date")
"""What ``PATCH /campaigns/{id}`` changes (vendor spec and docs); SendPulse ignores anything else."""


def edit_campaign(campaign_id: int, **changes: Any) -> Call[None]:
    """``PATCH /campaigns/{id}``: change a scheduled campaign.

    Only :data:`EDITABLE_CAMPAIGN_FIELDS` can be changed: SendPulse silently ignores other fields (such
    as the HTML body), so an edit would report success and change nothing; they are refused here.
    ``send_date`` is a datetime (naive = account time) or a date string.
    """
    unknown = sorted(set(changes) - set(EDITABLE_CAMPAIGN_FIELDS))
    if unknown:
        raise ValueError(
            f"cannot edit campaign field {unknown[0]!r}: SendPulse edits only "
            f"{', '.join(EDITABLE_CAMPAIGN_FIELDS)} (create a new campaign to change the content)"
        )
    body: dict[str, Any] = {k: v for k, v in changes.items() if v is not None}
    if "send_date" in body:
        body["send_date"] = as_moment(body["send_date"], "send_date")
    if not body:
        raise ValueError("nothing to change")
    return Call("PATCH", f"/campaigns/{int(campaign_id)}", None, body, nothing)


def cancel_campaign(campaign_id: int) -> Call[None]:
    """``DELETE /campaigns/{id}``: cancel a scheduled campaign."""
    return Call("DELETE", f"/campaigns/{int(campaign_id)}", None, None, nothing)


def campaign_countries(campaign_id: int) -> Call[dict[str, Any]]:
    """``GET /campaigns/{id}/countries``: opens per country code."""
    return Call("GET", f"/campaigns/{int(campaign_id)}/countries", None, None, _country_map)


def _country_map(body: Any) -> dict[str, Any]:
    return {} if body in (None, []) else as_dict(body)


def campaign_referrals(campaign_id: int) -> Call[list[dict[str, Any]]]:
    """``GET /campaigns/{id}/referrals``: clicks per link."""
    return Call("GET", f"/campaigns/{int(campaign_id)}/referrals", None, None, as_list)


def list_senders() -> Call[list[dict[str, Any]]]:
    """``GET /senders``: the account's sender addresses."""
    return Call("GET", "/senders", None, None, as_list)


def list_templates(
    owner: str | None = "me", limit: int = MAX_PAGE_SIZE, offset: int = 0
) -> Call[list[dict[str, Any]]]:
    """``GET /templates``: one page of templates (``owner`` ``"me"`` or ``"sendpulse"``)."""
    params = page_params(limit, offset)
    if owner is not None:
        params["owner"] = owner
    return Call("GET", "/templates", params, None, as_list)


def get_template(template_id: int | str) -> Call[dict[str, Any]]:
    """``GET /template/{id}``: one template."""
    return Call(
        "GET", f"/template/{path_segment(template_id)}", None, None, first_item(f"template {template_id}")
    )


def create_template(body_html: str, name: str | None = None, lang: str = "en") -> Call[int]:
    """``POST /template``: store an HTML template; answers its id."""
    body: dict[str, Any] = {"body": base64_html(body_html), "lang": lang}
    if name is not None:
        body["name"] = name
    return Call("POST", "/template", None, body, int_field("real_id"), is_create=True)
