"""What can go wrong when delivering a message, in terms every channel shares."""


class DeliveryError(Exception):
    """The message was refused for good (e.g. malformed); do not retry."""


class Unreachable(DeliveryError):
    """The person blocked the bot, or the chat no longer exists."""


class RateLimited(Exception):
    """The messenger asked us to slow down; retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: float, lane: str | None = None) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after
        self.lane = lane  # what must wait: one Zalo OA, say (None: the whole messenger)


class TemporaryFailure(Exception):
    """A network error, a timeout or a server error: retry later."""


class QuotaExhausted(RateLimited):
    """The messenger's quota (per month, per plan) is used up: hold the whole messenger for a
    while and tell commune police once; other messengers keep flowing."""


class NotNow(Exception):
    """This messenger may not carry a message to this person now (Zalo OA: the person has not
    written within the interaction window). Another messenger, or later, may."""
