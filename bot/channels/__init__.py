"""Messengers: the port every channel implements, and the console channel."""
