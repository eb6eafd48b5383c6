"""Hòa Nhập: a chatbot for community reintegration work in Vietnam.

Layers, from the outside in:

- ``handlers/``      Telegram glue (the only package that imports ``telegram``)
- ``bot/channels``   the messenger port and the console channel
- ``bot/flows``      conversations as channel-neutral steps
- ``bot/dialog``     the engine that runs those steps for any channel
- ``bot/services``   use cases; they own transactions
- ``bot/storage``    SQLite: migrations and repositories (the only place with SQL)
"""

__version__ = "0.1.0"
