"""Every emulated CRM operation, request and answer, validated against SendPulse's crm.yml."""

from __future__ import annotations

import httpx
import pytest
from openapi_core.exceptions import OpenAPIError

from airflow_provider_sendpulse.emulator.control import EmulatorControl

from .crm_helpers import CRM, Check, add_funnel, crm_answer_checker, crm_checker, owner_id
from .openapi_adapter import openapi_for, validate


@pytest.fixture
def crm_api(emulator: EmulatorControl) -> Check:
    return crm_checker(emulator)


def test_crm_validation_is_not_vacuous(emulator: EmulatorControl) -> None:
    openapi = openapi_for("crm.yml", emulator.url + CRM)
    auth = {"Authorization": "Bearer t"}
    deal = httpx.Request("GET", f"{emulator.url}{CRM}/deals/5", headers=auth)
    with pytest.raises(OpenAPIError):
        validate(openapi, httpx.Response(200, json={"data": {"id": "five"}}, request=deal))
    with pytest.raises(OpenAPIError):
        validate(openapi, httpx.Response(404, json={"message": "Deal not found"}, request=deal))
    create = httpx.Request("POST", f"{emulator.url}{CRM}/deals", headers=auth, json={"name": "no ids"})
    with pytest.raises(OpenAPIError):
        validate(openapi, httpx.Response(200, json={"data": {}}, request=create))
    listing = httpx.Request(
        "POST", f"{emulator.url}{CRM}/contacts/get-list", headers=auth, json={"limit": 500}
    )
    with pytest.raises(OpenAPIError):
        validate(openapi, httpx.Response(200, json={"data": {"list": [], "total": 0}}, request=listing))


def test_team_and_pipelines(api: httpx.Client, crm_api: Check, emulator: EmulatorControl) -> None:
    funnel = add_funnel(emulator)
    assert crm_api(api.get(f"{CRM}/users")).json()["data"][0]["firstname"] == "Account"
    listed = crm_api(api.get(f"{CRM}/pipelines")).json()["data"]
    assert [s["id"] for s in listed[0]["steps"]] == funnel.steps
    crm_api(api.get(f"{CRM}/pipelines/{funnel.id}"))
    steps = crm_api(api.get(f"{CRM}/pipelines/{funnel.id}/steps")).json()["data"]
    assert [s["order"] for s in steps] == [1, 2, 3]
    assert crm_api(api.get(f"{CRM}/pipelines/999")).status_code == 404


def test_deal_operations(api: httpx.Client, crm_api: Check, emulator: EmulatorControl) -> None:
    funnel = add_funnel(emulator)
    other = add_funnel(emulator, "Renewals", 2)
    contact = emulator.add_crm_contacts([{"first_name": "Ann", "emails": ["ann@example.com"]}])[0]
    body = {
        "pipelineId": funnel.id,
        "stepId": funnel.steps[0],
        "name": "Big",
        "price": 100.5,
        "contact": [contact],
    }
    deal = crm_api(api.post(f"{CRM}/deals", json=body)).json()["data"]
    deal_id = deal["id"]
    crm_api(api.get(f"{CRM}/deals/{deal_id}"))
    update = {"pipelineId": funnel.id, "stepId": funnel.steps[1], "status": 1, "name": "Bigger", "price": 200}
    crm_api(api.put(f"{CRM}/deals/{deal_id}", json=update))
    move = {"pipelineId": other.id, "stepId": other.steps[1]}
    crm_api(api.post(f"{CRM}/deals/{deal_id}/change-pipeline", json=move))
    note = crm_api(api.post(f"{CRM}/deals/{deal_id}/comments", json={"message": "Called"})).json()["data"]
    crm_api(api.get(f"{CRM}/deals/{deal_id}/comments"))
    crm_api(api.put(f"{CRM}/deals/{deal_id}/comments/{note['id']}", json={"message": "Called twice"}))
    crm_api(api.delete(f"{CRM}/deals/{deal_id}/comments/{note['id']}"))
    window = {"fromDate": "2000-01-01T00:00:00+00:00", "toDate": "2100-01-01T00:00:00+00:00"}
    history = crm_api(api.get(f"{CRM}/deals/{deal_id}/history", params=window)).json()["data"]
    assert [h["eventType"] for h in history] == ["created", "step_changed", "updated", "pipeline_changed"]
    crm_api(api.get(f"{CRM}/deals/{deal_id}/contacts"))
    crm_api(api.delete(f"{CRM}/deals/{deal_id}/contacts/{contact}"))
    crm_api(api.post(f"{CRM}/deals/{deal_id}/contacts/{contact}"))
    filters = [
        {"name": "updatedAt", "expression": "gte", "value": "2000-01-01T00:00:00+00:00"},
        {"name": "status", "expression": "in", "value": [1, 3]},
    ]
    listing = {"filter": filters, "pipelineIds": [other.id], "limit": 10, "offset": 0}
    listing["sortBy"] = {"fieldName": "updatedAt", "direction": "asc"}
    page = crm_api(api.post(f"{CRM}/deals/get-list", json=listing)).json()
    assert page["meta"]["total"] == 1
    crm_api(api.delete(f"{CRM}/deals/{deal_id}"))


def test_deal_attributes_and_source_id(api: httpx.Client, crm_api: Check, emulator: EmulatorControl) -> None:
    funnel = add_funnel(emulator)
    other = add_funnel(emulator, "Renewals", 2)
    plan = emulator.add_deal_attribute(funnel.id, "Plan")
    region = emulator.add_deal_attribute(funnel.id, "Region")
    foreign = emulator.add_deal_attribute(other.id, "Plan")
    listed = crm_api(api.get(f"{CRM}/pipelines/{funnel.id}/attributes")).json()["data"]
    assert [(a["id"], a["name"]) for a in listed] == [(plan, "Plan"), (region, "Region")]
    body = {
        "pipelineId": funnel.id,
        "stepId": funnel.steps[0],
        "name": "Acme",
        "sourceId": 4711,
        "attributes": [{"attributeId": plan, "value": "gold"}],
    }
    deal_id = crm_api(api.post(f"{CRM}/deals", json=body)).json()["data"]["id"]
    region_value = {"attributeId": region, "value": "EU"}
    added = crm_api(api.post(f"{CRM}/deals/{deal_id}/attributes", json=region_value))
    assert added.json()["data"]["value"] == {"value": "EU"}
    put = crm_api(api.put(f"{CRM}/deals/{deal_id}/attributes/{plan}", json={"value": "silver"}))
    assert put.json()["data"]["name"] == "Plan"
    values = crm_api(api.get(f"{CRM}/deals/{deal_id}/attributes")).json()["data"]
    assert {v["name"]: v["value"]["value"] for v in values} == {"Plan": "silver", "Region": "EU"}
    detail = crm_api(api.get(f"{CRM}/deals/{deal_id}")).json()["data"]
    assert [v["value"]["value"] for v in detail["attributes"]] == ["silver", "EU"]
    emulator.add_deals([{"pipeline_id": funnel.id, "step_id": funnel.steps[0], "name": "Unsourced"}])
    by_source = {"name": "sourceId", "expression": "eq"}
    for expression, value, total in (("eq", 4711, 1), ("eq", "4711", 1), ("neq", 1, 1), ("in", [1, 4711], 1)):
        listing = {"filter": [{"name": "sourceId", "expression": expression, "value": value}]}
        page = crm_api(api.post(f"{CRM}/deals/get-list", json=listing)).json()
        assert page["meta"]["total"] == total, (expression, value)
        assert page["data"][0]["sourceId"] == 4711
    refusals = [
        api.post(f"{CRM}/deals/{deal_id}/attributes", json={"attributeId": plan, "value": "again"}),
        api.post(f"{CRM}/deals/{deal_id}/attributes", json={"attributeId": foreign, "value": "x"}),
        api.post(f"{CRM}/deals/{deal_id}/attributes", json={"attributeId": region, "value": "x" * 5_501}),
        api.post(f"{CRM}/deals", json={**body, "attributes": [{"attributeId": foreign, "value": "x"}]}),
        api.post(f"{CRM}/deals/get-list", json={"filter": [{**by_source, "value": "x"}]}),
    ]
    assert [crm_answer_checker(emulator)(r).status_code for r in refusals] == [422] * 5
    assert "attributes[0].attributeId" in refusals[3].json()["data"]["message"]
    missing = crm_api(api.put(f"{CRM}/deals/{deal_id}/attributes/{foreign}", json={"value": "x"}))
    assert missing.status_code == 404


def test_deal_errors(api: httpx.Client, crm_api: Check, emulator: EmulatorControl) -> None:
    funnel = add_funnel(emulator)
    assert crm_api(api.get(f"{CRM}/deals/123")).status_code == 404
    assert crm_api(api.post(f"{CRM}/deals", json={"pipelineId": funnel.id, "stepId": 1})).status_code == 422
    bad = {"filter": [{"name": "updatedAt", "expression": "gte", "value": "yesterday"}]}
    assert crm_api(api.post(f"{CRM}/deals/get-list", json=bad)).status_code == 422
    assert crm_api(api.post(f"{CRM}/deals/get-list", json={"limit": 101})).status_code == 422


def test_contact_operations(api: httpx.Client, crm_api: Check, emulator: EmulatorControl) -> None:
    me = owner_id(api)
    body = {"responsibleId": me, "firstName": "Ann", "lastName": "Lee", "externalContactId": "42"}
    contact_id = crm_api(api.post(f"{CRM}/contacts/create", json=body)).json()["data"]["id"]
    crm_api(api.get(f"{CRM}/contacts/{contact_id}"))
    crm_api(api.put(f"{CRM}/contacts/{contact_id}", json={"responsibleId": me, "firstName": "Anna"}))
    crm_api(api.get(f"{CRM}/contacts/external/42"))
    emails = {"emails": [{"email": "ann@example.com", "isMain": True}]}
    email = crm_api(api.post(f"{CRM}/contacts/{contact_id}/emails", json=emails)).json()["data"][0]
    crm_api(api.put(f"{CRM}/contacts/{contact_id}/emails/{email['id']}", json={"email": "anna@example.com"}))
    phone = crm_api(api.post(f"{CRM}/contacts/{contact_id}/phones", json={"phone": "+380501234567"})).json()
    crm_api(
        api.put(f"{CRM}/contacts/{contact_id}/phones/{phone['data']['id']}", json={"phone": "380501234568"})
    )
    attribute = crm_api(api.post(f"{CRM}/contacts/attributes", json={"name": "Plan", "type": 0})).json()[
        "data"
    ]
    crm_api(api.get(f"{CRM}/contacts/attributes"))
    value = {"attributeId": attribute["id"], "value": "gold"}
    crm_api(api.post(f"{CRM}/contacts/{contact_id}/attributes", json=value))
    crm_api(api.put(f"{CRM}/contacts/{contact_id}/attributes/{attribute['id']}", json={"value": "silver"}))
    batch = {"attributesValues": [{"attributeId": attribute["id"], "value": "bronze"}]}
    assert crm_api(api.post(f"{CRM}/contacts/{contact_id}/attributes/batch", json=batch)).status_code == 201
    crm_api(api.get(f"{CRM}/contacts/{contact_id}/attributes"))
    tag = crm_api(api.post(f"{CRM}/contact-tags", json={"name": "vip"})).json()["data"]
    assert crm_api(api.post(f"{CRM}/contact-tags/{tag['id']}/contact/{contact_id}")).status_code == 201
    crm_api(api.get(f"{CRM}/contact-tags", params={"name": "vip"}))
    note = crm_api(api.post(f"{CRM}/contacts/{contact_id}/comments", json={"message": "Hi"})).json()["data"]
    crm_api(api.put(f"{CRM}/contacts/{contact_id}/comments/{note['id']}", json={"message": "Hello"}))
    listing = {
        "limit": 100,
        "offset": 0,
        "from": "2000-01-01",
        "updateTo": "2100-01-01",
        "email": "anna@",
        "tagIds": [tag["id"]],
        "responsibleIds": [me],
        "sortBy": {"fieldName": "created_at", "direction": "desc"},
    }
    page = crm_api(api.post(f"{CRM}/contacts/get-list", json=listing)).json()["data"]
    assert page["total"] == 1
    assert page["list"][0]["attributes"][0]["value"]["value"] == "bronze"
    crm_api(api.post(f"{CRM}/contacts/get-list-by-email", json={"email": "anna@example.com"}))
    crm_api(api.get(f"{CRM}/contacts/{contact_id}/deals"))
    crm_api(api.delete(f"{CRM}/contacts/{contact_id}/comments/{note['id']}"))
    crm_api(api.delete(f"{CRM}/contact-tags/{tag['id']}/contact/{contact_id}"))
    crm_api(api.delete(f"{CRM}/contacts/{contact_id}/attributes/{attribute['id']}"))
    crm_api(api.delete(f"{CRM}/contacts/{contact_id}/phones/{phone['data']['id']}"))
    crm_api(api.delete(f"{CRM}/contacts/{contact_id}/emails/{email['id']}"))
    crm_api(api.delete(f"{CRM}/contacts/{contact_id}"))


def test_contact_errors(api: httpx.Client, crm_api: Check, emulator: EmulatorControl) -> None:
    answer = crm_answer_checker(emulator)
    assert answer(api.post(f"{CRM}/contacts/create", json={"firstName": "No owner"})).status_code == 422
    assert crm_api(api.get(f"{CRM}/contacts/77")).status_code == 404
    assert (
        answer(api.post(f"{CRM}/contacts/get-list", json={"from": "2024-01-01 10:00:00"})).status_code == 422
    )
