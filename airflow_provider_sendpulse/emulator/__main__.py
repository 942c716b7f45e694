"""`python -m airflow_provider_sendpulse.emulator`: serve the SendPulse API emulator in the foreground."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn

from . import config as defaults
from .app import create_app
from .config import EmulatorConfig
from .server import bind_socket


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=110)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="python -m airflow_provider_sendpulse.emulator",
        description="Serve an in-memory emulator of the SendPulse REST API (admin API under /_emulator/).",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    parser.add_argument("--port", type=int, default=8089, help="TCP port (0: any free port, printed)")
    parser.add_argument("--client-id", default=defaults.DEFAULT_CLIENT_ID, help="accepted OAuth client id")
    parser.add_argument("--client-secret", default=defaults.DEFAULT_CLIENT_SECRET, help="accepted secret")
    parser.add_argument("--api-key", default=defaults.DEFAULT_API_KEY, help="accepted static API key")
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=defaults.DEFAULT_RATE_LIMIT,
        help="requests per second per account, 0 = off",
    )
    parser.add_argument(
        "--token-ttl", type=int, default=defaults.DEFAULT_TOKEN_TTL, help="token lifetime (s)"
    )
    parser.add_argument(
        "--campaign-step-seconds",
        type=float,
        default=defaults.DEFAULT_CAMPAIGN_STEP_SECONDS,
        help="time a campaign spends in each status of 13 -> 14 -> 2 -> 3",
    )
    parser.add_argument(
        "--campaign-limits",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="enforce 4 API campaigns per hour (error 791) and 15 minutes between campaigns per list (711)",
    )
    parser.add_argument(
        "--seed", type=int, default=defaults.DEFAULT_SEED, help="seed of generated statistics"
    )
    parser.add_argument(
        "--record-bodies",
        action="store_true",
        help="keep each request's body in the request log (for checking what clients send)",
    )
    parser.add_argument(
        "--timezone",
        default=defaults.DEFAULT_TIMEZONE,
        help="the account's IANA time zone: every date the API reads and writes is in it",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and serve until interrupted."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = _config(args)
    except ValueError as exc:
        parser.error(str(exc))
    # Bind first, so the announced port is the real one even when the system picks it (--port 0).
    sock = bind_socket(args.host, args.port)
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"SendPulse emulator on http://{host}:{port} (admin API: /_emulator/state)", flush=True)
    server = uvicorn.Server(
        uvicorn.Config(create_app(config), log_level="warning", access_log=False, lifespan="off")
    )
    server.run(sockets=[sock])


def _config(args: argparse.Namespace) -> EmulatorConfig:
    return EmulatorConfig(
        client_id=args.client_id,
        client_secret=args.client_secret,
        api_key=args.api_key or None,
        rate_limit=args.rate_limit or None,
        token_ttl=args.token_ttl,
        campaign_step_seconds=args.campaign_step_seconds,
        campaign_limits=args.campaign_limits,
        seed=args.seed,
        timezone=args.timezone,
        record_bodies=args.record_bodies,
    )


if __name__ == "__main__":
    main()
