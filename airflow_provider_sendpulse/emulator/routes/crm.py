"""The CRM product (`/crm/v1`) and its admin API (`/_emulator/crm`), as one router to register."""

from __future__ import annotations

from fastapi import APIRouter

from .crm_admin import router as admin_router
from .crm_contacts import router as contacts_router
from .crm_deals import router as deals_router

router = APIRouter()
for _part in (deals_router, contacts_router, admin_router):
    router.include_router(_part)
