"""In-memory fixes to SendPulse's crm.yml before validation; each is listed in docs/emulator.md."""

from __future__ import annotations

from typing import Any

#: Operations the emulator serves (path -> methods); the rest of the document is dropped.
EMULATED: dict[str, tuple[str, ...]] = {
    "/users": ("get",),
    "/pipelines": ("get",),
    "/pipelines/{pipelineId}": ("get",),
    "/pipelines/{pipelineId}/steps": ("get",),
    "/deals/get-list": ("post",),
    "/deals": ("post",),
    "/deals/{dealId}": ("get", "put", "delete"),
    "/deals/{dealId}/change-pipeline": ("post",),
    "/deals/{dealId}/comments": ("get", "post"),
    "/deals/{dealId}/comments/{commentId}": ("put", "delete"),
    "/deals/{dealId}/history": ("get",),
    "/deals/{dealId}/contacts": ("get",),
    "/deals/{dealId}/contacts/{contactId}": ("post", "delete"),
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
    ("/deals/{dealId}/comments", "get"),
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
    # 6. `change-pipeline` documents no answer body; the emulator answers `{"data": Deal}`.
    paths["/deals/{dealId}/change-pipeline"]["post"]["responses"]["200"]["content"] = {
        "application/json": {"schema": {"properties": {"data": {"$ref": "#/components/schemas/Deal"}}}}
    }
