"""Validating emulator traffic against SendPulse's OpenAPI documents with openapi-core.

The vendor documents are loaded once and patched in memory where they are broken (each patch is listed in
docs/emulator.md); `httpx` requests and responses are adapted to openapi-core's protocols.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_DIR = Path(__file__).resolve().parent / "openapi"

ERROR_SCHEMA = {
    "type": "object",
    "required": ["message", "error_code"],
    "properties": {"message": {"type": "string"}, "error_code": {"type": "integer"}},
}


@functools.cache
def _raw(name: str) -> dict[str, Any]:
    with (SPEC_DIR / name).open() as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def patched_spec(name: str, server_url: str) -> dict[str, Any]:
    """The vendor document with the documented in-memory fixes, served from `server_url`."""
    spec = copy.deepcopy(_raw(name))
    spec["servers"] = [{"url": server_url}]
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    # The documents reference #/components/schemas/Error but never define it.
    schemas.setdefault("Error", ERROR_SCHEMA)
    # openapi-core cannot check oauth2; both schemes send `Authorization: Bearer ...`, which this one checks.
    spec["security"] = [{"apiKey": []}]
    paths = spec["paths"]
    if name == "bulk-email.yml":
        # The two add-emails schemas declare no required fields, so every body matches both and oneOf fails.
        add = paths["/addressbooks/{id}/emails"]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ]
        add["anyOf"] = add.pop("oneOf")
    if name == "sms.yml":
        # Documented as arrays; SendPulse's reference and its other SMS answers wrap one object.
        for path in ("/sms/campaigns/info/{id}", "/sms/numbers/info/{addressBookId}/{phoneNumber}"):
            answer = paths[path]["get"]["responses"]["200"]["content"]["application/json"]
            answer["schema"] = {
                "type": "object",
                "required": ["result", "data"],
                "properties": {"result": {"type": "boolean"}, "data": {"type": "object"}},
            }
    if name == "crm.yml":
        patch_crm(spec)
    if name in CHATBOT_EMULATED:
        patch_chatbots(spec, name)
    if name in ("a360.yml", "smtp.yml", "verifier.yml"):
        patch_services(spec, name)
    return spec


@functools.cache
def _openapi(name: str, server_url: str) -> OpenAPI:
    return OpenAPI.from_dict(patched_spec(name, server_url))


def openapi_for(name: str, server_url: str) -> OpenAPI:
    """A (cached) openapi-core validator for one vendor document."""
    return _openapi(name, server_url)


class HttpxOpenAPIRequest:
    """An `httpx.Request` seen through openapi-core's request protocol."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        query: dict[str, list[str]] = {}
        for key, value in parse_qsl(request.url.query.decode(), keep_blank_values=True):
            query.setdefault(key, []).append(value)
        self.parameters = RequestParameters(
            query=ImmutableMultiDict([(k, v) for k, values in query.items() for v in values]),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        url = self._request.url
        return f"{url.scheme}://{url.netloc.decode()}"

    @property
    def path(self) -> str:
        return self._request.url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self._request.content or None

    @property
    def content_type(self) -> str:
        return self._request.headers.get("content-type", "application/json").lower()


class HttpxOpenAPIResponse:
    """An `httpx.Response` seen through openapi-core's response protocol."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def content_type(self) -> str:
        return self._response.headers.get("content-type", "").lower()

    @property
    def headers(self) -> Headers:
        return Headers(dict(self._response.headers))

    @property
    def data(self) -> bytes | None:
        return self._response.content


def validate(openapi: OpenAPI, response: httpx.Response) -> None:
    """Validate the request that produced `response`, and `response` itself; raises on mismatch."""
    request = HttpxOpenAPIRequest(response.request)
    openapi.validate_request(request)
    openapi.validate_response(request, HttpxOpenAPIResponse(response))


# crm.yml ------------------------------------------------------------------------------------------

#: Operations the emulator serves (path -> methods); the rest of the document is dropped.
EMULATED: dict[str, tuple[str, ...]] = {
    "/users": ("get",),
    "/pipelines": ("get",),
    "/pipelines/{pipelineId}": ("get",),
    "/pipelines/{pipelineId}/steps": ("get",),
    "/pipelines/{pipelineId}/attributes": ("get",),
    "/deals/get-list": ("post",),
    "/deals": ("post",),
    "/deals/{dealId}": ("get", "put", "delete"),
    "/deals/{dealId}/change-pipeline": ("post",),
    "/deals/{dealId}/comments": ("get", "post"),
    "/deals/{dealId}/comments/{commentId}": ("put", "delete"),
    "/deals/{dealId}/history": ("get",),
    "/deals/{dealId}/contacts": ("get",),
    "/deals/{dealId}/contacts/{contactId}": ("post", "delete"),
    "/deals/{dealId}/attributes": ("get", "post"),
    "/deals/{dealId}/attributes/{attributeId}": ("put",),
    "/contacts/get-list": ("post",),
    "/contacts/get-list-by-email": ("post",),
    "/contacts/create": ("post",),
    "/contacts/{contactId}": ("get", "put", "delete"),
    "/contacts/external/{externalContactId}": ("get",),
    "/contacts/{contactId}/deals": ("get",),
    "/contacts/{contactId}/comments": ("post",),
    "/contacts/{contactId}/comments/{commentId}": ("put", "delete"),
    "/contacts/{contactId}/phones": ("post",),
    "/contacts/{contactId}/phones/{phoneId}": ("put", "delete"),
    "/contacts/{contactId}/emails": ("post",),
    "/contacts/{contactId}/emails/{emailId}": ("put", "delete"),
    "/contacts/attributes": ("get", "post"),
    "/contacts/{contactId}/attributes": ("get", "post"),
    "/contacts/{contactId}/attributes/{attributeId}": ("put", "delete"),
    "/contacts/{contactId}/attributes/batch": ("post",),
    "/contact-tags": ("get", "post"),
    "/contact-tags/{tagId}/contact/{contactId}": ("post", "delete"),
}

#: Answers documented as one object where the API answers a list of them.
LIST_ANSWERS = (
    ("/users", "get"),
    ("/pipelines", "get"),
    ("/pipelines/{pipelineId}/steps", "get"),
    ("/pipelines/{pipelineId}/attributes", "get"),
    ("/deals/{dealId}/comments", "get"),
    ("/deals/{dealId}/attributes", "get"),
    ("/deals/{dealId}/history", "get"),
    ("/contacts/attributes", "get"),
    ("/contacts/{contactId}/attributes", "get"),
    ("/contact-tags", "get"),
)

CRM_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string"},
                "errors": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}


def _json_schema(operation: dict[str, Any], status: str) -> dict[str, Any]:
    schema: dict[str, Any] = operation["responses"][status]["content"]["application/json"]["schema"]
    return schema


def _body_schema(operation: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = operation["requestBody"]["content"]["application/json"]["schema"]
    return schema


def patch_crm(spec: dict[str, Any]) -> None:
    """Apply the documented fixes to a copy of crm.yml."""
    # 1. Other paths are broken (e.g. `/payments/deals/{dealId}` never declares `dealId`), so the whole
    #    document fails openapi-core's own check; keep what the emulator serves.
    spec["paths"] = {
        path: {m: op for m, op in spec["paths"][path].items() if m in methods}
        for path, methods in EMULATED.items()
    }
    paths = spec["paths"]
    # 1b. Two operations share the operation id `getContactAttributes`; number the repeats.
    seen: set[str] = set()
    for methods in paths.values():
        for operation in methods.values():
            while operation.get("operationId") in seen:
                operation["operationId"] += "_again"
            seen.add(operation.get("operationId", ""))
    schemas = spec["components"]["schemas"]
    # 2. Lists documented as one object under `data`.
    for path, method in LIST_ANSWERS:
        answer = _json_schema(paths[path][method], "200")
        answer["properties"]["data"] = {"type": "array", "items": answer["properties"]["data"]}
    for name in ("history", "comments", "attributes"):
        schemas["DealDetailed"]["properties"][name] = {
            "type": "array",
            "items": schemas["DealDetailed"]["properties"][name],
        }
    # 3. Required fields named at the wrong level of two bodies.
    _body_schema(paths["/contacts/{contactId}/emails"]["post"])["required"] = ["emails"]
    batch = paths["/contacts/{contactId}/attributes/batch"]["post"]
    _body_schema(batch)["required"] = ["attributesValues"]
    batch_answer = _json_schema(batch, "201")["properties"]
    batch_answer["data"] = {"type": "array", "items": batch_answer["data"]}
    # 4. The deal filter's `enum: [asc, desc]` sits on the `sortBy` object instead of `direction`.
    sort = spec["components"]["requestBodies"]["DealFilter"]["content"]["application/json"]["schema"]
    sort = sort["properties"]["sortBy"]
    sort.pop("enum", None)
    sort["properties"]["direction"]["enum"] = ["asc", "desc"]
    # 5. No operation documents its errors; the one error shape given (`components.responses.404`) is
    #    `{"data": {"code", "message"}}`, which the emulator answers for 404 and 422 alike.
    for methods in paths.values():
        for operation in methods.values():
            operation["responses"]["default"] = {
                "description": "error",
                "content": {"application/json": {"schema": CRM_ERROR_SCHEMA}},
            }
    # 12. `externalContactId` is a string in the create body but an integer in the lookup path.
    lookup = paths["/contacts/external/{externalContactId}"]
    for parameter in [*lookup.get("parameters", []), *lookup["get"].get("parameters", [])]:
        if parameter.get("name") == "externalContactId":
            parameter["schema"] = {"type": "string"}
    # 6. `change-pipeline` documents no answer body; the emulator answers `{"data": Deal}`.
    paths["/deals/{dealId}/change-pipeline"]["post"]["responses"]["200"]["content"] = {
        "application/json": {"schema": {"properties": {"data": {"$ref": "#/components/schemas/Deal"}}}}
    }


# chatbots.yml, telegram.yml, whatsapp.yml --------------------------------------------------------

#: Chatbot operations the emulator serves, per document (path -> method); the rest is dropped.
CHATBOT_EMULATED: dict[str, dict[str, str]] = {
    "chatbots.yml": {"/bots": "get", "/dialogs": "get"},
    "telegram.yml": {
        "/bots": "get",
        "/contacts/get": "get",
        "/contacts/send": "post",
        "/contacts/setVariable": "post",
        "/contacts/setTag": "post",
        "/flows": "get",
        "/flows/run": "post",
        "/chats": "get",
        "/chats/messages": "get",
    },
    "whatsapp.yml": {
        "/bots": "get",
        "/contacts/get": "get",
        "/contacts/getByPhone": "get",
        "/contacts/send": "post",
        "/contacts/sendByPhone": "post",
        "/contacts/sendTemplate": "post",
        "/contacts/sendTemplateByPhone": "post",
        "/contacts/setVariable": "post",
        "/contacts/setTag": "post",
        "/flows": "get",
        "/flows/run": "post",
        "/chats": "get",
        "/chats/messages": "get",
        "/templates": "get",
    },
}

#: Answers documented as one object under `data` where the API answers a list of them.
CHATBOT_LIST_ANSWERS = {
    "telegram.yml": ("/flows", "/chats"),
    "whatsapp.yml": ("/flows", "/templates"),
}

CHATBOT_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "success": {"const": False},
        "message": {"type": "string"},
        "error_code": {"type": "integer"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}


def _repair_types(node: Any) -> None:
    """`type: int` (not a JSON-schema type) as `integer`, and enums written as objects of names to values
    (`{ACTIVE: 1}` or `[{ACTIVE: 1}]`) as lists of the values, recursively."""
    if isinstance(node, dict):
        if node.get("type") == "int":
            node["type"] = "integer"
        enum = node.get("enum")
        if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], dict):
            enum = enum[0]
        if isinstance(enum, dict):
            node["enum"] = list(enum.values())
        for value in node.values():
            _repair_types(value)
    elif isinstance(node, list):
        for value in node:
            _repair_types(value)


def patch_chatbots(spec: dict[str, Any], name: str) -> None:
    """Apply the documented fixes to a copy of chatbots.yml, telegram.yml or whatsapp.yml."""
    # 1. Keep what the emulator serves; operations name an undefined scheme `oAuth2ClientCredentials`
    #    (the document-level `apiKey` set above checks the bearer token instead).
    spec["paths"] = {
        path: {method: spec["paths"][path][method]} for path, method in CHATBOT_EMULATED[name].items()
    }
    for methods in spec["paths"].values():
        for operation in methods.values():
            operation.pop("security", None)
            # 2. No operation documents its errors; the emulator answers `{"success": false, "message", ...}`.
            operation["responses"]["default"] = {
                "description": "error",
                "content": {"application/json": {"schema": CHATBOT_ERROR_SCHEMA}},
            }
    # 3. Lists documented as one object under `data`.
    for path in CHATBOT_LIST_ANSWERS.get(name, ()):
        answer = _json_schema(spec["paths"][path]["get"], "200")
        answer["properties"]["data"] = {"type": "array", "items": answer["properties"]["data"]}
    # 4. `type: int` in the template components; enums written as objects of names to values.
    _repair_types(spec)


# a360.yml, smtp.yml, verifier.yml -------------------------------------------------------------------

#: `POST /events/name/{event_name}` as SendPulse's official clients call it (PHP `startEventAutomation360`,
#: pysendpulse `send_event`, the Go client); a360.yml does not document it.
EVENT_START_PATH: dict[str, Any] = {
    "post": {
        "operationId": "startEventAutomation360",
        "parameters": [{"name": "event_name", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "anyOf": [{"required": ["email"]}, {"required": ["phone"]}],
                        "properties": {
                            "email": {"type": "string"},
                            "phone": {"type": ["string", "integer"]},
                        },
                        "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "flows started",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["result"],
                            "properties": {"result": {"const": True}},
                        }
                    }
                },
            }
        },
    }
}


def patch_services(spec: dict[str, Any], name: str) -> None:
    """Apply the documented fixes to a copy of a360.yml, smtp.yml or verifier.yml."""
    paths = spec["paths"]
    if name == "a360.yml":
        # 1. The event start every official client uses is not in the document.
        paths["/events/name/{event_name}"] = copy.deepcopy(EVENT_START_PATH)
    # 2. Operations document 401/403 (some 422) only; SendPulse answers its error envelope for the rest
    #    (400 unknown event, 404 unknown list or verification, 422 validation).
    for methods in paths.values():
        for operation in methods.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault(
                    "default",
                    {
                        "description": "error",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
