"""The help desk's score on the labelled questions (tests/data/helpdesk_questions.toml), by split.

    python -m bench.helpdesk_eval            # the scores
    python -m bench.helpdesk_eval --misses   # and every question that missed, with what it reached

A question counts as right when it reaches its entry and the answer holds its fact ("unknown" and
small talk: when it reaches that kind). The held-out split was never used for tuning.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "helpdesk_questions.toml"


def outcome(item: dict) -> tuple[bool, str]:
    from bot.flows.helpdesk import answer_text
    from bot.i18n import use_locale
    from bot.services import helpdesk

    found = helpdesk.match(item["q"])
    reached = found.entry if found.kind == "answer" else found.kind
    if reached != item["entry"]:
        extra = f" {list(found.alternatives)}" if found.alternatives else ""
        return False, f"{reached}{extra}"
    if "fact" in item:
        locale = item.get("lang", "vi")
        with use_locale(locale):
            text = answer_text(helpdesk.entries()[found.entry], locale)
        if item["fact"] not in text:
            return False, f"{reached} (without “{item['fact']}”)"
    return True, reached


def offered(item: dict) -> bool:
    """Not answered straight away, but the right entry is among the two or three offered."""
    from bot.services import helpdesk

    found = helpdesk.match(item["q"])
    return found.kind == "choose" and item["entry"] in found.alternatives


def scores(show_misses: bool = False) -> dict[str, tuple[int, int, int]]:
    """By split: (answered right, offered among the choices, total)."""
    items = tomllib.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    result: dict[str, list[int]] = {}
    for item in items:
        right, reached = outcome(item)
        tally = result.setdefault(item["split"], [0, 0, 0])
        tally[0] += right
        tally[1] += not right and offered(item)
        tally[2] += 1
        if show_misses and not right:
            print(f"  [{item['split']}] {item['q']!r}: wanted {item['entry']}, got {reached}")
    return {split: tuple(t) for split, t in result.items()}


if __name__ == "__main__":
    for split, (right, choices, total) in scores("--misses" in sys.argv).items():
        print(f"{split}: {right}/{total} = {right / total:.0%} answered right; "
              f"{choices} more offered among 2–3 choices ({(right + choices) / total:.0%} in all)")
