"""Test kit: a fake Telegram Bot API (in-process and over HTTP) and dialogue helpers."""
