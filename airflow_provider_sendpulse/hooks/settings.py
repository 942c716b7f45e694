"""Read a ``sendpulse`` Airflow connection into a :class:`ClientConfig` (pure; no Airflow import)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_sendpulse import (
    DEFAULT_MAX_REQUESTS_PER_SECOND,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_TIMEZONE,
)
from airflow_provider_sendpulse.client.core import ClientConfig

EXTRA_PREFIX = "extra__sendpulse__"


def _extra(extra: Mapping[str, Any], name: str) -> Any:
    for key in (name, EXTRA_PREFIX + name):
        value = extra.get(key)
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return value.strip() if isinstance(value, str) else value
    return None


def _number(extra: Mapping[str, Any], name: str, default: float) -> float:
    value = _extra(extra, name)
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"connection extra {name!r} must be a number, got {value!r}") from None
    if number <= 0 and name != "max_retries":
        raise ValueError(f"connection extra {name!r} must be positive, got {value!r}")
    return number


def _flag(extra: Mapping[str, Any], name: str) -> bool:
    value = _extra(extra, name)
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ValueError(f"connection extra {name!r} must be true or false, got {value!r}")


SCALE_SETTINGS = ("rate_limit_store", "token_cache_dir")
"""Settings a connection extra or Airflow's ``[sendpulse]`` configuration section may give."""


def _text(extra: Mapping[str, Any], name: str) -> str | None:
    value = _extra(extra, name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"connection extra {name!r} must be a string, got {type(value).__name__}")
    return value


def base_url_from(host: str | None, schema: str | None = None, port: int | None = None) -> str | None:
    """The base URL from the connection's host (with or without scheme), schema and port."""
    host = (host or "").strip()
    if not host:
        return None
    if "://" not in host:
        scheme = schema if schema in ("http", "https") else "https"
        host = f"{scheme}://{host}"
    if port and host.count(":") < 2:
        scheme, rest = host.split("://", 1)
        netloc, _, path = rest.partition("/")
        host = f"{scheme}://{netloc}:{port}" + (f"/{path}" if path else "")
    return host


def client_config(
    *,
    login: str | None,
    password: str | None,
    host: str | None,
    extra: Mapping[str, Any],
    schema: str | None = None,
    port: int | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> ClientConfig:
    """Build the client settings: login = API ID, password = API secret, host = base URL, extras.

    Extras (plain or ``extra__sendpulse__``-prefixed): ``api_key``, ``timeout``,
    ``max_requests_per_second``, ``max_retries``, ``allow_insecure_http``, ``timezone`` (IANA name,
    default UTC), ``rate_limit_store`` (where the rate limit is shared: ``host``, ``process`` or a
    Redis URL) and ``token_cache_dir`` (folder of the host token cache). ``defaults`` (the
    ``[sendpulse]`` section of Airflow's configuration) supplies the last two where the connection
    does not.
    """
    fallback = {k: v for k, v in (defaults or {}).items() if k in SCALE_SETTINGS}
    api_key = _extra(extra, "api_key")
    try:
        retries = _number(extra, "max_retries", DEFAULT_MAX_RETRIES)
        if retries < 0 or retries != int(retries):
            raise ValueError(
                "connection extra 'max_retries' must be a whole number >= 0, "
                f"got {_extra(extra, 'max_retries')!r}"
            )
        stripped = (host or "").strip()
        return ClientConfig(
            base_url=base_url_from(host, schema, port) or "",
            scheme_assumed=bool(stripped) and "://" not in stripped and schema not in ("http", "https"),
            allow_insecure_http=_flag(extra, "allow_insecure_http"),
            client_id=(login or "").strip() or None,
            client_secret=password or None,
            api_key=str(api_key) if api_key is not None else None,
            timeout=_number(extra, "timeout", DEFAULT_TIMEOUT),
            max_requests_per_second=_number(
                extra, "max_requests_per_second", DEFAULT_MAX_REQUESTS_PER_SECOND
            ),
            max_retries=int(retries),
            timezone=str(_extra(extra, "timezone") or DEFAULT_TIMEZONE),
            rate_limit_store=_text(extra, "rate_limit_store") or _text(fallback, "rate_limit_store"),
            token_cache_dir=_text(extra, "token_cache_dir") or _text(fallback, "token_cache_dir"),
        )
    except ValueError as exc:
        raise ValueError(f"SendPulse connection: {exc}") from None
