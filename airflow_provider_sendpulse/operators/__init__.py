"""Airflow operators for SendPulse.

The operators load on first use (PEP 562): ``from airflow_provider_sendpulse.operators import X``
imports only the module that defines ``X``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_sendpulse._lazy import lazy_exports

if TYPE_CHECKING:
    from airflow_provider_sendpulse.operators.api import SendPulseApiOperator
    from airflow_provider_sendpulse.operators.automation import SendPulseAutomationEventOperator
    from airflow_provider_sendpulse.operators.campaigns import (
        SendPulseCancelCampaignOperator,
        SendPulseCreateCampaignOperator,
        SendPulseGetCampaignStatsOperator,
    )
    from airflow_provider_sendpulse.operators.chatbots import (
        SendPulseChatbotMessageOperator,
        SendPulseRunChatbotFlowOperator,
        SendPulseWhatsAppTemplateOperator,
    )
    from airflow_provider_sendpulse.operators.contacts import (
        SendPulseAddContactsOperator,
        SendPulseExportContactsOperator,
        SendPulseRemoveContactsOperator,
        SendPulseUnsubscribeContactsOperator,
        SendPulseUpdateContactVariablesOperator,
    )
    from airflow_provider_sendpulse.operators.crm import (
        SendPulseExportCrmOperator,
        SendPulseMoveDealOperator,
        SendPulseUpsertCrmContactOperator,
        SendPulseUpsertDealOperator,
    )
    from airflow_provider_sendpulse.operators.mailing_lists import (
        SendPulseCreateMailingListOperator,
        SendPulseDeleteMailingListOperator,
        SendPulseListMailingListsOperator,
    )
    from airflow_provider_sendpulse.operators.sms import SendPulseAddPhonesOperator, SendPulseSendSmsOperator
    from airflow_provider_sendpulse.operators.smtp import (
        SendPulseExportTransactionalEmailsOperator,
        SendPulseSendTransactionalEmailOperator,
    )
    from airflow_provider_sendpulse.operators.validation import SendPulseInputError
    from airflow_provider_sendpulse.operators.verifier import SendPulseVerifyEmailsOperator

_EXPORTS = {
    "SendPulseAddContactsOperator": "contacts",
    "SendPulseAddPhonesOperator": "sms",
    "SendPulseApiOperator": "api",
    "SendPulseAutomationEventOperator": "automation",
    "SendPulseCancelCampaignOperator": "campaigns",
    "SendPulseChatbotMessageOperator": "chatbots",
    "SendPulseCreateCampaignOperator": "campaigns",
    "SendPulseCreateMailingListOperator": "mailing_lists",
    "SendPulseDeleteMailingListOperator": "mailing_lists",
    "SendPulseExportContactsOperator": "contacts",
    "SendPulseExportTransactionalEmailsOperator": "smtp",
    "SendPulseExportCrmOperator": "crm",
    "SendPulseGetCampaignStatsOperator": "campaigns",
    "SendPulseInputError": "validation",
    "SendPulseListMailingListsOperator": "mailing_lists",
    "SendPulseMoveDealOperator": "crm",
    "SendPulseRemoveContactsOperator": "contacts",
    "SendPulseRunChatbotFlowOperator": "chatbots",
    "SendPulseSendSmsOperator": "sms",
    "SendPulseSendTransactionalEmailOperator": "smtp",
    "SendPulseUnsubscribeContactsOperator": "contacts",
    "SendPulseUpdateContactVariablesOperator": "contacts",
    "SendPulseUpsertCrmContactOperator": "crm",
    "SendPulseUpsertDealOperator": "crm",
    "SendPulseWhatsAppTemplateOperator": "chatbots",
    "SendPulseVerifyEmailsOperator": "verifier",
}

__all__ = [
    "SendPulseAddContactsOperator",
    "SendPulseAddPhonesOperator",
    "SendPulseApiOperator",
    "SendPulseAutomationEventOperator",
    "SendPulseCancelCampaignOperator",
    "SendPulseChatbotMessageOperator",
    "SendPulseCreateCampaignOperator",
    "SendPulseCreateMailingListOperator",
    "SendPulseDeleteMailingListOperator",
    "SendPulseExportContactsOperator",
    "SendPulseExportCrmOperator",
    "SendPulseExportTransactionalEmailsOperator",
    "SendPulseGetCampaignStatsOperator",
    "SendPulseInputError",
    "SendPulseListMailingListsOperator",
    "SendPulseMoveDealOperator",
    "SendPulseRemoveContactsOperator",
    "SendPulseRunChatbotFlowOperator",
    "SendPulseSendSmsOperator",
    "SendPulseSendTransactionalEmailOperator",
    "SendPulseUnsubscribeContactsOperator",
    "SendPulseUpdateContactVariablesOperator",
    "SendPulseUpsertCrmContactOperator",
    "SendPulseUpsertDealOperator",
    "SendPulseVerifyEmailsOperator",
    "SendPulseWhatsAppTemplateOperator",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
