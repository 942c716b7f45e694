"""Email verification: verify a mailing list (progress, then results) or a single address."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from starlette.requests import Request

from ..errors import ApiError, invalid
from ..params import body_args, get_int, query_args
from ..verifier import STATUS_TEXT, UNVERIFIED, ListVerification, single_checks, verdict
from .common import emulator_of, find_book
from .contacts import is_email

if TYPE_CHECKING:
    from ..app import Emulator

router = APIRouter(prefix="/verifier-service")

MAX_RESULTS_PAGE = 100
_LIST_COLOUR = ((5, 1), (15, 2))  # invalid share (%) up to which a list is Green (1), then Yellow (2)


def _verification(emulator: Emulator, list_id: int) -> ListVerification:
    found = emulator.state.verifier.lists.get(list_id)
    if found is None:
        raise ApiError(404, "Mailing list was not verified", 404)
    return found


def _results(emulator: Emulator, job: ListVerification) -> list[int]:
    """Each address's status, in list order (0 for the ones not checked yet)."""
    done = job.processed(emulator.state.clock.now(), emulator.config.campaign_step_seconds)
    return [verdict(e) if n < done else UNVERIFIED for n, e in enumerate(job.emails)]


def _summary(emulator: Emulator, job: ListVerification, statuses: list[int]) -> dict[str, Any]:
    book = emulator.state.lists.get(job.list_id)
    counts = Counter(statuses)
    invalid_share = 100 * counts[3] / len(statuses) if statuses else 0
    colour = next((c for limit, c in _LIST_COLOUR if invalid_share <= limit), 3)
    return {
        "id": job.list_id,
        "address_book_name": book.name if book else "",
        "all_emails_quantity": len(statuses),
        "status": colour,
        "check_date": emulator.state.format_date(job.started),
        "data": {str(s): counts[s] for s in STATUS_TEXT},
        "is_updated": int(book is not None and len(book.contacts) != len(job.emails)),
        "status_text": {1: "Green", 2: "Yellow", 3: "Red"}[colour],
    }


@router.post("/send-list-to-verify")
async def send_list(request: Request) -> dict[str, Any]:
    """Start verifying a mailing list; refused while one of the same list runs."""
    emulator = emulator_of(request)
    list_id = get_int(await body_args(request), "id", minimum=1)
    state = emulator.state
    with state.lock:
        book = find_book(emulator, list_id)
        now, step = state.clock.now(), emulator.config.campaign_step_seconds
        running = state.verifier.lists.get(list_id)
        if running is not None and not running.done(now, step):
            raise invalid("Mailing list verification is already in progress")
        if len(book.contacts) == 0:
            raise invalid("Mailing list is empty")
        emails = [c.email for c in book.contacts.iter_all()]
        state.verifier.lists[list_id] = ListVerification(list_id, emails, now)
    return {"result": True}


@router.get("/get-progress")
async def progress(request: Request) -> dict[str, Any]:
    """How many addresses of a list's verification are checked."""
    emulator = emulator_of(request)
    list_id = get_int(query_args(request), "id", minimum=1)
    state = emulator.state
    with state.lock:
        job = _verification(emulator, list_id)
        done = job.processed(state.clock.now(), emulator.config.campaign_step_seconds)
    return {"result": True, "data": {"total": len(job.emails), "processed": done}}


@router.get("/check")
async def results(request: Request) -> dict[str, Any]:
    """A list's verification summary and a page of addresses with their status."""
    emulator = emulator_of(request)
    args = query_args(request)
    list_id = get_int(args, "id", minimum=1)
    start = get_int(args, "start", default=0, minimum=0)
    count = get_int(args, "count", default=10, minimum=1, maximum=MAX_RESULTS_PAGE)
    with emulator.state.lock:
        job = _verification(emulator, list_id)
        statuses = _results(emulator, job)
        answer = _summary(emulator, job, statuses)
        check_date = answer["check_date"]
        answer["email_addresses"] = [
            {
                "id": start + n + 1,
                "email_address": email,
                "check_date": check_date,
                "status": status,
                "status_text": STATUS_TEXT[status],
            }
            for n, (email, status) in enumerate(
                zip(job.emails[start : start + count], statuses[start : start + count], strict=True)
            )
        ]
        answer["email_addresses_total"] = len(job.emails)
    return answer


@router.get("/check-list")
async def verified_lists(request: Request) -> dict[str, Any]:
    """Summaries of the verified mailing lists."""
    emulator = emulator_of(request)
    args = query_args(request)
    start = get_int(args, "start", default=0, minimum=0)
    count = get_int(args, "count", default=10, minimum=1, maximum=MAX_RESULTS_PAGE)
    with emulator.state.lock:
        jobs = list(emulator.state.verifier.lists.values())
        page = []
        for job in jobs[start : start + count]:
            summary = _summary(emulator, job, _results(emulator, job))
            summary["is_garbage_in_book"] = summary["data"]["3"] > 0
            page.append(summary)
    return {"total": len(jobs), "list": page}


@router.post("/send-single-to-verify")
async def send_single(request: Request) -> dict[str, Any]:
    """Queue one address for checking (its result is ready at once)."""
    emulator = emulator_of(request)
    email = (await body_args(request)).get("email")
    if not is_email(email):
        raise invalid("Argument email is invalid")
    with emulator.state.lock:
        emulator.state.verifier.singles[str(email).strip().lower()] = emulator.state.clock.now()
    return {"result": True}


@router.get("/get-single-result")
async def single_result(request: Request) -> dict[str, Any]:
    """The result of an address sent with `send-single-to-verify`."""
    emulator = emulator_of(request)
    email = query_args(request).get("email")
    if not is_email(email):
        raise invalid("Argument email is invalid")
    address = str(email).strip().lower()
    with emulator.state.lock:
        if address not in emulator.state.verifier.singles:
            raise ApiError(404, "Email was not sent for verification", 404)
    return {"result": True, "data": {"email": address, "checks": single_checks(address)}}
