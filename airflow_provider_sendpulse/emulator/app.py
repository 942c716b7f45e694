"""The FastAPI application: SendPulse's routes, the admin API, and SendPulse-style error answers."""

from __future__ import annotations

import logging
from typing import Any, cast

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .config import EmulatorConfig
from .errors import ApiError
from .faults import FaultSet
from .frontdoor import FrontDoor, RateLimiter, RequestLog
from .routes.account import router as account_router
from .routes.admin import router as admin_router
from .routes.auth import router as auth_router
from .routes.automation import router as automation_router
from .routes.campaigns import router as campaigns_router
from .routes.chatbots import router as chatbots_router
from .routes.contacts import router as contacts_router
from .routes.crm import router as crm_router
from .routes.lists import router as lists_router
from .routes.services_admin import router as services_admin_router
from .routes.sms import router as sms_router
from .routes.smtp import router as smtp_router
from .routes.verifier import router as verifier_router
from .state import EmulatorState

log = logging.getLogger(__name__)


class Emulator:
    """One emulated SendPulse account with its settings, faults and request log."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.initial_config = (config or EmulatorConfig()).copy()
        self.config = self.initial_config.copy()
        self.state = EmulatorState(self.config)
        self.faults = FaultSet()
        self.requests = RequestLog()
        self.limiter = RateLimiter()

    def reset(self) -> None:
        """Back to the start: empty account, start-up settings, no faults, empty request log."""
        self.config = self.initial_config.copy()
        self.state = EmulatorState(self.config)
        self.faults.clear()
        self.requests.clear()
        self.limiter.clear()

    def configure(self, **changes: Any) -> None:
        """Change runtime settings (the state shares the config object, so it sees them at once)."""
        for name, value in changes.items():
            setattr(self.config, name, value)


async def _api_error(_: Request, exc: Exception) -> Response:
    return cast(ApiError, exc).response()


async def _validation_error(_: Request, exc: Exception) -> Response:
    errors = cast(RequestValidationError, exc).errors()
    name = str(errors[0]["loc"][-1]) if errors and errors[0].get("loc") else "request"
    return JSONResponse({"message": f"Argument {name} is invalid", "error_code": 422}, status_code=422)


async def _http_error(_: Request, exc: Exception) -> Response:
    http = cast(StarletteHTTPException, exc)
    message = "Not found" if http.status_code == 404 else str(http.detail)
    return JSONResponse({"message": message, "error_code": http.status_code}, status_code=http.status_code)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.warning("emulator could not handle %s %s: %r", request.method, request.url.path, exc)
    return JSONResponse({"message": "Bad request", "error_code": 400}, status_code=400)


def create_app(config: EmulatorConfig | None = None) -> FrontDoor:
    """The emulator as an ASGI application; `app.emulator` is its `Emulator`."""
    emulator = Emulator(config)
    api = FastAPI(title="SendPulse API emulator", docs_url=None, redoc_url=None, openapi_url=None)
    api.state.emulator = emulator
    api.add_exception_handler(ApiError, _api_error)
    api.add_exception_handler(RequestValidationError, _validation_error)
    api.add_exception_handler(StarletteHTTPException, _http_error)
    api.add_exception_handler(Exception, _unexpected)
    for router in (
        auth_router,
        lists_router,
        contacts_router,
        campaigns_router,
        account_router,
        sms_router,
        crm_router,
        chatbots_router,
        automation_router,
        smtp_router,
        verifier_router,
        services_admin_router,
        admin_router,
    ):
        api.include_router(router)
    return FrontDoor(api, emulator)
