"""The ``hoanhap`` command: the parser and where each sub-command lives.

- ``serving.py`` — ``run`` (every configured messenger, one web server) and ``console``;
- ``admin.py`` — ``invite``, ``import``, ``cadence``, ``commune``, ``report``, ``backup``;
- ``offline.py`` — ``ask`` and ``expungement`` (no database, no network);
- ``zalo_oa.py`` — ``zalo-oa add|connect|code|tokens|set|list``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot.cli import admin, offline, serving, zalo_oa
from bot.config import ConfigError, load_settings
from bot.logs import setup_logging

log = logging.getLogger("hoanhap")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hoanhap", description="Hòa Nhập community reintegration bot")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (serving, admin, offline, zalo_oa):
        module.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command in ("ask", "expungement"):  # pure: no database, no network
            return offline.run(args, settings)
        if args.command == "console" and args.demo and "HOANHAP_DB" not in os.environ:
            from dataclasses import replace

            settings = replace(settings, db_path=Path("hoanhap-demo.sqlite3"))
        setup_logging(
            logging.WARNING if args.command != "run" else logging.INFO,
            secrets=(settings.telegram_token or "", settings.webhook_secret or "", settings.zalo_token or "",
                     settings.zalo_webhook_secret or ""),
        )
        return asyncio.run(_dispatch(args, settings))
    except ConfigError as error:
        print(f"hoanhap: configuration error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


async def _dispatch(args, settings) -> int:
    from bot.app import Services
    from bot.serve import AlreadyRunning, ProcessLock

    lock = ProcessLock(settings.db_path)
    if args.command in serving.COMMANDS:  # one process answers people from a database, never two
        try:
            lock.acquire()
        except AlreadyRunning as error:
            print(f"hoanhap: {error}", file=sys.stderr)
            return 2
    services = await Services.start(settings)
    try:
        for module in (serving, admin, zalo_oa):
            if args.command in module.COMMANDS:
                return await module.run(services, args)
    finally:
        await services.close()
        lock.release()
    return 2
