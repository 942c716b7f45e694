"""The chatbot products (`/chatbots`, `/telegram`, `/whatsapp`) and their admin API, as one router."""

from __future__ import annotations

from fastapi import APIRouter

from .chatbot_channels import router as channels_router
from .chatbots_admin import router as admin_router
from .chatbots_service import router as service_router

router = APIRouter()
for _part in (service_router, channels_router, admin_router):
    router.include_router(_part)
