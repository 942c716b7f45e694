"""`POST /contacts/get-list` and `POST /deals/get-list`: filters, sorting and paging.

A query is one predicate over the records plus a sort key; a page is a full scan, which stays in the tens
of milliseconds at 100,000 deals (measured in `benchmarks/emulator_crm_capacity.py`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .crm import DEAL_LOST, DEAL_STATUSES, DEAL_WON, CrmContact, CrmState, Deal, crm_invalid
from .crm_params import (
    as_int,
    day_bounds,
    int_list,
    parse_datetime,
    refuse_unsupported,
    req_int,
    req_str,
    sort_by,
)

T = TypeVar("T")
Predicate = Callable[[T], bool]

CONTACT_SORT = ("id", "created_at", "first_name", "attributeId", "responsible_id")
CONTACT_UNSUPPORTED = (
    "sourceType",
    "messengerTypeIds",
    "messengerLogin",
    "attributes",
    "location",
    "fieldValueConditions",
)
DEAL_SORT = ("id", "name", "price", "createdAt", "updatedAt", "stepId", "status", "pipelineId")
DEAL_UNSUPPORTED = ("attributes", "expiration", "unlimited")
EXPRESSIONS = ("eq", "neq", "gt", "gte", "lt", "lte", "like", "in")
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "neq": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
MAX_IN = 1_000


@dataclass
class Page(Generic[T]):
    """One page of matching records and how many match in all."""

    items: list[T]
    total: int


def _page(
    records: Iterable[T],
    tests: list[Predicate[T]],
    key: Callable[[T], Any],
    desc: bool,
    limit: int,
    offset: int,
) -> Page[T]:
    if not tests:
        matches = list(records)
    elif len(tests) == 1:
        matches = list(filter(tests[0], records))
    else:
        matches = [r for r in records if all(t(r) for t in tests)]
    matches.sort(key=key, reverse=desc)
    return Page(matches[offset : offset + limit], len(matches))


def _contains(needle: str) -> Callable[[str], bool]:
    lowered = needle.strip().lower()
    return lambda text: lowered in text.lower()


def _text_test(attr: str, has: Callable[[str], bool]) -> Predicate[CrmContact]:
    def test(contact: CrmContact) -> bool:
        return has(getattr(contact, attr))

    return test


def _bound_test(attr: str, compare: Callable[[Any, Any], bool], bound: int) -> Predicate[CrmContact]:
    def test(contact: CrmContact) -> bool:
        return compare(getattr(contact, attr), bound)

    return test


def _contact_matcher(crm: CrmState, args: dict[str, Any]) -> list[Predicate[CrmContact]]:
    """Predicates for the contact filters shared by contact and deal lists."""
    tests: list[Predicate[CrmContact]] = []
    for name, attr in (("firstName", "first_name"), ("lastName", "last_name")):
        value = req_str(args, name, default=None)
        if value:
            tests.append(_text_test(attr, _contains(value)))
    email = req_str(args, "email", default=None)
    if email:
        has_email = _contains(email)
        tests.append(lambda c: any(has_email(e.value) for e in c.emails or ()))
    phone = req_str(args, "phone", default=None)
    if phone:
        digits = "".join(ch for ch in phone if ch.isdigit())
        if not digits:
            raise crm_invalid("phone", "must contain digits")
        tests.append(lambda c: any(digits in p.value for p in c.phones or ()))
    return tests


def contact_page(crm: CrmState, args: dict[str, Any]) -> Page[CrmContact]:
    """The contacts a `get-list` body asks for."""
    refuse_unsupported(args, CONTACT_UNSUPPORTED)
    limit = req_int(args, "limit", default=10, lo=1, hi=100)
    offset = req_int(args, "offset", default=0, lo=0)
    tests = _contact_matcher(crm, args)
    for low_name, high_name, attr in (("from", "to", "created"), ("updateFrom", "updateTo", "updated")):
        low, high = day_bounds(args, low_name, end=False), day_bounds(args, high_name, end=True)
        if low is not None:
            tests.append(_bound_test(attr, operator.ge, low))
        if high is not None:
            tests.append(_bound_test(attr, operator.le, high))
    ids = int_list(args, "ids")
    if ids:
        wanted = set(ids)
        tests.append(lambda c: c.id in wanted)
    responsible = int_list(args, "responsibleIds")
    if responsible:
        owners = set(responsible)
        tests.append(lambda c: c.responsible_id in owners)
    tag_ids = int_list(args, "tagIds")
    if tag_ids:
        tagged = set(tag_ids)
        tests.append(lambda c: bool(c.tags) and not tagged.isdisjoint(c.tags or ()))
    field_name, desc = sort_by(args, CONTACT_SORT, ("id", "desc"))
    if field_name == "attributeId":
        raise crm_invalid("sortBy.fieldName", "attributeId sorting is not supported by the emulator")
    keys: dict[str, Callable[[CrmContact], Any]] = {
        "id": lambda c: c.id,
        "created_at": lambda c: (c.created, c.id),
        "first_name": lambda c: (c.first_name.lower(), c.id),
        "responsible_id": lambda c: (c.responsible_id, c.id),
    }
    return _page(crm.contacts.values(), tests, keys[field_name], desc, limit, offset)


def _filter_value(name: str, expression: str, raw: Any, where: str) -> Any:
    """A `filter[]` value converted for comparison with the field."""
    if expression == "in":
        if not isinstance(raw, list) or not raw or len(raw) > MAX_IN:
            raise crm_invalid(where, f"must be a non-empty array of at most {MAX_IN} values for 'in'")
        return {_filter_value(name, "eq", v, f"{where}[{n}]") for n, v in enumerate(raw)}
    if name in ("createdAt", "updatedAt"):
        return parse_datetime(raw, where)
    if name == "price":
        if isinstance(raw, str):
            try:
                return float(raw)
            except ValueError:
                pass
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise crm_invalid(where, "must be a number")
        return raw
    if name in ("name", "currency"):
        if not isinstance(raw, str):
            raise crm_invalid(where, "must be a string")
        return raw
    number = as_int(raw, where)
    if name == "status" and number not in DEAL_STATUSES:
        raise crm_invalid(where, "must be a deal status: 0 deleted, 1 active, 2 lost, 3 won")
    return number


_DEAL_ATTRS: dict[str, Callable[[Deal], Any]] = {
    name: operator.attrgetter(attr)
    for name, attr in (
        ("id", "id"),
        ("createdAt", "created"),
        ("updatedAt", "updated"),
        ("stepId", "step_id"),
        ("status", "status"),
        ("pipelineId", "pipeline_id"),
        ("responsibleId", "responsible_id"),
        ("price", "price"),
        ("name", "name"),
        ("number", "number"),
        ("currency", "currency"),
        ("sourceId", "source_id"),
    )
}


def _deal_filter(entry: Any, index: int) -> Predicate[Deal]:
    where = f"filter[{index}]"
    if not isinstance(entry, dict):
        raise crm_invalid(where, "must be an object {name, expression, value}")
    name = entry.get("name")
    if name not in _DEAL_ATTRS:
        raise crm_invalid(f"{where}.name", f"must be one of {', '.join(_DEAL_ATTRS)}")
    expression = entry.get("expression")
    if expression not in EXPRESSIONS:
        raise crm_invalid(f"{where}.expression", f"must be one of {', '.join(EXPRESSIONS)}")
    if expression == "like" and name != "name":
        raise crm_invalid(f"{where}.expression", "like works on name only")
    if "value" not in entry:
        raise crm_invalid(f"{where}.value", "is required")
    value = _filter_value(str(name), str(expression), entry["value"], f"{where}.value")
    attr = _DEAL_ATTRS[str(name)]
    if expression == "in":
        return lambda d: attr(d) in value
    if expression == "like":
        has = _contains(str(value).strip("%"))
        return lambda d: has(d.name)
    compare = _COMPARE[str(expression)]
    if name == "sourceId":  # unset on most deals: no comparison matches it, as in SQL
        return lambda d: d.source_id is not None and compare(d.source_id, value)
    return lambda d: compare(attr(d), value)  # type: ignore[no-any-return]


def deal_page(crm: CrmState, args: dict[str, Any]) -> Page[Deal]:
    """The deals a `get-list` body asks for."""
    refuse_unsupported(args, DEAL_UNSUPPORTED)
    limit = req_int(args, "limit", default=10, lo=1, hi=100)
    offset = req_int(args, "offset", default=0, lo=0)
    raw_filters = args.get("filter")
    if raw_filters is not None and not isinstance(raw_filters, list):
        raise crm_invalid("filter", "must be an array of {name, expression, value}")
    tests: list[Predicate[Deal]] = [_deal_filter(f, n) for n, f in enumerate(raw_filters or ())]
    pipelines = int_list(args, "pipelineIds")
    if pipelines:
        chosen = set(pipelines)
        tests.append(lambda d: d.pipeline_id in chosen)
    name = req_str(args, "name", default=None)
    if name:
        has_name = _contains(name)
        tests.append(lambda d: has_name(d.name))
    for bound, end in (("completionDateFrom", False), ("completionDateTo", True)):
        raw = args.get(bound)
        if raw in (None, ""):
            continue
        moment = parse_datetime(raw, bound)
        if end and isinstance(raw, str) and len(raw.strip()) == 10:
            moment += 86_399
        tests.append(_completed_test(moment, end))
    contact_tests = _contact_matcher(crm, args)
    if contact_tests:
        linked = {c.id for c in crm.contacts.values() if all(t(c) for t in contact_tests)}
        tests.append(lambda d: bool(d.contacts) and not linked.isdisjoint(d.contacts or ()))
    field_name, desc = sort_by(args, DEAL_SORT, ("id", "desc"))
    attr = _DEAL_ATTRS[field_name]
    key: Callable[[Deal], Any] = attr if field_name == "id" else (lambda d: (attr(d), d.id))
    return _page(crm.deals.values(), tests, key, desc, limit, offset)


def _completed_test(moment: float, end: bool) -> Predicate[Deal]:
    if end:
        return lambda d: d.status in (DEAL_WON, DEAL_LOST) and d.closed is not None and d.closed <= moment
    return lambda d: d.status in (DEAL_WON, DEAL_LOST) and d.closed is not None and d.closed >= moment
