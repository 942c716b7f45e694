"""The batch-size rule of the streamed contact import, light enough for an operator's constructor."""

from __future__ import annotations

MAX_ADD_BATCH_SIZE = 10_000
"""The largest batch accepted: beyond it each request costs more than the rate limit saves."""


def check_batch_size(batch_size: int) -> None:
    """Refuse a batch size outside 1 to :data:`MAX_ADD_BATCH_SIZE` (ValueError)."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"must be a positive integer, got {batch_size!r}")
    if batch_size > MAX_ADD_BATCH_SIZE:
        raise ValueError(f"at most {MAX_ADD_BATCH_SIZE}, got {batch_size}")
