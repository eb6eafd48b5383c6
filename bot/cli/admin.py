"""Admin commands on the database: invite codes, imports, a commune's settings and cadence,
reports, backups."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.models import Category, Role

COMMANDS = ("invite", "import", "cadence", "commune", "report", "backup", "transfer", "members")


def add_parsers(sub) -> None:
    invite = sub.add_parser("invite", help="print a single-use invite code (valid 7 days)")
    invite.add_argument("--role", required=True, choices=[r.value for r in Role])
    invite.add_argument("--commune", help='every role but province: e.g. "Xã Mẫu Sơn"')
    invite.add_argument("--province", help='role province only: e.g. "Tỉnh Lạng Sơn"')
    invite.add_argument("--name", default="", help="the person's full name (optional)")
    invite.add_argument("--person", help="returnee or family: the enrolled person (full name) the code is for")

    imp = sub.add_parser("import", help="enrol people from a CSV or XLSX file (all or nothing)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--commune", required=True, help='e.g. "Xã Mẫu Sơn"')
    imp.add_argument("--dry-run", action="store_true", help="check the file and report, store nothing")

    cadence = sub.add_parser("cadence", help="show or set a commune's contact cadence per category")
    cadence.add_argument("--commune", required=True)
    cadence.add_argument("--category", choices=[c.value for c in Category])
    cadence.add_argument("--rule", help='"window:M:D" or "interval:M:D" (see README)')

    commune = sub.add_parser("commune", help="show or change a commune's reminder and alert settings")
    commune.add_argument("--commune", dest="commune_name", help='e.g. "Xã Mẫu Sơn"')
    commune.add_argument("name", nargs="?", help=argparse.SUPPRESS)  # the older positional form still works
    commune.add_argument("--quiet", metavar="HH:MM-HH:MM", help="quiet hours, e.g. 21:00-07:00")
    commune.add_argument("--urgent-at-night", choices=["yes", "no"], help="urgent alerts to police may break quiet hours")
    commune.add_argument("--escalate-after", type=int, metavar="MINUTES", help="re-send unclaimed alerts after")
    commune.add_argument("--grace-days", type=int, help="days after a missed contact before police are alerted")
    commune.add_argument("--digest-threshold", type=int, help="more missed contacts than this come as one digest")
    commune.add_argument("--head", metavar="FULL NAME", help="the head of commune police (receives escalations)")
    commune.add_argument("--province", help='the province the commune belongs to (its report covers it), '
                                            'e.g. "Tỉnh Lạng Sơn"')
    commune.add_argument("--rollcall-by-bot", choices=["yes", "no"],
                         help="people serving in the community do the monthly roll call through the bot (/present)")
    commune.add_argument("--rollcall-days", type=int, metavar="N",
                         help="with --rollcall-by-bot: open on days 1 to N of each month (1-5; default 5)")
    commune.add_argument("--day-off", action="append", default=[], metavar="DD/MM/YYYY",
                         help="a day the commune does not work (besides public holidays): working-day deadlines skip it")

    report = sub.add_parser("report", help="the figures of a period, as text, an .xlsx file and a chart")
    report.add_argument("--commune", help="one commune (default: every commune, without personal data)")
    report.add_argument("--province", help="the communes of one province, without personal data")
    report.add_argument("--from", dest="start", required=True, help="dd/mm/yyyy (or yyyy-mm-dd)")
    report.add_argument("--to", dest="end", required=True, help="dd/mm/yyyy (or yyyy-mm-dd)")
    report.add_argument("--xlsx", type=Path)
    report.add_argument("--png", type=Path)

    transfer = sub.add_parser("transfer", help="move a person's open record to another commune (the province's act)")
    transfer.add_argument("--person", required=True, help="full name, as enrolled")
    transfer.add_argument("--from", dest="source", required=True, help='the commune managing them now')
    transfer.add_argument("--to", dest="target", required=True, help='the commune they moved to')

    members = sub.add_parser("members", help="who uses the bot in a commune; end access, unlink, cancel codes")
    members.add_argument("--commune", required=True)
    act = members.add_mutually_exclusive_group()
    act.add_argument("--deactivate", type=int, metavar="ID", help="end this person's use of the bot")
    act.add_argument("--unlink", type=int, metavar="ID", help="unlink one messenger account (with --messenger)")
    act.add_argument("--cancel-invite", type=int, metavar="ID", help="cancel an unused invite code")
    members.add_argument("--hand-to", type=int, metavar="ID", help="with --deactivate: the supervisor taking over")
    members.add_argument("--messenger", choices=["telegram", "zalo", "zalo_oa", "console"])

    backup = sub.add_parser("backup", help="consistent copy of the database, safe while the bot runs")
    backup.add_argument("path", type=Path)


async def run(services, args) -> int:
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
    if args.command == "transfer":
        return await _transfer(services, args)
    if args.command == "members":
        return await _members(services, args)
    return await _backup(services, args.path)


async def _members(services, args) -> int:
    from bot.models import Messenger
    from bot.services.access import NotFound, PermissionDenied

    members = services.members
    try:
        if args.deactivate is not None:
            person = await members.deactivate(None, args.deactivate, hand_to=args.hand_to, commune_name=args.commune)
            print(f"{person.full_name or person.id}: access ended; they are told")
        elif args.unlink is not None:
            if not args.messenger:
                print("hoanhap: --unlink needs --messenger", file=sys.stderr)
                return 2
            person = await members.unlink(None, args.unlink, Messenger(args.messenger), commune_name=args.commune)
            print(f"{person.full_name or person.id}: the {args.messenger} account is unlinked; it is told")
        elif args.cancel_invite is not None:
            if not await members.cancel_invite(None, args.cancel_invite, commune_name=args.commune):
                print(f"hoanhap: no unused invite {args.cancel_invite} in {args.commune!r}", file=sys.stderr)
                return 2
            print(f"invite {args.cancel_invite} cancelled")
        else:
            tz = services.settings.timezone
            for member in await members.members(None, args.commune):
                accounts = ", ".join(i.messenger.value for i in member.accounts)
                follows = f", supervises {member.follows}" if member.person.role.value == "supervisor" else ""
                print(f"{member.person.id}\t{member.person.role.value}\t{member.person.full_name or '-'}\t{accounts}{follows}")
            for invite in await members.unused_invites(None, args.commune):
                print(f"invite {invite.id}\t{invite.role.value}\t{invite.full_name or '-'}\t"
                      f"valid until {invite.expires_at.astimezone(tz):%d/%m/%Y %H:%M}")
    except NotFound as missing:
        print(f"hoanhap: not found: {missing}", file=sys.stderr)
        return 2
    except PermissionDenied:
        print("hoanhap: not allowed", file=sys.stderr)
        return 2
    return 0


async def _transfer(services, args) -> int:
    from bot.services.access import NotFound

    try:
        record = await services.supervision.transfer(args.person, args.source, args.target)
    except NotFound as missing:
        print(f"hoanhap: not found: {missing}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"hoanhap: {error}", file=sys.stderr)
        return 2
    print(f"{record.full_name} transferred to {args.target}; its police are told and assign a supervisor")
    return 0


async def _backup(services, path: Path) -> int:
    if path.exists():
        print(f"hoanhap: {path} already exists: a backup never overwrites a file; choose another name",
              file=sys.stderr)
        return 2
    if not path.parent.is_dir():
        print(f"hoanhap: there is no folder {path.parent}: create it first", file=sys.stderr)
        return 2
    from bot.storage.db import CorruptDatabase

    try:
        await services.db.backup(path)
    except OSError as error:
        print(f"hoanhap: the backup could not be written to {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    except CorruptDatabase as error:
        print(f"hoanhap: the database is damaged ({error}); no backup was written. Keep the damaged file, restore "
              f"the last good backup (README, step 4)", file=sys.stderr)
        return 1
    print(f"backup written to {path} (checked: integrity ok; readable by its owner only)")
    return 0


async def _invite(services, args) -> int:
    role = Role(args.role)
    if role is Role.PROVINCE and args.commune:
        print('hoanhap: a provincial officer belongs to a province, not to a commune: '
              '--province "Tỉnh Lạng Sơn" instead of --commune', file=sys.stderr)
        return 2
    if role is not Role.PROVINCE and not args.commune:
        print(f'hoanhap: a {role.value}\'s code names a commune: --commune "Xã Mẫu Sơn"'
              + (" (--province is for provincial officers)" if args.province else ""), file=sys.stderr)
        return 2
    if role is Role.PROVINCE and not args.province:
        print('hoanhap: a provincial officer\'s code names a province: --province "Tỉnh Lạng Sơn"', file=sys.stderr)
        return 2
    tied = {}
    if role in (Role.RETURNEE, Role.FAMILY):  # a person's code is tied to their record
        found = await services.accounts.enrolled_person(args.commune, args.person or "")
        if isinstance(found, str):
            print(f"hoanhap: {found}", file=sys.stderr)
            return 2
        tied = {"person_id": found} if role is Role.RETURNEE else {"family_of": found}
    await _learn_bot_username(services)
    try:
        invite = await services.accounts.create_invite(role=role, commune_name=args.commune, full_name=args.name,
                                                       province_name=args.province, **tied)
    except ValueError as error:
        print(f"hoanhap: {error}", file=sys.stderr)
        return 2
    print(f"code: {invite.code}")
    unit = "province" if role is Role.PROVINCE else "commune"
    print(f"role: {invite.role.value}, {unit}: {invite.commune.name}")
    print(f"valid until: {invite.expires_at.astimezone(services.settings.timezone):%d/%m/%Y %H:%M}")
    if invite.deep_link:
        print(f"link: {invite.deep_link}")
    else:
        print(f"send to the bot: /start {invite.code}  (the link appears once the bot has run)")
    return 0


def cli_date(text: str, services):
    """A date on the command line as people write it (dd/mm/yyyy), or ISO; None if unreadable."""
    from bot.rules.dates import DateProblem, parse_date

    day = parse_date(text, services.supervision.today(), year_required=True)
    return None if isinstance(day, DateProblem) else day


async def _report(services, args) -> int:
    from bot.flows.report import summary_text
    from bot.i18n import use_locale
    from bot.reports import chart, workbook

    start, end = cli_date(args.start, services), cli_date(args.end, services)
    if start is None or end is None:
        print("hoanhap: --from and --to are dates written dd/mm/yyyy (or yyyy-mm-dd)", file=sys.stderr)
        return 2
    if end < start:
        print("hoanhap: --to comes before --from", file=sys.stderr)
        return 2
    if args.commune and args.province:
        print("hoanhap: --commune or --province, not both", file=sys.stderr)
        return 2
    if args.province:
        province = await services.reports.province_by_name(args.province)
        if province is None:
            print(f"hoanhap: no province named {args.province!r} (attach communes to it with "
                  f"hoanhap commune --commune NAME --province {args.province!r})", file=sys.stderr)
            return 2
        report = await services.reports.province_summary(start, end, province_id=province.id)
    elif args.commune:
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
            changes["urgent_bypasses_quiet"] = args.urgent_at_night == "yes"
        if args.rollcall_by_bot:
            changes["rollcall_by_bot"] = args.rollcall_by_bot == "yes"
        if args.rollcall_days is not None:
            if not 1 <= args.rollcall_days <= 5:
                raise ValueError("--rollcall-days is 1 to 5: the roll call is in the first 5 days of the month")
            changes["rollcall_days"] = args.rollcall_days
        for option, column in (("escalate_after", "escalate_after_minutes"), ("grace_days", "missed_grace_days"),
                               ("digest_threshold", "digest_threshold")):
            value = getattr(args, option)
            if value is not None:
                if value < 0:
                    raise ValueError(f"--{option.replace('_', '-')} must not be negative")
                changes[column] = value
        name = args.commune_name or args.name
        if not name:
            raise ValueError('name the commune: --commune "Xã Mẫu Sơn"')
        days_off = []
        for text in args.day_off:
            day = cli_date(text, services)
            if day is None:
                raise ValueError(f"--day-off {text!r} is not a date (dd/mm/yyyy)")
            days_off.append(day)
        settings = await services.accounts.configure_commune(name, changes, head=args.head, province=args.province,
                                                             days_off=days_off)
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
    from bot.i18n import _, _n, use_locale
    from bot.services.importer import import_file

    if not args.file.exists():
        print(f"hoanhap: no such file: {args.file}", file=sys.stderr)
        return 2
    with use_locale(services.settings.default_locale):
        result = await import_file(services, args.file, args.commune, dry_run=args.dry_run)
        if result.errors:
            for error in result.errors:
                print(_("row {row}, column {column}: {reason}", row=error.row, column=error.column, reason=error.reason))
            print(_n("{count} problem found; nothing was imported.", "{count} problems found; nothing was imported.",
                     len(result.errors)))
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
