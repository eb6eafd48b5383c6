"""Logging that never shows a bot token, and no request URLs (they contain the token)."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


class RedactTokens(logging.Filter):
    """Replace anything shaped like a Telegram bot token (and the configured secrets) with ***."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _TOKEN.sub("***", message)
        for secret in self.secrets:
            cleaned = cleaned.replace(secret, "***")
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


# Libraries that log what passes through them (SQL parameters, whole updates, request URLs with
# the token) at DEBUG or INFO: never below WARNING, whatever level the bot runs at.
TALKATIVE = ("aiosqlite", "httpx", "httpcore", "telegram", "apscheduler", "tornado.access", "hpack")


def protect_logs() -> None:
    for name in TALKATIVE:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


def setup_logging(level: int = logging.INFO, secrets: tuple[str, ...] = ()) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    protect_logs()  # httpx logs every request URL at INFO, and the URL holds the token
