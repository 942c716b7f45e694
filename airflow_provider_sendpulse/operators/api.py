"""A generic operator for any SendPulse endpoint the others do not cover."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_sendpulse.operators.base import SendPulseBaseOperator
from airflow_provider_sendpulse.operators.validation import SendPulseInputError

if TYPE_CHECKING:
    from airflow.sdk import Context

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class SendPulseApiOperator(SendPulseBaseOperator):
    """Call one SendPulse endpoint with the connection's credentials, retries and rate limit.

    Not retry-safe by itself: a POST that creates something may run again on a task retry.

    :param method: HTTP method: GET, POST, PUT, PATCH or DELETE.
    :param endpoint: API path such as ``/addressbooks/123/emails/total`` (templated).
    :param data: JSON body for POST/PUT/PATCH/DELETE, query parameters for GET (templated).
    :param sendpulse_conn_id: Airflow connection of type ``sendpulse``.
    :return: the decoded JSON answer.
    """

    template_fields: Sequence[str] = ("endpoint", "data")
    template_fields_renderers: ClassVar[dict[str, str]] = {"data": "json"}

    def __init__(self, *, method: str = "GET", endpoint: str, data: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if str(method).upper() not in _METHODS:
            raise SendPulseInputError(f"method: must be one of {', '.join(_METHODS)}, got {method!r}.")
        self.method = method
        self.endpoint = endpoint
        self.data = data

    def execute(self, context: Context) -> Any:
        method = str(self.method).upper()
        if not isinstance(self.endpoint, str) or not self.endpoint.strip():
            raise SendPulseInputError("endpoint: give an API path such as '/addressbooks'.")
        endpoint = self.endpoint.strip()
        if "://" in endpoint:
            raise SendPulseInputError(
                "endpoint: give a path relative to the connection's base URL, not a full URL."
            )
        endpoint = "/" + endpoint.lstrip("/")
        data = self.data
        if isinstance(data, str) and data.strip():
            try:
                data = json.loads(data)
            except ValueError:
                raise SendPulseInputError("data: a string must hold JSON.") from None
        if method == "GET":
            if data is not None and not isinstance(data, dict):
                raise SendPulseInputError("data: for GET, give the query parameters as a mapping.")
            answer = self.hook.call(method, endpoint, params=data or None)
        else:
            answer = self.hook.call(method, endpoint, json=data)
        self.log.info("%s %s answered", method, endpoint)
        return answer
