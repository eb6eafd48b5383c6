"""Serving people: ``hoanhap run`` (every configured messenger, one web server) and ``hoanhap
console``."""

from __future__ import annotations

import argparse

from bot.config import ConfigError

COMMANDS = ("run", "console")


def add_parsers(sub) -> None:
    run = sub.add_parser("run", help="serve Telegram and/or Zalo, as configured (long polling, or webhooks)")
    run.add_argument("--webhook", metavar="URL",
                     help="public HTTPS base URL of this server: Telegram posts to URL/telegram, Zalo to URL/zalo")
    run.add_argument("--zalo-webhook", metavar="URL", help=argparse.SUPPRESS)  # replaced by --webhook

    console = sub.add_parser("console", help="chat with the bot in this terminal (no token, no network)")
    console.add_argument("--demo", action="store_true", help="seed a demo commune and let you switch people")


async def run(services, args) -> int:
    if args.command == "console":
        return await _console(services, args.demo)
    return await _run(services, args.webhook, args.zalo_webhook)


async def _console(services, demo: bool) -> int:
    from bot.channels.console import run_console
    from bot.services.demo import seed_demo

    people = await seed_demo(services) if demo else ()
    await run_console(services, demo_people=people)
    return 0


async def _run(services, webhook: str | None, zalo_webhook: str | None = None) -> int:
    from bot.serve import serve

    if zalo_webhook:
        raise ConfigError("--zalo-webhook is no longer used: give --webhook the public base URL "
                          "(https://host); Zalo posts to https://host/zalo and Telegram to https://host/telegram.")
    await serve(services, webhook)
    return 0
