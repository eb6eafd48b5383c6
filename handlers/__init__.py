"""Telegram glue: thin python-telegram-bot callbacks around the channel-neutral flows.

This is the only package that imports ``telegram``.
"""
