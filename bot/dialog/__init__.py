"""The conversation engine: channel-neutral steps, run the same way on every messenger."""
