"""Calculators that need no database and no network: the help desk's answer to a question, an
expungement date from a JSON case."""

from __future__ import annotations

import sys

COMMANDS = ("ask", "expungement")


def add_parsers(sub) -> None:
    ask = sub.add_parser("ask", help="print the help desk's answer to a question")
    ask.add_argument("question")
    ask.add_argument("--lang", choices=["vi", "en"], default=None)
    ask.add_argument("--json", action="store_true", help='print {"topic", "entry", "answer", "sources"}')

    exp = sub.add_parser("expungement", help="compute an expungement date from a JSON case on stdin")
    exp.add_argument("--json", action="store_true", required=True, help="read one JSON case, print one JSON result")
    exp.add_argument("--lang", choices=["vi", "en"], default=None)


def run(args, settings) -> int:
    import json

    from bot.i18n import use_locale

    locale = args.lang or settings.default_locale
    with use_locale(locale):
        if args.command == "ask":
            from bot.flows.helpdesk import answer_for

            found = answer_for(args.question, locale)
            if args.json:
                print(json.dumps(found, ensure_ascii=False))
            else:
                print(found["answer"])
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
