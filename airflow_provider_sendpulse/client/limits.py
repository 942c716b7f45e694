"""Limits SendPulse sets on what one request may carry: plain numbers, cheap to import anywhere."""

from __future__ import annotations

MAX_CAMPAIGN_LISTS = 10
"""Mailing lists one email campaign may go to."""
MAX_CAMPAIGN_ATTACHMENTS = 5
"""Files one email campaign may carry."""
MAX_SMS_SENDER_LENGTH = 11
"""Characters in an SMS sender name (alphanumeric sender ids are 11 at most)."""
MAX_EMAIL_LENGTH = 254
"""Characters in an email address (RFC 5321's path limit less the angle brackets)."""
MAX_PAGE_SIZE = 100
"""SendPulse list endpoints answer 422 for a ``limit`` above this."""
