"""Settings read from the environment (and an optional ``.env`` file)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

SUPPORTED_LOCALES = ("vi", "en")
TELEGRAM_DEFAULT_BASE_URL = "https://api.telegram.org/bot"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    telegram_token: str | None
    telegram_base_url: str
    db_path: Path
    timezone: ZoneInfo
    default_locale: str
    webhook_listen: str
    webhook_port: int
    webhook_secret: str | None
    telegram_username: str | None
    zalo_token: str | None = None
    zalo_base_url: str = "https://bot-api.zaloplatforms.com/bot"
    zalo_webhook_secret: str | None = None
    retention_days: int = 5 * 365
    zalo_oa_api_base: str = "https://openapi.zalo.me"
    zalo_oa_oauth_base: str = "https://oauth.zaloapp.com"
    http_port_set: bool = False  # HOANHAP_HTTP_PORT was given: serve /healthz even when polling
    concurrency: int = 64

    @property
    def http_listen(self) -> str:
        return self.webhook_listen

    @property
    def http_port(self) -> int:
        return self.webhook_port

    def require_telegram_token(self) -> str:
        if not self.telegram_token:
            raise ConfigError(
                "HOANHAP_TELEGRAM_TOKEN is not set: put the token BotFather gave you in the "
                "environment or in a .env file."
            )
        return self.telegram_token

    def __repr__(self) -> str:  # never print the token
        return (
            f"Settings(db_path={str(self.db_path)!r}, timezone={self.timezone.key!r}, "
            f"default_locale={self.default_locale!r}, telegram_base_url={self.telegram_base_url!r})"
        )


def _get(env: dict[str, str], name: str, default: str | None = None) -> str | None:
    value = env.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def load_settings(env: dict[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Read settings; raise :class:`ConfigError` naming the variable that is wrong."""
    if env is None:
        if dotenv:
            load_dotenv(Path.cwd() / ".env", override=False)
        env = dict(os.environ)

    token = _get(env, "HOANHAP_TELEGRAM_TOKEN")
    if token is not None and (":" not in token or any(c.isspace() for c in token)):
        raise ConfigError(
            "HOANHAP_TELEGRAM_TOKEN is malformed: a Telegram token looks like 123456:ABC-DEF…"
        )

    base_url = _get(env, "HOANHAP_TELEGRAM_BASE_URL", TELEGRAM_DEFAULT_BASE_URL)
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            "HOANHAP_TELEGRAM_BASE_URL must start with http:// or https:// "
            "(for example http://127.0.0.1:8081/bot)."
        )

    tz_name = _get(env, "HOANHAP_TIMEZONE", "Asia/Ho_Chi_Minh")
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"HOANHAP_TIMEZONE is not a known time zone: {tz_name!r}.") from None

    locale = _get(env, "HOANHAP_DEFAULT_LOCALE", "vi")
    if locale not in SUPPORTED_LOCALES:
        raise ConfigError(
            f"HOANHAP_DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}, not {locale!r}."
        )

    # One web server for every webhook and /healthz. The old names still work.
    port_name = "HOANHAP_HTTP_PORT" if _get(env, "HOANHAP_HTTP_PORT") else "HOANHAP_WEBHOOK_PORT"
    port_text = _get(env, port_name, "8443")
    try:
        port = int(port_text)
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        raise ConfigError(f"{port_name} must be a port number, not {port_text!r}.") from None
    if _get(env, "HOANHAP_ZALO_WEBHOOK_PORT"):
        raise ConfigError("HOANHAP_ZALO_WEBHOOK_PORT is no longer used: Telegram and Zalo share one web server; "
                          "set HOANHAP_HTTP_PORT (Zalo posts to /zalo on it).")
    concurrency_text = _get(env, "HOANHAP_CONCURRENCY", "64")
    if not concurrency_text.isdigit() or not 1 <= int(concurrency_text) <= 512:
        raise ConfigError(f"HOANHAP_CONCURRENCY must be a number from 1 to 512, not {concurrency_text!r}.")

    secret = _get(env, "HOANHAP_WEBHOOK_SECRET")
    if secret is not None and not (
        1 <= len(secret) <= 256 and all(c.isalnum() or c in "_-" for c in secret)
    ):
        raise ConfigError(
            "HOANHAP_WEBHOOK_SECRET may hold 1-256 characters: letters, digits, _ and - only."
        )

    zalo_base = _get(env, "HOANHAP_ZALO_BASE_URL", "https://bot-api.zaloplatforms.com/bot")
    if not zalo_base.startswith(("http://", "https://")):
        raise ConfigError("HOANHAP_ZALO_BASE_URL must start with http:// or https://.")
    zalo_secret = _get(env, "HOANHAP_ZALO_WEBHOOK_SECRET")
    if zalo_secret is not None and not 8 <= len(zalo_secret) <= 256:
        raise ConfigError("HOANHAP_ZALO_WEBHOOK_SECRET must have 8 to 256 characters (Zalo's rule).")

    oa_bases = {}
    for name, default in (("HOANHAP_ZALO_OA_API_BASE", "https://openapi.zalo.me"),
                          ("HOANHAP_ZALO_OA_OAUTH_BASE", "https://oauth.zaloapp.com")):
        oa_bases[name] = _get(env, name, default).rstrip("/")
        if not oa_bases[name].startswith(("http://", "https://")):
            raise ConfigError(f"{name} must start with http:// or https://.")

    retention_text = _get(env, "HOANHAP_RETENTION_DAYS", str(5 * 365))
    if not retention_text.isdigit() or int(retention_text) < 1:
        raise ConfigError(f"HOANHAP_RETENTION_DAYS must be a number of days, not {retention_text!r}.")

    return Settings(
        retention_days=int(retention_text),
        zalo_token=_get(env, "HOANHAP_ZALO_TOKEN"),
        zalo_base_url=zalo_base,
        zalo_webhook_secret=zalo_secret,
        zalo_oa_api_base=oa_bases["HOANHAP_ZALO_OA_API_BASE"],
        zalo_oa_oauth_base=oa_bases["HOANHAP_ZALO_OA_OAUTH_BASE"],
        http_port_set=bool(_get(env, "HOANHAP_HTTP_PORT")),
        concurrency=int(concurrency_text),
        telegram_token=token,
        telegram_base_url=base_url,
        db_path=Path(_get(env, "HOANHAP_DB", "hoanhap.sqlite3")),
        timezone=timezone,
        default_locale=locale,
        webhook_listen=_get(env, "HOANHAP_HTTP_LISTEN", _get(env, "HOANHAP_WEBHOOK_LISTEN", "0.0.0.0")),
        webhook_port=port,
        webhook_secret=secret,
        telegram_username=_get(env, "HOANHAP_TELEGRAM_USERNAME"),
    )
