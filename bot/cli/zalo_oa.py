"""``hoanhap zalo-oa …``: register a Zalo Official Account, authorise it, see its state.

    add      --app-id ID --app-secret SECRET --oa-secret-key KEY [--commune NAME]
    connect  --app-id ID --redirect-uri URL      print the authorisation link (OAuth v4, PKCE)
    code     --app-id ID CODE                    exchange the code the admin brings back
    tokens   --app-id ID --refresh-token TOKEN   store a refresh token directly
    set      --app-id ID [--window 48|168] [--buttons on|off]
    list                                         each OA: commune, token expiry, last event, last send

A secret given as ``-`` is read from standard input (so it stays out of the shell's history).
Nothing here ever prints a secret or a token.
"""

from __future__ import annotations

import argparse
import sys

COMMANDS = ("zalo-oa",)

from bot.channels.errors import TemporaryFailure
from bot.clock import format_datetime
from bot.storage.communes import Communes
from bot.storage.zalo_oa import OfficialAccounts


def add_parsers(sub) -> None:
    oa = sub.add_parser("zalo-oa", help="register and authorise a Zalo Official Account")
    actions = oa.add_subparsers(dest="oa_command", required=True)
    add = actions.add_parser("add", help="register an OA's app (its secrets stay in the database)")
    add.add_argument("--app-id", required=True)
    add.add_argument("--app-secret", required=True, help="the app's secret key ('-' to read it from stdin)")
    add.add_argument("--oa-secret-key", required=True, help="the OA secret key that signs webhooks ('-': stdin)")
    add.add_argument("--commune", help='the commune whose police run this OA, e.g. "Xã Mẫu Sơn"')
    connect = actions.add_parser("connect", help="print the link an OA admin opens to authorise the app")
    connect.add_argument("--app-id", required=True)
    connect.add_argument("--redirect-uri", required=True, help="the OA callback URL saved in the app's settings")
    code = actions.add_parser("code", help="exchange the code from the redirect (within 10 minutes)")
    code.add_argument("--app-id", required=True)
    code.add_argument("code")
    tokens = actions.add_parser("tokens", help="store a refresh token directly (it is used at once)")
    tokens.add_argument("--app-id", required=True)
    tokens.add_argument("--refresh-token", required=True, help="'-' to read it from stdin")
    settings = actions.add_parser("set", help="the OA's sending policy")
    settings.add_argument("--app-id", required=True)
    settings.add_argument("--window", type=int, choices=[48, 168],
                          help="hours after a person's last message within which to write: 48 (free) or 168 "
                               "(7 days; messages after 48 h are charged to the OA's Zalo Cloud Account)")
    settings.add_argument("--buttons", choices=["on", "off"], help="oa.query buttons under choices (verify first)")
    actions.add_parser("list", help="each OA: commune, token expiry, last event and last send (no secrets)")


def _secret(value: str) -> str:
    return sys.stdin.readline().strip() if value == "-" else value


async def run(services, args: argparse.Namespace) -> int:
    from bot.channels.zalo_oa import ZaloOA, ZaloOAError

    settings = services.settings
    oa = ZaloOA(services.db, services.clock, api_base=settings.zalo_oa_api_base,
                oauth_base=settings.zalo_oa_oauth_base)
    try:
        command = args.oa_command
        if command == "add":
            commune_id = None
            if args.commune:
                async with services.db.transaction() as tx:
                    commune_id = (await Communes.get_or_create(tx, args.commune, services.clock.now())).id
            async with services.db.transaction() as tx:
                new = await OfficialAccounts.add(tx, app_id=args.app_id, app_secret=_secret(args.app_secret),
                                                 oa_secret_key=_secret(args.oa_secret_key), commune_id=commune_id,
                                                 now=services.clock.now())
            print(f"Zalo OA app {args.app_id} {'registered' if new else 'updated'}. "
                  f"Next: hoanhap zalo-oa connect --app-id {args.app_id} --redirect-uri URL")
            return 0
        if command == "list":
            return await _list(services, oa)
        if await oa.account(args.app_id) is None:
            print(f"hoanhap: no Zalo OA app {args.app_id} is registered (hoanhap zalo-oa add).", file=sys.stderr)
            return 1
        if command == "connect":
            link = await oa.authorisation_link(args.app_id, args.redirect_uri)
            print("Open this link as an admin of the Official Account, choose the OA and allow access;")
            print("then run: hoanhap zalo-oa code --app-id " + args.app_id + " CODE  (CODE from the address you land on,")
            print("within 10 minutes)")
            print(link)
            return 0
        if command == "set":
            async with services.db.transaction() as tx:
                await OfficialAccounts.configure(tx, args.app_id, window_hours=args.window,
                                                 buttons=None if args.buttons is None else args.buttons == "on")
            print("saved")
            return 0
        try:
            if command == "code":
                await oa.exchange_code(args.app_id, args.code.strip())
            elif command == "tokens":
                await oa.store_refresh_token(args.app_id, _secret(args.refresh_token))
        except ZaloOAError as error:
            print(f"hoanhap: Zalo refused ({error.code}); start again with hoanhap zalo-oa connect.", file=sys.stderr)
            return 1
        except TemporaryFailure as error:
            print(f"hoanhap: Zalo could not be reached ({error}); try again.", file=sys.stderr)
            return 1
        account = await oa.account(args.app_id)
        print(f"authorised: access token valid until {format_datetime(account.access_expires_at)}")
        return 0
    finally:
        await oa.close()


async def _list(services, oa) -> int:
    accounts = await oa.accounts()
    if not accounts:
        print("No Zalo Official Account is registered.")
        return 0
    async with services.db.reading() as conn:
        communes = {c.id: c.name for c in await Communes.all(conn)}
    for a in accounts:
        if a.reauth_needed_at:
            state = "MUST BE AUTHORISED AGAIN (hoanhap zalo-oa connect)"
        elif a.refresh_token is None:
            state = "not authorised yet (hoanhap zalo-oa connect)"
        else:
            state = f"token valid until {format_datetime(a.access_expires_at)}"
        when = (lambda moment: format_datetime(moment) if moment else "never")
        print(f"{a.app_id}  OA {a.oa_id or '?'}  {communes.get(a.commune_id, 'no commune')}  {state}  "
              f"window {a.window_hours} h  buttons {'on' if a.buttons else 'off'}  "
              f"last event {when(a.last_event_at)}  last send {when(a.last_sent_at)}")
    return 0
