"""The bad-input catalogue: wrong arguments to operators, sensors and triggers, and wrong connection settings,
each with the exact error it raises (before any request reaches SendPulse).

docs/reliability.md shows this list as a table; test_rel_bad_input.py proves every row.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rel_context import make_context

from airflow_provider_sendpulse.hooks.sendpulse import SendPulseHook
from airflow_provider_sendpulse.operators import (
    SendPulseAddContactsOperator,
    SendPulseApiOperator,
    SendPulseAutomationEventOperator,
    SendPulseCancelCampaignOperator,
    SendPulseCreateCampaignOperator,
    SendPulseCreateMailingListOperator,
    SendPulseDeleteMailingListOperator,
    SendPulseExportContactsOperator,
    SendPulseExportTransactionalEmailsOperator,
    SendPulseGetCampaignStatsOperator,
    SendPulseRemoveContactsOperator,
    SendPulseSendSmsOperator,
    SendPulseSendTransactionalEmailOperator,
    SendPulseUnsubscribeContactsOperator,
    SendPulseUpdateContactVariablesOperator,
    SendPulseVerifyEmailsOperator,
)
from airflow_provider_sendpulse.sensors.campaigns import SendPulseCampaignSensor
from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor
from airflow_provider_sendpulse.triggers.events import SendPulseEventTrigger

NOWHERE = {"task_id": "t", "sendpulse_conn_id": "sendpulse_unused"}
CAMPAIGN = {
    "sender_name": "Shop",
    "sender_email": "sender@example.com",
    "subject": "Hi",
    "body_html": "<p>x</p>",
    "list_ids": [1],
}
SMS = {"sender": "Shop", "body": "hi", "phones": ["380501234567"]}
MAIL = {"sender_email": "sender@example.com", "subject": "Hi", "html": "<p>x</p>"}
BAD_CONN_ID = "sendpulse_bad"


@dataclass(frozen=True)
class Case:
    """One wrong input and the error it must raise."""

    area: str
    given: str
    run: Callable[[], Any]
    error: str
    message: str


def _execute(operator: Any) -> Any:
    return operator.execute(make_context("t"))


def _connection(extra: dict[str, Any] | None = None, **fields: Any) -> Callable[[], Any]:
    def run() -> Any:
        connection = {
            "conn_type": "sendpulse",
            "host": "http://127.0.0.1:9",
            "login": "id",
            "password": "secret",
            **fields,
        }
        if extra is not None:
            connection["extra"] = extra
        os.environ["AIRFLOW_CONN_SENDPULSE_BAD"] = json.dumps(connection)
        try:
            return SendPulseHook(BAD_CONN_ID).get_conn()
        finally:
            del os.environ["AIRFLOW_CONN_SENDPULSE_BAD"]

    return run


def _op(cls: type, **kwargs: Any) -> Callable[[], Any]:
    return lambda: _execute(cls(**NOWHERE, **kwargs))


INPUT = "SendPulseInputError"

CASES: list[Case] = [
    # mailing lists
    Case(
        "CreateMailingList",
        'name="  "',
        _op(SendPulseCreateMailingListOperator, name="  "),
        INPUT,
        "name: must be a non-empty string.",
    ),
    Case(
        "CreateMailingList",
        'if_exists="replace"',
        _op(SendPulseCreateMailingListOperator, name="A", if_exists="replace"),
        INPUT,
        "if_exists: must be 'reuse' or 'fail', got 'replace'.",
    ),
    Case(
        "DeleteMailingList",
        'list_id="abc"',
        _op(SendPulseDeleteMailingListOperator, list_id="abc"),
        INPUT,
        "list_id: must be a positive integer, got 'abc'.",
    ),
    Case(
        "DeleteMailingList",
        "list_id=0",
        _op(SendPulseDeleteMailingListOperator, list_id=0),
        INPUT,
        "list_id: must be a positive integer, got 0.",
    ),
    # contacts
    Case(
        "AddContacts",
        'on_invalid="ignore"',
        _op(SendPulseAddContactsOperator, list_id=1, contacts=["a@example.com"], on_invalid="ignore"),
        INPUT,
        "on_invalid: must be 'fail' or 'skip', got 'ignore'.",
    ),
    Case(
        "AddContacts",
        "batch_size=20000",
        _op(SendPulseAddContactsOperator, list_id=1, contacts=["a@example.com"], batch_size=20000),
        INPUT,
        "batch_size: at most 10000, got 20000.",
    ),
    Case(
        "AddContacts",
        "contacts=[]",
        _op(SendPulseAddContactsOperator, list_id=1, contacts=[]),
        INPUT,
        "contacts: the contacts list has no contacts.",
    ),
    Case(
        "AddContacts",
        'contacts=["a@example.com", "nope", "b@@x"]',
        _op(SendPulseAddContactsOperator, list_id=1, contacts=["a@example.com", "nope", "b@@x"]),
        INPUT,
        "2 invalid row(s) in the contacts list, nothing was sent: contacts[1]: email must contain exactly "
        "one '@'; contacts[2]: email must contain exactly one '@'. Fix them, or set on_invalid='skip' to "
        "leave them out.",
    ),
    Case(
        "AddContacts",
        "both contacts and path",
        _op(SendPulseAddContactsOperator, list_id=1, contacts=["a@example.com"], path="/tmp/x.csv"),
        INPUT,
        "contacts/path: give exactly one of contacts (a list or XCom) and path.",
    ),
    Case(
        "AddContacts",
        'path="/nonexistent/x.csv"',
        _op(SendPulseAddContactsOperator, list_id=1, path="/nonexistent/x.csv"),
        INPUT,
        "path: /nonexistent/x.csv does not exist.",
    ),
    Case(
        "AddContacts",
        'path="contacts.xlsx"',
        _op(SendPulseAddContactsOperator, list_id=1, path="/tmp/x.xlsx"),
        INPUT,
        "file_format: cannot tell the format of 'x.xlsx' from its name; set file_format='csv' or 'jsonl'.",
    ),
    Case(
        "AddContacts",
        'contacts="not json"',
        _op(SendPulseAddContactsOperator, list_id=1, contacts="not json"),
        INPUT,
        "contacts: expected a list of emails or objects; to read a file, pass it as path.",
    ),
    Case(
        "AddContacts",
        'contacts={"email": ...} (one mapping)',
        _op(SendPulseAddContactsOperator, list_id=1, contacts={"email": "a@example.com"}),
        INPUT,
        "contacts: expected a list of contacts, got a single mapping.",
    ),
    Case(
        "AddContacts",
        'double_opt_in={"sender_email": "bad"}',
        _op(
            SendPulseAddContactsOperator,
            list_id=1,
            contacts=["a@example.com"],
            double_opt_in={"sender_email": "bad"},
        ),
        INPUT,
        "double_opt_in.sender_email: the email address must contain exactly one '@'.",
    ),
    Case(
        "AddContacts",
        'delimiter=";;"',
        _op(SendPulseAddContactsOperator, list_id=1, path="/tmp/x.csv", delimiter=";;"),
        INPUT,
        "delimiter: must be one character, got ';;'.",
    ),
    Case(
        "AddContacts",
        'encoding="klingon"',
        _op(SendPulseAddContactsOperator, list_id=1, path="/tmp/x.csv", encoding="klingon"),
        INPUT,
        "encoding: unknown text encoding 'klingon'.",
    ),
    Case(
        "RemoveContacts",
        "emails=5",
        _op(SendPulseRemoveContactsOperator, list_id=1, emails=5),
        INPUT,
        "emails: expected a list of email addresses, got int.",
    ),
    Case(
        "RemoveContacts",
        "emails=[]",
        _op(SendPulseRemoveContactsOperator, list_id=1, emails=[]),
        INPUT,
        "emails: the list of email addresses is empty.",
    ),
    Case(
        "UnsubscribeContacts",
        'emails=["x"]',
        _op(SendPulseUnsubscribeContactsOperator, list_id=1, emails=["x"]),
        INPUT,
        "emails: 1 invalid email address(es): emails[0] must contain exactly one '@'.",
    ),
    Case(
        "UpdateContactVariables",
        "variables={}",
        _op(SendPulseUpdateContactVariablesOperator, list_id=1, email="a@example.com", variables={}),
        INPUT,
        "variables: give at least one variable to set.",
    ),
    Case(
        "UpdateContactVariables",
        'email="a@"',
        _op(SendPulseUpdateContactVariablesOperator, list_id=1, email="a@", variables={"a": 1}),
        INPUT,
        "email: the email address has an invalid domain after '@'.",
    ),
    Case(
        "ExportContacts",
        'path=""',
        _op(SendPulseExportContactsOperator, list_id=1, path=""),
        INPUT,
        "path: give the file to write.",
    ),
    Case(
        "ExportContacts",
        'path="out.xml"',
        _op(SendPulseExportContactsOperator, list_id=1, path="/tmp/out.xml"),
        INPUT,
        "file_format: cannot tell the format of 'out.xml' from its name; set file_format='csv' or 'jsonl'.",
    ),
    # campaigns
    Case(
        "CreateCampaign",
        "both body_html and template_id",
        _op(SendPulseCreateCampaignOperator, **{**CAMPAIGN, "template_id": 5}),
        INPUT,
        "body_html/template_id: give exactly one of body_html and template_id.",
    ),
    Case(
        "CreateCampaign",
        "neither body_html nor template_id",
        _op(SendPulseCreateCampaignOperator, **{**CAMPAIGN, "body_html": None}),
        INPUT,
        "body_html/template_id: give exactly one of body_html and template_id.",
    ),
    Case(
        "CreateCampaign",
        "both list_ids and segment_id",
        _op(SendPulseCreateCampaignOperator, **{**CAMPAIGN, "segment_id": 3}),
        INPUT,
        "list_ids/segment_id: give exactly one of list_ids and segment_id.",
    ),
    Case(
        "CreateCampaign",
        "11 list_ids",
        _op(SendPulseCreateCampaignOperator, **{**CAMPAIGN, "list_ids": list(range(1, 12))}),
        INPUT,
        "list_ids: at most 10 mailing lists per campaign, got 11.",
    ),
    Case(
        "CreateCampaign",
        "list_ids=[1, 1]",
        _op(SendPulseCreateCampaignOperator, **{**CAMPAIGN, "list_ids": [1, 1]}),
        INPUT,
        "list_ids: the same list id appears more than once.",
    ),
    Case(
        "CreateCampaign",
        'sender_email="shop"',
        _op(SendPulseCreateCampaignOperator, **{**CAMPAIGN, "sender_email": "shop"}),
        INPUT,
        "sender_email: the email address must contain exactly one '@'.",
    ),
    Case(
        "CreateCampaign",
        'subject=""',
        _op(SendPulseCreateCampaignOperator, **{**CAMPAIGN, "subject": ""}),
        INPUT,
        "subject: must be a non-empty string.",
    ),
    Case(
        "CreateCampaign",
        'send_date="tomorrow"',
        _op(SendPulseCreateCampaignOperator, **{**CAMPAIGN, "send_date": "tomorrow"}),
        INPUT,
        "send_date: 'tomorrow' is not a date; use 'YYYY-MM-DD HH:MM:SS' or ISO 8601.",
    ),
    Case(
        "CreateCampaign",
        'send_date="2001-01-01 00:00:00"',
        _op(SendPulseCreateCampaignOperator, **{**CAMPAIGN, "send_date": "2001-01-01 00:00:00"}),
        INPUT,
        "send_date: 2001-01-01 00:00:00 is in the past; give a future date.",
    ),
    Case(
        "CreateCampaign",
        'attachments=["a"]',
        _op(SendPulseCreateCampaignOperator, **{**CAMPAIGN, "attachments": ["a"]}),
        INPUT,
        'attachments: expected {"file name": "text content"}.',
    ),
    Case(
        "CreateCampaign",
        'track_opens="yes"',
        _op(SendPulseCreateCampaignOperator, **{**CAMPAIGN, "track_opens": "yes"}),
        INPUT,
        "track_opens: must be True or False, got 'yes'.",
    ),
    Case(
        "CancelCampaign",
        "campaign_id=-3",
        _op(SendPulseCancelCampaignOperator, campaign_id=-3),
        INPUT,
        "campaign_id: must be a positive integer, got -3.",
    ),
    Case(
        "GetCampaignStats",
        'campaign_id="x"',
        _op(SendPulseGetCampaignStatsOperator, campaign_id="x"),
        INPUT,
        "campaign_id: must be a positive integer, got 'x'.",
    ),
    # SMS
    Case(
        "SendSms",
        "sender of 12 characters",
        _op(SendPulseSendSmsOperator, **{**SMS, "sender": "A" * 12}),
        INPUT,
        "sender: at most 11 characters, got 12.",
    ),
    Case(
        "SendSms",
        "both phones and list_id",
        _op(SendPulseSendSmsOperator, **SMS, list_id=1),
        INPUT,
        "phones/list_id: give exactly one of phones and list_id (or list_name).",
    ),
    Case(
        "SendSms",
        "neither phones nor list_id",
        _op(SendPulseSendSmsOperator, sender="Shop", body="hi"),
        INPUT,
        "phones/list_id: give exactly one of phones and list_id (or list_name).",
    ),
    Case(
        "SendSms",
        'phones=["12ab"]',
        _op(SendPulseSendSmsOperator, **{**SMS, "phones": ["12ab"]}),
        INPUT,
        "phones: 1 invalid phone number(s): phones[0] may contain only digits (with optional spaces, dashes "
        "and a leading '+').",
    ),
    Case(
        "SendSms",
        'body=""',
        _op(SendPulseSendSmsOperator, **{**SMS, "body": ""}),
        INPUT,
        "body: must be a non-empty string.",
    ),
    Case(
        "SendSms",
        'route="UA"',
        _op(SendPulseSendSmsOperator, **SMS, route="UA"),
        INPUT,
        'route: expected a mapping such as {"UA": "national"}.',
    ),
    # generic call
    Case(
        "Api",
        'method="PUT2"',
        _op(SendPulseApiOperator, method="PUT2", endpoint="/balance"),
        INPUT,
        "method: must be one of GET, POST, PUT, PATCH, DELETE, got 'PUT2'.",
    ),
    Case(
        "Api",
        'endpoint=""',
        _op(SendPulseApiOperator, endpoint=""),
        INPUT,
        "endpoint: give an API path such as '/addressbooks'.",
    ),
    Case(
        "Api",
        'method="POST", data="{bad"',
        _op(SendPulseApiOperator, method="POST", endpoint="/x", data="{bad"),
        INPUT,
        "data: a string must hold JSON.",
    ),
    Case(
        "Api",
        'method="GET", data=[1]',
        _op(SendPulseApiOperator, method="GET", endpoint="/x", data=[1]),
        INPUT,
        "data: for GET, give the query parameters as a mapping.",
    ),
    Case(
        "Api",
        'endpoint="https://evil.example.com/x"',
        _op(SendPulseApiOperator, method="GET", endpoint="https://evil.example.com/x"),
        INPUT,
        "endpoint: give a path relative to the connection's base URL, not a full URL.",
    ),
    # sensors and triggers
    Case(
        "EventSensor",
        'event_type="new_unicorn"',
        lambda: SendPulseEventSensor(task_id="s", event_type="new_unicorn").source(),
        "ValueError",
        "unknown SendPulse event type 'new_unicorn'; known types: campaign_sent, "
        "chatbot_incoming_message, crm_contact_created, crm_contact_updated, deal_created, deal_lost, "
        "deal_stage_changed, deal_updated, deal_won, new_campaign, new_sms_campaign, new_subscriber",
    ),
    Case(
        "EventSensor",
        "new_subscriber without list_id",
        lambda: SendPulseEventSensor(task_id="s", event_type="new_subscriber").source(),
        "ValueError",
        "parameter 'list_id' is required and must be a positive integer",
    ),
    Case(
        "EventSensor",
        'list_id="abc"',
        lambda: SendPulseEventSensor(task_id="s", event_type="new_subscriber", list_id="abc").source(),
        "ValueError",
        "parameter 'list_id' must be a positive integer, got 'abc'",
    ),
    Case(
        "EventSensor",
        "min_events=5, max_events=2",
        lambda: SendPulseEventSensor(task_id="s", event_type="new_campaign", min_events=5, max_events=2),
        INPUT,
        "min_events: must not exceed max_events, got 5 and 2.",
    ),
    Case(
        "EventSensor",
        'start_from="yesterday"',
        lambda: SendPulseEventSensor(task_id="s", event_type="new_campaign", start_from="yesterday"),
        INPUT,
        "start_from: must be 'now' or 'beginning', got 'yesterday'.",
    ),
    Case(
        "EventSensor",
        'statuses=["x"]',
        lambda: SendPulseEventSensor(task_id="s", event_type="new_campaign", statuses=["x"]).source(),
        "ValueError",
        "parameter 'statuses' must be a list of integers, got ['x']",
    ),
    Case(
        "EventTrigger",
        "poll_interval=0",
        lambda: SendPulseEventTrigger(event_type="new_campaign", poll_interval=0),
        "ValueError",
        "poll_interval must be positive",
    ),
    Case(
        "CampaignSensor",
        'campaign_id="abc"',
        lambda: _execute(SendPulseCampaignSensor(task_id="s", campaign_id="abc")),
        "ValueError",
        "campaign_id must be a positive integer, got 'abc'",
    ),
    # connection settings
    Case(
        "Connection",
        'extra timeout="fast"',
        _connection({"timeout": "fast"}),
        "ValueError",
        "SendPulse connection: connection extra 'timeout' must be a number, got 'fast'",
    ),
    Case(
        "Connection",
        "extra timeout=-1",
        _connection({"timeout": -1}),
        "ValueError",
        "SendPulse connection: connection extra 'timeout' must be positive, got -1",
    ),
    Case(
        "Connection",
        "extra max_retries=2.5",
        _connection({"max_retries": 2.5}),
        "ValueError",
        "SendPulse connection: connection extra 'max_retries' must be a whole number >= 0, got 2.5",
    ),
    Case(
        "Connection",
        "extra max_retries=-1",
        _connection({"max_retries": -1}),
        "ValueError",
        "SendPulse connection: connection extra 'max_retries' must be a whole number >= 0, got -1",
    ),
    Case(
        "Connection",
        "extra max_requests_per_second=0",
        _connection({"max_requests_per_second": 0}),
        "ValueError",
        "SendPulse connection: connection extra 'max_requests_per_second' must be positive, got 0",
    ),
    Case(
        "Connection",
        "no login, password or api_key",
        _connection(login=None, password=None),
        "ValueError",
        "SendPulse connection: SendPulse needs an API key, or both an API ID and an API secret",
    ),
    Case(
        "Connection",
        "login without password",
        _connection(password=None),
        "ValueError",
        "SendPulse connection: SendPulse needs an API key, or both an API ID and an API secret",
    ),
    Case(
        "Connection",
        'host="ftp://example.com"',
        _connection(host="ftp://example.com"),
        "ValueError",
        "SendPulse connection: not an http(s) base URL: 'ftp://example.com'",
    ),
    Case(
        "Connection",
        "a connection id that does not exist",
        lambda: SendPulseHook("sendpulse_missing").get_conn(),
        "AirflowNotFoundException",
        "The conn_id `sendpulse_missing` isn't defined",
    ),
    Case(
        "AutomationEvent",
        'rows=[{"plan": "gold"}] (no email or phone)',
        _op(SendPulseAutomationEventOperator, event_name="paid", rows=[{"plan": "gold"}]),
        INPUT,
        "1 invalid row(s) in the rows list, no event was started: rows[0]: has no email or phone. "
        "Fix them, or set on_invalid='skip' to leave them out.",
    ),
    Case(
        "AutomationEvent",
        "3 rows, daily_cap=2",
        _op(
            SendPulseAutomationEventOperator,
            event_name="paid",
            rows=["a@example.com", "b@example.com", "c@example.com"],
            daily_cap=2,
        ),
        INPUT,
        "rows: 3 events to start, but SendPulse starts Automation 360 flows for at most 2 contacts a day; "
        "nothing was sent. Split the rows over several days (e.g. one file per day).",
    ),
    Case(
        "TransactionalEmail",
        'to="ann"',
        _op(SendPulseSendTransactionalEmailOperator, to="ann", **MAIL),
        INPUT,
        "to: the email address must contain exactly one '@'.",
    ),
    Case(
        "TransactionalEmail",
        "html and template_id",
        _op(SendPulseSendTransactionalEmailOperator, to="a@example.com", template_id=5, **MAIL),
        INPUT,
        "html/text/template_id: give a body (html and/or text) or a template_id, not both.",
    ),
    Case(
        "ExportTransactionalEmails",
        'start="yesterday"',
        _op(SendPulseExportTransactionalEmailsOperator, path="/tmp/x.csv", start="yesterday", end="x"),
        INPUT,
        "start: 'yesterday' is not an ISO 8601 date-time.",
    ),
    Case(
        "VerifyEmails",
        "emails and invalid_action",
        _op(SendPulseVerifyEmailsOperator, emails=["a@example.com"], invalid_action="remove"),
        INPUT,
        "invalid_action: only works on a mailing list, not on emails.",
    ),
]
