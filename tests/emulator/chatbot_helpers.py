"""Helpers for the chatbot tests: spec checking per product document."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .openapi_adapter import HttpxOpenAPIRequest, HttpxOpenAPIResponse, openapi_for, validate

Check = Callable[[httpx.Response], httpx.Response]

#: Path prefix -> the vendor document describing it.
DOCUMENTS = {"/chatbots": "chatbots.yml", "/telegram": "telegram.yml", "/whatsapp": "whatsapp.yml"}


def chatbot_checker(emulator: EmulatorControl) -> Check:
    """Validate a chatbot request and its answer against its product's document (patched as documented)."""

    def check(response: httpx.Response) -> httpx.Response:
        prefix = "/" + response.request.url.path.split("/")[1]
        validate(openapi_for(DOCUMENTS[prefix], emulator.url + prefix), response)
        return response

    return check


def chatbot_answer_checker(emulator: EmulatorControl) -> Check:
    """Validate only the answer (for requests the document itself rejects)."""

    def check(response: httpx.Response) -> httpx.Response:
        prefix = "/" + response.request.url.path.split("/")[1]
        openapi = openapi_for(DOCUMENTS[prefix], emulator.url + prefix)
        request = HttpxOpenAPIRequest(response.request)
        openapi.validate_response(request, HttpxOpenAPIResponse(response))
        return response

    return check
