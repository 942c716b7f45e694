"""Airflow operators for SendPulse."""

from __future__ import annotations

from airflow_provider_sendpulse.operators.api import SendPulseApiOperator
from airflow_provider_sendpulse.operators.campaigns import (
    SendPulseCancelCampaignOperator,
    SendPulseCreateCampaignOperator,
    SendPulseGetCampaignStatsOperator,
)
from airflow_provider_sendpulse.operators.contacts import (
    SendPulseAddContactsOperator,
    SendPulseExportContactsOperator,
    SendPulseRemoveContactsOperator,
    SendPulseUnsubscribeContactsOperator,
    SendPulseUpdateContactVariablesOperator,
)
from airflow_provider_sendpulse.operators.mailing_lists import (
    SendPulseCreateMailingListOperator,
    SendPulseDeleteMailingListOperator,
    SendPulseListMailingListsOperator,
)
from airflow_provider_sendpulse.operators.sms import SendPulseAddPhonesOperator, SendPulseSendSmsOperator
from airflow_provider_sendpulse.operators.validation import SendPulseInputError

__all__ = [
    "SendPulseAddContactsOperator",
    "SendPulseAddPhonesOperator",
    "SendPulseApiOperator",
    "SendPulseCancelCampaignOperator",
    "SendPulseCreateCampaignOperator",
    "SendPulseCreateMailingListOperator",
    "SendPulseDeleteMailingListOperator",
    "SendPulseExportContactsOperator",
    "SendPulseGetCampaignStatsOperator",
    "SendPulseInputError",
    "SendPulseListMailingListsOperator",
    "SendPulseRemoveContactsOperator",
    "SendPulseSendSmsOperator",
    "SendPulseUnsubscribeContactsOperator",
    "SendPulseUpdateContactVariablesOperator",
]
