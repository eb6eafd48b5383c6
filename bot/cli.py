"""The ``hoanhap`` command: run the bot, chat in the console, create invites, back up."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot.config import ConfigError, load_settings
from bot.logs import setup_logging
from bot.models import Category, Role

log = logging.getLogger("hoanhap")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hoanhap", description="Hòa Nhập community reintegration bot")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="serve Telegram and/or Zalo, as configured (long polling, or webhooks)")
    run.add_argument("--webhook", metavar="URL",
                     help="public HTTPS base URL of this server: Telegram posts to URL/telegram, Zalo to URL/zalo")
    run.add_argument("--zalo-webhook", metavar="URL", help=argparse.SUPPRESS)  # replaced by --webhook

    console = sub.add_parser("console", help="chat with the bot in this terminal (no token, no network)")
    console.add_argument("--demo", action="store_true", help="seed a demo commune and let you switch people")

    invite = sub.add_parser("invite", help="print a single-use invite code (valid 7 days)")
    invite.add_argument("--role", required=True, choices=[r.value for r in Role])
    invite.add_argument("--commune", required=True, help='e.g. "Xã Mẫu Sơn"')
    invite.add_argument("--name", default="", help="the person's full name (optional)")

    imp = sub.add_parser("import", help="enrol people from a CSV or XLSX file (all or nothing)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--commune", required=True, help='e.g. "Xã Mẫu Sơn"')
    imp.add_argument("--dry-run", action="store_true", help="check the file and report, store nothing")

    cadence = sub.add_parser("cadence", help="show or set a commune's contact cadence per category")
    cadence.add_argument("--commune", required=True)
    cadence.add_argument("--category", choices=[c.value for c in Category])
    cadence.add_argument("--rule", help='"window:M:D" or "interval:M:D" (see README)')

    ask = sub.add_parser("ask", help="print the help desk's answer to a question")
    ask.add_argument("question")
    ask.add_argument("--lang", choices=["vi", "en"], default=None)
    ask.add_argument("--json", action="store_true", help='print {"topic", "answer", "sources"}')

    exp = sub.add_parser("expungement", help="compute an expungement date from a JSON case on stdin")
    exp.add_argument("--json", action="store_true", required=True, help="read one JSON case, print one JSON result")
    exp.add_argument("--lang", choices=["vi", "en"], default=None)

    commune = sub.add_parser("commune", help="show or change a commune's reminder and alert settings")
    commune.add_argument("name")
    commune.add_argument("--quiet", metavar="HH:MM-HH:MM", help="quiet hours, e.g. 21:00-07:00")
    commune.add_argument("--urgent-at-night", choices=["yes", "no"], help="urgent alerts to police may break quiet hours")
    commune.add_argument("--escalate-after", type=int, metavar="MINUTES", help="re-send unclaimed alerts after")
    commune.add_argument("--grace-days", type=int, help="days after a missed contact before police are alerted")
    commune.add_argument("--digest-threshold", type=int, help="more missed contacts than this come as one digest")
    commune.add_argument("--head", metavar="FULL NAME", help="the head of commune police (receives escalations)")

    report = sub.add_parser("report", help="the figures of a period, as text, an .xlsx file and a chart")
    report.add_argument("--commune", help="one commune (default: every commune, without personal data)")
    report.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
    report.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
    report.add_argument("--xlsx", type=Path)
    report.add_argument("--png", type=Path)

    backup = sub.add_parser("backup", help="consistent copy of the database, safe while the bot runs")
    backup.add_argument("path", type=Path)

    from bot.cli_zalo_oa import add_parser as zalo_oa_parser

    zalo_oa_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command in ("ask", "expungement"):  # pure: no database, no network
            return _offline(args, settings)
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
    if args.command in ("run", "console"):  # one process answers people from a database, never two
        try:
            lock.acquire()
        except AlreadyRunning as error:
            print(f"hoanhap: {error}", file=sys.stderr)
            return 2
    services = await Services.start(settings)
    try:
        if args.command == "console":
            return await _console(services, args.demo)
        if args.command == "invite":
            return await _invite(services, args)
        if args.command == "report":
            return await _report(services, args)
        if args.command == "commune":
            return await _commune(services, args)
        if args.command == "cadence":
            return await _cadence(services, args)
        if args.command == "import":
            return await _import(services, args)
        if args.command == "zalo-oa":
            from bot.cli_zalo_oa import run as zalo_oa

            return await zalo_oa(services, args)
        if args.command == "backup":
            await services.db.backup(args.path)
            print(f"backup written to {args.path}")
            return 0
        if args.command == "run":
            return await _run(services, args.webhook, args.zalo_webhook)
    finally:
        await services.close()
        lock.release()
    return 2


async def _console(services, demo: bool) -> int:
    from bot.channels.console import run_console
    from bot.services.demo import seed_demo

    people = await seed_demo(services) if demo else ()
    await run_console(services, demo_people=people)
    return 0


async def _invite(services, args) -> int:
    await _learn_bot_username(services)
    invite = await services.accounts.create_invite(
        role=Role(args.role), commune_name=args.commune, full_name=args.name
    )
    print(f"code: {invite.code}")
    print(f"role: {invite.role.value}, commune: {invite.commune.name}")
    print(f"valid until: {invite.expires_at.astimezone(services.settings.timezone):%d/%m/%Y %H:%M}")
    if invite.deep_link:
        print(f"link: {invite.deep_link}")
    else:
        print(f"send to the bot: /start {invite.code}  (the link appears once the bot has run)")
    return 0


def _offline(args, settings) -> int:
    import json

    from bot.i18n import use_locale

    locale = args.lang or settings.default_locale
    with use_locale(locale):
        if args.command == "ask":
            from bot.flows.helpdesk import answer_for

            topic, text, sources = answer_for(args.question, locale)
            if args.json:
                print(json.dumps({"topic": topic, "answer": text, "sources": sources}, ensure_ascii=False))
            else:
                print(text)
            return 0
        from bot.flows.expungement import explain
        from bot.rules import expungement as rules

        try:
            case = rules.from_json(json.loads(sys.stdin.read() or "null"))
            result = rules.assess(case)
        except json.JSONDecodeError as error:
            print(f"hoanhap: the input is not JSON: {error.msg} (line {error.lineno})", file=sys.stderr)
            return 2
        except rules.InvalidCase as error:
            print(f"hoanhap: invalid case: {error}", file=sys.stderr)
            return 2
        from datetime import datetime

        today = datetime.now(settings.timezone).date()
        print(json.dumps({
            "status": result.status.value,
            "date": result.date.isoformat() if result.date else None,
            "basis": result.basis,
            "explanation": explain(result, today),
        }, ensure_ascii=False))
        return 0


async def _report(services, args) -> int:
    from datetime import date

    from bot.flows.report import summary_text
    from bot.i18n import use_locale
    from bot.reports import chart, workbook

    try:
        start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    except ValueError:
        print("hoanhap: --from and --to are dates written YYYY-MM-DD", file=sys.stderr)
        return 2
    if end < start:
        print("hoanhap: --to comes before --from", file=sys.stderr)
        return 2
    if args.commune:
        commune = await services.reports.commune_by_name(args.commune)
        if commune is None:
            print(f"hoanhap: no commune named {args.commune!r}", file=sys.stderr)
            return 2
        report = await services.reports.commune_summary(commune.id, start, end, with_people=True)
    else:
        report = await services.reports.province_summary(start, end)
    with use_locale(services.settings.default_locale):
        print(summary_text(report))
        if args.xlsx:
            args.xlsx.write_bytes(workbook.build(report))
        if args.png:
            args.png.write_bytes(chart.build(report))
    return 0


async def _commune(services, args) -> int:
    from bot.services.access import NotFound

    changes = {}
    try:
        if args.quiet:
            start, end = args.quiet.split("-")
            from bot.rules.quiet import parse_hhmm

            changes["quiet_start"], changes["quiet_end"] = parse_hhmm(start).strftime("%H:%M"), parse_hhmm(end).strftime("%H:%M")
        if args.urgent_at_night:
            changes["urgent_bypasses_quiet"] = int(args.urgent_at_night == "yes")
        for option, column in (("escalate_after", "escalate_after_minutes"), ("grace_days", "missed_grace_days"),
                               ("digest_threshold", "digest_threshold")):
            value = getattr(args, option)
            if value is not None:
                if value < 0:
                    raise ValueError(f"--{option.replace('_', '-')} must not be negative")
                changes[column] = value
        settings = await services.accounts.configure_commune(args.name, changes, head=args.head)
    except (ValueError, TypeError) as error:
        print(f"hoanhap: {error}", file=sys.stderr)
        return 2
    except NotFound as missing:
        print(f"hoanhap: not found: {missing or args.name}", file=sys.stderr)
        return 2
    for key, value in vars(settings).items():
        print(f"{key}: {value}")
    return 0


async def _cadence(services, args) -> int:
    from bot.services.access import NotFound

    if args.rule or args.category:
        if not (args.rule and args.category):
            print("hoanhap: --category and --rule go together", file=sys.stderr)
            return 2
        try:
            await services.supervision.set_commune_cadence(args.commune, Category(args.category), args.rule)
        except ValueError as error:
            print(f"hoanhap: {error}", file=sys.stderr)
            return 2
        except NotFound:
            print(f"hoanhap: no commune named {args.commune!r}", file=sys.stderr)
            return 2
    rules = await services.supervision.commune_cadence(args.commune)
    if rules is None:
        print(f"hoanhap: no commune named {args.commune!r}", file=sys.stderr)
        return 2
    for category, rule in sorted(rules.items()):
        print(f"{category}: {rule}")
    return 0


async def _import(services, args) -> int:
    from bot.i18n import _, use_locale
    from bot.services.importer import import_file

    if not args.file.exists():
        print(f"hoanhap: no such file: {args.file}", file=sys.stderr)
        return 2
    with use_locale(services.settings.default_locale):
        result = await import_file(services, args.file, args.commune, dry_run=args.dry_run)
        if result.errors:
            for error in result.errors:
                print(_("row {row}, column {column}: {reason}", row=error.row, column=error.column, reason=error.reason))
            print(_("{count} problems found; nothing was imported.", count=len(result.errors)))
            return 1
        print(_("{created} enrolled, {updated} updated, {unchanged} unchanged.", created=result.created,
                updated=result.updated, unchanged=result.unchanged)
              + (" " + _("(dry run: nothing was stored)") if args.dry_run else ""))
    return 0


async def _learn_bot_username(services) -> None:
    """For the deep link: the configured username, or one ``getMe`` if a token is set."""
    settings = services.settings
    if settings.telegram_username:
        await services.accounts.remember_bot_username(settings.telegram_username.lstrip("@"))
        return
    if not settings.telegram_token or await services.accounts.bot_username():
        return
    from handlers.app import fetch_username

    username = await fetch_username(settings)
    if username:
        await services.accounts.remember_bot_username(username)


async def _run(services, webhook: str | None, zalo_webhook: str | None = None) -> int:
    from bot.serve import serve

    if zalo_webhook:
        raise ConfigError("--zalo-webhook is no longer used: give --webhook the public base URL "
                          "(https://host); Zalo posts to https://host/zalo and Telegram to https://host/telegram.")
    await serve(services, webhook)
    return 0


if __name__ == "__main__":
    sys.exit(main())
