"""Every SendPulse endpoint the provider uses, described once, one module per product.

Each builder returns a :class:`Call`: what to send and how to read the answer. Builders do no I/O;
:class:`~airflow_provider_sendpulse.client.SendPulseClient` and
:class:`~airflow_provider_sendpulse.client.AsyncSendPulseClient` send them. A new product (CRM,
automation, SMTP, chatbots) gets its own module here and is re-exported below, so callers keep
writing ``api.<builder>(...)``.
"""

from __future__ import annotations

from airflow_provider_sendpulse.client.api.account import (
    get_balance,
    get_user_info,
    raw_call,
)
from airflow_provider_sendpulse.client.api.call import MAX_EMAILS_PER_CALL, MAX_PAGE_SIZE, TOKEN_PATH, Call
from airflow_provider_sendpulse.client.api.campaigns import (
    EDITABLE_CAMPAIGN_FIELDS,
    campaign_countries,
    campaign_referrals,
    cancel_campaign,
    create_campaign,
    create_template,
    edit_campaign,
    get_campaign,
    get_template,
    list_campaigns,
    list_senders,
    list_templates,
)
from airflow_provider_sendpulse.client.api.contacts import (
    add_contacts,
    get_contact,
    list_contacts,
    remove_contacts,
    unsubscribe_contacts,
    update_contact_variables,
)
from airflow_provider_sendpulse.client.api.lists import (
    count_contacts,
    create_mailing_list,
    delete_mailing_list,
    get_mailing_list,
    list_mailing_list_campaigns,
    list_mailing_lists,
    list_variables,
    rename_mailing_list,
)
from airflow_provider_sendpulse.client.api.sms import (
    add_phones,
    cancel_sms_campaign,
    create_sms_campaign,
    get_sms_campaign,
    list_sms_campaigns,
    send_sms,
    sms_cost,
)

__all__ = [
    "EDITABLE_CAMPAIGN_FIELDS",
    "MAX_EMAILS_PER_CALL",
    "MAX_PAGE_SIZE",
    "TOKEN_PATH",
    "Call",
    "add_contacts",
    "add_phones",
    "campaign_countries",
    "campaign_referrals",
    "cancel_campaign",
    "cancel_sms_campaign",
    "count_contacts",
    "create_campaign",
    "create_mailing_list",
    "create_sms_campaign",
    "create_template",
    "delete_mailing_list",
    "edit_campaign",
    "get_balance",
    "get_campaign",
    "get_contact",
    "get_mailing_list",
    "get_sms_campaign",
    "get_template",
    "get_user_info",
    "list_campaigns",
    "list_contacts",
    "list_mailing_list_campaigns",
    "list_mailing_lists",
    "list_senders",
    "list_sms_campaigns",
    "list_templates",
    "list_variables",
    "raw_call",
    "remove_contacts",
    "rename_mailing_list",
    "send_sms",
    "sms_cost",
    "unsubscribe_contacts",
    "update_contact_variables",
]
