from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings


def test_defaults_are_vietnamese_and_vietnam_time():
    settings = load_settings({}, dotenv=False)

    assert settings.default_locale == "vi"
    assert settings.timezone.key == "Asia/Ho_Chi_Minh"
    assert str(settings.db_path) == "hoanhap.sqlite3"
    assert settings.telegram_base_url == "https://api.telegram.org/bot"


@pytest.mark.parametrize(
    "name, value",
    [
        ("HOANHAP_TELEGRAM_TOKEN", "not a token"),
        ("HOANHAP_TELEGRAM_BASE_URL", "127.0.0.1:8081/bot"),
        ("HOANHAP_TIMEZONE", "Mars/Olympus"),
        ("HOANHAP_DEFAULT_LOCALE", "fr"),
        ("HOANHAP_WEBHOOK_PORT", "eighty"),
        ("HOANHAP_WEBHOOK_SECRET", "has spaces in it"),
    ],
)
def test_a_malformed_setting_is_named_in_the_error(name, value):
    with pytest.raises(ConfigError) as error:
        load_settings({name: value}, dotenv=False)
    assert name in str(error.value)


def test_a_missing_token_is_named_when_telegram_is_needed():
    with pytest.raises(ConfigError, match="HOANHAP_TELEGRAM_TOKEN"):
        load_settings({}, dotenv=False).require_telegram_token()


def test_the_token_never_appears_in_the_settings_repr():
    settings = load_settings({"HOANHAP_TELEGRAM_TOKEN": "123456:SECRET-abcdefghijklmnopqrstuvwxyz"}, dotenv=False)
    assert "SECRET" not in repr(settings)


def test_a_dotenv_file_is_read(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("HOANHAP_DEFAULT_LOCALE=en\nHOANHAP_DB=from-dotenv.sqlite3\n")
    monkeypatch.chdir(tmp_path)
    for name in ("HOANHAP_DEFAULT_LOCALE", "HOANHAP_DB"):
        monkeypatch.setenv(name, "")  # so monkeypatch restores what load_dotenv writes
        monkeypatch.delenv(name)

    settings = load_settings()

    assert settings.default_locale == "en" and str(settings.db_path) == "from-dotenv.sqlite3"
